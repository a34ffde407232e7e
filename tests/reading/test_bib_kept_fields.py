"""Every value of a .bib entry survives the import and the .bib export.

A value the reader cannot read into a field of the record (a year BCE, a
HAL eprint, a sort key, biblatex's location) is kept under `extra` and
written back; the minimal files here go through the real import command.
"""

from __future__ import annotations

from pathlib import Path

import bibtexparser
import pytest

from generator.cli import main
from generator.export.bibtex import bibtex_for
from generator.library.records import load_library


def imported(tmp_path: Path, text: str) -> dict:
    """key -> Paper, after `python -m generator import` of a .bib holding `text`."""
    bib = tmp_path / "refs.bib"
    bib.write_text(text, "utf-8")
    content = tmp_path / "content"
    assert main(["import", str(bib), "--content", str(content)]) == 0
    library = load_library(content)
    assert library.problems == ()
    return library.by_key()


def exported(papers) -> dict[str, tuple[str, dict[str, str]]]:
    """key -> (entry type, fields) of the .bib export, as bibtexparser reads it."""
    library = bibtexparser.parse_string(bibtex_for(list(papers)))
    return {e.key: (e.entry_type, {f.key: f.value for f in e.fields}) for e in library.entries}


def test_a_year_the_reader_cannot_read_as_a_number_is_kept_and_exported(tmp_path):
    papers = imported(tmp_path, "@book{sun, title = {The Art of War}, year = {535 BCE}}\n"
                                "@book{ok, title = {Fine}, year = {2020}, month = {Spring}}\n")
    assert papers["sun"].year is None and dict(papers["sun"].extra)["year"] == "535 BCE"
    assert papers["ok"].year == 2020 and "year" not in dict(papers["ok"].extra)
    assert papers["ok"].month is None and dict(papers["ok"].extra)["month"] == "Spring"
    out = exported(papers.values())
    assert out["sun"][1]["year"] == "535 BCE" and out["ok"][1]["month"] == "Spring"


def test_an_eprint_other_than_arxiv_is_kept_and_exported(tmp_path):
    papers = imported(tmp_path, "@misc{hal, title = {A paper on HAL}, eprint = {hal-01234567}, eprinttype = {hal}}\n"
                                "@misc{ax, title = {On arXiv}, eprint = {2106.09685}, eprinttype = {arxiv}}\n")
    assert dict(papers["hal"].extra) == {"eprint": "hal-01234567", "eprinttype": "hal"}
    assert papers["ax"].arxiv == "2106.09685" and "eprint" not in dict(papers["ax"].extra)
    fields = exported(papers.values())["hal"][1]
    assert (fields["eprint"], fields["eprinttype"]) == ("hal-01234567", "hal")


def test_a_second_name_for_one_field_is_kept_when_it_says_something_else(tmp_path):
    papers = imported(tmp_path, "@article{two, title = {T}, number = {3}, issue = {Spring}, school = {MIT}, institution = {CSAIL}}\n")
    paper = papers["two"]
    assert paper.number == "3" and paper.institution == "CSAIL"
    assert dict(paper.extra) == {"issue": "Spring", "school": "MIT"}


BIBLATEX = r"""@inproceedings{loc, title = {Located}, author = {Doe, Jane}, booktitle = {Proc. Conf}, year = 2020,
  location = {Vienna, Austria}, eventtitle = {Big Conference 2020}, venue = {Hofburg}}
@misc{keyed, title = {Keyed}, key = {Zzz}, note = {[Online; accessed 2020]}, year = 2020}
@misc{authored, title = {Authored}, author = {Roe, Ann}, key = {Aaa}, version = {1.2}, year = 2021,
  file = {/home/me/a.pdf}, annote = {my private note}, howpublished = {\input{/etc/passwd}}}
"""


def test_kept_fields_are_written_back_location_as_address(tmp_path):
    out = exported(imported(tmp_path, BIBLATEX).values())
    loc = out["loc"][1]
    assert (loc["address"], loc["eventtitle"], loc["venue"], loc["booktitle"]) == ("Vienna, Austria", "Big Conference 2020", "Hofburg", "Proc. Conf")
    assert "location" not in loc


def test_the_sort_key_and_a_bracketed_note_are_written_back(tmp_path):
    out = exported(imported(tmp_path, BIBLATEX).values())
    assert out["keyed"][1]["key"] == "Zzz" and out["keyed"][1]["note"] == "[Online; accessed 2020]"
    assert out["authored"][1]["key"] == "Aaa" and out["authored"][1]["version"] == "1.2"


def test_private_fields_stay_out_and_kept_text_stays_text(tmp_path):
    papers = imported(tmp_path, BIBLATEX)
    assert dict(papers["authored"].extra)["file"] == "/home/me/a.pdf"  # kept in the record ...
    text = bibtex_for(list(papers.values()))
    assert "a.pdf" not in text and "private" not in text  # ... never exported
    assert "howpublished = {" in text and "\\input" not in text.replace("{\\textbackslash}input", "")  # text, never run


def test_a_csl_name_list_kept_as_json_is_not_written_as_text():
    from generator.model import Paper

    paper = Paper(key="k", title="T", abstract="", added="2026-01-15",
                  extra=(("editor", '[{"family": "Roe", "given": "Ann"}]'), ("accessed", '{"date-parts": [[2020, 1, 2]]}'),
                         ("note", "[sic] a note"), ("Bad Name", "x"), ("eprint", "hal_0123"), ("Series", "LNCS")))
    fields = exported([paper])["k"][1]
    assert "editor" not in fields and "accessed" not in fields and "Bad Name" not in fields
    assert fields["note"] == "[sic] a note" and fields["eprint"] == "hal\\_0123" and fields["series"] == "LNCS"


BIBLATEX_TYPES = r"""@online{web, title = {A Web Page}, author = {Web, Ann}, url = {https://example.org/page}, urldate = {2021-01-01}, year = 2021}
@thesis{phd, title = {A Thesis}, author = {Stu, Dent}, institution = {MIT}, type = {phdthesis}, year = 2010}
@thesis{msc, title = {A Masters Thesis}, author = {Stu, Dent}, school = {MIT}, type = {Master's thesis}, year = 2011}
@thesis{bare, title = {A Bare Thesis}, author = {Stu, Dent}, institution = {MIT}, year = 2012}
@report{rep, title = {A Report}, author = {Rep, Orter}, institution = {RAND}, number = {TR-1}, type = {techreport}, year = 2000}
@dataset{data, title = {A Dataset}, author = {Data, Set}, publisher = {Zenodo}, year = 2022}
@software{soft, title = {A Program}, author = {Soft, Ware}, version = {1.2}, year = 2022}
@mvbook{mv, title = {Collected Works}, author = {Many, Volumes}, publisher = {Springer}, year = 1990}
@article{art, title = {An Article}, author = {Art, Icle}, journal = {Nature}, year = 2001}
"""
CLASSIC = {"web": "misc", "phd": "phdthesis", "msc": "mastersthesis", "bare": "phdthesis", "rep": "techreport",
           "data": "misc", "soft": "misc", "mv": "book", "art": "article"}


def test_biblatex_entry_types_are_exported_as_classic_types_and_kept_in_the_record(tmp_path):
    papers = imported(tmp_path, BIBLATEX_TYPES)
    assert papers["web"].entry_type == "online" and papers["phd"].entry_type == "thesis" and papers["mv"].entry_type == "mvbook"
    out = exported(papers.values())
    assert {key: etype for key, (etype, _) in out.items()} == CLASSIC
    assert out["phd"][1]["school"] == "MIT" and "type" not in out["phd"][1]  # the type says what @phdthesis says
    assert out["msc"][1]["type"] == "Master's thesis" and out["rep"][1]["institution"] == "RAND"
    assert out["web"][1]["url"] == "https://example.org/page" and out["soft"][1]["version"] == "1.2"


@pytest.mark.skipif(not __import__("shutil").which("bibtex"), reason="bibtex not installed")
@pytest.mark.parametrize("style", ["plain", "plainnat"])
def test_classic_styles_define_every_exported_entry_type(style, tmp_path):
    from export.engines import run_bibtex

    run = run_bibtex(bibtex_for(list(imported(tmp_path, BIBLATEX_TYPES).values())), style, tmp_path / "tex")
    assert run.returncode == 0 and run.errors == 0, run.blg[-2000:]
    assert "isn't style-file defined" not in run.blg, run.blg[-2000:]
    assert run.bbl.count("\\bibitem") == len(CLASSIC)
