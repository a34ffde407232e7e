"""CSL-JSON export: the citation format Zotero, Pandoc and citeproc read.

BibTeX serves LaTeX users; everyone else imports CSL-JSON. Text stays plain
Unicode here (CSL has no escaping), so the only work is mapping our fields to
CSL variables and splitting author names the way citation styles expect.
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Iterable

from generator.export.bibtex import arxiv_url, clean_text, venue_kind
from generator.identifiers import web_url
from generator.model import Paper

# Lower-case name particles that belong to the family name ("van der Berg").
_PARTICLES = frozenset(
    "van von der den de del della di da dos das du le la ter ten bin ibn al el zu".split()
)
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
# Names that are organisations or handles, not "Given Family".
_LITERAL_RE = re.compile(r"\d|@|\b(?:and|team|group|lab|labs|inc|ltd|university|institute)\b", re.I)

CSL_TYPES = {"conference": "paper-conference", "journal": "article-journal", None: "article"}


def csl_name(name: str) -> dict[str, str]:
    """One author as a CSL name: family/given when the split is clear, else literal.

    Handles "Family, Given", "Given [particles] Family [Jr.]"; a single word,
    an organisation or anything with digits stays a literal so it is never
    mangled into a wrong family name.
    """
    name = clean_text(name)
    if not name or _LITERAL_RE.search(name):
        return {"literal": name}
    if "," in name:
        parts = [p.strip() for p in name.split(",")]
        if len(parts) != 2 or not all(parts):
            return {"literal": name}
        return {"family": parts[0], "given": parts[1]}
    words = name.split()
    suffix = words.pop() if len(words) > 2 and words[-1].lower() in _SUFFIXES else None
    if len(words) < 2:
        return {"literal": name}
    cut = len(words) - 1
    while cut > 1 and words[cut - 1] in _PARTICLES:
        cut -= 1
    result = {"family": " ".join(words[cut:]), "given": " ".join(words[:cut])}
    if suffix:
        result["suffix"] = suffix
    return result


def csl_item(paper: Paper) -> dict:
    """One paper as a CSL-JSON item; `id` is the citation key."""
    kind = venue_kind(paper.venue)
    item: dict = {"id": paper.key, "type": CSL_TYPES[kind], "title": clean_text(paper.title)}
    if paper.authors:
        item["author"] = [csl_name(a) for a in paper.authors]
    if paper.year is not None:
        item["issued"] = {"date-parts": [[paper.year]]}
    if kind:
        item["container-title"] = clean_text(paper.venue)
    if paper.arxiv:
        arxiv_id = paper.arxiv.strip()
        item.update({"number": f"arXiv:{arxiv_id}", "archive": "arXiv", "archive_location": arxiv_id})
        if not kind:
            item["publisher"] = "arXiv"
    url = web_url(paper.url) or (arxiv_url(paper.arxiv) if paper.arxiv else None)
    if url:
        item["URL"] = url.strip()
    if paper.doi:
        item["DOI"] = paper.doi.strip()
    if paper.abstract.strip():
        item["abstract"] = clean_text(paper.abstract)
    return item


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


def csl_json(papers: Iterable[Paper]) -> str:
    """A CSL-JSON file text: an array of items, indented, Unicode kept, newline-terminated.

    The same text as `json.dumps(csl_items(papers), ensure_ascii=False, indent=2)`.
    """
    items = [_item_text(p) for p in papers]
    return ("[\n" + ",\n".join(items) + "\n]" if items else "[]") + "\n"
