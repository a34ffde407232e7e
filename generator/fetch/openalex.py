"""OpenAlex `works`: a paper's published venue, references and citation count.

A work is asked for by DOI (`/works/doi:10.1145/...`; an arXiv paper by its
arXiv DOI `10.48550/arXiv.ID`) or searched by title
(`/works?filter=title.search:...`). Its `referenced_works` are OpenAlex W
ids; they are turned into DOIs and arXiv ids by batched list queries
(`filter=openalex:W1|W2|...`, at most 50 ids a request, `select=` keeping the
answer to the ids). A merged work's old W id is answered by a redirect to the
work it was merged into (urllib follows it), so an id a batch does not
return is asked for once on its own. OpenAlex asks callers to send a
`mailto` and allows about ten requests a second; the polite client paces,
retries and caches every answer by endpoint and query.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import replace
from typing import Any

from generator.fetch.graphwork import GraphWork, as_count, as_year, code_link, is_preprint_venue
from generator.fetch.http import FetchError, NotFound
from generator.identifiers import external_id, parse_ref
from generator.textnorm import normalise_text

DEFAULT_API_URL = "https://api.openalex.org"
DELAY = 0.1  # seconds between requests: OpenAlex allows about ten a second
BATCH = 50  # W ids OR-ed in one filter
WORK_SELECT = "id,doi,ids,title,display_name,publication_year,authorships,primary_location,locations,referenced_works,cited_by_count"
ID_SELECT = "id,doi,ids,primary_location,locations"
PUBLISHED_TYPES = frozenset({"journal", "conference"})
_W_RE = re.compile(r"(?:https?://openalex\.org/)?(W\d+)$", re.I)


def short_id(value: Any) -> str | None:
    """`https://openalex.org/W123` -> `W123`."""
    found = _W_RE.match(value.strip()) if isinstance(value, str) else None
    return found.group(1).upper() if found else None


def _query(mailto: str | None, **params: str) -> str:
    if mailto:
        params["mailto"] = mailto
    return urllib.parse.urlencode(params, safe=":|,@", quote_via=urllib.parse.quote)


def _json(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"not JSON: {err}") from None


def _locations(work: dict) -> list[dict]:
    found = [work.get("primary_location")] + list(work.get("locations") or [])
    return [loc for loc in found if isinstance(loc, dict)]


def _venue(work: dict) -> str | None:
    """The first journal or conference among the work's locations, primary first."""
    for loc in _locations(work):
        source = loc.get("source")
        if not isinstance(source, dict) or source.get("type") not in PUBLISHED_TYPES:
            continue
        name = normalise_text(source.get("display_name")) if isinstance(source.get("display_name"), str) else ""
        if name and not is_preprint_venue(name):
            return name
    return None


def _ids(work: dict) -> tuple[str | None, str | None]:
    """(DOI, arXiv id) of a work: its DOI, an arXiv DOI, or an arXiv landing page."""
    doi = arxiv = None
    ids = work.get("ids") if isinstance(work.get("ids"), dict) else {}
    found = external_id(work.get("doi") if isinstance(work.get("doi"), str) else ids.get("doi") if isinstance(ids.get("doi"), str) else None)
    if found and found.startswith("arxiv:"):
        arxiv = found[len("arxiv:"):]
    elif found:
        doi = found[len("doi:"):]
    for loc in _locations(work):
        ref = parse_ref(loc.get("landing_page_url")) if isinstance(loc.get("landing_page_url"), str) else None
        if ref is not None and ref.kind == "arxiv" and arxiv is None:
            arxiv = ref.value
    return doi, arxiv


def _authors(work: dict) -> tuple[str, ...]:
    names = []
    for item in work.get("authorships") or []:
        author = item.get("author") if isinstance(item, dict) else None
        name = author.get("display_name") if isinstance(author, dict) else None
        if isinstance(name, str) and normalise_text(name):
            names.append(normalise_text(name))
    return tuple(names)


def read_work(work: Any) -> GraphWork:
    """One OpenAlex Work object; ValueError when it is not one."""
    if not isinstance(work, dict):
        raise ValueError("expected a Work object")
    wid = short_id(work.get("id"))
    title = work.get("title") if isinstance(work.get("title"), str) else work.get("display_name")
    if wid is None or not isinstance(title, str) or not normalise_text(title):
        raise ValueError("a Work needs an OpenAlex id and a title")
    refs = work.get("referenced_works") or []
    if not isinstance(refs, list):
        raise ValueError("referenced_works must be a list")
    doi, arxiv = _ids(work)
    venue = _venue(work)
    year = as_year(work.get("publication_year"))
    code = next((c for c in (code_link(loc.get("landing_page_url")) for loc in _locations(work)) if c), None)
    return GraphWork(
        source="openalex", source_id=wid, title=normalise_text(title), year=year, authors=_authors(work),
        doi=doi, arxiv=arxiv, venue=venue, venue_year=year if venue else None,
        unresolved=tuple(dict.fromkeys(w for w in map(short_id, refs) if w)),
        cited_by_count=as_count(work.get("cited_by_count")), code=code,
    )


def parse_work(data: bytes) -> GraphWork:
    return read_work(_json(data))


def parse_list(data: bytes) -> list[dict]:
    """The `results` of a list answer (`{"meta": {...}, "results": [...]}`)."""
    answer = _json(data)
    if not isinstance(answer, dict) or not isinstance(answer.get("results"), list) or not isinstance(answer.get("meta"), dict):
        raise ValueError("expected {'meta': {...}, 'results': [...]}")
    return [r for r in answer["results"] if isinstance(r, dict)]


def work_by_id(client, api_url: str, ref: str, mailto: str | None) -> GraphWork:
    """The work with external id `ref` (`doi:...` or `arxiv:...`); raises NotFound or FetchError."""
    kind, _, value = ref.partition(":")
    doi = f"10.48550/arXiv.{value}" if kind == "arxiv" else value
    endpoint = f"{api_url.rstrip('/')}/works/doi:{urllib.parse.quote(doi, safe='/:;()')}"
    return client.get(endpoint, _query(mailto, select=WORK_SELECT), parse_work, accept="application/json")


def search_title(client, api_url: str, title: str, mailto: str | None) -> list[GraphWork]:
    """Works whose title matches the words of `title` (OpenAlex's own search; guard the result)."""
    words = re.sub(r"[^\w\s-]", " ", normalise_text(title)).split()
    if not words:
        return []

    def parse(data: bytes) -> list[GraphWork]:
        return [read_work(r) for r in parse_list(data)]

    query = _query(mailto, filter=f"title.search:{' '.join(words)}", select=WORK_SELECT, **{"per-page": "10"})
    return client.get(f"{api_url.rstrip('/')}/works", query, parse, accept="application/json")


def _external(entry: dict) -> str | None:
    doi, arxiv = _ids(entry)
    return f"arxiv:{arxiv}" if arxiv else f"doi:{doi}" if doi else None


def resolve_references(client, api_url: str, wids: tuple[str, ...], mailto: str | None) -> tuple[dict[str, str], list[str]]:
    """W id -> external id for `wids` (those with neither DOI nor arXiv id are left out); failures."""
    found: dict[str, str] = {}
    answered: set[str] = set()
    failures: list[str] = []
    endpoint = f"{api_url.rstrip('/')}/works"
    for start in range(0, len(wids), BATCH):
        batch = wids[start:start + BATCH]
        query = _query(mailto, filter="openalex:" + "|".join(batch), select=ID_SELECT, **{"per-page": str(BATCH)})
        try:
            results = client.get(endpoint, query, parse_list, accept="application/json")
        except FetchError as err:
            failures.append(f"references {batch[0]}..: {err}")
            continue
        for entry in results:
            wid = short_id(entry.get("id"))
            if wid in batch:
                answered.add(wid)
                if (ext := _external(entry)) is not None:
                    found[wid] = ext
    for wid in wids:  # merged works: the old id is answered by a redirect to the new one
        if wid in answered:
            continue
        try:
            entry = client.get(f"{endpoint}/{wid}", _query(mailto, select=ID_SELECT), _json, accept="application/json")
        except NotFound:
            continue
        except FetchError as err:
            failures.append(f"reference {wid}: {err}")
            continue
        if isinstance(entry, dict) and (ext := _external(entry)) is not None:
            found[wid] = ext
    return found, failures


def with_references(client, api_url: str, work: GraphWork, mailto: str | None) -> tuple[GraphWork, list[str]]:
    """`work` with its referenced W ids turned into external ids, in the work's order."""
    if not work.unresolved:
        return work, []
    found, failures = resolve_references(client, api_url, work.unresolved, mailto)
    refs = tuple(dict.fromkeys(found[w] for w in work.unresolved if w in found))
    return replace(work, references=refs, unresolved=()), failures
