"""Reader for RIS files (Zotero, Mendeley, EndNote exports): `python -m generator import refs.ris`.

Records are read with `rispy`, the maintained RIS parser, and become the
same Candidates a .bib entry gives. RIS text is plain (no LaTeX). Tags the
record has no place for are kept verbatim under `extra`; a record without
a title is a Problem with its line, and a container name too long to be a
venue is kept whole under `extra`, with a note. EndNote's habits are read
for what they are: a DOI in M3 (with no DO) is the DOI, N2 (with no AB) the
abstract, and an ID that can be a key (not EndNote's record number) the
citation key.

The file is cut into records here, line by line, and rispy reads one record at
a time: alone it folds a record missing its `ER  - ` into the next, drops an
unterminated last record or one without `TY  - ` without a word, and fails
the whole file on one tag line missing its dash. Here such a tag line is a
Problem at its line that skips its record only, and a record missing its
first or last line is read with a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rispy

from generator.identifiers import ARXIV_DOI_RE, arxiv_id, is_doi, strip_doi_prefix
from generator.library.keys import is_usable_key
from generator.model import Name, Problem, SourceRef
from generator.reading.candidate import Candidate, Reading, fits_venue, long_venue_note, read_input_text
from generator.textnorm import clean_line

RIS_TO_BIBTEX = {
    "JOUR": "article", "JFULL": "article", "MGZN": "article", "NEWS": "article", "EJOUR": "article",
    "CONF": "inproceedings", "CPAPER": "inproceedings", "BOOK": "book", "EBOOK": "book", "EDBOOK": "book",
    "CHAP": "incollection", "ECHAP": "incollection", "THES": "phdthesis", "RPRT": "techreport",
    "UNPB": "unpublished", "MANSCPT": "unpublished",
}
_READ = frozenset({
    "type_of_reference", "title", "primary_title", "authors", "first_authors", "secondary_title", "journal_name",
    "alternate_title3", "date", "year", "publication_year", "doi", "volume", "number", "start_page", "end_page",
    "publisher", "edition", "issn", "language", "abstract", "keywords", "urls",
})
_TAG_LINE_RE = re.compile(r"^([A-Z][A-Z0-9])  -(?: |\r?$)")  # "TI  - text", "ER  -"
_TAGGED_RE = re.compile(r"^([A-Z][A-Z0-9])(?:[ \t-]|\r?$)")  # a tag, then space, a dash or nothing
_KNOWN_TAGS = frozenset(rispy.TAG_KEY_MAPPING) | {"ER"}
_ARXIV_URL_RE = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:\.pdf)?/?(?:[?#]|$)", re.IGNORECASE)


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return clean_line(str(value)) or None if value is not None else None


def _name(raw: str) -> Name | None:
    """`Last, First, Suffix` (RIS) -> Name; a name without a comma is a literal (an institution)."""
    parts = [clean_line(p) for p in raw.split(",")]
    if not parts or not parts[0]:
        return None
    if len(parts) == 1:
        return Name(literal=parts[0])
    return Name(family=parts[0], given=parts[1], suffix=parts[2] if len(parts) > 2 else "")


def _date(entry: dict) -> tuple[int | None, int | None]:
    for field in ("year", "publication_year", "date"):
        m = re.match(r"\s*(\d{4})(?:[/-](\d{1,2}))?", str(entry.get(field) or ""))
        if m:
            month = int(m.group(2)) if m.group(2) and 1 <= int(m.group(2)) <= 12 else None
            if month is None and field != "date":
                return int(m.group(1)), _date({"date": entry.get("date")})[1]
            return int(m.group(1)), month
    return None, None


def _arxiv(doi: str | None, urls: list[str]) -> str | None:
    if doi and (m := ARXIV_DOI_RE.match(doi)):
        return arxiv_id(m.group(1))
    for url in urls:
        if m := _ARXIV_URL_RE.search(url):
            return arxiv_id(m.group(1))
    return None


# The tags a container name may come in, first choice first.
_VENUE_TAGS = {"secondary_title": "T2", "journal_name": "JO", "alternate_title3": "JF"}


def _venue(entry: dict) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """The first container name that can be the venue, and those too long to
    be one, kept whole for `extra` rather than costing the paper."""
    venue, too_long = None, []
    for name in _VENUE_TAGS:
        text = _text(entry.get(name))
        if text is not None and not fits_venue(text):
            too_long.append((name, str(entry[name][0] if isinstance(entry[name], list) else entry[name])))
        elif venue is None:
            venue = text
    return venue, tuple(too_long)


def _long_venue_notes(candidate: Candidate) -> list[Problem]:
    """A note for each container name kept under `extra` for being too long a venue."""
    return [long_venue_note(candidate.file, candidate.line, "the record", f"{_VENUE_TAGS[name]} ({name})", len(value))
            for name, value in candidate.extra if name in _VENUE_TAGS]


def _extra_fields(entry: dict) -> tuple[tuple[str, str], ...]:
    """The tags the record has no place for, each as text: rispy's name for a tag it
    knows (`notes`), the tag itself for one it does not (`XY`, gathered by rispy
    under `unknown_tag`)."""
    def text(value: Any) -> str:
        return value if isinstance(value, str) else "; ".join(map(str, value)) if isinstance(value, list) else str(value)

    out = []
    for k, v in entry.items():
        if k in _READ or v in (None, "", []):
            continue
        if k == "unknown_tag" and isinstance(v, dict):
            out.extend((tag, text(values)) for tag, values in sorted(v.items()) if values not in (None, "", []))
        else:
            out.append((k, text(v)))
    return tuple(out)


def _doi_from_extra(extra: tuple[tuple[str, str], ...]) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """The DOI a kept field holds, and the kept fields without it.

    EndNote and RefWorks write the DOI in M3 (`type_of_work`), not DO: a kept
    field that is nothing but a DOI is the record's DOI (the first, in record order).
    """
    for i, (name, value) in enumerate(extra):
        found = strip_doi_prefix(value)
        if is_doi(found):
            return found, extra[:i] + extra[i + 1:]
    return None, extra


def _key_and_extra(entry: dict, extra: tuple[tuple[str, str], ...]) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """The citation key an ID line gives, and the kept fields without it.

    Many reference managers write their citation key as the ID
    (`ford:1999:territory`); EndNote writes its record number (`971`), which
    is no key: that, and an ID that cannot be a key, stays under `extra`.
    """
    key = _text(entry.get("id"))
    if key is None or key.isdigit() or not is_usable_key(key):
        return None, extra
    return key, tuple(kept for kept in extra if kept[0] != "id")


def entry_to_candidate(entry: dict, *, file: str, source: str, line: int) -> Candidate:
    names = tuple(n for raw in (entry.get("authors") or entry.get("first_authors") or []) if (n := _name(str(raw))))
    year, month = _date(entry)
    urls = [str(u).strip() for u in entry.get("urls") or [] if str(u).strip()]
    doi = strip_doi_prefix(_text(entry.get("doi")) or "") or None
    start, end = _text(entry.get("start_page")), _text(entry.get("end_page"))
    abstract = _text(entry.get("abstract")) or ""
    extra = _extra_fields(entry)
    if not abstract and (abstract := _text(entry.get("notes_abstract")) or ""):
        extra = tuple(kept for kept in extra if kept[0] != "notes_abstract")  # EndNote's abstract is N2
    if doi is None:
        doi, extra = _doi_from_extra(extra)
    bibkey, extra = _key_and_extra(entry, extra)
    if len(urls) > 1:
        extra += (("urls", " ".join(urls)),)
    venue, too_long = _venue(entry)
    return Candidate(
        file=file, line=line, source=SourceRef(source),
        title=_text(entry.get("title") or entry.get("primary_title")) or "", abstract=abstract,
        bibkey=bibkey, entry_type=RIS_TO_BIBTEX.get(str(entry.get("type_of_reference")), "misc"), provenance=f"ris {source}",
        authors=tuple(n.display() for n in names), names=names, year=year, month=month, doi=doi, arxiv=_arxiv(doi, urls),
        url=urls[0] if urls else None,
        venue=venue,
        volume=_text(entry.get("volume")), number=_text(entry.get("number")),
        pages=f"{start}-{end}" if start and end and end != start else start,
        publisher=_text(entry.get("publisher")), edition=_text(entry.get("edition")),
        isbn=_text(entry.get("issn")) if str(entry.get("type_of_reference")) in ("BOOK", "CHAP", "EBOOK", "EDBOOK") else None,
        issn=_text(entry.get("issn")) if str(entry.get("type_of_reference")) not in ("BOOK", "CHAP", "EBOOK", "EDBOOK") else None,
        language=_text(entry.get("language")),
        tags=tuple(dict.fromkeys(clean_line(str(k)) for k in entry.get("keywords") or [] if clean_line(str(k)))),
        extra=extra + too_long,
    )


@dataclass
class _Split:
    """A RIS text cut into records: (first line, text for rispy) each, and what was wrong."""

    records: list[tuple[int, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)


def _broken_tag(line: str) -> str | None:
    """The tag of a line that starts like a tag line but lacks its `  - `
    (`TI  Title`, `TI -Title`, `ER`): rispy would read it as text."""
    if _TAG_LINE_RE.match(line):
        return None
    m = _TAGGED_RE.match(line)
    return m.group(1) if m and m.group(1) in _KNOWN_TAGS else None


def _short(line: str) -> str:
    line = line.rstrip("\r")
    return repr(line if len(line) <= 60 else line[:57] + "...")


def split_records(text: str, name: str) -> _Split:
    """Cut the text at `TY  - ` and `ER  - `; a broken tag line skips its record."""
    out = _Split()
    lines: list[str] | None = None  # the open record
    start, broken = 0, False

    def close() -> None:
        """Keep the open record, ended by `ER  - ` if it had none (blank lines before it dropped)."""
        while lines and not lines[-1].strip():
            lines.pop()
        last = _TAG_LINE_RE.match(lines[-1])
        if not (last and last.group(1) == "ER"):
            lines.append("ER  - ")
        if not broken:
            out.records.append((start, "\n".join(lines)))

    for number, line in enumerate(text.split("\n"), start=1):
        m = _TAG_LINE_RE.match(line)
        tag = m.group(1) if m else None
        bad = None if tag else _broken_tag(line)
        if lines is None and (tag or bad):
            start, broken, lines = number, False, []
            if (tag or bad) != "TY":
                out.notes.append(Problem(name, "a record with no TY line (its type); read as a generic record", line=number))
                lines.append("TY  - ")
        elif lines is not None and tag == "TY":
            out.notes.append(Problem(name, f"the record has no ER line before the next record at line {number}; "
                                           "read up to it", line=start))
            close()
            start, broken, lines = number, False, []
        if bad:
            out.problems.append(Problem(name, f"{bad!r} tag line without its '  - ' separator (expected '{bad}  - ...', "
                                              f"found {_short(line)}); this record was skipped", line=number))
            broken = True
        if lines is None:
            if line.strip():
                out.notes.append(Problem(name, f"text outside any record ignored: {_short(line)}", line=number))
            continue
        lines.append(line)
        if (tag or bad) == "ER":
            close()
            lines = None
    if lines is not None:
        out.notes.append(Problem(name, "the last record has no ER line (end of file first); read to the end of the file",
                                 line=start))
        close()
    return out


def read_ris(path: Path) -> Reading:
    """Records of one RIS file as candidates, and a Problem per bad record."""
    name = str(path)
    text, problems = read_input_text(path, "RIS")
    if text is None:
        return Reading(path, (), tuple(problems))
    split = split_records(text, name)
    candidates, problems, notes = [], list(split.problems), list(split.notes)
    for line, record in split.records:
        try:
            (entry,) = rispy.loads(record)
        except Exception as err:  # rispy raises KeyError and others on a malformed record
            found = " ".join(str(err).split()) or type(err).__name__
            problems.append(Problem(name, f"cannot be read as RIS ({found}); this record was skipped", line=line))
            continue
        candidate = entry_to_candidate(entry, file=name, source=path.name, line=line)
        if not candidate.title:
            problems.append(Problem(name, "a record with no title (TI or T1); skipped", line=line))
            continue
        notes += _long_venue_notes(candidate)
        candidates.append(candidate)
    return Reading(path, tuple(candidates), tuple(sorted(problems, key=lambda p: p.line or 0)), tuple(sorted(notes, key=lambda p: p.line or 0)))
