"""Atom feeds: "what was added" for the whole list and for each theme.

Readers poll these files, so a rebuild that adds nothing must produce the same
bytes: every timestamp comes from the papers' `added` dates, never from the
clock, and the order is fully determined (newest first, then key). Titles and
abstracts come from pasted dumps, so the XML is built with ElementTree, which
escapes text, and characters XML cannot carry at all are dropped first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from datetime import date, datetime, timezone
from functools import lru_cache

from generator.model import Paper

ATOM_NS = "http://www.w3.org/2005/Atom"
EPOCH = "1970-01-01T00:00:00Z"

# Not allowed in XML 1.0 at all (C0 controls but tab/newline/CR, lone
# surrogates, U+FFFE/U+FFFF), plus C1 controls, which are legal but never text.
_XML_ILLEGAL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text safe to put in an XML document: illegal characters removed, spaces collapsed."""
    return " ".join(_XML_ILLEGAL_RE.sub(" ", text).split())


@lru_cache(maxsize=1 << 14)  # every feed sorts its papers by it; a library has few distinct dates
def atom_timestamp(added: str) -> str:
    """An ISO date or datetime as an RFC 3339 UTC timestamp; the epoch if unreadable.

    A malformed `added` is reported by `check`; here it must not break the feed.
    """
    value = (added or "").strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return f"{day.isoformat()}T00:00:00Z"
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return EPOCH
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def absolute_url(site_url: str, path: str) -> str:
    """`path` under `site_url` (kept as given when there is no site URL or it is absolute)."""
    if not site_url or re.match(r"^[a-z][a-z0-9+.-]*:", path, re.I):
        return path
    return site_url.rstrip("/") + "/" + path.lstrip("/")


def entry_id(paper: Paper, feed_id: str, link: str) -> str:
    """A permanent id, the same for this paper in every feed of the site.

    The absolute page URL when there is one; otherwise a tag: URI in the
    authority and date of the feed's own tag: id; else one under the feed id.
    """
    if re.match(r"^https?://", link):
        return link
    tag = re.match(r"^(tag:[^:]+):", feed_id)
    if tag:
        return f"{tag.group(1)}:papers/{paper.key}"
    return f"{feed_id.rstrip('/')}/papers/{paper.key}"


def newest_first(papers: Iterable[Paper]) -> list[Paper]:
    """Papers ordered by `added` (newest first), ties broken by key."""
    by_key = sorted(papers, key=lambda p: p.key)
    return sorted(by_key, key=lambda p: atom_timestamp(p.added), reverse=True)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    clean = {name: _XML_ILLEGAL_RE.sub("", value) for name, value in attrs.items()}
    element = ET.SubElement(parent, tag, clean)
    if text is not None:
        element.text = xml_text(text)
    return element


def _entry(feed: ET.Element, paper: Paper, link: str, feed_id: str) -> None:
    entry = _sub(feed, "entry")
    _sub(entry, "id", entry_id(paper, feed_id, link))
    _sub(entry, "title", paper.title, type="text")
    _sub(entry, "updated", atom_timestamp(paper.added))
    _sub(entry, "link", rel="alternate", type="text/html", href=link)
    for name in paper.authors:
        _sub(_sub(entry, "author"), "name", name)
    if paper.abstract.strip():
        _sub(entry, "summary", paper.abstract, type="text")


def atom_feed(
    papers: Iterable[Paper],
    *,
    feed_id: str,
    title: str,
    site_url: str,
    feed_path: str,
    page_url: Callable[[Paper], str],
    updated: str | None = None,
    limit: int = 50,
    author: str | None = None,
) -> str:
    """An Atom 1.0 feed of the newest `limit` papers, as deterministic text.

    `page_url(paper)` gives the paper page's site-relative URL; links are
    absolute under `site_url` when it is set. The feed's `updated` is the
    newest `added` date (or `updated` when given), so rebuilding never
    changes the feed. `author` (default: the feed title) is the feed-level
    author Atom requires for entries with no authors of their own.
    """
    chosen = newest_first(papers)[: max(limit, 0)]
    feed = ET.Element("feed", {"xmlns": ATOM_NS})
    _sub(feed, "id", feed_id)
    _sub(feed, "title", title, type="text")
    newest = atom_timestamp(chosen[0].added) if chosen else EPOCH
    _sub(feed, "updated", atom_timestamp(updated) if updated else newest)
    _sub(feed, "link", rel="self", type="application/atom+xml", href=absolute_url(site_url, feed_path))
    if site_url:
        _sub(feed, "link", rel="alternate", type="text/html", href=site_url)
    _sub(_sub(feed, "author"), "name", author or title)
    for paper in chosen:
        _entry(feed, paper, absolute_url(site_url, page_url(paper)), feed_id)
    ET.indent(feed, space="  ")
    body = ET.tostring(feed, encoding="unicode", xml_declaration=False)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"
