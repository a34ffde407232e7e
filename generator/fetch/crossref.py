"""DOIs other than arXiv's, from the Crossref REST API (`/works/{doi}`).

The answer is `{"status": "ok", "message": {...}}`; a DOI Crossref does not
know is a 404. Abstracts arrive as JATS XML fragments and are stored as text.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from generator.fetch.metadata import FetchedPaper, markup_to_text
from generator.identifiers import web_url
from generator.textnorm import normalise_text

DEFAULT_API_URL = "https://api.crossref.org"
_DATE_FIELDS = ("published-print", "published-online", "published", "issued", "created")


def _first(value: Any) -> str:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), "")
    return normalise_text(value) if isinstance(value, str) else ""


def _year(message: dict) -> int | None:
    for name in _DATE_FIELDS:
        parts = (message.get(name) or {}).get("date-parts") if isinstance(message.get(name), dict) else None
        try:
            year = int(parts[0][0])
        except (TypeError, ValueError, IndexError):
            continue
        if 1000 <= year <= 9999:
            return year
    return None


def _authors(message: dict) -> tuple[str, ...]:
    names = []
    for person in message.get("author") or []:
        if not isinstance(person, dict):
            continue
        given, family = person.get("given"), person.get("family")
        name = " ".join(p for p in (given, family) if isinstance(p, str) and p.strip()) or person.get("name")
        if isinstance(name, str) and normalise_text(name):
            names.append(normalise_text(name))
    return tuple(names)


def parse_work(data: bytes) -> FetchedPaper:
    """A Crossref `works` answer as a FetchedPaper; ValueError when it is not one."""
    try:
        answer = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"not JSON: {err}") from None
    if not isinstance(answer, dict) or answer.get("status") != "ok" or not isinstance(answer.get("message"), dict):
        raise ValueError("expected {'status': 'ok', 'message': {...}}")
    message = answer["message"]
    title = _first(message.get("title"))
    if not title:
        raise ValueError("the work has no title")
    doi = message.get("DOI") if isinstance(message.get("DOI"), str) else None
    abstract = message.get("abstract")
    return FetchedPaper(
        source="crossref",
        title=title,
        abstract=markup_to_text(abstract) if isinstance(abstract, str) else "",
        authors=_authors(message),
        year=_year(message),
        venue=_first(message.get("container-title")) or _first(message.get("publisher")) or None,
        url=web_url(message.get("URL") if isinstance(message.get("URL"), str) else None)
        or (f"https://doi.org/{doi}" if doi else None),
        doi=doi or None,
    )


def fetch_doi(client, api_url: str, doi: str) -> FetchedPaper:
    """The work for `doi`; raises NotFound or FetchError."""
    endpoint = f"{api_url.rstrip('/')}/works/{urllib.parse.quote(doi, safe='/:;()')}"
    return client.get(endpoint, "", parse_work, accept="application/json")
