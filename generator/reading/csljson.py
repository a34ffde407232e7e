"""Reader for CSL-JSON (Zotero's "CSL JSON" export): `python -m generator import refs.json`.

Each item becomes the same Candidate a .bib entry gives: names as CSL holds
them (family, given, particles, suffix, or a literal), the issued date,
container, volume, issue, page, publisher, identifiers, keywords, language
and abstract. Fields the record has no place for are kept verbatim under
`extra`. As in a .bib, a container that only says "arXiv", or is too long
to be a venue (kept whole under `extra`, with a note), is no venue, and
Semantic Scholar's arXiv id written as the volume (`abs/2410.17020`) is the
arXiv id, not a volume. Text is plain (CSL-JSON carries no LaTeX); only a
file that is not JSON, or an item without a title, is a Problem with its line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from generator.identifiers import ARXIV_DOI_RE, arxiv_id, strip_doi_prefix
from generator.library.keys import is_usable_key
from generator.reading.bibvalues import is_preprint_server
from generator.model import Name, Problem, SourceRef
from generator.reading.candidate import Candidate, Reading, fits_venue, long_venue_note, read_input_text
from generator.textnorm import clean_line
from generator.titlecase import adds_protection

# CSL item types -> BibTeX entry types (what the record's `entry_type` holds).
CSL_TO_BIBTEX = {
    "article-journal": "article", "article": "article", "article-magazine": "article", "article-newspaper": "article",
    "paper-conference": "inproceedings", "book": "book", "chapter": "incollection", "thesis": "phdthesis",
    "report": "techreport", "manuscript": "unpublished", "webpage": "misc", "post-weblog": "misc",
    "dataset": "misc", "software": "misc", "document": "misc", "speech": "misc",
}
_READ = frozenset({
    "id", "citation-key", "type", "title", "author", "issued", "container-title", "volume", "issue", "page",
    "publisher", "edition", "ISBN", "ISSN", "DOI", "URL", "language", "abstract", "keyword", "number",
})
_ARXIV_URL_RE = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:\.pdf)?/?(?:[?#]|$)", re.IGNORECASE)
_ARXIV_TEXT_RE = re.compile(r"arxiv:\s*([^\s,;]+)", re.IGNORECASE)
# Semantic Scholar (and Manubot from it) writes an arXiv id as the volume, as DBLP does for CoRR.
_ARXIV_VOLUME_RE = re.compile(r"\s*abs/(\S+?)\s*", re.IGNORECASE)


def _text(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return clean_line(value) or None if isinstance(value, str) else None


def _names(value: Any) -> tuple[Name, ...]:
    names = []
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict):
            continue
        if literal := _text(item.get("literal")):
            names.append(Name(literal=literal))
            continue
        family = _text(item.get("family"))
        if not family:
            continue
        particle = " ".join(p for p in (_text(item.get("dropping-particle")), _text(item.get("non-dropping-particle"))) if p)
        names.append(Name(family=family, given=_text(item.get("given")) or "", particle=particle, suffix=_text(item.get("suffix")) or ""))
    return tuple(names)


def csl_date(value: Any) -> tuple[int | None, int | None]:
    """(year, month) of a CSL date: `{"date-parts": [[2014, 4, 3]]}` or `{"raw": "2014-04-03"}`."""
    if not isinstance(value, dict):
        return None, None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        numbers = [int(p) for p in parts[0][:2] if str(p).strip().isdigit()]
        year = numbers[0] if numbers and 1000 <= numbers[0] <= 9999 else None
        month = numbers[1] if len(numbers) > 1 and 1 <= numbers[1] <= 12 else None
        return year, month
    m = re.match(r"\s*(\d{4})(?:-(\d{1,2}))?", str(value.get("raw") or value.get("literal") or ""))
    if not m:
        return None, None
    return int(m.group(1)), int(m.group(2)) if m.group(2) and 1 <= int(m.group(2)) <= 12 else None


def _arxiv(item: dict) -> str | None:
    doi = strip_doi_prefix(str(item.get("DOI") or ""))
    if m := ARXIV_DOI_RE.match(doi):
        return arxiv_id(m.group(1))
    if m := _ARXIV_URL_RE.search(str(item.get("URL") or "")):
        return arxiv_id(m.group(1))
    m = re.match(r"\s*arxiv:\s*(\S+)", str(item.get("number") or ""), re.IGNORECASE)
    if m and (found := arxiv_id(m.group(1))):
        return found
    if (container := _text(item.get("container-title"))) and is_preprint_server(container):
        if (m := _ARXIV_TEXT_RE.search(container)) and (found := arxiv_id(m.group(1).rstrip("."))):
            return found
    return _volume_arxiv(item)


def _volume_arxiv(item: dict) -> str | None:
    """The arXiv id a volume of `abs/2410.17020` (perhaps with a version) is."""
    m = _ARXIV_VOLUME_RE.fullmatch(str(item.get("volume") or ""))
    return arxiv_id(m.group(1)) if m else None


def _venue(item: dict) -> str | None:
    """The container, unless it only says the paper is a preprint ("ArXiv") or is
    too long to be a venue: as a .bib's journal, it is then kept under `extra`."""
    container = _text(item.get("container-title"))
    return container if fits_venue(container) and not is_preprint_server(container) else None


def _volume(item: dict, arxiv: str | None) -> str | None:
    """The volume, unless it is the arXiv id the record already holds."""
    volume = _text(item.get("volume"))
    return None if volume is not None and arxiv is not None and _volume_arxiv(item) == arxiv else volume


def _kept_anyway(item: dict, name: str, value: Any) -> bool:
    """A field read, yet kept verbatim too: a type with no BibTeX type, a container
    that is no venue ("ArXiv"), a volume that gave an arXiv id with more (a version)."""
    if name == "type":
        return value not in CSL_TO_BIBTEX
    if name == "container-title":
        return _text(value) is not None and _venue(item) is None
    if name == "volume":
        arxiv = _volume_arxiv(item)
        return arxiv is not None and _volume(item, _arxiv(item)) is None and _text(value) != f"abs/{arxiv}"
    return False


def _extra(item: dict) -> tuple[tuple[str, str], ...]:
    kept = []
    for name, value in item.items():
        if name in _READ and not _kept_anyway(item, name, value):
            continue
        if name == "number" and CSL_TO_BIBTEX.get(str(item.get("type"))) not in ("techreport", None):
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
        if text.strip():
            kept.append((name, text))
    return tuple(kept)


# The rich text Zotero and citeproc allow in a title (italics, bold, super- and
# subscript, small caps, and `nocase`, which protects its words from case changes).
_RICH_TAG_RE = re.compile(
    r"<(?:/?(?:i|b|sup|sub)|/span|span\s+(?:class=\"nocase\"|style=\"font-variant:\s*small-caps;?\"))\s*>", re.I
)
_NOCASE_RE = re.compile(r"<span\s+class=\"nocase\"\s*>(.*?)</span>", re.I | re.S)


def rich_title(value: Any) -> tuple[str, tuple[str, ...]]:
    """A CSL title as plain text, and the phrases its `nocase` spans protect.

    Only the markup citeproc reads is taken away; any other `<` is the
    title's own text (`Q<sub>8</sub>` is "Q8", `a < b` stays).
    """
    text = _text(value) or ""
    if "<" not in text:
        return text, ()
    kept = [clean_line(_RICH_TAG_RE.sub("", m.group(1))) for m in _NOCASE_RE.finditer(text)]
    return clean_line(_RICH_TAG_RE.sub("", text)), tuple(dict.fromkeys(p for p in kept if p and adds_protection(p)))


def item_to_candidate(item: dict, *, file: str, source: str, line: int) -> Candidate:
    """One CSL item as a Candidate (plain text, no LaTeX to decode)."""
    names = _names(item.get("author"))
    year, month = csl_date(item.get("issued"))
    # Better CSL JSON gives the citation key; Zotero's own export an id that is one only sometimes.
    key = _text(item.get("citation-key")) or (_text(item.get("id")) if is_usable_key(str(item.get("id"))) else None)
    entry_type = CSL_TO_BIBTEX.get(str(item.get("type")), "misc")
    keywords = re.split(r"[,;]", item["keyword"]) if isinstance(item.get("keyword"), str) else []
    pages = _text(item.get("page"))
    title, keep_case = rich_title(item.get("title"))
    arxiv = _arxiv(item)
    return Candidate(
        file=file, line=line, source=SourceRef(source), keep_case=keep_case,
        title=title, abstract=_text(item.get("abstract")) or "",
        bibkey=key, entry_type=entry_type, provenance=f"csl-json {source}",
        authors=tuple(n.display() for n in names), names=names, year=year, month=month,
        doi=strip_doi_prefix(_text(item.get("DOI")) or "") or None, arxiv=arxiv, url=_text(item.get("URL")),
        venue=_venue(item), volume=_volume(item, arxiv),
        number=_text(item.get("issue")) or (_text(item.get("number")) if entry_type == "techreport" else None),
        pages=re.sub(r"\s*[-\u2013\u2014]+\s*", "-", pages) if pages else None,
        publisher=_text(item.get("publisher")), edition=_text(item.get("edition")), isbn=_text(item.get("ISBN")),
        issn=_text(item.get("ISSN")), language=_text(item.get("language")),
        tags=tuple(dict.fromkeys(k.strip() for k in keywords if k.strip())), extra=_extra(item),
    )


def _item_lines(text: str, count: int) -> list[int]:
    """The line where each top-level item of a JSON array starts (1-based)."""
    lines, depth, line, in_string, escaped = [], 0, 1, False, False
    for ch in text:
        if ch == "\n":
            line += 1
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth == 2 and ch == "{":
                lines.append(line)
        elif ch in "]}":
            depth -= 1
    return lines + [1] * (count - len(lines))


def read_csl_json(path: Path) -> Reading:
    """Items of one CSL-JSON file as candidates, and a Problem per bad item."""
    name = str(path)
    text, problems = read_input_text(path, "CSL-JSON")
    if text is None:
        return Reading(path, (), tuple(problems))
    try:
        items = json.loads(text)
    except json.JSONDecodeError as err:
        return Reading(path, (), (Problem(name, f"not JSON: {err.msg}", line=err.lineno),))
    except RecursionError:  # a file of [[[[...: no reference manager nests so deep
        return Reading(path, (), (Problem(name, "nested too deeply to be a CSL-JSON export", line=1),))
    if isinstance(items, dict) and isinstance(items.get("items"), list):
        items = items["items"]
    if not isinstance(items, list):
        return Reading(path, (), (Problem(name, "expected a CSL-JSON array of items, found a JSON " + type(items).__name__, line=1),))
    candidates, problems, notes = [], [], []
    for item, line in zip(items, _item_lines(text, len(items))):
        if not isinstance(item, dict):
            problems.append(Problem(name, f"expected a CSL item (a JSON object), found {type(item).__name__}; skipped", line=line))
            continue
        candidate = item_to_candidate(item, file=name, source=path.name, line=line)
        if not candidate.title:
            problems.append(Problem(name, f"item {item.get('id')!r}: no title; this item was skipped", line=line))
            continue
        if (container := _text(item.get("container-title"))) and not fits_venue(container):
            notes.append(long_venue_note(name, line, f"item {item.get('id')!r}", "container-title", len(container)))
        candidates.append(candidate)
    return Reading(path, tuple(candidates), tuple(problems), tuple(notes))
