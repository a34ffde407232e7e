"""`enrich --source openalex|semanticscholar` against local replay servers.

Five records: a preprint with a later conference version (LoRA, by arXiv
id), a journal paper (by DOI), a paper known only by its title (a decoy
with the same title and another year is refused), a paper no graph knows,
and one whose venue and citation count a curator wrote by hand.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures" / "api"))
import graphserver  # noqa: E402
from apiserver import Answer  # noqa: E402

from generator.cli import main  # noqa: E402
from generator.export.bibtex import bibtex_for  # noqa: E402
from generator.library.records import load_library  # noqa: E402
from generator.library.yamlio import load_yaml  # noqa: E402

TODAY = date.today().isoformat()
HEAD = "abstract: An abstract.\nadded: 2025-01-01\nsources:\n  - file: 000_c0e08a5fb17945d4.txt\n"
RECORDS = {
    "lora": f"""key: lora
title: 'LoRA: Low-Rank Adaptation of Large Language Models'
{HEAD}authors:
  - Edward J. Hu
year: 2021
arxiv: '2106.09685'
cited_by_count: 100
cited_by_count_date: 2025-01-01
provenance:
  year: arxiv 2106.09685
  arxiv: arxiv 2106.09685
  cited_by_count: openalex W3168867926
  cited_by_count_date: openalex W3168867926
""",
    "imagenet-cnn": f"""key: imagenet-cnn
title: ImageNet classification with deep convolutional neural networks
{HEAD}doi: 10.1145/3065386
""",
    "attention": f"""key: attention
title: Attention Is All You Need
{HEAD}authors:
  - Ashish Vaswani
year: 2017
""",
    "unknown-paper": f"""key: unknown-paper
title: A Paper No Graph Knows
{HEAD}""",
    "zero": f"""key: zero
title: 'ZeRO: Memory optimizations Toward Training Trillion Parameter Models'
{HEAD}year: 2020
doi: 10.1109/SC41405.2020.00024
# The curator's short name for the venue: keep it.
venue: SC20
cited_by_count: 5  # counted by hand
cited_by_count_date: 2020-06-01
""",
}


@pytest.fixture
def graph():
    yield from graphserver.serve()


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    (folder / "papers").mkdir(parents=True)
    for key, text in RECORDS.items():
        (folder / "papers" / f"{key}.yml").write_text(text, "utf-8")
    return folder


def record(content: Path, key: str) -> dict:
    data, problems = load_yaml((content / "papers" / f"{key}.yml").read_text("utf-8"), key)
    assert not problems
    return data


def run(content: Path, graph, source: str, *extra: str) -> int:
    return main(["enrich", "--source", source, "--content", str(content), "--mailto", "curator@example.org",
                 *graph.graph_args, *extra])


def texts(content: Path) -> dict[str, str]:
    return {p.name: p.read_text("utf-8") for p in sorted((content / "papers").glob("*.yml"))}


def test_openalex_fills_venue_references_and_counts_and_a_second_run_sends_nothing(content, graph, capsys):
    assert run(content, graph, "openalex") == 0
    out = capsys.readouterr().out
    assert "matched 4, ambiguous 0, not found 1, failed 0" in out
    lora = record(content, "lora")
    assert lora["venue"] == "International Conference on Learning Representations" and lora["year"] == 2022
    assert lora["arxiv"] == "2106.09685"  # kept
    assert list(lora["references"]) == ["arxiv:1706.03762", "doi:10.18653/v1/n19-1423", "arxiv:2001.08361"]
    assert lora["cited_by_count"] == 4120 and str(lora["cited_by_count_date"]) == TODAY  # renewed: a source gave it
    # the venue and its year come from the conference version, the rest from the preprint matched by id
    assert lora["provenance"]["venue"] == "openalex W4285255856" and lora["provenance"]["year"] == "openalex W4285255856"
    assert lora["provenance"]["references"] == "openalex W3168867926"
    cnn = record(content, "imagenet-cnn")
    assert (cnn["venue"], cnn["year"], list(cnn["references"])) == ("Communications of the ACM", 2017, ["doi:10.1109/5.726791"])
    assert cnn["cited_by_count"] == 81234 and cnn["provenance"]["references"] == "openalex W2163605009"
    attention = record(content, "attention")  # by title; the 2021 decoy with other authors is refused
    assert attention["venue"] == "Neural Information Processing Systems" and attention["arxiv"] == "1706.03762"
    assert attention["code"] == "https://github.com/tensorflow/tensor2tensor"
    assert "venue" not in record(content, "unknown-paper")
    # every request carried the contact OpenAlex asks for
    assert all("mailto=curator@example.org" in r for r in graph.requests)

    before, sent = texts(content), len(graph.requests)
    assert run(content, graph, "openalex") == 0
    assert len(graph.requests) == sent and texts(content) == before
    assert "0 request(s) sent" in capsys.readouterr().out


def test_a_curated_value_is_never_changed(content, graph):
    original = RECORDS["zero"]
    assert run(content, graph, "openalex", "--only", "zero") == 0
    text = (content / "papers" / "zero.yml").read_text("utf-8")
    zero = record(content, "zero")
    assert zero["venue"] == "SC20" and zero["cited_by_count"] == 5 and str(zero["cited_by_count_date"]) == "2020-06-01"
    assert zero["year"] == 2020 and zero["doi"] == "10.1109/SC41405.2020.00024"
    assert list(zero["references"]) == ["arxiv:1706.03762"] and set(zero["provenance"]) == {"authors", "references"}
    assert "# The curator's short name for the venue: keep it.\nvenue: SC20\n" in text and "# counted by hand" in text
    lines = iter(text.splitlines())
    assert all(line in lines for line in original.splitlines())  # every line the curator wrote, in order


def test_a_malformed_answer_fails_one_paper_and_is_asked_again(content, graph, capsys):
    graph.then("/openalex/works/doi:10.1145/3065386", Answer(200, b"<html>maintenance</html>"))
    assert run(content, graph, "openalex", "--only", "imagenet-cnn", "--only", "lora") == 1
    logged = capsys.readouterr()
    assert "failed: imagenet-cnn" in logged.err and "malformed answer" in logged.err and "failed 1" in logged.out
    assert "venue" not in record(content, "imagenet-cnn") and "venue" in record(content, "lora")
    assert run(content, graph, "openalex", "--only", "imagenet-cnn") == 0
    assert record(content, "imagenet-cnn")["venue"] == "Communications of the ACM"


def test_semanticscholar_with_a_429_then_a_second_run_sends_nothing(content, graph, capsys):
    graph.then("/s2/paper/ARXIV:2106.09685", Answer(429, b'{"message": "Too Many Requests"}', {"Retry-After": "0"}))
    assert run(content, graph, "semanticscholar", "--limit", "3") == 0
    out = capsys.readouterr().out
    assert "left for a later run 2" in out and "matched 3" in out
    assert graph.count("/s2/paper/ARXIV:2106.09685") == 2
    attention = record(content, "attention")  # by title match
    assert attention["venue"] == "Neural Information Processing Systems" and list(attention["references"]) == ["doi:10.1162/neco.1997.9.8.1735"]
    cnn = record(content, "imagenet-cnn")
    assert cnn["cited_by_count"] == 110000 and cnn["provenance"]["cited_by_count"].startswith("semanticscholar ")
    lora = record(content, "lora")
    assert lora["venue"] == "International Conference on Learning Representations" and lora["cited_by_count"] == 9876
    sent = len(graph.requests)
    before = texts(content)
    assert run(content, graph, "semanticscholar", "--limit", "3") == 0
    assert len(graph.requests) == sent and texts(content) == before


def test_the_bibtex_of_an_enriched_preprint_cites_its_venue_and_keeps_the_eprint(content, graph):
    assert run(content, graph, "openalex", "--only", "lora") == 0
    [lora] = [p for p in load_library(content).papers if p.key == "lora"]
    bib = bibtex_for([lora])
    assert bib.startswith("@inproceedings{lora,")
    assert "booktitle = {International Conference on Learning Representations}" in bib
    assert "eprint = {2106.09685}" in bib and "year = {2022}" in bib


def test_an_unknown_source_is_refused(content, capsys):
    with pytest.raises(SystemExit):
        main(["enrich", "--source", "scholar", "--content", str(content)])


@pytest.mark.parametrize(
    ("year", "authors", "work_year", "work_authors", "ok"),
    [
        (2017, ("Ashish Vaswani",), 2017, ("A. Vaswani", "N. Shazeer"), True),
        (2017, ("Ashish Vaswani",), 2018, ("Ashish Vaswani",), True),  # within one year
        (2017, ("Ashish Vaswani",), 2019, ("Ashish Vaswani",), False),
        (2017, ("Ashish Vaswani",), 2017, ("Jane Q. Doe",), False),  # no family name in common
        (None, (), 2030, ("Jane Q. Doe",), True),  # nothing known to compare: the title decides
        (2017, ("José Pérez",), 2017, ("Jose Perez",), True),  # accents do not matter
    ],
)
def test_the_title_guard(year, authors, work_year, work_authors, ok):
    from generator.curation.graph_enrich import title_matches
    from generator.fetch.graphwork import GraphWork
    from generator.model import Paper

    paper = Paper(key="k", title="Attention Is All You Need", abstract="", added="2025-01-01", year=year, authors=authors)
    work = GraphWork("openalex", "W1", "attention is all you need!", year=work_year, authors=work_authors)
    assert title_matches(paper, work) is ok
    assert not title_matches(paper, GraphWork("openalex", "W2", "Attention Is Not All You Need", year=year, authors=authors))


def test_two_works_passing_the_guard_are_ambiguous_and_nothing_is_written(content, graph, capsys):
    import json

    twin = json.loads((graphserver.OA / "works" / "W2963403868.json").read_text())
    twin["id"] = "https://openalex.org/W2963403869"
    graph.then("/openalex/works", Answer(200, json.dumps({"meta": {"count": 2}, "results": [
        json.loads((graphserver.OA / "works" / "W2963403868.json").read_text()), twin]}).encode()))
    before = texts(content)
    assert run(content, graph, "openalex", "--only", "attention") == 0
    assert "ambiguous: attention: 2 OpenAlex works pass the title check: W2963403868, W2963403869" in capsys.readouterr().err
    assert texts(content) == before


def test_the_openalex_contact_comes_from_mkdocs_yml(tmp_path):
    from generator.curation.graph_enrich import mailto_from_mkdocs

    (tmp_path / "mkdocs.yml").write_text("site_name: x\nextra:\n  generator: false\n  contact_email: 'lists@example.org'\n")
    assert mailto_from_mkdocs(tmp_path / "nowhere", tmp_path) == "lists@example.org"
    assert mailto_from_mkdocs(tmp_path / "nowhere") is None


def test_an_answer_beyond_the_limits_is_refused_naming_the_server(content, graph, capsys):
    """20,001 authors from a graph: nothing stored, the server named (generator/limits.py)."""
    import json

    work = json.loads((graphserver.OA / "works" / "W2163605009.json").read_text())
    author = work["authorships"][0]
    work["authorships"] = [dict(author, author=dict(author["author"], display_name=f"Author {i}")) for i in range(20_001)]
    graph.then("/openalex/works/doi:10.1145/3065386", Answer(200, json.dumps(work).encode()))
    before = texts(content)
    assert run(content, graph, "openalex", "--only", "imagenet-cnn") == 1
    err = capsys.readouterr()
    assert "20,001 authors; at most 5,000 expected" in err.out + err.err
    assert "/openalex" in err.out + err.err  # the server that sent it
    assert texts(content) == before
