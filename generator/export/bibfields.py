"""The bibliographic record's fields as BibTeX fields.

An imported library comes back out with what it brought in: entry type,
structured names, month, container, volume, number, pages, publisher,
institution or school, edition, ISBN/ISSN, language, keywords and every
field it kept that is not private (the keys it was merged from are entries of
their own: export/aliases.py). Every value is text encoded like a title (`encode`), so a
field read verbatim from someone's `.bib` can no more run TeX than a title.
"""

from __future__ import annotations

import json
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

# Fields kept under `extra` that are never written back: `file` holds local
# PDF paths, `annote`/`annotation`/`mendeley-*` are private notes, the keys
# merged in (`ids`) are entries of their own (export/aliases.py), `url`/`urls`
# (a second address) cannot be linked safely as text. Every other kept field is written,
# when the record has no field of its own for it: a style ignores a field it
# does not know, and a reader must not lose one a style does know.
NOT_EXPORTED = frozenset({"file", "annote", "annotation", "mendeley-tags", "mendeley-groups", "ids", "url", "urls"})
# biblatex's names for fields BibTeX's classic styles know by another name.
CLASSIC_NAMES = {"location": "address"}
# A field name BibTeX reads (and a curator's `extra` key may be anything).
_FIELD_NAME_RE = re.compile(r"[a-z][a-z0-9_.:+-]*")
# An eprint of another archive, printed verbatim by biblatex: written as it is
# only in characters inert in verbatim and in plain text.
_SAFE_EPRINT_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.:/+-]*")
# A note that is a link back into the user's own Zotero or a local path.
_PRIVATE_NOTE_RE = re.compile(r"zotero://|file:/|mendeley", re.I)

Encode = Callable[[str], str]
# Names -> a BibTeX name list; True: the list goes on (`and others`).
NameList = Callable[[list[Name], bool], str]

# The entry types BibTeX's standard styles (plain, plainnat, apalike ...) define;
# any other makes bibtex warn "entry type ... isn't style-file defined".
CLASSIC_TYPES = frozenset({"article", "book", "booklet", "conference", "inbook", "incollection", "inproceedings",
                           "manual", "mastersthesis", "misc", "phdthesis", "proceedings", "techreport", "unpublished"})
# biblatex's types as the classic type of the same thing (the record keeps its own).
_CLASSIC_FOR = {
    "report": "techreport", "mvbook": "book", "collection": "book", "mvcollection": "book", "reference": "book",
    "mvreference": "book", "bookinbook": "inbook", "suppbook": "inbook", "inreference": "incollection",
    "suppcollection": "incollection", "mvproceedings": "proceedings", "suppperiodical": "article",
}
_MASTERS_RE = re.compile(r"master|mathesis|\bm\.?\s?s\.?c\b|\bm\.?a\b|diplom|licen", re.I)
# biblatex's `type` keys that say no more than the classic entry type.
_TYPE_KEYS = {"phdthesis": "phdthesis", "mathesis": "mastersthesis", "mastersthesis": "mastersthesis", "techreport": "techreport"}


def classic_type(entry_type: str, extra: dict[str, str]) -> str:
    """The entry type a .bib export writes: classic BibTeX's for biblatex's
    (`@online` -> `@misc`, `@report` -> `@techreport`), a `@thesis` by its
    `type` (master's or else PhD), anything else unknown `@misc`."""
    if entry_type in CLASSIC_TYPES:
        return entry_type
    if entry_type == "thesis":
        return "mastersthesis" if _MASTERS_RE.search(extra.get("type", "")) else "phdthesis"
    return _CLASSIC_FOR.get(entry_type, "misc")


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
    return out


def extra_fields(paper: Paper, etype: str, taken: set[str], encode: Encode, name_list: NameList) -> list[tuple[str, str]]:
    """The kept fields (`extra`) the record has no field for, decoded from the LaTeX
    they were kept in and encoded again; biblatex's `location` as `address`; a
    name list (`editor`, `translator` ...) by the name reader and `name_list`, as
    the authors are.

    A venue kept under `extra` (a `journal = {ArXiv:...}` the import did not
    take as a venue) is written in the type's container field when that is free.
    """
    extra = dict(paper.extra)
    out: list[tuple[str, str]] = []
    container = container_field(etype)
    if container not in taken:
        source = next((f for f in ("journal", "journaltitle", "booktitle") if extra.get(f, "").strip()), None)
        if source:
            out.append((container, encode(decode_latex(extra.pop(source)))))
            taken = taken | {container}
    for field, value in extra.items():
        name = field.lower()  # a curator's `Series:` is BibTeX's `series`
        out_name = CLASSIC_NAMES.get(name, name)
        if out_name in taken or not _exported(name, value):
            continue
        if name == "type" and _TYPE_KEYS.get(value.strip().lower()) == etype:
            continue  # `@thesis` with `type = {phdthesis}`, written as `@phdthesis`
        if name in NAME_LIST_FIELDS:
            if names := parse_names(value):
                out.append((name, name_list(names, has_more_authors(value))))
        elif name == "eprint" and _SAFE_EPRINT_RE.fullmatch(value.strip()):
            out.append((name, value.strip()))
        elif decoded := decode_latex(value):
            out.append((out_name, encode(decoded)))
        taken = taken | {out_name}
    return out


def _exported(name: str, value: str) -> bool:
    """Whether a kept field is written back: not private, not empty, not a CSL
    value kept as JSON (a name list, a date), and named as BibTeX reads names."""
    if name in NOT_EXPORTED or not value.strip() or not _FIELD_NAME_RE.fullmatch(name):
        return False
    if name == "note" and _PRIVATE_NOTE_RE.search(value):
        return False
    return not _is_json(value)


def _is_json(value: str) -> bool:
    """`[{"family": ...}]`, `{"date-parts": ...}`: what the CSL-JSON reader keeps of a list
    or an object. A note such as `[Online; accessed 2020]` is text."""
    text = value.strip()
    if not text.startswith(("[", "{\"")):
        return False
    try:
        return isinstance(json.loads(text), (list, dict))
    except ValueError:
        return False


def month_field(paper: Paper) -> str | None:
    """`jan` ... `dec`: BibTeX's month macros, which every style and biber read."""
    month = paper.month
    return MONTHS[month - 1] if isinstance(month, int) and 1 <= month <= 12 else None
