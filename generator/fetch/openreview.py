"""OpenReview forums, from the notes API (`/notes?id=FORUM`).

API v2 (api2.openreview.net) wraps every content field as `{"value": ...}`;
API v1 gave plain values. Both are read. A forum that does not exist, or is
not public, answers with no notes (or 403/404).
"""

from __future__ import annotations

import json
import re
import urllib.parse
from datetime import datetime, timezone
from typing import Any

from generator.fetch.metadata import FetchedPaper
from generator.textnorm import normalise_text

DEFAULT_API_URL = "https://api2.openreview.net"


def _value(content: dict, name: str) -> Any:
    value = content.get(name)
    return value.get("value") if isinstance(value, dict) else value


def _text(value: Any) -> str:
    return normalise_text(value) if isinstance(value, str) else ""


def _year(note: dict, venue: str) -> int | None:
    for name in ("pdate", "odate", "cdate", "tcdate"):
        stamp = note.get(name)
        if isinstance(stamp, (int, float)) and not isinstance(stamp, bool) and stamp > 0:
            return datetime.fromtimestamp(stamp / 1000, tz=timezone.utc).year
    m = re.search(r"\b(19|20)\d{2}\b", venue)
    return int(m.group(0)) if m else None


def parse_notes(forum: str):
    """A parser for the notes answer of `forum` (the forum's own note, not a review)."""

    def parse(data: bytes) -> FetchedPaper | None:
        try:
            answer = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ValueError(f"not JSON: {err}") from None
        notes = answer.get("notes") if isinstance(answer, dict) else None
        if not isinstance(notes, list):
            raise ValueError("expected {'notes': [...]}")
        note = next((n for n in notes if isinstance(n, dict) and n.get("id") == forum), None)
        if note is None:
            return None  # no such public forum
        content = note.get("content") if isinstance(note.get("content"), dict) else {}
        title = _text(_value(content, "title"))
        if not title:
            raise ValueError(f"note {forum} has no title")
        authors = _value(content, "authors")
        venue = _text(_value(content, "venue"))
        return FetchedPaper(
            source="openreview",
            title=title,
            abstract=_text(_value(content, "abstract")),
            authors=tuple(_text(a) for a in authors if _text(a)) if isinstance(authors, list) else (),
            year=_year(note, venue),
            venue=venue or None,
            url=f"https://openreview.net/forum?id={urllib.parse.quote(forum)}",
        )

    return parse


def fetch_forum(client, api_url: str, forum: str) -> FetchedPaper:
    """The paper of OpenReview forum `forum`; raises NotFound or FetchError."""
    from generator.fetch.http import NotFound

    paper = client.get(f"{api_url.rstrip('/')}/notes", urllib.parse.urlencode({"id": forum}), parse_notes(forum),
                       accept="application/json")
    if paper is None:
        raise NotFound(f"OpenReview has no public forum {forum}")
    return paper
