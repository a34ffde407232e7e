"""Semantic Scholar Graph API `paper`: published venue, references, citation count.

A paper is asked for by id (`/paper/DOI:10.1145/...`, `/paper/ARXIV:2106.09685`)
or matched by title (`/paper/search/match?query=...`, which answers the one
best match or a 404 "Title match not found"). `fields=` names what comes
back; references arrive with their `externalIds` (a reference Semantic
Scholar could not identify has `paperId: null` and no ids). Without an API
key the service allows about one request a second and answers 429 beyond;
the polite client paces, honours Retry-After and caches every answer.
Semantic Scholar documents no code link, so none is filled from it.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from generator.fetch.graphwork import GraphWork, as_count, as_year, is_preprint_venue
from generator.identifiers import arxiv_id, external_id
from generator.textnorm import normalise_text

DEFAULT_API_URL = "https://api.semanticscholar.org/graph/v1"
DELAY = 1.0  # seconds between requests: one a second without an API key
FIELDS = "paperId,externalIds,title,year,authors,venue,publicationVenue,journal,citationCount,references.externalIds"
PUBLISHED_TYPES = frozenset({"journal", "conference"})


def _json(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"not JSON: {err}") from None


def _ids(external: Any) -> tuple[str | None, str | None]:
    """(DOI, arXiv id) from an `externalIds` mapping; an arXiv DOI counts as the arXiv id."""
    if not isinstance(external, dict):
        return None, None
    arxiv = arxiv_id(external.get("ArXiv")) if isinstance(external.get("ArXiv"), str) else None
    found = external_id(external.get("DOI")) if isinstance(external.get("DOI"), str) else None
    doi = None
    if found and found.startswith("arxiv:"):
        arxiv = arxiv or found[len("arxiv:"):]
    elif found:
        doi = found[len("doi:"):]
    return doi, arxiv


def _text(value: Any) -> str:
    return normalise_text(value) if isinstance(value, str) else ""


def _venue(paper: dict) -> str | None:
    """The published venue: `publicationVenue` of a journal or conference, else `journal`, else `venue`."""
    place = paper.get("publicationVenue")
    if isinstance(place, dict) and place.get("type") in PUBLISHED_TYPES and not is_preprint_venue(_text(place.get("name"))):
        return _text(place.get("name"))
    journal = paper.get("journal")
    if isinstance(journal, dict) and not is_preprint_venue(_text(journal.get("name"))):
        return _text(journal.get("name"))
    name = _text(paper.get("venue"))
    return None if is_preprint_venue(name) else name


def _references(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValueError("references must be a list")
    found = []
    for item in raw:
        doi, arxiv = _ids(item.get("externalIds") if isinstance(item, dict) else None)
        if arxiv or doi:
            found.append(f"arxiv:{arxiv}" if arxiv else f"doi:{doi}")
    return tuple(dict.fromkeys(found))


def read_paper(paper: Any) -> GraphWork:
    """One Graph API paper object; ValueError when it is not one."""
    if not isinstance(paper, dict):
        raise ValueError("expected a paper object")
    pid, title = paper.get("paperId"), _text(paper.get("title"))
    if not isinstance(pid, str) or not pid.strip() or not title:
        raise ValueError("a paper needs a paperId and a title")
    doi, arxiv = _ids(paper.get("externalIds"))
    authors = tuple(_text(a.get("name")) for a in paper.get("authors") or [] if isinstance(a, dict) and _text(a.get("name")))
    venue = _venue(paper)
    year = as_year(paper.get("year"))
    return GraphWork(
        source="semanticscholar", source_id=pid.strip(), title=title, year=year, authors=authors, doi=doi,
        arxiv=arxiv, venue=venue, venue_year=year if venue else None,
        references=_references(paper.get("references")), cited_by_count=as_count(paper.get("citationCount")),
    )


def parse_paper(data: bytes) -> GraphWork:
    return read_paper(_json(data))


def parse_match(data: bytes) -> list[GraphWork]:
    """The `data` of a title match answer (`{"data": [{...}]}`)."""
    answer = _json(data)
    if not isinstance(answer, dict) or not isinstance(answer.get("data"), list):
        raise ValueError("expected {'data': [...]}")
    return [read_paper(p) for p in answer["data"]]


def paper_by_id(client, api_url: str, ref: str) -> GraphWork:
    """The paper with external id `ref` (`doi:...` or `arxiv:...`); raises NotFound or FetchError."""
    kind, _, value = ref.partition(":")
    name = "ARXIV" if kind == "arxiv" else "DOI"
    endpoint = f"{api_url.rstrip('/')}/paper/{name}:{urllib.parse.quote(value, safe='/:;()')}"
    return client.get(endpoint, urllib.parse.urlencode({"fields": FIELDS}, safe=",."), parse_paper, accept="application/json")


def match_title(client, api_url: str, title: str) -> list[GraphWork]:
    """Semantic Scholar's best title match (guard it); raises NotFound when it has none."""
    query = urllib.parse.urlencode({"query": normalise_text(title), "fields": FIELDS}, safe=",.", quote_via=urllib.parse.quote)
    return client.get(f"{api_url.rstrip('/')}/paper/search/match", query, parse_match, accept="application/json")
