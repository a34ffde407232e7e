"""Real reference libraries in and out: import a real export, write it back, read it again.

Each real file (Zotero/Better BibTeX, Mendeley, the D2L book's references) is
imported into an empty library and exported as `.bib`; the export is parsed
again with bibtexparser and the project's own LaTeX decoding. For every
entry that kept its key, title, names, year, type, container, pages and DOI
of the export must equal the source's after the same decoding, and no
character of those fields may be lost. The CSL-JSON fixture goes the same
way through the CSL-JSON export.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.model import Entry, String

from generator.export.bibtex import bibtex_for
from generator.export.csl import csl_json
from generator.library.records import load_library
from generator.reading.bibnames import parse_names
from generator.reading.bibvalues import decode_latex, evaluate, find_doi, find_year
from generator.reading.merge import import_bibtex

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REAL = sorted((FIXTURES / "bib" / "real").glob("*.bib"))
CSL = FIXTURES / "csl" / "zotero-fink.json"
FIELDS = ("title", "names", "year", "type", "container", "pages", "doi")


def bib_entries(text: str) -> list[tuple[str, str, dict[str, str]]]:
    """(key, type, evaluated fields) of every entry, duplicates included, as the reader sees them."""
    library = bibtexparser.parse_string(text, parse_stack=[])
    entries = list(library.entries)
    entries += [b.ignore_error_block for b in library.failed_blocks if isinstance(getattr(b, "ignore_error_block", None), Entry)]
    strings: dict[str, str] = {}
    for block in library.blocks:
        if isinstance(block, String):
            strings[block.key.lower()] = evaluate(str(block.value), strings)
    out = []
    for entry in sorted(entries, key=lambda e: e.start_line):
        fields: dict[str, str] = {}
        for f in entry.fields:
            fields.setdefault(f.key.lower(), evaluate(str(f.value), strings))
        out.append((entry.key, entry.entry_type.lower(), fields))
    return out


def view(etype: str, fields: dict[str, str], *, howpublished: bool = False) -> dict[str, object]:
    """The compared fields of one entry, decoded as the import decodes them."""
    names = ["|".join((n.literal, n.given, n.particle, n.family, n.suffix)) for n in parse_names(fields.get("author", ""))]
    container = next((fields[f] for f in ("booktitle", "journal", "journaltitle") if fields.get(f, "").strip()), "")
    if not container and howpublished:
        container = fields.get("howpublished", "")
    pages = re.sub(r"\s*[-\u2013\u2014]+\s*", "-", decode_latex(fields.get("pages", "")))
    return {
        "title": decode_latex(fields.get("title", "")), "names": names, "year": find_year(fields), "type": etype,
        "container": decode_latex(container), "pages": pages, "doi": (find_doi(fields) or "").lower(),
    }


def lost_characters(source: dict, exported: dict) -> int:
    """Characters of the source's compared text that the export does not have."""
    text = lambda v: "".join(json.dumps(v[f], ensure_ascii=False) for f in FIELDS).replace(" ", "")  # noqa: E731
    return sum((Counter(text(source)) - Counter(text(exported))).values())


def round_trip(path: Path, tmp_path: Path) -> tuple[int, list[tuple[str, str, object, object]], int, int]:
    """(entries checked, differences (key, field, source, export), characters lost, entries in the file)."""
    content = tmp_path / "content"
    report = import_bibtex(content, [path], today="2026-01-15")
    library = load_library(content)
    assert report.problems == [] and library.problems == ()
    exported = {key: (etype, fields) for key, etype, fields in bib_entries(bibtex_for(library.papers))}
    records = {p.key for p in library.papers} & set(exported)
    source = bib_entries(path.read_text("utf-8"))
    checked, differences, lost = 0, [], 0
    for key, etype, fields in source:
        if key not in records or (exported[key][1].get("title") is None):
            continue  # merged into another record (its key now an alias: a copy of that record) or given a new key
        if sum(1 for k, _, _ in source if k == key) > 1:
            continue  # a key given twice in the file: the second entry got another key
        checked += 1
        want = view(etype, fields)
        got = view(*exported[key], howpublished=bool(want["container"]) and not fields.get("howpublished"))
        differences += [(key, f, want[f], got[f]) for f in FIELDS if want[f] != got[f]]
        lost += lost_characters(want, got)
    return checked, differences, lost, len(source)


@pytest.mark.parametrize("path", REAL, ids=[p.name for p in REAL])
def test_a_real_bib_file_comes_back_field_for_field(path, tmp_path):
    checked, differences, lost, total = round_trip(path, tmp_path)
    assert checked >= 0.95 * total
    wrong = {key for key, *_ in differences}
    assert len(wrong) <= 0.005 * checked, differences[:10]
    assert lost == 0, differences[:10]


def csl_view(item: dict) -> dict[str, object]:
    """The compared variables of one CSL item, `nocase` spans removed."""
    title = re.sub(r'</?span(?: class="nocase")?>', "", item.get("title", ""))
    names = [(n.get("literal", ""), n.get("given", ""), n.get("family", "")) for n in item.get("author", [])]
    year = re.search(r"\d{4}", json.dumps(item.get("issued", "")))
    doi = re.sub(r"^https?://(dx\.)?doi\.org/", "", item.get("DOI", ""), flags=re.I).lower()
    return {
        "title": " ".join(title.split()), "names": names, "year": year.group() if year else None,
        "container": " ".join(item.get("container-title", "").split()), "pages": re.sub(r"\s*[-\u2013\u2014]+\s*", "-", item.get("page", "")),
        "doi": doi,
    }


def test_the_real_csl_json_file_comes_back_through_the_csl_export(tmp_path):
    content = tmp_path / "content"
    report = import_bibtex(content, [CSL], today="2026-01-15")
    library = load_library(content)
    assert report.problems == [] and library.problems == ()
    exported = {item["id"]: item for item in json.loads(csl_json(library.papers))}
    source = json.loads(CSL.read_text("utf-8"))
    by_key = {p.key: p for p in library.papers}
    checked, differences = 0, []
    for item in source:
        key = item.get("citation-key")
        if key not in exported or key not in by_key or "ids" in dict(by_key[key].extra):
            continue  # given another key, or merged with a twin that may have filled fields
        checked += 1
        want, got = csl_view(item), csl_view(exported[key])
        differences += [(key, f, want[f], got[f]) for f in want if want[f] != got[f]]
    assert checked >= 190
    assert len({key for key, *_ in differences}) <= 0.005 * checked, differences
