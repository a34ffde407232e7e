"""Several .bib files of one import read as one database, as bibtex reads
`\\bibliography{abbrv,literatur,crossref}`: @string macros carry over to the
files after the one defining them, crossref parents come from any of them."""

from __future__ import annotations

from pathlib import Path

from generator.cli import main
from generator.library.records import load_library
from generator.reading import bibfile

DATE = "2025-01-01"

# Excerpts of AAU-conan/bib @83c0722 (abbrv.bib, literatur.bib, crossref.bib):
# macros in one file, entries in another, @proceedings crossref parents in a third.
ABBRV = """%%%%% Abbreviations, long form.

@String{jair = "Journal of Artificial Intelligence Research"}
@String{lncs = "Lecture Notes in Computer Science"}
"""
LITERATUR = """@InProceedings{abdulaziz-et-al-icaps2017,
  author =       "Mohammad Abdulaziz and Charles Gretton and Michael Norrish",
  title =        "A State-Space Acyclicity Property for Exponentially
                  Tighter Plan Length Bounds",
  crossref =     "icaps2017",
  pages =        "2--10"
}

@Article{adriaensen-et-al-jair2022,
  author =       "Steven Adriaensen and Andr{\\'e} Biedenkapp and Gresa Shala and Noor Awad
                  and Theresa Eimer and Marius Lindauer and Frank Hutter",
  title =        "Automated Dynamic Algorithm Configuration",
  journal =      jair,
  year =         "2022",
  volume =       "75",
  pages =        "1633--1699"
}
"""
CROSSREF = """@Proceedings{algorithmics2009,
  editor =       "J{\\"u}rgen Lerner and
                  Dorothea Wagner and
                  Katharina Anna Zweig",
  title =        "Algorithmics of Large and Complex Networks",
  booktitle =    "Algorithmics of Large and Complex Networks",
  publisher =    "Springer-Verlag",
  series =       lncs,
  volume =       "5515",
  year =         "2009"
}

@Proceedings{icaps2017,
  editor =       "Laura Barbulescu and Jeremy Frank and Mausam and Stephen F. Smith",
  title =        "Proceedings of the Twenty-Seventh International Conference on
                  Automated Planning and Scheduling (ICAPS 2017)",
  booktitle =    "Proceedings of the Twenty-Seventh International Conference on
                  Automated Planning and Scheduling (ICAPS 2017)",
  year =         "2017",
  publisher =    "AAAI Press"
}
"""


def _files(tmp_path: Path) -> list[Path]:
    paths = []
    for name, text in (("abbrv.bib", ABBRV), ("literatur.bib", LITERATUR), ("crossref.bib", CROSSREF)):
        path = tmp_path / name
        path.write_text(text, "utf-8")
        paths.append(path)
    return paths


def test_macros_and_crossref_parents_are_shared_by_the_files_of_one_import(tmp_path):
    abbrv, literatur, crossref = bibfile.read_bib_set(_files(tmp_path))
    assert (abbrv.candidates, abbrv.notes, abbrv.problems) == ((), (), ())
    assert literatur.notes == () and crossref.notes == ()
    child, article = literatur.candidates
    assert child.year == 2017 and child.publisher == "AAAI Press"
    assert child.venue.startswith("Proceedings of the Twenty-Seventh International Conference")
    assert article.venue == "Journal of Artificial Intelligence Research"
    # icaps2017 is only a crossref parent: no paper; algorithmics2009 is cited by none: a paper
    assert [c.bibkey for c in crossref.candidates] == ["algorithmics2009"] and crossref.containers == 1
    assert ("series", "Lecture Notes in Computer Science") in crossref.candidates[0].extra
    assert (child.file, child.line, article.line) == (str(tmp_path / "literatur.bib"), 1, 9)


def test_a_macro_is_defined_only_for_the_files_after_its_own_as_bibtex_reads_them(tmp_path):
    abbrv, literatur, crossref = _files(tmp_path)
    first, _abbrv, _crossref = bibfile.read_bib_set([literatur, abbrv, crossref])
    (note,) = first.notes
    assert str(note) == (f"{literatur}:9: @article{{adriaensen-et-al-jair2022: undefined @string 'jair' read as empty text"
                         " (abbrv.bib defines it, but is read after this file: give it first)")
    assert first.candidates[0].year == 2017  # a crossref parent may be in any file, before or after


def test_a_crossref_parent_in_none_of_the_files_is_named_with_the_childs_file_and_line(tmp_path):
    abbrv, literatur, _crossref = _files(tmp_path)
    _abbrv, reading = bibfile.read_bib_set([abbrv, literatur])
    (note,) = reading.notes
    assert str(note) == (f"{literatur}:1: @inproceedings{{abdulaziz-et-al-icaps2017: crossref 'icaps2017' is in none "
                         "of the 2 .bib files of this import; imported without it")


def test_one_file_reads_as_it_did_alone(tmp_path):
    _abbrv, literatur, _crossref = _files(tmp_path)
    alone = bibfile.read_bib(literatur)
    assert [n.message.split(": ", 1)[1] for n in alone.notes] == [
        "undefined @string 'jair' read as empty text", "crossref 'icaps2017' is not in this file; imported without it"]


def test_the_import_command_reads_the_three_files_as_one_library(tmp_path, capsys):
    content = tmp_path / "content"
    status = main(["import", "--content", str(content), "--date", DATE, *map(str, _files(tmp_path))])
    err = capsys.readouterr()
    assert status == 0, err
    assert "note:" not in err.err and "added 3, merged 0, problems 0 (0 unchanged, 1 crossref container(s) skipped)" in err.out
    papers = load_library(content).by_key()
    assert set(papers) == {"abdulaziz-et-al-icaps2017", "adriaensen-et-al-jair2022", "algorithmics2009"}
    assert papers["adriaensen-et-al-jair2022"].venue == "Journal of Artificial Intelligence Research"


def test_a_macro_a_string_uses_may_come_from_an_earlier_file_only(tmp_path):
    abbrv, extended, entries = tmp_path / "abbrv.bib", tmp_path / "extended.bib", tmp_path / "entries.bib"
    abbrv.write_text('@String{jair = "Journal of Artificial Intelligence Research"}\n', "utf-8")
    extended.write_text('@String{jairx = jair # " (extended)"}\n', "utf-8")
    entries.write_text("@article{a, title={One}, journal=jairx}\n", "utf-8")
    *_, reading = bibfile.read_bib_set([abbrv, extended, entries])
    assert reading.candidates[0].venue == "Journal of Artificial Intelligence Research (extended)"
    early, *_ = bibfile.read_bib_set([extended, abbrv, entries])
    assert [str(n) for n in early.notes] == [f"{extended}:1: @string{{jairx: undefined @string 'jair' read as empty text"
                                             " (abbrv.bib defines it, but is read after this file: give it first)"]
