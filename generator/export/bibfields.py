"""The bibliographic record's fields as BibTeX fields.

An imported library comes back out with what it brought in: entry type,
structured names, month, container, volume, number, pages, publisher,
institution or school, edition, ISBN/ISSN, language, keywords, the keys it
was merged from (`ids`, biblatex's aliases) and the unknown fields that are
safe to print. Every value is text encoded like a title (`encode`), so a
field read verbatim from someone's `.bib` can no more run TeX than a title.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from generator.library.keys import BIBKEY_RE
from generator.model import Name, Paper
from generator.reading.bibnames import NAME_LIST_FIELDS, has_more_authors, parse_names
from generator.reading.bibvalues import decode_latex

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# The venue's field by entry type: `booktitle` for a part of a book or
# proceedings, `howpublished` for the types whose styles print only that,
# else `journal`.
_BOOKTITLE_TYPES = frozenset({"inproceedings", "conference", "incollection", "inbook", "proceedings"})
_HOWPUBLISHED_TYPES = frozenset({"misc", "online", "electronic", "www"})
_SCHOOL_TYPES = frozenset({"phdthesis", "mastersthesis", "thesis"})

# Unknown fields written back, when the record has no field of its own for
# them. The others are left out on purpose: `file` holds local PDF paths,
# `annote`/`annotation`/`mendeley-tags` are private notes, `abstract`-like and
# CSL-only names (`title-short`, `accessed`, `type` = a CSL type) mean
# nothing to BibTeX, `url` duplicates (Mendeley's second URL) cannot be
# linked safely as text.
# Name lists (`editor`, `translator`, ...) are read and written as the
# authors are, so that `{De Raedt}` stays one family name.
SAFE_EXTRA = (*NAME_LIST_FIELDS, "address", "organization", "series", "chapter", "howpublished",
              "shorttitle", "eid", "pmid", "urldate", "note")
# A note that is a link back into the user's own Zotero or a local path.
_PRIVATE_NOTE_RE = re.compile(r"zotero://|file:/|mendeley", re.I)

Encode = Callable[[str], str]
# Names -> a BibTeX name list; True: the list goes on (`and others`).
NameList = Callable[[list[Name], bool], str]


def container_field(entry_type: str) -> str:
    if entry_type in _BOOKTITLE_TYPES:
        return "booktitle"
    return "howpublished" if entry_type in _HOWPUBLISHED_TYPES else "journal"


def encode_pages(pages: str, encode: Encode) -> str:
    """`450-458` -> `450--458`: the en dash every style prints between two pages."""
    return re.sub(r"(?<=[0-9A-Za-z])-(?=[0-9A-Za-z])", "--", encode(pages))


def alias_keys(paper: Paper) -> list[str]:
    """The keys merged into this record (`extra.ids`) that can be citation keys."""
    ids = dict(paper.extra).get("ids", "")
    keys = [k.strip() for k in ids.split(",")]
    return [k for k in dict.fromkeys(keys) if k and k != paper.key and BIBKEY_RE.match(k)]


def record_fields(paper: Paper, etype: str, encode: Encode) -> list[tuple[str, str]]:
    """The record's own bibliographic fields after title, names, year and venue."""
    out: list[tuple[str, str]] = [(name, encode(value)) for name, value in (
        ("volume", paper.volume), ("number", paper.number)) if value and value.strip()]
    if paper.pages and paper.pages.strip():
        out.append(("pages", encode_pages(paper.pages, encode)))
    school = "school" if etype in _SCHOOL_TYPES else "institution"
    for name, value in (("publisher", paper.publisher), (school, paper.institution), ("edition", paper.edition),
                        ("isbn", paper.isbn), ("issn", paper.issn), ("language", paper.language)):
        if value and value.strip():
            out.append((name, encode(value)))
    if paper.tags:
        out.append(("keywords", ", ".join(encode(t) for t in paper.tags if t.strip())))
    if aliases := alias_keys(paper):
        out.append(("ids", ",".join(aliases)))
    return out


def extra_fields(paper: Paper, etype: str, taken: set[str], encode: Encode, name_list: NameList) -> list[tuple[str, str]]:
    """The safe unknown fields, decoded from the LaTeX they were kept in and encoded again;
    a name list by the name reader and `name_list`, as the authors are.

    A venue kept under `extra` (a `journal = {ArXiv:...}` the import did not
    take as a venue) is written in the type's container field when that is free.
    """
    extra = dict(paper.extra)
    out: list[tuple[str, str]] = []
    container = container_field(etype)
    if container not in taken:
        venue = next((extra[f] for f in ("journal", "journaltitle", "booktitle") if extra.get(f, "").strip()), None)
        if venue:
            out.append((container, encode(decode_latex(venue))))
            taken = taken | {container}
    for name in SAFE_EXTRA:
        value = extra.get(name, "")
        if not value.strip() or name in taken or value.lstrip().startswith(("[", "{\"")):
            continue  # absent, already written, or a CSL name list kept as JSON
        if name == "note" and _PRIVATE_NOTE_RE.search(value):
            continue
        if name in NAME_LIST_FIELDS:
            if names := parse_names(value):
                out.append((name, name_list(names, has_more_authors(value))))
        elif decoded := decode_latex(value):
            out.append((name, encode(decoded)))
    return out


def month_field(paper: Paper) -> str | None:
    """`jan` ... `dec`: BibTeX's month macros, which every style and biber read."""
    month = paper.month
    return MONTHS[month - 1] if isinstance(month, int) and 1 <= month <= 12 else None
