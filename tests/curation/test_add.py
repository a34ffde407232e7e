"""`add REF...` and `import` of link texts, against local servers replaying each API."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures" / "api"))
import apiserver  # noqa: E402
from apiserver import Answer  # noqa: E402

from generator.cli import main  # noqa: E402
from generator.curation import add as add_module  # noqa: E402
from generator.fetch.metadata import FetchedPaper  # noqa: E402
from generator.identifiers import Ref  # noqa: E402
from generator.library.records import load_library  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent
README = ROOT / "tests" / "fixtures" / "awesome" / "awesome-llm-milestones.md"
OFFLINE = ["--arxiv-api", "http://127.0.0.1:9/api/query", "--crossref-api", "http://127.0.0.1:9",
           "--openreview-api", "http://127.0.0.1:9", "--acl-api", "http://127.0.0.1:9", "--delay", "0"]
COMPLETE_ONLINE = {"attention-all-you-need", "bert", "megatron-lm", "scaling-laws-neural-language", "switch-transformers-scaling-trillion",
                   "finetuned-language-models-zero", "training-compute-optimal-large",
                   "emergent-abilities-large-language", "direct-preference-optimization-language"}
TEN = [
    "1706.03762",
    "https://arxiv.org/pdf/2305.18290v3",
    "https://hf.co/papers/2403.03507",
    "https://doi.org/10.48550/arXiv.2203.15556",
    "arXiv:2101.03961",
    "10.1038/nature14539",
    "https://doi.org/10.1145/3065386",
    "https://openreview.net/forum?id=gEZrGCozdqR",
    "https://openreview.net/pdf?id=yzkSU5zdwD",
    "https://aclanthology.org/N19-1423.pdf",
]


@pytest.fixture
def api():
    yield from apiserver.serve()


@pytest.fixture
def content(tmp_path) -> Path:
    folder = tmp_path / "content"
    (folder / "papers").mkdir(parents=True)
    return folder


def run(content: Path, *args: str) -> int:
    return main([args[0], "--content", str(content), *args[1:]])


def papers(content: Path) -> dict:
    library = load_library(content)
    assert not library.problems, library.problems
    return library.by_key()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.yml"))}


def test_ten_mixed_refs_give_ten_complete_records_then_no_request(content, api, capsys):
    assert run(content, "add", *TEN, *api.cli_args(), "--date", "2026-01-15") == 0
    got = papers(content)
    assert len(got) == 10
    for paper in got.values():
        assert paper.title and paper.abstract and paper.authors and paper.year and paper.venue and paper.url, paper.key
        assert paper.arxiv or paper.doi or "openreview.net/forum?id=" in paper.url, paper.key
        assert paper.added == "2026-01-15"
    by_title = {p.title: p for p in got.values()}
    assert by_title["Attention Is All You Need"].arxiv == "1706.03762"
    assert by_title["Training Compute-Optimal Large Language Models"].authors[0] == "Jordan Hoffmann"
    assert by_title["Deep learning"].venue == "Nature" and by_title["Deep learning"].doi == "10.1038/nature14539"
    assert by_title["Emergent Abilities of Large Language Models"].venue == "Transactions on Machine Learning Research 2022"
    assert got["galore"].primary_class == "cs.LG"  # keyed like any other paper: the short name
    first = api.requests[:]
    assert len(first) == 6  # one arXiv batch, two Crossref works, two OpenReview notes, one ACL .bib
    out = capsys.readouterr().out
    assert "added 10" in out and "6 request(s) sent" in out

    before = snapshot(content)
    assert run(content, "add", *TEN, *api.cli_args()) == 0
    assert api.requests == first and snapshot(content) == before
    assert "added 0, merged 0, unchanged 10" in capsys.readouterr().out

    shutil.rmtree(content / "papers")  # the records gone, the cache kept: still nothing sent
    (content / "papers").mkdir()
    assert run(content, "add", *TEN, *api.cli_args(), "--date", "2026-01-15") == 0
    assert api.requests == first and snapshot(content) == before
    assert main(["check", "--content", str(content)]) == 0


def test_adding_merges_into_the_record_that_has_the_paper(content, api, capsys):
    record = content / "papers" / "my-galore.yml"
    record.write_text(
        "key: my-galore\ntitle: GaLore (my notes)\nabstract: Curated abstract.\nadded: 2025-01-01\n"
        "sources: []\n# the curator's own author list\nauthors:\n  - J. Zhao\narxiv: '2403.03507'\nnotes: keep me\n"
    )
    (content / "papers" / "attention.yml").write_text(
        "key: attention\ntitle: 'Attention is all you need!'\nabstract: From a dump.\nadded: 2025-01-01\n"
    )
    assert run(content, "add", "https://huggingface.co/papers/2403.03507v2", "1706.03762", *api.cli_args()) == 0
    got = papers(content)
    assert set(got) == {"my-galore", "attention"}  # merged by arXiv id, then by exact normalised title
    galore = got["my-galore"]
    assert galore.title == "GaLore (my notes)" and galore.abstract == "Curated abstract."
    assert galore.authors == ("J. Zhao",) and galore.notes == "keep me"
    assert galore.year == 2024 and galore.venue == "arXiv preprint"
    assert "# the curator's own author list" in record.read_text()
    assert got["attention"].arxiv == "1706.03762" and got["attention"].title == "Attention is all you need!"
    assert "merged 2" in capsys.readouterr().out


def test_two_refs_to_one_paper_make_one_record(content, api):
    # The ACL export gives the DOI; Crossref does not know that DOI, but the library now does.
    assert run(content, "add", "N19-1423", "https://doi.org/10.18653/v1/N19-1423", *api.cli_args()) == 0
    assert list(papers(content)) == ["bert"]


def test_unknown_and_not_found_refs_are_reported_and_exit_1(content, api, capsys):
    assert run(content, "add", "not-a-ref", "2401.99999", "10.9999/none", "1706.03762", *api.cli_args()) == 1
    captured = capsys.readouterr()
    assert "'not-a-ref': not an arXiv id or link" in captured.err
    assert "not found: arXiv 2401.99999" in captured.err and "not found: DOI 10.9999/none" in captured.err
    assert list(papers(content)) == ["attention-all-you-need"]


def test_offline_add_leaves_stubs_that_a_later_run_completes(content, api, capsys):
    refs = ["1706.03762", "10.1038/nature14539", "https://openreview.net/forum?id=gEZrGCozdqR"]
    assert run(content, "add", *refs, *OFFLINE) == 0
    out = capsys.readouterr()
    assert "stubs 3" in out.out and out.err.count("failed: ") >= 3
    stubs = papers(content)
    assert {p.title for p in stubs.values()} == {"arXiv 1706.03762", "DOI 10.1038/nature14539", "OpenReview gEZrGCozdqR"}
    assert all("stub: true" in p.path.read_text() for p in stubs.values())
    assert main(["check", "--content", str(content)]) == 0
    notes = capsys.readouterr().out
    assert notes.count("stub: only its link is known") == 3 and "(https://arxiv.org/abs/1706.03762)" in notes

    assert run(content, "add", "--stubs", *api.cli_args()) == 0  # the links the stubs know
    done = papers(content)
    assert set(done) == set(stubs)  # keys never change
    assert {p.title for p in done.values()} == {"Attention Is All You Need", "Deep learning",
                                                "Finetuned Language Models are Zero-Shot Learners"}
    assert not any("stub:" in p.path.read_text() for p in done.values())
    assert all(p.authors and p.year for p in done.values())


def test_a_stub_has_no_invented_abstract_and_its_page_says_it_is_not_fetched(content, api, capsys):
    assert run(content, "add", "1706.03762", *OFFLINE) == 0
    (stub,) = papers(content).values()
    record = stub.path.read_text()
    assert stub.abstract == "" and "abstract:" not in record and "stub: true" in record
    docs = content.parent / "docs"
    assert main(["build", "--content", str(content), "--docs", str(docs)]) == 0
    written = {p: p.read_text("utf-8") for p in docs.rglob("*") if p.is_file() and p.suffix in (".md", ".bib", ".json", ".html", ".ris")}
    assert not [p for p, text in written.items() if "Not fetched yet: arXiv" in text]
    assert "Not fetched yet: only its link is known." in written[docs / "papers" / f"{stub.key}.md"]
    assert main(["check", "--content", str(content)]) == 0 and "stub: only its link is known" in capsys.readouterr().out

    assert run(content, "add", "--stubs", *api.cli_args()) == 0
    (done,) = papers(content).values()
    assert done.key == stub.key and done.abstract.startswith("The dominant sequence transduction models")
    assert list(yaml_keys(done.path))[:4] == ["key", "title", "abstract", "added"]


def test_completing_a_stub_keeps_an_abstract_a_curator_wrote(content, api):
    assert run(content, "add", "1706.03762", *OFFLINE) == 0
    (stub,) = papers(content).values()
    lines = [line for line in stub.path.read_text().splitlines(keepends=True) if not line.startswith("abstract:")]
    stub.path.write_text("".join(lines).replace("added:", "abstract: My own summary.\nadded:", 1))
    assert run(content, "add", "--stubs", *api.cli_args()) == 0
    (done,) = papers(content).values()
    assert done.abstract == "My own summary." and done.title == "Attention Is All You Need"


def yaml_keys(path: Path) -> list[str]:
    return [line.split(":", 1)[0] for line in path.read_text().splitlines() if line and not line[0].isspace() and ":" in line]


def test_a_stub_has_the_year_and_month_its_arxiv_id_states_until_a_fetch_gives_the_year(content, api):
    assert run(content, "add", "1706.03762", "hep-th/9901001", "10.1038/nature14539", *OFFLINE) == 0
    got = {p.arxiv or p.doi: p for p in papers(content).values()}
    assert [(p.year, p.month) for p in got.values()] == [(2017, 6), (1999, 1), (None, None)]
    assert "provenance:\n  year: arXiv id 1706.03762\n  month: arXiv id 1706.03762\n" in got["1706.03762"].path.read_text()

    assert run(content, "add", "--stubs", *api.cli_args()) == 0
    done = papers(content)[got["1706.03762"].key]
    assert (done.year, done.month) == (2017, 6)
    assert "  year: arxiv 1706.03762\n" in done.path.read_text()  # the fetched year, no longer the id's


def _stub_planned(year: int, month: int) -> add_module._Planned:
    data = add_module.new_record("a-stub", "A Stub", "", "2026-01-15", [])
    for name, value in {"arxiv": "2407.20485", "year": year, "month": month, "stub": True,
                        "provenance": {"year": "arXiv id 2407.20485", "month": "arXiv id 2407.20485"}}.items():
        data[name] = value
    return add_module._Planned(data, "", True)


@pytest.mark.parametrize("stub_year, year, month", [(2024, 2025, None), (2023, 2023, 7)])
def test_a_fetched_year_replaces_the_id_year_of_a_stub_never_a_curators(stub_year, year, month):
    """The id says when a paper was submitted; the source may know better (a DOI's year of
    publication). A year a curator changed is kept, as is the month that goes with it."""
    item = _stub_planned(stub_year, 7)
    fetched = FetchedPaper("crossref", "A Fetched Title", year=2025)
    assert add_module.apply(item, Ref("arxiv", "2407.20485"), fetched, None)
    assert (item.data.get("year"), item.data.get("month")) == (year, month)
    assert item.data["provenance"].get("year") == ("crossref 2407.20485" if year == 2025 else "arXiv id 2407.20485")


LIST_ENTRY = ("1. [**Attention Is All You Need.**](https://arxiv.org/abs/1706.03762) _Ashish Vaswani, Noam Shazeer._ "
              "NeurIPS 2017.\n")


def test_a_stub_keeps_the_authors_its_list_gives_until_a_fetch_gives_them_all(content, api, tmp_path):
    readme = tmp_path / "list.md"
    readme.write_text(LIST_ENTRY)
    assert run(content, "import", str(readme), *OFFLINE) == 0
    (stub,) = papers(content).values()
    assert stub.title == "Attention Is All You Need" and stub.authors == ("Ashish Vaswani", "Noam Shazeer")
    assert "  authors: listed in list.md\n" in stub.path.read_text()

    assert run(content, "add", "--stubs", *api.cli_args()) == 0
    (done,) = papers(content).values()
    assert done.authors[:2] == ("Ashish Vaswani", "Noam Shazeer") and len(done.authors) == 8
    assert "  authors: arxiv 1706.03762\n" in done.path.read_text()


def test_completing_a_stub_keeps_the_authors_a_curator_edited(content, api, tmp_path):
    readme = tmp_path / "list.md"
    readme.write_text(LIST_ENTRY)
    assert run(content, "import", str(readme), *OFFLINE) == 0
    (stub,) = papers(content).values()
    stub.path.write_text(stub.path.read_text().replace("- Noam Shazeer", "- Noam M. Shazeer"))
    assert run(content, "add", "--stubs", *api.cli_args()) == 0
    (done,) = papers(content).values()
    assert done.authors == ("Ashish Vaswani", "Noam M. Shazeer") and done.title == "Attention Is All You Need"


def test_completing_a_stub_keeps_a_title_a_curator_gave_it_and_says_so(content, api, capsys):
    assert run(content, "add", "1706.03762", "2403.03507", *OFFLINE) == 0
    got = {p.arxiv: p for p in papers(content).values()}
    edited = got["2403.03507"]
    edited.path.write_text(edited.path.read_text().replace("title: arXiv 2403.03507", "title: 'GaLore (my notes)'"))
    capsys.readouterr()
    assert run(content, "add", "--stubs", *api.cli_args()) == 0
    done = papers(content)
    assert done[got["1706.03762"].key].title == "Attention Is All You Need"  # the placeholder goes
    assert done[edited.key].title == "GaLore (my notes)" and "stub:" not in edited.path.read_text()
    (note,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith(f"note: {edited.key}: ")]
    assert "'GaLore: Memory-Efficient LLM Training" in note


TITLED_LIST = ("- [Transformer](https://arxiv.org/abs/1706.03762)\n"
               "- [GaLore: memory effcient training](https://arxiv.org/abs/2403.03507)\n")


def test_a_stub_titled_by_its_list_takes_the_fetched_title_unless_a_curator_fixed_it(content, api, tmp_path, capsys):
    readme = tmp_path / "list.md"
    readme.write_text(TITLED_LIST)
    assert run(content, "import", str(readme), *OFFLINE) == 0
    got = {p.arxiv: p for p in papers(content).values()}
    assert got["1706.03762"].title == "Transformer"
    assert "  title: listed in list.md\n" in got["1706.03762"].path.read_text()
    fixed = got["2403.03507"]
    fixed.path.write_text(fixed.path.read_text().replace("effcient", "efficient"))
    capsys.readouterr()
    assert run(content, "add", "--stubs", *api.cli_args()) == 0
    done = papers(content)
    assert done[got["1706.03762"].key].title == "Attention Is All You Need"
    assert done[fixed.key].title == "GaLore: memory efficient training"
    assert not any("title: listed in" in p.path.read_text() for p in done.values())
    out = capsys.readouterr().out
    assert f"note: {fixed.key}: " in out and f"note: {got['1706.03762'].key}: " not in out


def test_a_stub_imported_before_titles_were_marked_takes_the_fetched_title(content, api, tmp_path):
    readme = tmp_path / "list.md"
    readme.write_text(TITLED_LIST)
    assert run(content, "import", str(readme), *OFFLINE) == 0
    stub = {p.arxiv: p for p in papers(content).values()}["1706.03762"]
    stub.path.write_text(stub.path.read_text().replace("  title: listed in list.md\n", ""))
    assert run(content, "add", "--stubs", *api.cli_args()) == 0
    assert papers(content)[stub.key].title == "Attention Is All You Need"  # its `sources:` name the list


def test_a_rate_limited_source_is_waited_for(content, api, capsys):
    api.then("/crossref/works/10.1145/3065386", Answer(429, b"", {"Retry-After": "0"}), Answer(503, b""))
    assert run(content, "add", "10.1145/3065386", *api.cli_args()) == 0
    assert api.count("/crossref") == 3
    assert papers(content)["imagenet-classification-deep-convolutional"].year == 2017


def test_hostile_text_from_a_source_is_stored_as_text(content, api):
    assert run(content, "add", "10.1000/hostile", *api.cli_args()) == 0
    (paper,) = papers(content).values()
    assert paper.title == "<script>alert(1)</script> QuIP#: 1.5% of A* at $100K"
    assert paper.authors == ("The {{ config }} Consortium",) and paper.url == "https://doi.org/10.1000/hostile"
    assert main(["build", "--content", str(content), "--docs", str(content.parent / "docs")]) == 0
    page = (content.parent / "docs" / "papers" / f"{paper.key}.md").read_text()
    assert "<script>alert(1)</script>" not in page


def test_import_an_awesome_readme_offline_adds_every_link_as_a_stub(content, capsys):
    assert run(content, "import", str(README), *OFFLINE, "--date", "2026-01-15") == 0
    out = capsys.readouterr().out
    assert "51 paper identifier(s) found" in out and "added 51" in out and "stubs 51" in out
    got = papers(content)
    assert len(got) == 51
    assert sum(1 for p in got.values() if p.arxiv) == 48
    assert sum(1 for p in got.values() if p.url and "openreview.net" in p.url) == 2
    assert got["attention-all-you-need"].title == "Attention Is All You Need"
    assert all(p.sources[0].file == README.name for p in got.values())
    assert (content / "sources" / README.name).read_bytes() == README.read_bytes()
    assert main(["check", "--content", str(content)]) == 0
    assert capsys.readouterr().out.count("note: ") == 51
    before = snapshot(content)
    assert run(content, "import", str(README), *OFFLINE) == 0  # again: nothing new, nothing lost
    assert snapshot(content) == before


def test_import_an_awesome_readme_online(content, api, capsys):
    assert run(content, "import", str(README), *api.cli_args()) == 0
    got = papers(content)
    assert len(got) == 51
    complete = {k for k, p in got.items() if "stub:" not in p.path.read_text()}
    # The recorded answers cover six of its arXiv papers, BERT (ACL) and both OpenReview forums.
    assert len(complete) == 9
    assert complete == COMPLETE_ONLINE
    assert all(got[k].authors and got[k].year and got[k].venue for k in complete)
    assert "not found 42" in capsys.readouterr().out
    sent = len(api.requests)
    assert run(content, "import", str(README), *api.cli_args()) == 0
    assert len(api.requests) == sent  # every answer, "not found" included, came from the cache


def test_import_a_txt_list_of_identifiers_adds_each_paper_not_junk(content, tmp_path, capsys):
    ids = tmp_path / "ids.txt"  # an even number of lines: the dump parser paired them as title and abstract
    ids.write_text("https://arxiv.org/abs/2403.03507\n2106.09685v2\n\n10.18653/v1/2023.acl-long.1\nhep-th/9901001\n")
    assert run(content, "import", str(ids), *OFFLINE, "--date", "2026-01-15") == 0
    assert "4 paper identifier(s) found" in capsys.readouterr().out
    got = papers(content)
    assert sorted(p.arxiv or p.doi for p in got.values()) == ["10.18653/v1/2023.acl-long.1", "2106.09685", "2403.03507",
                                                              "hep-th/9901001"]
    assert all("stub: true" in p.path.read_text() for p in got.values())
    assert not any("://" in p.title or "://" in p.abstract for p in got.values())


def test_a_seed_dump_still_imports_as_a_dump(content, seed_dumps, capsys):
    assert run(content, "import", str(seed_dumps[0]), "--date", "2026-01-15") == 0
    out = capsys.readouterr().out
    assert out.startswith("import: added ") and "identifier(s) found" not in out
    assert len(papers(content)) > 10
