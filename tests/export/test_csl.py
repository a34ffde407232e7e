"""CSL-JSON export: schema-valid items, ids equal keys, text kept as Unicode."""

from __future__ import annotations

import json
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
    assert "R&B: <1.5% and {it misaligned}" in text
    assert text.endswith("]\n")


def test_types_and_fields() -> None:
    galore, journal, preprint, bare = csl_items(PAPERS)
    assert galore["type"] == "paper-conference" and galore["container-title"] == "ICML 2024"
    assert galore["issued"] == {"date-parts": [[2024]]}
    assert galore["number"] == "arXiv:2403.03507" and galore["archive"] == "arXiv"
    assert galore["archive_location"] == "2403.03507" and "publisher" not in galore
    assert journal["type"] == "article-journal" and journal["DOI"] == "10.1000/xyz"
    assert preprint["type"] == "article" and preprint["publisher"] == "arXiv"
    assert preprint["URL"] == "https://arxiv.org/abs/2503.04094"
    assert bare == {"id": "bare", "type": "article", "title": "Untitled", "URL": "https://example.org/p"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jiawei Zhao", {"family": "Zhao", "given": "Jiawei"}),
        ("Alan M. Turing", {"family": "Turing", "given": "Alan M."}),
        ("Ludwig van Beethoven", {"family": "van Beethoven", "given": "Ludwig"}),
        ("Smith, John", {"family": "Smith", "given": "John"}),
        ("Martin Luther King Jr.", {"family": "King", "given": "Martin Luther", "suffix": "Jr."}),
        ("Prince", {"literal": "Prince"}),
        ("Team GLM", {"literal": "Team GLM"}),
        ("DeepSeek-AI and Others", {"literal": "DeepSeek-AI and Others"}),
        ("a, b, c", {"literal": "a, b, c"}),
    ],
    ids=["simple", "initial", "particle", "comma-form", "suffix", "single-word", "organisation", "and", "commas"],
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
