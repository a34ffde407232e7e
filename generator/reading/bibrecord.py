"""One BibTeX entry's fields -> a Candidate holding what a reference manager holds.

Every field the library has a place for is decoded into it (title, names,
year and month, container, volume, number, pages, publisher, institution,
edition, ISBN/ISSN, DOI, arXiv id and class, URL, keywords, language,
abstract); every other field, and every value of those that the record
cannot hold (`year = {535 BCE}`, a HAL eprint, `issue` beside `number`), is
kept verbatim under `extra`, so nothing a user had is dropped.
"""

from __future__ import annotations

import re

from generator.model import SourceRef
from generator.reading.bibnames import has_more_authors, parse_names
from generator.reading.bibvalues import braced_phrases, decode_latex, find_arxiv_id, find_doi, find_url, find_venue, find_year
from generator.reading.candidate import Candidate

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Fields read into the record's own fields (the others go to `extra`).
_READ = frozenset({
    "title", "author", "year", "date", "month", "doi", "eprint", "archiveprefix", "eprinttype",
    "primaryclass", "eprintclass", "abstract", "volume", "number", "issue", "pages", "publisher",
    "institution", "school", "edition", "isbn", "issn", "language", "langid", "keywords", "crossref",
})
# Text fields: record field <- first of these .bib fields that is present.
_TEXT = {
    "volume": ("volume",), "number": ("number", "issue"), "publisher": ("publisher",),
    "institution": ("institution", "school"), "edition": ("edition",), "isbn": ("isbn",),
    "issn": ("issn",), "language": ("language", "langid"),
}


# An arXiv category: `cs.LG`, `math.GT`, `hep-th`, `astro-ph.CO` (not the bare archive `cs`).
_CATEGORY_RE = re.compile(r"^(?:[a-z]+(?:-[a-z]+)?\.[A-Za-z-]+|[a-z]+-[a-z]+)$")


def find_month(fields: dict[str, str]) -> int | None:
    """`month = apr` (read as "April"), `4`, or the month of `date = 2019-04-03`."""
    text = fields.get("month", "").strip().lower()
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    if text[:3] in _MONTHS:
        return _MONTHS.index(text[:3]) + 1
    m = re.match(r"\s*\d{4}-(\d{2})", fields.get("date", ""))
    if m and 1 <= int(m.group(1)) <= 12:
        return int(m.group(1))
    return None


def _pages(value: str) -> str | None:
    """`450--458` -> `450-458`: one hyphen between the first and last page, as CSL writes it."""
    text = decode_latex(value).replace("\u2013", "-").replace("\u2014", "-")
    return re.sub(r"\s*-+\s*", "-", text).strip() or None


def _keywords(value: str) -> tuple[str, ...]:
    """`a, b; c` -> (a, b, c): Zotero and Mendeley separate keywords by commas or semicolons."""
    words = [decode_latex(w).strip() for w in re.split(r"[,;]", value)]
    return tuple(dict.fromkeys(w for w in words if w))


def _extra(fields: dict[str, str], venue: str | None, url: str | None) -> tuple[tuple[str, str], ...]:
    """Fields the record has no place for, verbatim (as the .bib wrote them)."""
    kept = []
    for name, value in fields.items():
        if (name in _READ and name not in ("primaryclass", "eprintclass")) or not value.strip():
            continue
        if name in ("primaryclass", "eprintclass") and _CATEGORY_RE.match(decode_latex(value)):
            continue
        if name in ("journal", "journaltitle", "booktitle") and venue is not None and decode_latex(value) == venue:
            continue
        if name == "url" and url is not None and value.strip() == url:
            continue
        kept.append((name, value))
    return tuple(kept)


def _unread(fields: dict[str, str], year: int | None, month: int | None, arxiv_from_eprint: bool) -> list[tuple[str, str]]:
    """Read fields whose value the record does not hold, verbatim: a year that is
    no four-digit number (`535 BCE`), a month that is none (`Spring`), a date
    with a day or a range (`2019-04-03/2019-04-05`), an eprint
    of another archive (`eprinttype = hal`), the second of two names for one
    field (`issue` beside `number`) when it says something else."""
    kept = []
    if fields.get("year", "").strip() and decode_latex(fields["year"]) != str(year):
        kept.append("year")
    if fields.get("month", "").strip() and month is None:
        kept.append("month")
    date = decode_latex(fields.get("date", ""))
    if date and date not in (str(year), f"{year}-{month or 0:02d}"):
        kept.append("date")  # a day, a range, or a date the reader cannot read
    if not arxiv_from_eprint:
        kept += [name for name in ("eprint", "eprinttype", "archiveprefix") if fields.get(name, "").strip()]
    for options in _TEXT.values():
        present = [name for name in options if fields.get(name, "").strip()]
        kept += [name for name in present[1:] if decode_latex(fields[name]) != decode_latex(fields[present[0]])]
    return [(name, fields[name]) for name in kept]


def _arxiv_from_eprint(fields: dict[str, str]) -> bool:
    """Whether the eprint fields give an arXiv id (the record's `arxiv` then holds
    them); also true when there are none."""
    eprint = {name: fields.get(name, "") for name in ("eprint", "eprinttype", "archiveprefix")}
    classes = {name: fields.get(name, "") for name in ("primaryclass", "eprintclass")}  # an old id's archive
    return not any(value.strip() for value in eprint.values()) or find_arxiv_id(eprint | classes) is not None


def entry_to_candidate(fields: dict[str, str], *, file: str, source: str, line: int, bibkey: str, entry_type: str) -> Candidate:
    """Decode an entry's evaluated fields (lower-case names) into a Candidate."""
    names = tuple(parse_names(fields.get("author", "")))
    venue = find_venue(fields)
    url = find_url(fields)
    primary = decode_latex(fields.get("primaryclass", "") or fields.get("eprintclass", "")) or None
    if primary is not None and not _CATEGORY_RE.match(primary):
        primary = None  # Better BibTeX writes only the archive (`cs`): kept verbatim under extra
    text = {name: decode_latex(next((fields[f] for f in options if fields.get(f, "").strip()), "")) or None
            for name, options in _TEXT.items()}
    year, month = find_year(fields), find_month(fields)
    return Candidate(
        file=file,
        line=line,
        source=SourceRef(source),
        title=decode_latex(fields.get("title", "")),
        abstract=decode_latex(fields.get("abstract", "")),
        bibkey=bibkey,
        entry_type=entry_type,
        provenance=f"bibtex {source}",
        authors=tuple(n.display() for n in names),
        year=year,
        doi=find_doi(fields),
        arxiv=find_arxiv_id(fields),
        url=url,
        venue=venue,
        primary_class=primary,
        tags=_keywords(fields.get("keywords", "")),
        names=names,
        more_authors=has_more_authors(fields.get("author", "")),
        month=month,
        pages=_pages(fields.get("pages", "")),
        keep_case=braced_phrases(fields.get("title", "")),
        extra=_extra(fields, venue, url) + tuple(_unread(fields, year, month, _arxiv_from_eprint(fields))),
        **text,
    )
