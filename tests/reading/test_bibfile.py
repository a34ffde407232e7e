"""`python -m generator import refs.bib`: BibTeX entries into the library."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.reading.bibnames import split_names
from generator.reading.bibvalues import decode_latex, evaluate, find_arxiv_id
from generator.reading.match import key_from_bibkey
from generator.reading.merge import import_bibtex
from generator.export.bibtex import bibtex_for
from generator.cli import main
from generator.reading.merge import import_dumps
from generator.library.records import load_library
from generator.model import Paper

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "fixtures" / "seeds" / "000_c0e08a5fb17945d4.txt"
ZOTERO = Path(__file__).resolve().parents[1] / "fixtures" / "bib" / "zotero.bib"
SEED_PAPERS = 93


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A small library: one seed dump imported (built once, copied per test)."""
    root = tmp_path_factory.mktemp("seeded") / "content"
    report = import_dumps(root, [SEED], today="2025-01-01")
    assert not report.problems and len(report.added) == SEED_PAPERS
    return root


@pytest.fixture
def content(seeded: Path, tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(seeded, root)
    return root


def paper_file(content: Path, key: str) -> Path:
    return content / "papers" / f"{key}.yml"


def snapshot(content: Path) -> dict[str, bytes]:
    return {str(p.relative_to(content)): p.read_bytes() for p in sorted(content.rglob("*")) if p.is_file()}


def curate(content: Path) -> None:
    """What a curator might have done before importing the .bib."""
    galore = paper_file(content, "galore")
    galore.write_text(
        "# GaLore: read for the optimizers session\n"
        + galore.read_text("utf-8")
        + "year: 2023  # the workshop version; keep\n",
        "utf-8",
    )
    megascale = paper_file(content, "megascale")
    megascale.write_text(megascale.read_text("utf-8") + "arxiv: '2402.15627'\n", "utf-8")


def test_zotero_export_imports_merges_and_reports(content, capsys):
    curate(content)
    status = main(["import", "--content", str(content), "--date", "2025-02-02", str(ZOTERO)])
    out, err = capsys.readouterr()

    # three bad entries, each reported with its line; the good ones are written anyway
    assert status == 1
    assert "zotero.bib:55: @article{broken2024: cannot be parsed (Unexpected block start" in err
    assert "zotero.bib:104: @misc{untitled2024: no title" in err
    # an entry without an abstract is a paper like any other
    assert "no abstract" not in err
    assert "added 6, merged 3, problems 2 (90 unchanged, 1 crossref container(s) skipped)" in err
    # keys that the user's LaTeX cannot keep using are announced; so is each merge
    assert "galore: the BibTeX key is taken by another paper; this paper's key is 'q-galore'" in err
    merged = next(line for line in err.splitlines() if "Zhao:2024:GaLore: merged into" in line)
    assert "the library's record 'galore' by the same " in merged and merged.endswith("(its key 'Zhao:2024:GaLore' is kept as an alias under extra.ids)")

    library = load_library(content)
    assert library.problems == ()
    papers = library.by_key()
    assert len(papers) == SEED_PAPERS + 6
    assert papers["noabstract2024"].abstract == ""
    for missing in ("broken2024", "untitled2024", "sc2020", "jiang2024megascale", "zhao-2024-galore"):
        assert missing not in papers

    lora = papers["hu2021lora"]  # key kept as written
    assert lora.title == "LoRA: Low-Rank Adaptation of Large Language Models"
    assert lora.authors[0] == "Edward J. Hu" and lora.authors[3] == "Zeyuan Allen-Zhu" and len(lora.authors) == 8
    assert (lora.year, lora.arxiv) == (2022, "2106.09685")
    assert lora.venue == "International Conference on Learning Representations"  # @string macro
    assert lora.url == "https://openreview.net/forum?id=nZeVKeeFYf9"
    assert lora.abstract.startswith("We propose Low-Rank Adaptation, or LoRA, which")
    assert lora.added == "2025-02-02"
    assert [s.file for s in lora.sources] == ["zotero.bib"]

    tok = papers["lubbering2023"]  # non-ASCII key folded
    assert tok.authors[3:5] == ("Max Lübbering", "Pedro Ortiz Suárez")
    assert tok.venue == "Findings of the Association for Computational Linguistics: NAACL 2024"
    assert tok.doi == "10.18653/v1/2024.findings-naacl.247"
    assert "dataset sizes & advancements" in tok.abstract
    assert "68% additional training costs — and that à la carte" in tok.abstract

    qwen = papers["qwen-technical-report"]  # `白2023qwen` has no ASCII form: title key
    assert qwen.arxiv == "2309.16609" and qwen.authors == ("Jinze Bai", "Shuai Bai", "Yunfei Chu")

    qgalore = papers["q-galore"]  # `galore` was taken by GaLore itself
    assert qgalore.title.startswith("Q-GaLore: Quantized GaLore with INT4")
    assert qgalore.arxiv == "2407.08296" and qgalore.venue is None  # "arXiv preprint" is no venue

    zero = papers["rajbhandari2020zero"]  # crossref: year and venue from @proceedings
    assert zero.year == 2020
    assert zero.venue == "SC20: International Conference for High Performance Computing, Networking, Storage and Analysis"
    assert zero.doi == "10.1109/SC41405.2020.00024"

    # duplicate by title (with protection braces): curated fields win, comments survive
    galore = papers["galore"]
    assert galore.title == "GaLore: Memory-Efficient LLM Training by Gradient Low-Rank Projection"
    assert galore.abstract.startswith("Training Large Language Models (LLMs) presents significant memory challenges, predominantly")
    assert galore.year == 2023
    assert galore.arxiv == "2403.03507" and galore.authors[0] == "Jiawei Zhao"
    assert galore.venue == "Proceedings of the 41st International Conference on Machine Learning"
    assert [s.file for s in galore.sources] == ["000_c0e08a5fb17945d4.txt", "zotero.bib"]
    text = paper_file(content, "galore").read_text("utf-8")
    assert text.startswith("# GaLore: read for the optimizers session\nkey: galore\n")
    assert "year: 2023  # the workshop version; keep\n" in text
    assert "provenance:\n  authors: bibtex zotero.bib\n" in text and "year: bibtex" not in text

    # duplicate by arXiv id (the .bib has another title): merged, title kept
    mega = papers["megascale"]
    assert mega.title == "MegaScale: Scaling Large Language Model Training to More Than 10,000 GPUs"
    assert mega.authors[:2] == ("Ziheng Jiang", "Haibin Lin") and mega.year == 2024
    assert "jiang2024megascale: the author list ends in 'and others'" in err

    # duplicate by title with LaTeX accents and no abstract: merges (the library has one)
    poke = papers["pokechamp"]
    assert poke.authors == ("Seth Karten", "Andy Luu Nguyen", "Chi Jin") and poke.arxiv == "2503.04094"

    # the .bib is kept for provenance
    assert (content / "sources" / "zotero.bib").read_bytes() == ZOTERO.read_bytes()


def test_reimport_changes_nothing(content, capsys):
    curate(content)
    main(["import", "--content", str(content), "--date", "2025-02-02", str(ZOTERO)])
    before = snapshot(content)
    status = main(["import", "--content", str(content), "--date", "2025-03-03", str(ZOTERO)])
    err = capsys.readouterr().err
    assert status == 1  # the same two bad entries
    assert "added 0, merged 0, problems 2 (99 unchanged" in err
    assert snapshot(content) == before


def test_a_clean_file_exits_zero_and_merges_by_doi(content, tmp_path, capsys):
    record = paper_file(content, "bytescale")
    record.write_text(record.read_text("utf-8") + "doi: 10.1145/3718958.3750498\n", "utf-8")
    bib = tmp_path / "clean.bib"
    bib.write_text(
        "@inproceedings{ge2025bytescale,\n"
        "  title = {{ByteScale}: Communication-Efficient Scaling of {LLM} Training},\n"
        "  author = {Ge, Hao and Feng, Junda},\n"
        "  booktitle = {Proceedings of the ACM SIGCOMM 2025 Conference},\n"
        "  doi = {https://doi.org/10.1145/3718958.3750498},\n"
        "  year = 2025,\n"
        "}\n",
        "utf-8",
    )
    assert main(["import", "--content", str(content), str(bib)]) == 0
    assert "import: added 0, merged 1, problems 0 (92 unchanged)" in capsys.readouterr().out
    paper = load_library(content).by_key()["bytescale"]
    assert paper.title.startswith("ByteScale: Efficient Scaling of LLM Training")  # curated title kept
    assert paper.authors == ("Hao Ge", "Junda Feng") and paper.year == 2025
    assert paper.venue == "Proceedings of the ACM SIGCOMM 2025 Conference"


def test_duplicates_inside_one_file_become_one_paper(tmp_path):
    content = tmp_path / "content"
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@misc{a, title = {Paper One}, eprint = {2401.00001}, archivePrefix = {arXiv}}\n"
        "@article{b, title = {Paper One, Journal Version}, author = {Doe, Jane}, journal = {JMLR},\n"
        "  url = {https://arxiv.org/pdf/2401.00001v3.pdf}, abstract = {The abstract.}}\n",
        "utf-8",
    )
    report = import_bibtex(content, [bib], today="2025-01-01")
    assert report.problems == [] and report.added == ["b"]
    paper = load_library(content).by_key()["b"]
    assert (paper.title, paper.authors, paper.arxiv, paper.venue) == ("Paper One, Journal Version", ("Jane Doe",), "2401.00001", "JMLR")


def test_only_bad_entries_write_nothing(content, tmp_path, capsys):
    before = snapshot(content)
    bib = tmp_path / "bad.bib"
    bib.write_text("\n\n@article{x,\n  title = {Unclosed,\n  year = 2020\n", "utf-8")
    assert main(["import", "--content", str(content), str(bib)]) == 1
    err = capsys.readouterr().err
    assert "bad.bib:3: @article{x: cannot be parsed" in err and "nothing was written" in err
    assert snapshot(content) == before


def test_a_bad_date_is_refused(tmp_path, capsys):
    assert main(["import", "--content", str(tmp_path / "c"), "--date", "2025-13-01", str(ZOTERO)]) == 1
    assert "--date: expected a date such as 2024-03-12, found '2025-13-01'" in capsys.readouterr().err
    assert not (tmp_path / "c").exists()


def test_unreadable_and_conflicting_files(content, tmp_path, capsys):
    latin = tmp_path / "latin1.bib"
    latin.write_bytes("@misc{m, title = {Caf\xe9}, abstract = {x}}\n".encode("latin-1"))
    assert main(["import", "--content", str(content), str(latin)]) == 1
    assert "latin1.bib:1: not UTF-8 text" in capsys.readouterr().err

    (content / "sources" / "refs.bib").write_text("% another file with this name\n", "utf-8")
    refs = tmp_path / "refs.bib"
    refs.write_text("@misc{m, title = {New Paper}, abstract = {An abstract.}}\n", "utf-8")
    before = snapshot(content)
    assert main(["import", "--content", str(content), str(refs)]) == 1
    assert "a different dump named 'refs.bib'" in capsys.readouterr().err
    assert snapshot(content) == before


def test_our_own_bibtex_export_reads_back_exactly(tmp_path):
    """Whatever the exporter writes, the importer reads as the same text."""
    titles = [
        "QuIP#: Even Better LLM Quantization with Hadamard Incoherence",
        "A* Search: {it misaligned} <1.5% of ~15% -- a|b ^c \\ back_slash {lone",
        "FLM-101B: An Open LLM and How to Train It with $100K Budget",
        "PokéChamp: an Expert-level Minimax Language Agent",
    ]
    papers = [
        Paper(
            key=f"p{i}", title=title, abstract=f"About {title}: “quotes” — é, ß, α, ×, ≤ and 10% & more.",
            added="2025-01-01", authors=("José Álvarez", "Barnes and Noble, Inc.", "Zoë O'Neil"), year=2024,
            venue="Advances in Neural Information Processing Systems",
        )
        for i, title in enumerate(titles)
    ]
    bib = tmp_path / "export.bib"
    bib.write_text(bibtex_for(papers), "utf-8")
    content = tmp_path / "content"
    report = import_bibtex(content, [bib], today="2025-01-01")
    assert report.problems == []
    back = load_library(content).by_key()
    for paper in papers:
        got = back[paper.key]
        assert (got.title, got.abstract, got.authors, got.year, got.venue) == (
            paper.title, paper.abstract, paper.authors, paper.year, paper.venue)


@pytest.mark.parametrize(
    "raw, text",
    [
        ("{GaLore}: Memory-Efficient {LLM} Training", "GaLore: Memory-Efficient LLM Training"),
        ('M{\\"u}ller and Caf\\\'{e} {\\\'e}t{\\\'e} \\c{c}a', "Müller and Café été ça"),
        ("R\\&D for 10\\% of \\$5", "R&D for 10% of $5"),
        ("pages 1--16 --- or so~ok", "pages 1–16 — or so ok"),
        ("{\\textasciitilde}15\\%, \\ensuremath{<}1.5\\%, {\\textbackslash}n", "~15%, <1.5%, \\n"),
        ("The {\\it emphasised} and \\textbf{bold} $\\alpha$-test", "The emphasised and bold $\\alpha$-test"),
        ("\\{it misaligned\\} and \\ourmacro kept", "{it misaligned} and ourmacro kept"),
    ],
)
def test_decode_latex(raw, text):
    assert decode_latex(raw) == text


def test_names_keys_macros_and_arxiv_ids():
    assert split_names("Hu, Edward J. and {Barnes and Noble} and King, Jr., Martin Luther and Yann LeCun and others") == [
        "Edward J. Hu", "Barnes and Noble", "Martin Luther King Jr.", "Yann LeCun"]
    assert split_names("Ortiz Su{\\'a}rez, Pedro AND L{\\\"u}bbering, Max") == ["Pedro Ortiz Suárez", "Max Lübbering"]

    assert key_from_bibkey("hu2021lora") == "hu2021lora"
    assert key_from_bibkey("Zhao:2024:GaLore") == "zhao-2024-galore"
    assert key_from_bibkey("Müller_2020--x") == "muller-2020-x"
    assert key_from_bibkey("白2023qwen") is None
    assert key_from_bibkey("2023") is None
    assert key_from_bibkey("index") is None

    strings = {"conf": "Proceedings of ", "icml": "ICML"}
    assert evaluate('conf # "the 41st " # ICML', strings) == "Proceedings of the 41st ICML"
    assert evaluate("jan", {}) == "January"
    unknown: list[str] = []
    assert evaluate("nosuchmacro", {}, unknown) == "" and unknown == ["nosuchmacro"]

    assert find_arxiv_id({"eprint": "2106.09685", "archiveprefix": "arXiv"}) == "2106.09685"
    assert find_arxiv_id({"eprint": "arXiv:2309.16609v1", "eprinttype": "arxiv"}) == "2309.16609"
    assert find_arxiv_id({"eprint": "hep-th/9901001v2", "archiveprefix": "arXiv"}) == "hep-th/9901001"
    assert find_arxiv_id({"url": "http://arxiv.org/pdf/2402.15627v1.pdf"}) == "2402.15627"
    assert find_arxiv_id({"journal": "arXiv preprint arXiv:2407.08296"}) == "2407.08296"
    assert find_arxiv_id({"doi": "10.48550/arXiv.2403.03507"}) == "2403.03507"
    assert find_arxiv_id({"journal": "CoRR", "volume": "abs/2106.09685"}) == "2106.09685"
    assert find_arxiv_id({"eprint": "12345", "archiveprefix": "PubMed"}) is None


def test_an_author_list_that_goes_on_stays_one_that_goes_on(tmp_path):
    """`and others` is kept as `more_authors: true`: the export ends with BibTeX's own
    `and others` (styles print "et al."), the record says so, and a list that ends
    with a real name does not."""
    content = tmp_path / "content"
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{touvron2023llama, title = {LLaMA: Open and Efficient Foundation Language Models},\n"
        "  author = {Touvron, Hugo and Lavril, Thibaut and Rozi{\\`e}re, Baptiste and others},\n"
        "  journal = {arXiv preprint arXiv:2302.13971}, year = {2023}}\n"
        "@article{others2020, title = {A Paper by Others}, author = {Others, Olive and Doe, Jane}, year = {2020}}\n",
        "utf-8",
    )
    report = import_bibtex(content, [bib], today="2025-01-01")
    assert report.problems == [] and sorted(report.added) == ["others2020", "touvron2023llama"]
    assert "more_authors: true" in paper_file(content, "touvron2023llama").read_text("utf-8")
    assert "more_authors" not in paper_file(content, "others2020").read_text("utf-8")
    papers = load_library(content).by_key()
    llama, other = papers["touvron2023llama"], papers["others2020"]
    assert llama.more_authors and llama.authors == ("Hugo Touvron", "Thibaut Lavril", "Baptiste Rozière")
    assert "author = {Touvron, Hugo and Lavril, Thibaut and Rozi{\\`e}re, Baptiste and others}," in bibtex_for([llama])
    assert not other.more_authors and "and others" not in bibtex_for([other])
    again = import_bibtex(content, [bib], today="2025-02-01")  # re-import: nothing changes
    assert again.added == [] and load_library(content).by_key()["touvron2023llama"] == llama


def test_more_authors_must_be_true_or_false(tmp_path):
    content = tmp_path / "content"
    (content / "papers").mkdir(parents=True)
    (content / "papers" / "x.yml").write_text("key: x\ntitle: X\nabstract: ''\nadded: 2025-01-01\nmore_authors: maybe\n", "utf-8")
    library = load_library(content)
    assert any("more_authors" in str(p) and "x.yml" in str(p) for p in library.problems), library.problems


def test_a_reimport_tells_a_record_its_author_list_goes_on(tmp_path):
    """A record made from a list without `and others` gains the flag from a later entry, quietly."""
    content = tmp_path / "content"
    first, later = tmp_path / "a.bib", tmp_path / "b.bib"
    first.write_text("@article{k, title = {A Paper}, author = {Doe, Jane}, eprint = {2401.00001}, archivePrefix = {arXiv}}\n", "utf-8")
    later.write_text("@article{k, title = {A Paper}, author = {Doe, Jane and others}, eprint = {2401.00001}, archivePrefix = {arXiv}}\n", "utf-8")
    import_bibtex(content, [first], today="2025-01-01")
    assert not load_library(content).by_key()["k"].more_authors
    report = import_bibtex(content, [later], today="2025-01-02")
    assert report.problems == [] and not [c for c in report.conflicts if "more_authors" in c.message]
    assert load_library(content).by_key()["k"].more_authors


def test_a_key_two_papers_share_is_never_an_alias_of_the_second(tmp_path, capsys):
    """Paperpile gives `Yan2020-cc` to two papers of one file: the second is re-keyed,
    and `Yan2020-cc` is not its alias (biber: 'Citekey alias is also a real entry key')."""
    bib = tmp_path / "paperpile.bib"
    bib.write_text("@article{Yan2020-cc, title = {Learning to Route}, author = {Yan, Li}, year = {2020}}\n\n"
                   "@article{Yan2020-cc, title = {Sparse Mixtures at Scale}, author = {Yan, Wei}, year = {2020}}\n", "utf-8")
    content = tmp_path / "content"
    assert main(["import", str(bib), "--content", str(content), "--date", "2026-01-15"]) == 0
    papers = {p.title: p for p in load_library(content).papers}
    first, second = papers["Learning to Route"], papers["Sparse Mixtures at Scale"]
    assert first.key == "Yan2020-cc" and second.key != "Yan2020-cc"
    assert "ids" not in dict(second.extra)
    assert f"this paper's key is {second.key!r}" in capsys.readouterr().err


def test_an_entry_merged_by_doi_does_not_take_another_records_key_as_its_alias(tmp_path, capsys):
    content = tmp_path / "content"
    first = tmp_path / "first.bib"
    first.write_text("@article{Smith2020, title = {Graph Kernels}, author = {Smith, Ann}, year = {2020}}\n\n"
                     "@article{Jones2021, title = {Tensor Sketches}, author = {Jones, Bo}, year = {2021}, doi = {10.1/ts}}\n", "utf-8")
    assert main(["import", str(first), "--content", str(content), "--date", "2026-01-15"]) == 0
    second = tmp_path / "second.bib"  # the same DOI as Jones2021, under the key another record has
    second.write_text("@article{Smith2020, title = {Tensor Sketches}, author = {Jones, Bo}, year = {2021}, doi = {10.1/ts}}\n", "utf-8")
    capsys.readouterr()
    assert main(["import", str(second), "--content", str(content), "--date", "2026-01-16"]) == 0
    jones = load_library(content).by_key()["Jones2021"]
    assert "ids" not in dict(jones.extra)
    err = capsys.readouterr().err
    assert "merged into the library's record 'Jones2021' by the same DOI" in err and "kept as an alias" not in err
