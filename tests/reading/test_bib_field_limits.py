"""An over-long field of a .bib entry costs that field, never the paper."""

from __future__ import annotations

from pathlib import Path

from generator.cli import main
from generator.export.bibtex import bibtex_for
from generator.library.records import load_library
from generator.limits import MAX_VENUE_CHARS
from generator.reading.bibfile import read_bib


def _write(path: Path, *entries: str) -> Path:
    path.write_text("\n".join(entries) + "\n", "utf-8")
    return path


def test_an_over_long_booktitle_keeps_the_paper_and_the_whole_booktitle(tmp_path, capsys):
    booktitle = "Proceedings of the " + "Very " * 200 + "Long Workshop"
    assert len(booktitle) > MAX_VENUE_CHARS
    bib = _write(tmp_path / "long.bib", "@inproceedings{longbt, title = {A Paper}, author = {Doe, Jane}, year = 2020,\n"
                 f"  booktitle = {{{booktitle}}}, pages = {{1--9}}}}")
    content = tmp_path / "content"
    assert main(["import", str(bib), "--content", str(content)]) == 0
    out = capsys.readouterr().err
    assert f"{bib}:1:" in out and "@inproceedings{longbt: booktitle is" in out and "not shown as the venue" in out
    paper = load_library(content).by_key()["longbt"]
    assert paper.venue is None and dict(paper.extra)["booktitle"] == booktitle and paper.pages == "1-9"
    assert "  booktitle = {" + booktitle + "}\n" in bibtex_for([paper])


def test_a_field_past_the_value_limit_is_refused_alone_naming_key_and_field(tmp_path):
    bib = _write(
        tmp_path / "huge.bib",
        "@article{fine, title = {A fine paper}}",
        "@article{huge, title = {Huge}, author = {Doe, Jane}, note = {" + "word " * 50_000 + "}}",
        "@article{wide, title = {Fine title}, year = 2021, abstract = {" + "a" * 25_000 + "}}",
    )
    reading = read_bib(bib)
    found = {p.line: p.message for p in reading.problems}
    assert "@article{huge: field note is longer than 200,000 characters; imported without it" in found[2]
    assert "@article{wide: abstract is 25,000 characters; at most 20,000 expected; imported without it" in found[3]
    by_key = {c.bibkey: c for c in reading.candidates}
    assert sorted(by_key) == ["fine", "huge", "wide"]
    assert by_key["huge"].authors == ("Jane Doe",) and "note" not in dict(by_key["huge"].extra)
    assert by_key["wide"].year == 2021 and by_key["wide"].abstract == ""


def test_an_over_long_title_still_skips_the_entry(tmp_path):
    bib = _write(tmp_path / "t.bib", "@article{long, title = {" + "t" * 1_000 + "}}", "@article{ok, title = {Ok}}")
    reading = read_bib(bib)
    assert [c.bibkey for c in reading.candidates] == ["ok"]
    assert "@article{long: title is 1,000 characters; at most 600 expected; this entry was skipped" in reading.problems[0].message
