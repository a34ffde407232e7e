"""Readers only read: each returns frozen candidates and problems; one merge does the rest."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from generator.library.records import load_library
from generator.reading.bibfile import read_bib
from generator.reading.dumps import read_dump
from generator.reading.merge import import_bibtex, import_dumps, merge_readings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIFTH = FIXTURES / "dumps" / "fifth_dump.txt"
ZOTERO = FIXTURES / "bib" / "zotero.bib"
DATE = "2026-01-15"


def test_a_dump_reads_as_candidates_with_file_and_line():
    reading = read_dump(FIFTH)
    assert reading.problems == () and reading.all_or_nothing
    assert len(reading.candidates) == 10
    first = reading.candidates[0]
    assert first.file == str(FIFTH) and first.source.file == "fifth_dump.txt"
    assert first.bibkey is None and first.curated() == {}
    lines = [c.line for c in reading.candidates]
    assert lines == sorted(lines) and len(set(lines)) == 10
    text = FIFTH.read_text("utf-8").splitlines()
    assert all(text[c.line - 1].strip().endswith(c.title[-10:]) for c in reading.candidates[1:])
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.title = "changed"  # type: ignore[misc]


def test_a_bib_file_reads_as_candidates_and_leaves_matching_to_the_merge():
    reading = read_bib(ZOTERO)
    assert not reading.all_or_nothing and reading.containers == 1
    by_key = {c.bibkey: c for c in reading.candidates}
    galore = by_key["Zhao:2024:GaLore"]
    assert galore.line == 24 and galore.file == str(ZOTERO) and galore.provenance == "bibtex zotero.bib"
    assert galore.title.startswith("GaLore: Memory-Efficient LLM Training") and galore.authors[0] == "Jiawei Zhao"
    # no abstract is no reading problem: whether the entry can merge is the merge's question
    assert by_key["jiang2024megascale"].abstract == "" and by_key["jiang2024megascale"].arxiv == "2402.15627"
    assert sorted(p.line for p in reading.problems) == [55, 104]
    with pytest.raises(dataclasses.FrozenInstanceError):
        reading.containers = 0  # type: ignore[misc]


def test_one_merge_takes_both_readers_at_once(tmp_path):
    content = tmp_path / "content"
    report = merge_readings(content, [read_dump(FIFTH), read_bib(ZOTERO)], today=DATE)
    papers = load_library(content).by_key()
    galore = papers["galore"]  # a dump's paper, completed by the .bib entry of the same import
    assert [s.file for s in galore.sources] == ["fifth_dump.txt", "zotero.bib"]
    assert galore.authors[0] == "Jiawei Zhao"
    assert "provenance" not in (content / "papers" / "galore.yml").read_text("utf-8")  # a new record has none
    assert papers["pokechamp"].sources[-1].file == "zotero.bib"
    assert any(n.message.startswith("Zhao:2024:GaLore: merged into another entry of this import 'galore' by the same title") for n in report.merges)
    # the dump had no problem, so the .bib's bad entries (unparsable, untitled) only skip themselves;
    # entries without an abstract are papers like any other
    assert sorted(p.line for p in report.problems) == [55, 104]
    assert papers["noabstract2024"].abstract == ""
    assert report.files_written == len(papers) + 2  # every record and both inputs, kept under sources/


def test_a_dump_with_a_problem_stops_the_whole_merge(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text(FIFTH.read_text("utf-8") + "A title with no abstract\n", "utf-8")
    content = tmp_path / "content"
    report = merge_readings(content, [read_dump(bad), read_bib(ZOTERO)], today=DATE)
    assert report.added == [] and report.problems and not content.exists()


def test_a_bib_merges_into_a_record_kept_as_yaml(tmp_path):
    """A record may be `<key>.yaml`: the merge edits that file, not a `.yml` it guesses."""
    content = tmp_path / "content"
    assert import_dumps(content, [FIFTH], today=DATE).problems == []
    (content / "papers" / "galore.yml").rename(content / "papers" / "galore.yaml")
    report = import_bibtex(content, [ZOTERO], today=DATE)
    assert "galore" in report.merged
    assert not (content / "papers" / "galore.yml").exists()
    assert load_library(content).by_key()["galore"].authors[0] == "Jiawei Zhao"


def test_the_case_a_source_protects_is_kept_and_exported(tmp_path):
    """{{Frontier Models}} (Better BibTeX), {T}ikhonov and CSL's nocase spans become
    `keep_case`; the BibTeX and CSL exports protect those phrases again."""
    from generator.export.bibtex import bibtex_for
    from generator.export.csl import csl_json

    bib = tmp_path / "zotero.bib"
    bib.write_text(
        "@article{meinke2025,\n  title = {{{Frontier Models}} Are {{Capable}} of {{In-context Scheming}}},\n  year = {2025}\n}\n"
        "@article{bishop1995,\n  title = {Training with noise is equivalent to {T}ikhonov regularization: {GaLore} and \\emph{Foo} \\& {Open-Source}},\n  year = {1995}\n}\n",
        "utf-8",
    )
    csl = tmp_path / "zotero.json"
    csl.write_text('[{"id": "zhang2024", "type": "article", "title": "Q<sub>8</sub> for <i>the</i> <span class=\\"nocase\\">Bayesian Brain</span>"}]', "utf-8")
    content = tmp_path / "content"
    assert not import_bibtex(content, [bib, csl], today="2026-01-15").problems
    papers = load_library(content).by_key()
    assert papers["meinke2025"].keep_case == ("Frontier Models", "Capable", "In-context Scheming")
    assert papers["bishop1995"].keep_case == ("Tikhonov", "Open-Source")  # GaLore is protected by the word rule; \emph is no protection
    assert papers["zhang2024"].title == "Q8 for the Bayesian Brain" and papers["zhang2024"].keep_case == ("Bayesian Brain",)
    assert "keep_case:\n  - Frontier Models\n" in (content / "papers" / "meinke2025.yml").read_text("utf-8")
    exported = bibtex_for(list(papers.values()))
    assert "{Frontier Models} Are {Capable} of {In-context Scheming}" in exported
    assert "{Tikhonov} regularization: {GaLore}" in exported and "{Bayesian Brain}" in exported
    assert '<span class=\\"nocase\\">Frontier Models</span> Are' in csl_json(list(papers.values()))


def test_keep_case_must_be_a_list_of_phrases(tmp_path):
    content = tmp_path / "content"
    (content / "papers").mkdir(parents=True)
    (content / "papers" / "x.yml").write_text("key: x\ntitle: A Bayesian View\nabstract: ''\nadded: 2026-01-01\nkeep_case: Bayesian\n", "utf-8")
    library = load_library(content)
    assert [p.line for p in library.problems] == [5] and "keep_case" in library.problems[0].message
    assert library.papers[0].keep_case == ()


def test_a_key_differing_only_in_case_is_taken(tmp_path):
    """bibtex reads `same` and `Same` as one entry ("Repeated entry") and drops one."""
    bib = tmp_path / "keys.bib"
    bib.write_text("@misc{same, title = {First Paper on Sparse Attention}}\n@misc{Same, title = {Second Paper on Dense Retrieval}}\n", "utf-8")
    content = tmp_path / "content"
    report = import_bibtex(content, [bib], today="2026-01-15")
    keys = sorted(p.key for p in load_library(content).papers)
    assert len(keys) == 2 and "same" in keys and "Same" not in keys
    assert any("Same: the BibTeX key is taken by another paper" in n.message for n in report.notes)
    record = (content / "papers" / "same.yml").read_text("utf-8")
    (content / "papers" / "same-2.yml").write_text(record.replace("key: same", "key: SAME", 1), "utf-8")  # as an older import wrote it
    problems = load_library(content).problems
    assert len(problems) == 1 and "differs only in case from" in problems[0].message
    assert {"'SAME'", "'same'"} <= set(problems[0].message.replace("(", " ").split())


SEMANTIC_SCHOLAR = {  # as Manubot writes an arXiv paper Semantic Scholar knows (AdaptInfer/context-review)
    "id": "ySxuugBg", "type": "article-journal",
    "title": "LFME: A Simple Framework for Learning from Multiple Experts in Domain Generalization",
    "author": [{"family": "Chen", "given": "Liang"}], "container-title": "ArXiv", "issued": {"date-parts": [[2024]]},
    "volume": "abs/2410.17020", "URL": "https://api.semanticscholar.org/CorpusID:273507138",
}


def csl_item(tmp_path, **changes):
    import json

    from generator.reading.csljson import read_csl_json

    path = tmp_path / "refs.json"
    path.write_text(json.dumps([{**SEMANTIC_SCHOLAR, **changes}]), "utf-8")
    (candidate,) = read_csl_json(path).candidates
    return candidate


def test_an_arxiv_id_written_as_the_volume_is_the_arxiv_id_and_arxiv_is_no_venue(tmp_path):
    candidate = csl_item(tmp_path)
    assert candidate.arxiv == "2410.17020" and candidate.volume is None
    assert candidate.venue is None and dict(candidate.extra) == {"container-title": "ArXiv"}  # as a .bib's journal = {arXiv}


def test_the_version_of_an_arxiv_id_in_the_volume_is_not_lost(tmp_path):
    candidate = csl_item(tmp_path, volume="abs/2410.17020v2")
    assert candidate.arxiv == "2410.17020" and candidate.volume is None
    assert dict(candidate.extra)["volume"] == "abs/2410.17020v2"


def test_an_arxiv_preprint_container_gives_its_id(tmp_path):
    candidate = csl_item(tmp_path, **{"container-title": "arXiv preprint arXiv:2410.17020", "volume": None})
    assert candidate.arxiv == "2410.17020" and candidate.venue is None


def test_a_journal_volume_stays_the_volume(tmp_path):
    candidate = csl_item(tmp_path, **{"container-title": "Nature", "volume": "586"})
    assert candidate.venue == "Nature" and candidate.volume == "586" and candidate.arxiv is None
