"""Issue 12, import side: LaTeX decoding, names, kept keys, duplicates, Zotero-style merging."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.library.records import load_library
from generator.model import Name
from generator.reading.bibnames import parse_name, parse_names
from generator.reading.bibvalues import decode_latex, find_url
from generator.reading.bibfile import read_bib
from generator.reading.merge import import_bibtex

DATE = "2026-01-15"


@pytest.mark.parametrize(
    "raw, text",
    [
        (r"Gon{\c c}alves", "Gonçalves"),
        (r"{\v S}koda", "Škoda"),
        (r"Erd{\H o}s", "Erdős"),
        (r"Anton\'\i n", "Antonín"),
        (r"{\"\i}", "ï"),
        (r"{\'{\i}}", "í"),
        (r"Human\textendash Computer", "Human–Computer"),
        (r"Modeling \textendash{} an", "Modeling – an"),
        (r"$\mathcal{O}(n^2)$ attention", r"$\mathcal{O}(n^2)$ attention"),
        (r"\aa ngstr\"om", "ångström"),
        (r"Arnatkevi\u{c}i\={u}t\.{e}", "Arnatkevic\u0306iūtė"),  # no precomposed c-breve: a combining mark
        # An unknown macro keeps its name as a word, never a backslash an export would print.
        (r"\ourmacro is kept", "ourmacro is kept"),
        (r"\write18{ls} and \input{/etc/passwd}", "write18ls and input/etc/passwd"),
        (r"\LaTeX{} and \TeX", "LaTeX and TeX"),
        # What TeX prints for discretionary hyphens, thin spaces and layout macros.
        (r"Fing\-scheidt co\-op\/", "Fingscheidt coop"),
        (r"R.\,T. and 10\;000\:m", "R. T. and 10 000 m"),
        (r"\#Feature\hspace{0pt} \#Data\hspace*{1em}x and a\hspace{0pt}b", "#Feature #Data x and ab"),
        (r"{\relax Ch}ristopher and this\xspace{} one", "Christopher and this one"),
        # Spaces between an accent and its letter, as TeX reads an argument.
        (r"Montr\' {e}al, Montr\' eal, Montr\'{ e}al", "Montréal, Montréal, Montréal"),
        (r"G\"{ o}del, \c {c}a, \v{ s}, {\" u}", "Gödel, ça, š, ü"),
        (r"\"b and \' x", "b\u0308 and x\u0301"),  # no precomposed letter: a combining mark
    ],
)
def test_latex_is_decoded_completely(raw, text):
    assert decode_latex(raw) == text


def test_names_are_structured_as_bibtex_reads_them():
    assert parse_name("van der Berg, Jan") == Name(family="Berg", given="Jan", particle="van der")
    assert parse_name("Ludwig van Beethoven") == Name(family="Beethoven", given="Ludwig", particle="van")
    assert parse_name("Del Bimbo, Alberto") == Name(family="Del Bimbo", given="Alberto")
    assert parse_name("King, Jr., Martin Luther") == Name(family="King", given="Martin Luther", suffix="Jr.")
    assert parse_name("{The LLM Consortium}") == Name(literal="The LLM Consortium")
    assert parse_name(r"Zamora-L{\'{o}}pez, Gorka") == Name(family="Zamora-López", given="Gorka")
    # `and et al.` and `and others` mean more authors, not an author named "et al."
    assert [n.display() for n in parse_names("Smith, John and et al.")] == ["John Smith"]
    assert [n.display() for n in parse_names("Smith, John and others")] == ["John Smith"]


def test_two_urls_in_one_field_never_glue():
    value = "http://www.ncbi.nlm.nih.gov/pubmed/20428515 http://www.pubmedcentral.nih.gov/x?artid=PMC2859882"
    assert find_url({"url": value}) == "http://www.ncbi.nlm.nih.gov/pubmed/20428515"


BIB = r"""@inproceedings{Abawi:2004ks,
  title = {Human\textendash Computer Interaction},
  author = {Abawi, Daniel F. and Gon{\c c}alves, Ana},
  booktitle = {Proceedings of CHI},
  year = {2004}, month = apr, pages = {10--20}, publisher = {ACM},
  isbn = {978-1-58113-702-6}, keywords = {hci, interaction},
  doi = {https://doi.org/10.1145/ABC.123},
  mendeley-groups = {thesis/chapter 2},
}
@article{vaswaniAttentionAllYou2017,
  title = {Attention Is All You Need},
  author = {Vaswani, Ashish and others},
  journal = {ArXiv:1706.03762},
  year = {2017},
}
@article{Smith2020,
  title = {A First Paper},
  author = {Smith, Jane},
  year = {2020},
}
@article{smith2020,
  title = {A Different Second Paper},
  author = {Smith, John},
  year = {2020},
}
@article{Smith2020,
  title = {A Third Paper Under a Used Key},
  author = {Smith, Joan},
  year = {2021},
}
"""


@pytest.fixture()
def imported(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB, "utf-8")
    content = tmp_path / "content"
    report = import_bibtex(content, [bib], today=DATE)
    return content, report, load_library(content)


def test_keys_are_kept_exactly_and_records_hold_what_reference_managers_hold(imported):
    content, report, library = imported
    assert report.problems == [] and library.problems == ()
    papers = library.by_key()
    abawi = papers["Abawi:2004ks"]
    assert abawi.title == "Human–Computer Interaction" and abawi.abstract == ""  # no abstract: a record all the same
    assert abawi.authors == ("Daniel F. Abawi", "Ana Gonçalves")
    assert abawi.names[1] == Name(family="Gonçalves", given="Ana")
    assert (abawi.entry_type, abawi.year, abawi.month, abawi.pages) == ("inproceedings", 2004, 4, "10-20")
    assert (abawi.venue, abawi.publisher, abawi.isbn, abawi.doi) == ("Proceedings of CHI", "ACM", "978-1-58113-702-6", "10.1145/ABC.123")
    assert abawi.tags == ("hci", "interaction")
    assert dict(abawi.extra) == {"mendeley-groups": "thesis/chapter 2"}  # an unknown field, verbatim
    assert abawi.path.name == "abawi-2004ks.yml"
    vaswani = papers["vaswaniAttentionAllYou2017"]
    assert vaswani.arxiv == "1706.03762" and vaswani.authors == ("Ashish Vaswani",)


def test_keys_differing_in_case_never_share_a_file_and_a_duplicate_key_is_imported_too(imported):
    """bibtex reads Smith2020 and smith2020 as one entry, so the second is given another key, and says so."""
    content, report, library = imported
    papers = library.by_key()
    assert papers["Smith2020"].title == "A First Paper" and "smith2020" not in papers
    second = next(p for p in library.papers if p.title == "A Different Second Paper")
    names = sorted(p.name for p in (content / "papers").iterdir())
    assert len({n.lower() for n in names}) == len(names) == 5
    third = next(p for p in library.papers if p.title == "A Third Paper Under a Used Key")
    assert len({p.key.casefold() for p in library.papers}) == 5 and third.key != second.key
    notes = [str(n) for n in report.notes]
    assert any(f"smith2020: the BibTeX key is taken by another paper; this paper's key is {second.key!r}" in n for n in notes)
    assert any("refs.bib:26: @article{Smith2020: the key 'Smith2020' is used by an earlier entry too; both are imported" in n for n in notes)
    assert any(f"Smith2020: the BibTeX key is taken by another paper; this paper's key is {third.key!r}" in n for n in notes)


def test_a_reimport_keeps_every_record_and_key(imported, tmp_path):
    content, _report, library = imported
    before = {p.name: p.read_bytes() for p in (content / "papers").iterdir()}
    report = import_bibtex(content, [tmp_path / "refs.bib"], today="2026-02-02")
    assert report.added == [] and report.problems == []
    assert {p.name: p.read_bytes() for p in (content / "papers").iterdir()} == before


def _bib(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_same_title_with_different_dois_never_merges(tmp_path):
    content = tmp_path / "content"
    old = _bib(tmp_path, "old.bib", "@article{lee1997, title={Deep Nets}, author={Lee, Ann}, year={1997}, doi={10.1/old}}\n")
    new = _bib(tmp_path, "new.bib", "@article{lee2015, title={Deep Nets}, author={Lee, Ann}, year={2015}, doi={10.1/new}}\n"
               "@article{lee1998, title={Deep nets.}, author={Lee, A.}, year={1998}}\n"
               "@article{kim1997, title={Deep Nets}, author={Kim, Bo}, year={1997}}\n")
    import_bibtex(content, [old], today=DATE)
    report = import_bibtex(content, [new], today=DATE)
    keys = {p.key for p in load_library(content).papers}
    assert {"lee1997", "lee2015", "kim1997"} <= keys  # other decade, other DOI; no family name in common
    assert "lee1998" not in keys  # years within one, a family name agrees, no DOI against it
    (merge,) = report.merges
    assert merge.message.startswith("lee1998: merged into the library's record 'lee1997' by the same title")


def test_a_doi_or_arxiv_id_matches_in_any_written_form_and_conflicts_are_listed(tmp_path):
    content = tmp_path / "content"
    first = _bib(tmp_path, "a.bib", "@article{a, title={One}, author={Roe, Al}, year={2020}, doi={10.5555/ABC}, volume={3}}\n"
                 "@misc{b, title={Two}, author={Poe, Ed}, year={2021}, eprint={2106.09685v1}, archiveprefix={arXiv}}\n")
    second = _bib(tmp_path, "b.bib", "@article{c, title={One, retitled}, year={2020}, doi={https://doi.org/10.5555/abc}, volume={4}, pages={1--2}}\n"
                  "@misc{d, title={Two again}, year={2021}, url={https://arxiv.org/abs/2106.09685v3}}\n")
    import_bibtex(content, [first], today=DATE)
    report = import_bibtex(content, [second], today=DATE)
    papers = load_library(content).by_key()
    assert set(papers) == {"a", "b"}
    assert papers["a"].volume == "3" and papers["a"].pages == "1-2"  # kept the record's value; filled the missing one
    assert dict(papers["a"].extra)["ids"] == "c" and dict(papers["b"].extra)["ids"] == "d"  # the old keys still cite
    assert [m.message.split(" by ")[1].split(" (")[0] for m in report.merges] == ["the same DOI", "the same arXiv id"]
    (conflict,) = report.conflicts
    assert conflict.message == "c: volume '4' differs from the volume of 'a'; kept the record's"


def test_duplicate_fields_are_read_with_the_first_value(tmp_path):
    path = _bib(tmp_path, "dup.bib", "@article{x, title={First}, title={Second}, year={2020}}\n")
    reading = read_bib(path)
    assert [c.title for c in reading.candidates] == ["First"] and reading.problems == ()
    assert "field(s) title given twice; the first value is kept" in reading.notes[0].message


def test_an_undefined_macro_inside_a_string_is_noted_once_at_the_string(tmp_path):
    """bibtex warns at the @string; its entries use a defined macro, so only the
    @string can say the text lost a piece."""
    path = _bib(tmp_path, "jml.bib", '% macros\n@string{jml = "J. " # undefinedMacro # undefinedmacro # "Learn."}\n'
                "@article{a, title={One}, journal=jml}\n@article{b, title={Two}, journal=jml}\n")
    reading = read_bib(path)
    assert [c.venue for c in reading.candidates] == ["J. Learn.", "J. Learn."]
    assert [str(n) for n in reading.notes] == [f"{path}:2: @string{{jml: undefined @string 'undefinedMacro' read as empty text"]


def test_the_cli_routes_csl_json_and_ris_by_suffix_and_names_bad_input_with_its_line(tmp_path, capsys):
    from generator.cli import main

    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    content = tmp_path / "content"
    status = main(["import", "--content", str(content), "--date", DATE, str(fixtures / "ris" / "zotero-mambo.ris"),
                   str(fixtures / "csl" / "zotero-fink.json")])
    assert status == 0, capsys.readouterr().err
    # 209: three court cases share a title with another court's decision of another year (ALDFvKelly2020-DKansas, ALDFvKelly2021-10thCir)
    assert len(load_library(content).papers) == 5 + 209
    broken = tmp_path / "broken.json"
    broken.write_text('[\n  {"id": "a", "title": "One"},\n  {"id": "b", "title": \n', "utf-8")
    status = main(["import", "--content", str(content), "--date", DATE, str(broken)])
    err = capsys.readouterr().err
    assert status == 1 and "broken.json:4: not JSON" in err


def test_a_preprint_and_its_published_version_in_one_file_stay_two_citable_records(tmp_path):
    """One file holding the arXiv entry and the conference entry of one work, each
    cited by its own key: one record could keep only one year, venue and type
    (it mixed the preprint's year with the proceedings' pages), and bibtex
    cannot cite a key kept only as a biblatex alias."""
    content = tmp_path / "content"
    path = _bib(tmp_path, "versions.bib",
                "@article{godard2018digging, title={Digging Into Self-Supervised Monocular Depth Estimation},"
                " author={Godard, Cl{\\'e}ment and Brostow, Gabriel}, year={2018}, journal={arXiv preprint arXiv:1806.01260}}\n"
                "@inproceedings{Godard2019, title={Digging into Self-Supervised Monocular Depth Estimation},"
                " author={Godard, Cl{\\'e}ment and Brostow, Gabriel}, year={2019}, booktitle={ICCV}, pages={3828--3838}}\n"
                "@article{twin2020, title={Same Entry Twice}, author={Roe, Al}, year={2020}, journal={J}}\n"
                "@article{twin2020b, title={Same Entry Twice}, author={Roe, Al}, year={2020}, journal={J}, volume={2}}\n")
    report = import_bibtex(content, [path], today=DATE)
    papers = load_library(content).by_key()
    assert {"godard2018digging", "Godard2019"} <= set(papers)
    assert (papers["godard2018digging"].year, papers["godard2018digging"].pages) == (2018, None)
    assert (papers["Godard2019"].year, papers["Godard2019"].pages, papers["Godard2019"].venue) == (2019, "3828-3838", "ICCV")
    (kept_apart,) = [n for n in report.notes if "kept as a record of its own" in n.message]
    assert kept_apart.message.startswith("Godard2019: the same title as 'godard2018digging' of this import") and kept_apart.line == 2
    # a true duplicate (same year and type) is still one record, its second key an alias
    assert "twin2020b" not in papers and dict(papers["twin2020"].extra)["ids"] == "twin2020b"


def test_an_empty_name_between_two_ands_is_dropped_with_a_note(tmp_path):
    path = _bib(tmp_path, "and.bib", "@article{smith2020,\n  title={One}, year={2020},\n"
                "  author={A. Smith and and B. Jones AND and {C. Roe} and}\n}\n")
    reading = read_bib(path)
    (paper,) = reading.candidates
    assert paper.authors == ("A. Smith", "B. Jones", "C. Roe")
    assert [n.family or n.literal for n in paper.names] == ["Smith", "Jones", "C. Roe"]
    (note,) = [str(n) for n in reading.notes]
    assert note.endswith("and.bib:1: @article{smith2020: 3 empty names in author (two 'and' in a row, or one at an end) were left out")
    assert [n.display() for n in parse_names("Doe, Al and {} and Roe, Bo")] == ["Al Doe", "Bo Roe"]


def test_biblatex_extended_names_are_read_part_by_part(tmp_path):
    """biblatex's `family=..., given=..., prefix=..., suffix=...` names, values braced or not."""
    assert parse_names("family=Kate, given=Warner, prefix=ten, useprefix=false and Doe, John") == [
        Name(family="Kate", given="Warner", particle="ten"), Name(family="Doe", given="John")]
    assert parse_name("given={Xavier Casadevall}, family=Solvas, prefix=i, useprefix=false") == Name(
        family="Solvas", given="Xavier Casadevall", particle="i")
    assert parse_name(r"family={De Raedt}, given=Luc, suffix={Jr.}") == Name(family="De Raedt", given="Luc", suffix="Jr.")
    assert parse_name(r"family=M{\"u}ller , given = {J{\"o}rg}") == Name(family="Müller", given="Jörg")
    assert parse_name("family={{World Health Organization}}") == Name(family="World Health Organization")
    path = _bib(tmp_path, "x.bib", "@article{kate2020, title={One}, year={2020},\n"
                "  author={family=Kate, given=Warner, prefix=ten, useprefix=true and given=Ann, family=Roe, uniquename=false}}\n")
    reading = read_bib(path)
    assert reading.candidates[0].authors == ("Warner ten Kate", "Ann Roe")
    (note,) = [str(n) for n in reading.notes]
    assert note.endswith("x.bib:1: @article{kate2020: biblatex name options in author not kept: "
                         "Warner ten Kate (useprefix=true), Ann Roe (uniquename=false)")


def test_re_importing_two_versions_of_a_work_changes_nothing(tmp_path):
    """The second import found the later version's record by its title first
    and merged the entry into the earlier version's record."""
    content = tmp_path / "content"
    path = _bib(tmp_path, "versions.bib",
                "@misc{bommasani2021opportunities, title={On the Opportunities and Risks of Foundation Models},"
                " author={Bommasani, Rishi and Hudson, Drew A.}, year={2021}, eprint={2108.07258}, archivePrefix={arXiv}}\n"
                "@article{bommasani2022opportunities, title={On the Opportunities and Risks of Foundation Models},"
                " author={Bommasani, Rishi and Hudson, Drew A.}, journal={ArXiv}, year={2022}}\n")
    import_bibtex(content, [path], today=DATE)
    before = {p.name: p.read_bytes() for p in (content / "papers").iterdir()}
    report = import_bibtex(content, [path], today=DATE)
    assert {p.name: p.read_bytes() for p in (content / "papers").iterdir()} == before
    assert not report.conflicts and len(before) == 2


def test_a_long_real_key_is_kept_and_one_refused_for_its_length_says_so(tmp_path):
    real = "Qizhen_Weng_Wencong_Xiao_Yinghao_Yu_Wei_Wang_Cheng_Wang_Jian_He_Yong_Li_Liping_Zhang_Wei_Lin_and_Yu_Ding2022-af"  # Paperpile
    endless = "Key" + "_x" * 120
    path = _bib(tmp_path, "long.bib", f"@article{{{real}, title={{MLaaS in the Wild: Workload Analysis}}, year={{2022}}}}\n"
                f"@article{{{endless}, title={{Another Paper}}, year={{2022}}}}\n")
    report = import_bibtex(tmp_path / "content", [path], today=DATE)
    assert real in load_library(tmp_path / "content").by_key()
    (note,) = [n for n in report.notes if n.message.startswith(endless)]
    assert "is 243 characters long" in note.message and "only letters, digits" not in note.message
