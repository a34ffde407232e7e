"""Round trip on real, public exports (tests/fixtures/bib/real/README.md).

Every parsable entry is imported; each record's title, family names, year,
type, container, pages and DOI equal the source read by an independent
LaTeX decoder (pylatexenc); no key that was free is changed.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import bibtexparser
import pytest
from pylatexenc.latex2text import LatexNodes2Text

from generator.library.keys import is_usable_key
from generator.library.records import load_library
from generator.reading.merge import import_bibtex

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REAL = sorted((FIXTURES / "bib" / "real").glob("*.bib"))
_L2T = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)


def reference(text: str) -> str:
    """What LaTeX prints for a field, by pylatexenc, spaces collapsed."""
    text = text.replace("{\\textless}", "<").replace("{\\textgreater}", ">")
    out = _L2T.latex_to_text(text).replace("~", " ").replace("\u00a0", " ")
    out = out.replace("---", "\u2014").replace("--", "\u2013").replace("``", "\u201c").replace("''", "\u201d")
    return unicodedata.normalize("NFC", " ".join(out.replace("{", "").replace("}", "").split()))


def source_families(author: str) -> list[str]:
    names = re.split(r"\s+and\s+", author.strip()) if author.strip() else []
    out = []
    for name in names:
        if name.strip().lower() in ("others", "et al.", "et al"):
            continue
        depth, cut = 0, None
        for index, ch in enumerate(name):
            depth += {"{": 1, "}": -1}.get(ch, 0)
            if ch == "," and depth == 0:
                cut = index
                break
        last = name[:cut] if cut is not None else name.split()[-1]
        out.append(reference(last).split()[-1] if reference(last) else "")
    return out


def compare(entry, paper) -> list[str]:
    """The fields of `paper` that differ from the source entry."""
    f = {k.lower(): str(v.value) for k, v in entry.fields_dict.items()}
    raw = lambda name: f.get(name, "").strip().removeprefix("{").removesuffix("}") if f.get(name, "").strip().startswith("{") else f.get(name, "").strip()  # noqa: E731
    wrong = []
    if paper.title != reference(raw("title")):
        wrong.append(f"title {paper.title!r} != {reference(raw('title'))!r}")
    families = [n.family.split()[-1] if n.family else n.literal.split()[-1] for n in paper.names]
    if families != source_families(raw("author")):
        wrong.append(f"names {families} != {source_families(raw('author'))}")
    year = re.search(r"\d{4}", f.get("year", "") or f.get("date", ""))
    if paper.year != (int(year.group()) if year else None):
        wrong.append(f"year {paper.year} != {year}")
    if paper.entry_type != entry.entry_type.lower():
        wrong.append(f"type {paper.entry_type} != {entry.entry_type}")
    container = raw("journal") or raw("booktitle") or raw("journaltitle")
    extra = dict(paper.extra)
    got = paper.venue or reference(extra.get("journal", "") or extra.get("booktitle", "") or extra.get("journaltitle", ""))
    if (got or "") != (reference(container) if container else ""):
        wrong.append(f"container {got!r} != {container!r}")
    pages = re.sub(r"\s*[-\u2013\u2014]+\s*", "-", reference(raw("pages"))) or None
    if paper.pages != pages:
        wrong.append(f"pages {paper.pages!r} != {pages!r}")
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", raw("doi"), flags=re.I).replace("\\_", "_") or None
    if (paper.doi or "").lower() != (doi or "").lower():
        wrong.append(f"doi {paper.doi!r} != {doi!r}")
    return wrong


@pytest.mark.parametrize("path", REAL, ids=[p.name for p in REAL])
def test_a_real_export_imports_whole_and_round_trips(tmp_path, path):
    content = tmp_path / "content"
    report = import_bibtex(content, [path], today="2026-01-15")
    library = load_library(content)
    assert library.problems == ()
    source = bibtexparser.parse_string(path.read_text("utf-8"), parse_stack=[])
    duplicates = [b for b in source.failed_blocks if getattr(b, "ignore_error_block", None) is not None]
    entries = list(source.entries) + [b.ignore_error_block for b in duplicates]
    # only unparsable blocks are refused: none in these files
    assert report.problems == [] and len(source.failed_blocks) == len(duplicates)
    by_key = {p.key: p for p in library.papers}
    aliases = {a.strip(): p for p in library.papers for a in dict(p.extra).get("ids", "").split(",") if a.strip()}
    counts = {}
    for entry in entries:
        counts[entry.key] = counts.get(entry.key, 0) + 1
    checked, wrong, moved = 0, [], []
    for entry in entries:
        paper = by_key.get(entry.key) or aliases.get(entry.key)
        free = is_usable_key(entry.key) and counts[entry.key] == 1
        if free and paper is None:
            moved.append(entry.key)  # a free key that is neither a record's key nor one of its aliases
        if paper is None or paper.key != entry.key:
            continue  # merged into another entry's record (checked there) or given a new key
        checked += 1
        if differences := compare(entry, paper):
            wrong.append((entry.key, differences))
    assert moved == []
    assert checked >= 0.95 * len(entries)
    assert len(wrong) <= 0.005 * checked, wrong[:5]


CSL = FIXTURES / "csl" / "zotero-fink.json"
RIS = FIXTURES / "ris" / "zotero-mambo.ris"


def test_a_real_csl_json_export_imports_whole_with_its_keys(tmp_path):
    import json

    content = tmp_path / "content"
    report = import_bibtex(content, [CSL], today="2026-01-15")
    library = load_library(content)
    assert report.problems == [] and library.problems == ()
    items = json.loads(CSL.read_text("utf-8"))
    by_key = {p.key: p for p in library.papers}
    aliases = {a.strip(): p for p in library.papers for a in dict(p.extra).get("ids", "").split(",") if a.strip()}
    # every usable key kept; `Aaron&FinkinDisloyalty1998` has a TeX special, so it gets another (and a note)
    lost = [i["citation-key"] for i in items if i["citation-key"] not in by_key and i["citation-key"] not in aliases]
    assert lost == ["Aaron&FinkinDisloyalty1998"]
    assert any(n.message.startswith("Aaron&FinkinDisloyalty1998: the BibTeX key cannot be a key here") for n in report.notes)
    checked = wrong = 0
    for item in items:
        paper = by_key.get(item["citation-key"])
        if paper is None:
            continue
        checked += 1
        families = [n.get("family") or n.get("literal") for n in item.get("author", [])]
        year = re.search(r"\d{4}", json.dumps(item.get("issued", "")))
        doi = re.sub(r"^https?://(dx\.)?doi\.org/", "", item.get("DOI", "")) or None
        same = (
            paper.title == " ".join(item["title"].split())
            and [n.family or n.literal for n in paper.names] == families
            and paper.year == (int(year.group()) if year else None)
            and paper.venue == (item.get("container-title") or paper.venue)  # a merged twin may fill it
            and paper.doi == doi
        )
        wrong += not same
    assert checked >= 200 and wrong <= 0.005 * checked
    case = next(p for p in library.papers if p.entry_type == "incollection")
    assert case.names and case.publisher


def test_a_real_ris_export_imports_whole(tmp_path):
    content = tmp_path / "content"
    report = import_bibtex(content, [RIS], today="2026-01-15")
    library = load_library(content)
    assert report.problems == [] and library.problems == () and len(library.papers) == 5
    paper = next(p for p in library.papers if p.doi == "10.1371/journal.pcbi.1003531")
    assert paper.title == "Waste Not, Want Not: Why Rarefying Microbiome Data Is Inadmissible"
    assert [n.as_dict() for n in paper.names] == [{"family": "McMurdie", "given": "Paul J."}, {"family": "Holmes", "given": "Susan"}]
    assert (paper.entry_type, paper.year, paper.month, paper.venue) == ("article", 2014, 4, "PLOS Computational Biology")
    assert (paper.volume, paper.number, paper.pages, paper.issn, paper.language) == ("10", "4", "e1003531", "1553-7358", "en")
    assert "Microbiome" in paper.tags and paper.abstract.startswith("Current practice")
