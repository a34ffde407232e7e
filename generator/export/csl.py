"""CSL-JSON export: the citation format Zotero, Pandoc and citeproc read.

BibTeX serves LaTeX users; everyone else imports CSL-JSON. Text stays plain
Unicode here (CSL has no escaping), so the work is mapping our fields to CSL
variables, splitting author names the way citation styles expect, and
marking the title words whose case no style may change.
"""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
import weakref
from collections.abc import Iterable
from dataclasses import replace

from generator.export.aliases import with_alias_copies
from generator.export.bibtex import arxiv_url, clean_text, venue_kind
from generator.export.latex_math import math_as_text
from generator.export.names import csl_name as _csl_name
from generator.export.names import parse_name
from generator.identifiers import DOI_PREFIX_RE, arxiv_id, is_doi, web_url
from generator.model import Name, Paper
from generator.reading.bibnames import parse_names
from generator.titlecase import case_spans

CSL_TYPES = {"conference": "paper-conference", "journal": "article-journal", None: "article"}
# BibTeX entry types a richer record may carry, as CSL types.
_BIBTEX_TYPES = {
    "article": "article-journal", "inproceedings": "paper-conference", "conference": "paper-conference",
    "book": "book", "incollection": "chapter", "inbook": "chapter", "phdthesis": "thesis",
    "mastersthesis": "thesis", "techreport": "report", "misc": "article", "unpublished": "manuscript",
    "online": "webpage", "dataset": "dataset", "software": "software",
}

# The BibTeX name lists a record keeps under `extra`, as the CSL variables of the
# same role. biblatex's editora/b/c (whose role is another field's), annotator,
# commentator, introduction, foreword, afterword and holder have none.
_BIBTEX_NAME_FIELDS = {"editor": "editor", "translator": "translator", "bookauthor": "container-author"}
# CSL's name variables other than `author`, as a CSL-JSON import keeps them (JSON).
_CSL_NAME_VARIABLES = frozenset({
    "chair", "collection-editor", "compiler", "composer", "container-author", "contributor", "curator", "director",
    "editor", "editorial-director", "executive-producer", "guest", "host", "illustrator", "interviewer", "narrator",
    "organizer", "original-author", "performer", "producer", "recipient", "reviewed-author", "script-writer",
    "series-creator", "translator",
})
_CSL_NAME_PARTS = ("family", "given", "dropping-particle", "non-dropping-particle", "suffix", "literal")


def csl_name(name: str) -> dict[str, str]:
    """One author as a CSL name: family/given/particle/suffix, or literal.

    The split is the one the BibTeX export writes (`names.parse_name`), so
    both files cite the same person.
    """
    return _csl_name(parse_name(clean_text(name)))


def _clean_name(name: Name) -> Name:
    """The name's parts as exported text: NFC, single spaces."""
    parts = ("family", "given", "particle", "suffix", "literal")
    return replace(name, **{part: clean_text(getattr(name, part)) for part in parts})


def csl_title(title: str, keep_case: tuple[str, ...] = ()) -> str:
    """The title with acronyms, coined names and the source's protected
    phrases (`keep_case`) in `nocase` spans.

    Styles that change case (Chicago's title case, APA's sentence case)
    otherwise print `FP8` as `Fp8`; the words are the BibTeX export's, plus
    words in scripts other than Latin. Inline math the .bib export writes as
    math is plain text here (`$\\alpha$` -> `α`), kept as it is cased.
    """
    title, formulas = math_as_text(clean_text(title)) if "$" in title else (clean_text(title), [])
    out, pos = [], 0
    for start, end in _with_formulas(case_spans(title, [clean_text(p) for p in keep_case], also=_not_latin), formulas):
        out += [title[pos:start], '<span class="nocase">', title[start:end], "</span>"]
        pos = end
    out.append(title[pos:])
    return "".join(out)


def _with_formulas(spans: list[tuple[int, int]], formulas: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The protected spans and the title's formulas (math as text: `O(n²)`, whose
    case is the author's), merged where they touch, in order."""
    merged: list[list[int]] = []
    for start, end in sorted([*spans, *formulas]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


@lru_cache(maxsize=4096)
def _not_latin(word: str) -> bool:
    """Greek, Cyrillic, ... words: title case is an English rule (`α` must not become `Α`)."""
    return not word.isascii() and any(
        c.isalpha() and not unicodedata.name(c, "LATIN").startswith("LATIN") for c in word
    )


def csl_type(paper: Paper, kind: str | None) -> str:
    own = getattr(paper, "entry_type", None)  # records of a richer model carry it
    return _BIBTEX_TYPES.get(own, CSL_TYPES[kind]) if isinstance(own, str) else CSL_TYPES[kind]


def csl_item(paper: Paper) -> dict:
    """One paper as a CSL-JSON item; `id` is the citation key.

    An arXiv preprint names arXiv once, as its publisher, with the id as its
    number (`archive` as well made styles print "arXiv" two or three times).
    """
    kind = venue_kind(paper.venue)
    item: dict = {"id": paper.key, "type": csl_type(paper, kind), "title": csl_title(paper.title, paper.keep_case)}
    if paper.names:
        item["author"] = [_csl_name(_clean_name(n)) for n in paper.names if (n.literal or n.family).strip()]
    elif authors := [a for a in paper.authors if clean_text(a)]:
        item["author"] = [csl_name(a) for a in authors]
    item.update(_name_variables(paper))
    if paper.year is not None:
        month = paper.month if isinstance(paper.month, int) and 1 <= paper.month <= 12 else None
        item["issued"] = {"date-parts": [[paper.year, month] if month else [paper.year]]}
    if kind:
        item["container-title"] = clean_text(paper.venue)
    _record_variables(paper, item)
    arxiv = arxiv_id(paper.arxiv)
    if arxiv:
        item.setdefault("number", f"arXiv:{arxiv}")
        if not kind:
            item.setdefault("publisher", "arXiv")
    url = web_url(paper.url) or (arxiv_url(arxiv) if arxiv else None)
    if url:
        item["URL"] = url.strip()
    doi = DOI_PREFIX_RE.sub("", (paper.doi or "").strip())
    if is_doi(doi):
        item["DOI"] = doi
    if paper.abstract.strip():
        item["abstract"] = clean_text(paper.abstract)
    return item


def _name_variables(paper: Paper) -> dict[str, list[dict[str, str]]]:
    """The record's other name lists (editors, translators ...) as CSL names, in
    the order the record keeps them: BibTeX text split as the authors were, a
    CSL-JSON import's list taken back part by part, as text."""
    out: dict[str, list[dict[str, str]]] = {}
    for field, value in paper.extra:
        name = field.lower()
        kept = _kept_csl_names(value) if name in _CSL_NAME_VARIABLES else None
        if kept is not None:
            names, variable = kept, name
        elif name in _BIBTEX_NAME_FIELDS:
            names = [_csl_name(_clean_name(n)) for n in parse_names(value) if (n.literal or n.family).strip()]
            variable = _BIBTEX_NAME_FIELDS[name]
        else:
            continue
        if names:
            out.setdefault(variable, names)
    return out


def _kept_csl_names(value: str) -> list[dict[str, str]] | None:
    """A name list kept as CSL-JSON text: each name's text parts, cleaned; any
    other key, or a part that is no text, is left out (it is data from outside).
    None when the value is no JSON list of objects (BibTeX text, `[Anonymous]`)."""
    try:
        names = json.loads(value)
    except ValueError:
        return None
    if not isinstance(names, list) or not all(isinstance(name, dict) for name in names):
        return None
    out = []
    for name in names:
        parts = {part: clean_text(name[part]) for part in _CSL_NAME_PARTS if isinstance(name.get(part), str)}
        parts = {part: text for part, text in parts.items() if text}
        if parts.get("literal"):
            out.append({"literal": parts["literal"]})
        elif parts.get("family") or parts.get("given"):
            out.append(parts)
    return out


def _record_variables(paper: Paper, item: dict) -> None:
    """The bibliographic record's fields as CSL variables (a report's number is
    its `number`, a journal's its `issue`; a thesis' school its `publisher`)."""
    report = item["type"] in ("report", "thesis")
    values = {
        "volume": paper.volume, ("number" if report else "issue"): paper.number, "page": paper.pages,
        "publisher": paper.publisher or (paper.institution if report else None), "edition": paper.edition,
        "ISBN": paper.isbn, "ISSN": paper.issn, "language": paper.language,
    }
    for name, value in values.items():
        if value and value.strip():
            item[name] = clean_text(value)
    if tags := [clean_text(t) for t in paper.tags if t.strip()]:
        item["keyword"] = ", ".join(tags)


def csl_items(papers: Iterable[Paper]) -> list[dict]:
    """CSL-JSON items for these papers, in the given order."""
    return [csl_item(p) for p in papers]


# Each paper's item text, by the Paper's identity and for as long as it lives:
# the library file and every theme file list the same papers, and json's
# indenting encoder is slow pure Python.
_ITEM_TEXT: dict[int, str] = {}


def _item_text(paper: Paper) -> str:
    """The paper's item as `json.dumps(..., indent=2)` writes it inside the array."""
    text = _ITEM_TEXT.get(id(paper))
    if text is None:
        # One level deeper: JSON strings hold no raw newline, so every newline is an indent.
        text = "  " + json.dumps(csl_item(paper), ensure_ascii=False, indent=2).replace("\n", "\n  ")
        _ITEM_TEXT[id(paper)] = text
        weakref.finalize(paper, _ITEM_TEXT.pop, id(paper), None)
    return text


def csl_json(papers: Iterable[Paper], *, aliases: bool = True) -> str:
    """A CSL-JSON file text: an array of items, indented, Unicode kept, newline-terminated;
    each item followed by its copies under the record's alias keys (export/aliases.py)
    unless `aliases` is false.

    The same text as `json.dumps(csl_items(papers), ensure_ascii=False, indent=2)` when no record has aliases.
    """
    papers = list(papers)
    entries = {p.key: _item_text(p) for p in papers}
    if aliases:
        entries = with_alias_copies(papers, entries, _item_text, ",\n")
    items = [entries[p.key] for p in papers]
    return ("[\n" + ",\n".join(items) + "\n]" if items else "[]") + "\n"


def csl_json_ranges(papers: Iterable[Paper]) -> tuple[str, list[tuple[int, int]]]:
    """`csl_json(papers)` and, per paper, the (UTF-8 byte offset, length) of its item in that text.

    A theme's CSL-JSON is `[\n` + its items joined by `,\n` + `\n]\n`: the
    browser assembles it from these ranges of the library file, byte for byte
    what `csl_json(members)` gives (generator/export/downloads.py).
    """
    return joined_with_ranges([_item_text(p) for p in papers])


def item_text(paper: Paper) -> str:
    """One paper's item as `csl_json` writes it (the build caches it per record)."""
    return _item_text(paper)


def joined_with_ranges(items: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """The CSL-JSON text of these item texts (`item_text`), and where each sits in it."""
    ranges, offset = [], 2  # after "[\n"
    for item in items:
        size = len(item.encode())
        ranges.append((offset, size))
        offset += size + 2  # ",\n"
    return ("[\n" + ",\n".join(items) + "\n]" if items else "[]") + "\n", ranges

