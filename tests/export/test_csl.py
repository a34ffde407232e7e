"""CSL-JSON export: schema-valid items, ids equal keys, text kept as Unicode."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.export.csl import csl_item, csl_items, csl_json, csl_name
from generator.model import Paper, SourceRef

jsonschema = pytest.importorskip("jsonschema")

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "exports" / "csl-data.schema.json").read_text())


def make(key: str, title: str, **kw) -> Paper:
    kw.setdefault("abstract", "An abstract.")
    return Paper(key=key, title=title, added="2026-11-01", sources=(SourceRef("000_x.txt", "Mar 12"),), **kw)


PAPERS = [
    make(
        "galore",
        "GaLore: Memory-Efficient LLM Training",
        authors=("Jiawei Zhao", "Łukasz Kaiser", "Ludwig van Beethoven", "Team GLM", "Smith, John", "Prince"),
        year=2024,
        arxiv="2403.03507",
        venue="ICML 2024",
    ),
    make("journal", "R&B: <1.5% and {it misaligned}", year=2023, venue="Journal of Machine Learning Research",
         doi="10.1000/xyz"),
    make("preprint", "PokéChamp: an Expert-level Minimax", arxiv="2503.04094", abstract="Pok\u00e9mon \u2264 10%"),
    make("bare", "Untitled", abstract="", url="https://example.org/p"),
]


def test_items_are_valid_csl_json() -> None:
    jsonschema.validate(json.loads(csl_json(PAPERS)), SCHEMA)


def test_ids_equal_keys_in_order() -> None:
    assert [item["id"] for item in csl_items(PAPERS)] == [p.key for p in PAPERS]


def test_unicode_is_kept_literally() -> None:
    text = csl_json(PAPERS)
    assert "PokéChamp" in text and "Łukasz" in text and "≤ 10%" in text
    assert '<span class=\\"nocase\\">R</span>&<span class=\\"nocase\\">B</span>: <1.5% and {it misaligned}' in text
    assert text.endswith("]\n")


def test_types_and_fields() -> None:
    galore, journal, preprint, bare = csl_items(PAPERS)
    assert galore["type"] == "paper-conference" and galore["container-title"] == "ICML 2024"
    assert galore["issued"] == {"date-parts": [[2024]]}
    assert galore["number"] == "arXiv:2403.03507" and "publisher" not in galore
    assert "archive" not in galore and "archive_location" not in galore  # "arXiv" is printed once
    assert journal["type"] == "article-journal" and journal["DOI"] == "10.1000/xyz"
    assert preprint["type"] == "article" and preprint["publisher"] == "arXiv"
    assert preprint["URL"] == "https://arxiv.org/abs/2503.04094"
    assert bare == {"id": "bare", "type": "article", "title": "Untitled", "URL": "https://example.org/p"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jiawei Zhao", {"family": "Zhao", "given": "Jiawei"}),
        ("Alan M. Turing", {"family": "Turing", "given": "Alan M."}),
        ("Ludwig van Beethoven", {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"}),
        ("Alberto Del Bimbo", {"family": "Del Bimbo", "given": "Alberto"}),
        ("de la Cruz, Juana Inés", {"family": "Cruz", "given": "Juana Inés", "non-dropping-particle": "de la"}),
        ("Smith, Jr., John", {"family": "Smith", "given": "John", "suffix": "Jr."}),
        ("The LLM Consortium", {"literal": "The LLM Consortium"}),
        ("山田 太郎", {"literal": "山田 太郎"}),
        ("Smith, John", {"family": "Smith", "given": "John"}),
        ("Martin Luther King Jr.", {"family": "King", "given": "Martin Luther", "suffix": "Jr."}),
        ("Prince", {"literal": "Prince"}),
        ("Team GLM", {"literal": "Team GLM"}),
        ("DeepSeek-AI and Others", {"literal": "DeepSeek-AI and Others"}),
        ("a, b, c, d", {"literal": "a, b, c, d"}),
    ],
    ids=["simple", "initial", "particle", "capital-particle", "comma-particle", "comma-suffix", "consortium", "cjk",
         "comma-form", "suffix", "single-word", "organisation", "and", "commas"],
)
def test_author_names(name: str, expected: dict) -> None:
    assert csl_name(name) == expected


def test_deterministic() -> None:
    assert csl_json(PAPERS) == csl_json(list(PAPERS))
    assert csl_json([]) == "[]\n"
    assert csl_item(PAPERS[0]) == csl_item(PAPERS[0])


def test_file_text_is_json_dumps_of_the_items_whatever_the_selection() -> None:
    """Item texts are kept per paper and re-used for theme files: the layout must not show it."""
    odd = make("odd", 'Quotes " and \\ backslash\nnewline', abstract="Tab\tand line\u2028separator")
    for papers in ([*PAPERS, odd], [PAPERS[2]], [odd, PAPERS[0]], []):
        assert csl_json(papers) == json.dumps(csl_items(papers), ensure_ascii=False, indent=2) + "\n"


def test_schema_rejects_what_citeproc_would_not_read() -> None:
    bad = [{"id": "x", "type": "inproceedings"}, {"id": "x", "type": "article", "author": [{"surname": "X"}]}]
    for item in bad:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate([item], SCHEMA)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Training in FP8 with GaLore", 'Training in <span class="nocase">FP8</span> with <span class="nocase">GaLore</span>'),
        ("A Survey of Scaling Laws", "A Survey of Scaling Laws"),
        ("α-Scaling of Большие models", '<span class="nocase">α</span>-Scaling of <span class="nocase">Большие</span> models'),
    ],
    ids=["acronyms", "plain-words", "non-latin"],
)
def test_titles_protect_case_with_nocase_spans(title, expected) -> None:
    assert csl_item(make("t", title))["title"] == expected


def test_no_internal_fields_or_hostile_identifiers() -> None:
    item = csl_item(make("h", "T", doi="not a doi", arxiv="2403.03507}\\input{x}", url="javascript:alert(1)"))
    assert set(item) == {"id", "type", "title", "abstract"}


EDITED = make(
    "chapter", "A Chapter", abstract="", year=2020, venue="The Handbook of Planning", entry_type="incollection",
    authors=("Al Doe",), publisher="Press",
    extra=(("editor", "Roe, Jane and van der Berg, Piet and others"), ("translator", "Bo L{\\'e}e"), ("bookauthor", "{The Collective}"),
           ("editora", "Ed A"), ("series", "Lecture Notes")),
)


def test_editors_translators_and_book_authors_are_csl_names_split_as_authors_are() -> None:
    item = csl_item(EDITED)
    assert item["editor"] == [{"family": "Roe", "given": "Jane"}, {"family": "Berg", "given": "Piet", "non-dropping-particle": "van der"}]
    assert item["translator"] == [{"family": "Lée", "given": "Bo"}]
    assert item["container-author"] == [{"literal": "The Collective"}]
    assert list(item)[:7] == ["id", "type", "title", "author", "editor", "translator", "container-author"]
    assert "editora" not in json.dumps(item)  # biblatex's editora has a role of its own, which CSL has no name for
    _valid_names(item, "editor", "translator", "container-author")


def test_a_csl_name_list_kept_from_a_csl_json_import_is_written_back() -> None:
    kept = json.dumps([{"family": "Roe", "given": "J.", "dropping-particle": "de"}, {"literal": "WHO"},
                       {"family": ["not", "text"]}, {"given": "<b>x</b>", "family": "Y", "static-ordering": True}])
    item = csl_item(make("c", "T", abstract="", extra=(("editor", kept), ("collection-editor", '[{"family": "Poe"}]'),
                                                       ("translator", "[]"))))
    assert item["editor"] == [{"family": "Roe", "given": "J.", "dropping-particle": "de"}, {"literal": "WHO"},
                              {"family": "Y", "given": "<b>x</b>"}]
    assert item["collection-editor"] == [{"family": "Poe"}] and "translator" not in item
    # a curator's editor in brackets is text, not a CSL list
    for text in ("[Anonymous]", "[1]"):
        assert csl_item(make("b", "T", extra=(("editor", text),)))["editor"] == [{"family": text}]
    _valid_names(item, "editor", "collection-editor")


def _valid_names(item: dict, *variables: str) -> None:
    """Each name list is made of CSL name objects (the schema's `author` stands for every name variable)."""
    for variable in variables:
        jsonschema.validate([{"id": "x", "type": "book", "author": item[variable]}], SCHEMA)


# The APA style TeX Live ships with citation-style-language, when installed.
APA = Path("/usr/share/texlive/texmf-dist/tex/latex/citation-style-language/styles/apa.csl")


def _citeproc(folder: Path, *style: str) -> str:
    (folder / "refs.json").write_text(csl_json([EDITED]), "utf-8")
    (folder / "doc.md").write_text("See [@chapter].\n", "utf-8")
    result = subprocess.run(["pandoc", "--citeproc", "--bibliography", "refs.json", *style, "-t", "plain", "--wrap=none", "doc.md"],
                            cwd=folder, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 0 and not result.stderr, result.stderr
    return result.stdout


@pytest.mark.skipif(not shutil.which("pandoc"), reason="needs pandoc")
def test_citeproc_prints_the_editors_of_a_chapter(tmp_path) -> None:
    assert ("Doe, Al. 2020. “A Chapter.” In The Handbook of Planning, by The Collective, edited by Jane Roe and "
            "Piet van der Berg, translated by Bo Lée. Press.") in _citeproc(tmp_path)  # pandoc's Chicago author-date
    if APA.is_file():
        assert "Doe, A. (2020). A Chapter. In J. Roe & P. van der Berg (Eds.)" in _citeproc(tmp_path, "--csl", str(APA))
