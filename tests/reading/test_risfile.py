"""A broken RIS record is named with its file and line; the records around it are kept."""

from __future__ import annotations

from pathlib import Path

from generator.cli import main
from generator.reading.risfile import read_ris

MAMBO = Path(__file__).resolve().parents[1] / "fixtures" / "ris" / "zotero-mambo.ris"
TITLES = [
    "Waste Not, Want Not: Why Rarefying Microbiome Data Is Inadmissible",
    "Microbiome Datasets Are Compositional: And This Is Not Optional",
    "Consistent and correctable bias in metagenomic sequencing experiments",
    "Compositional Data Analysis of Microbiome and Any-Omics Datasets: A Validation of the Additive Logratio Transformation",
    "Dirichlet Multinomial Mixtures: Generative Models for Microbial Metagenomics",
]


def edited(tmp_path: Path, line: int, new: str | None) -> Path:
    """The real export with its line `line` replaced by `new` (None: removed)."""
    lines = MAMBO.read_bytes().decode("utf-8").split("\r\n")
    if new is None:
        del lines[line - 1]
    else:
        lines[line - 1] = new
    path = tmp_path / "refs.ris"
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    return path


def titles(reading) -> list[str]:
    return [c.title for c in reading.candidates]


def test_the_real_export_reads_whole_with_nothing_to_say():
    reading = read_ris(MAMBO)
    assert titles(reading) == TITLES and reading.problems == () and reading.notes == ()
    assert [c.line for c in reading.candidates] == [1, 31, 50, 80, 98]


def test_a_tag_line_without_its_dash_is_named_and_the_other_records_kept(tmp_path):
    path = edited(tmp_path, 51, "TI  Consistent and correctable bias in metagenomic sequencing experiments")
    reading = read_ris(path)
    assert titles(reading) == TITLES[:2] + TITLES[3:]
    assert [(p.file, p.line) for p in reading.problems] == [(str(path), 51)]
    assert "'TI'" in reading.problems[0].message and "expected 'TI  - ...'" in reading.problems[0].message


def test_a_dashless_line_after_a_one_value_tag_is_not_a_whole_file_failure(tmp_path):
    path = tmp_path / "refs.ris"  # rispy alone raises KeyError('year') for the whole file here
    path.write_text("TY  - JOUR\nTI  - First Paper\nPY  - 2020\nER  - \n\nTY  - JOUR\nTI  Second Paper\nER  - \n")
    reading = read_ris(path)
    assert titles(reading) == ["First Paper"]
    assert [p.line for p in reading.problems] == [7]


def test_a_separator_without_its_space_never_loses_a_letter(tmp_path):
    path = edited(tmp_path, 32, "TI  -Microbiome Datasets Are Compositional: And This Is Not Optional")
    reading = read_ris(path)
    assert "icrobiome Datasets Are Compositional: And This Is Not Optional" not in titles(reading)
    assert [p.line for p in reading.problems] == [32]


def test_a_record_without_its_type_line_is_read_with_a_note(tmp_path):
    path = edited(tmp_path, 50, None)
    reading = read_ris(path)
    assert titles(reading) == TITLES and reading.problems == ()
    assert [(n.line, "no TY" in n.message) for n in reading.notes] == [(50, True)]
    assert reading.candidates[2].entry_type == "misc" and reading.candidates[2].line == 50


def test_an_unterminated_last_record_is_read_with_a_note(tmp_path):
    path = edited(tmp_path, 127, None)
    reading = read_ris(path)
    assert titles(reading) == TITLES and reading.problems == ()
    assert [(n.line, "ER" in n.message) for n in reading.notes] == [(98, True)]


def test_a_record_missing_its_end_before_the_next_is_two_records(tmp_path):
    path = edited(tmp_path, 48, "")  # rispy alone folds the third record into the second
    reading = read_ris(path)
    assert titles(reading) == TITLES and reading.problems == ()
    assert [n.line for n in reading.notes] == [31]
    assert reading.candidates[2].doi != reading.candidates[1].doi


def test_import_keeps_the_good_records_and_names_the_bad_line(tmp_path, capsys):
    path = edited(tmp_path, 51, "TI  Consistent and correctable bias in metagenomic sequencing experiments")
    content = tmp_path / "content"
    assert main(["import", str(path), "--content", str(content), "--date", "2026-01-15"]) == 1
    err = capsys.readouterr().err
    assert f"{path}:51: " in err and "Traceback" not in err
    assert len(list((content / "papers").glob("*.yml"))) == 4


def test_tags_rispy_does_not_know_are_kept_each_under_its_own_name(tmp_path):
    path = tmp_path / "unknown.ris"
    path.write_text("TY  - JOUR\nTI  - A title\nXY  - foo\nXY  - bar\nZZ  - baz\nER  - \n", "utf-8")
    (candidate,) = read_ris(path).candidates
    assert dict(candidate.extra) == {"XY": "foo; bar", "ZZ": "baz"}


# An EndNote record as it exports it (bdarcus/manuscript-rendition references.ris):
# the DOI in M3, the abstract in N2, a record number as its ID.
ENDNOTE = (
    "TY  - JOUR\r\nID  - 971\r\n"
    "T1  - One Island, One Team, One Mission: Geopolitics, Sovereignty, Race and Rendition\r\n"
    "JF  - Geopolitics\r\nM3  - 10.1080/14650040903501120\r\nA1  - Sidaway,James D.\r\nVL  - 15\r\nIS  - 4\r\n"
    "PY  - 2010/11/19/\r\nN2  - This paper examines the geopolitics of rendition.\r\nSP  - 667\r\nEP  - 683\r\nER  - \r\n"
)


def one_record(tmp_path: Path, text: str):
    path = tmp_path / "endnote.ris"
    path.write_bytes(text.encode("utf-8"))
    (candidate,) = read_ris(path).candidates
    return candidate


def test_a_doi_endnote_puts_in_m3_is_the_records_doi(tmp_path):
    candidate = one_record(tmp_path, ENDNOTE)
    assert candidate.doi == "10.1080/14650040903501120"
    assert "type_of_work" not in dict(candidate.extra)  # it was only the DOI


def test_m3_beside_a_do_line_stays_what_it_was(tmp_path):
    text = ENDNOTE.replace("ER  - ", "DO  - 10.1/other\r\nER  - ")
    candidate = one_record(tmp_path, text)
    assert candidate.doi == "10.1/other" and dict(candidate.extra)["type_of_work"] == "10.1080/14650040903501120"


def test_m3_that_is_not_a_doi_stays_under_extra(tmp_path):
    candidate = one_record(tmp_path, ENDNOTE.replace("M3  - 10.1080/14650040903501120", "M3  - Article"))
    assert candidate.doi is None and dict(candidate.extra)["type_of_work"] == "Article"


def test_n2_is_the_abstract_when_there_is_no_ab(tmp_path):
    candidate = one_record(tmp_path, ENDNOTE)
    assert candidate.abstract == "This paper examines the geopolitics of rendition."
    assert "notes_abstract" not in dict(candidate.extra)


def test_n2_beside_an_ab_is_kept_under_extra(tmp_path):
    candidate = one_record(tmp_path, ENDNOTE.replace("SP  - 667", "AB  - The abstract.\r\nSP  - 667"))
    assert candidate.abstract == "The abstract."
    assert dict(candidate.extra)["notes_abstract"] == "This paper examines the geopolitics of rendition."


def test_a_key_like_id_is_the_citation_key(tmp_path):
    candidate = one_record(tmp_path, ENDNOTE.replace("ID  - 971", "ID  - sidaway:2010:island"))
    assert candidate.bibkey == "sidaway:2010:island" and "id" not in dict(candidate.extra)


def test_a_record_number_id_is_no_key_and_is_kept_under_extra(tmp_path):
    candidate = one_record(tmp_path, ENDNOTE)
    assert candidate.bibkey is None and dict(candidate.extra)["id"] == "971"


def test_an_id_that_cannot_be_a_key_is_kept_under_extra(tmp_path):
    candidate = one_record(tmp_path, ENDNOTE.replace("ID  - 971", "ID  - Sidaway {2010}"))
    assert candidate.bibkey is None and dict(candidate.extra)["id"] == "Sidaway {2010}"


def test_every_record_is_counted_in_the_summary_and_a_repeat_is_noted(tmp_path, capsys):
    untitled = "TY  - PCOMM\r\nID  - 954\r\nA2  - Moyers,Bill\r\nPY  - 2007///\r\nER  - \r\n"
    path = tmp_path / "endnote.ris"
    path.write_bytes((ENDNOTE + "\r\n" + ENDNOTE + "\r\n" + untitled).encode("utf-8"))
    assert main(["import", str(path), "--content", str(tmp_path / "content"), "--date", "2026-01-15"]) == 1
    err = capsys.readouterr().err
    assert f"{path}:15: 'One Island, One Team, One Mission" in err and "merged into another entry of this import" in err
    assert "added 1, merged 0, problems 1 (0 unchanged, 1 entry merged into another entry of this import)" in err


def test_a_repeat_found_by_title_alone_is_noted_too(tmp_path, capsys):
    record = ENDNOTE.replace("M3  - 10.1080/14650040903501120\r\n", "")
    path = tmp_path / "endnote.ris"
    path.write_bytes((record + "\r\n" + record).encode("utf-8"))
    assert main(["import", str(path), "--content", str(tmp_path / "content"), "--date", "2026-01-15"]) == 0
    captured = capsys.readouterr()
    assert f"{path}:14: " in captured.err and "by the same title" in captured.err
    assert "added 1, merged 0, problems 0 (0 unchanged, 1 entry merged into another entry of this import)" in captured.out
