"""A small, polite client for the arXiv API's Atom query interface.

Only what `enrich` needs: build a title (or id) query, fetch it at most once
every `delay` seconds with retries and exponential back-off, keep every raw
response in an on-disk cache so a second run sends nothing, and parse the
Atom feed into frozen records.

The feed is parsed with the standard library only after a first pass that
refuses any DOCTYPE or entity declaration, so a hostile or broken server can
neither expand entities nor make the parser fetch anything.
"""

from __future__ import annotations

import hashlib
import http.client
import re
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from generator.fetch.http import read_bounded, retry_after_seconds
from generator.identifiers import split_arxiv_version
from generator.fetch.metadata import FetchedPaper
from generator.textnorm import normalise_text
from generator.writer import write_atomic

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
USER_AGENT = "reading-list-generator/0.1 (arXiv metadata enrichment; python-urllib)"
MAX_RESULTS = 5
MAX_ATTEMPTS = 4
MAX_RETRY_AFTER = 60.0  # seconds; beyond this we give up rather than hang
MAX_BYTES = 5_000_000  # an answer of MAX_RESULTS entries is a few kilobytes
PAPER_DEADLINE = 120.0  # seconds for one paper's lookup, retries and waits included
RUN_DEADLINE = 1800.0  # seconds for the whole run, from its first request
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"

# New-style (2403.03507, 0704.0001) and old-style (hep-th/9901001, math.GT/0309136) ids.
_ABS_RE = re.compile(r"^https?://(?:www\.|export\.)?arxiv\.org/abs/(.+?)/?$")


class FeedError(ValueError):
    """The response is not a usable arXiv Atom feed."""


class FetchError(RuntimeError):
    """The request failed after every retry (or could not be retried)."""


@dataclass(frozen=True)
class ArxivEntry:
    """One paper of a feed; `arxiv_id` has no version suffix."""

    arxiv_id: str
    version: int | None
    title: str  # whitespace collapsed, LaTeX escapes decoded
    authors: tuple[str, ...]
    published: str  # first version's submission time, as arXiv wrote it
    updated: str
    primary_class: str | None
    summary: str
    doi: str | None = None  # the published version's DOI, when the authors gave one
    journal_ref: str | None = None

    @property
    def year(self) -> int | None:
        m = re.match(r"(\d{4})-", self.published)
        return int(m.group(1)) if m else None

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"


@dataclass(frozen=True)
class ArxivFeed:
    total_results: int
    entries: tuple[ArxivEntry, ...]


def split_version(raw: str) -> tuple[str, int | None]:
    """`2403.03507v2` -> (`2403.03507`, 2)."""
    found = split_arxiv_version(raw)
    if found is None:
        raise FeedError(f"not an arXiv id: {raw!r}")
    return found


# --------------------------------------------------------------------- parse


def _refuse_declarations(data: bytes) -> None:
    """Well-formedness pass that rejects DOCTYPE and entity declarations."""

    def refuse(*_args) -> None:
        raise FeedError("the response declares a DOCTYPE or entities; refusing to parse it")

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = lambda *_a: 0
    try:
        parser.Parse(data, True)
    except expat.ExpatError as err:
        raise FeedError(f"malformed XML: {expat.errors.messages.get(err.code, str(err))} at line {err.lineno}") from None


def _text(element: ET.Element | None) -> str:
    if element is None or element.text is None:
        return ""
    return " ".join(element.text.split())


def parse_feed(data: bytes) -> ArxivFeed:
    """Parse an arXiv API response; raise FeedError when it is not a feed."""
    if not data.strip():
        raise FeedError("empty response")
    _refuse_declarations(data)
    root = ET.fromstring(data)
    if root.tag != f"{ATOM}feed":
        raise FeedError(f"expected an Atom <feed>, found <{root.tag}>")
    total_text = _text(root.find(f"{OPENSEARCH}totalResults"))
    try:
        total = int(total_text)
    except ValueError:
        raise FeedError(f"opensearch:totalResults is {total_text!r}, expected a number") from None
    entries = []
    for entry in root.findall(f"{ATOM}entry"):
        raw_id = _text(entry.find(f"{ATOM}id"))
        if "/api/errors" in raw_id:  # arXiv reports a bad query as a 200 feed with an "Error" entry
            raise FeedError(f"arXiv API error: {_text(entry.find(f'{ATOM}summary')) or raw_id}")
        m = _ABS_RE.match(raw_id)
        if not m:
            raise FeedError(f"entry id {raw_id!r} is not an arxiv.org/abs/ URL")
        arxiv_id, version = split_version(m.group(1))
        authors = tuple(
            name
            for name in (normalise_text(_text(a.find(f"{ATOM}name"))) for a in entry.findall(f"{ATOM}author"))
            if name
        )
        primary = entry.find(f"{ARXIV}primary_category")
        entries.append(
            ArxivEntry(
                arxiv_id=arxiv_id,
                version=version,
                title=normalise_text(_text(entry.find(f"{ATOM}title"))),
                authors=authors,
                published=_text(entry.find(f"{ATOM}published")),
                updated=_text(entry.find(f"{ATOM}updated")),
                primary_class=(primary.get("term") or None) if primary is not None else None,
                summary=normalise_text(_text(entry.find(f"{ATOM}summary"))),
                doi=_text(entry.find(f"{ARXIV}doi")) or None,
                journal_ref=normalise_text(_text(entry.find(f"{ARXIV}journal_ref"))) or None,
            )
        )
    return ArxivFeed(total, tuple(entries))


# --------------------------------------------------------------------- query


def title_phrase(title: str) -> str:
    """The title as a safe phrase: accents folded, only letters, digits, spaces.

    Colons, quotes, parentheses and the like are query syntax for arXiv's
    search; its index splits words on them anyway, so dropping them loses
    nothing.
    """
    folded = unicodedata.normalize("NFKD", normalise_text(title))
    kept = []
    for ch in folded:
        cat = unicodedata.category(ch)
        if cat.startswith("M"):
            continue
        kept.append(ch if cat.startswith(("L", "N")) else " ")
    return " ".join("".join(kept).split())


def title_query(title: str) -> str:
    """The query string (after `?`) for an exact-title search."""
    return _encode([("search_query", f'ti:"{title_phrase(title)}"'), ("start", "0"), ("max_results", str(MAX_RESULTS))])


def id_query(arxiv_id: str) -> str:
    """The query string for a lookup by arXiv id."""
    return _encode([("id_list", arxiv_id), ("start", "0"), ("max_results", "1")])


def ids_query(arxiv_ids: list[str]) -> str:
    """The query string for a lookup of several arXiv ids in one request."""
    return _encode([("id_list", ",".join(arxiv_ids)), ("start", "0"), ("max_results", str(len(arxiv_ids)))])


def _encode(params: list[tuple[str, str]]) -> str:
    return "&".join(f"{k}={urllib.parse.quote(v, safe=':/')}" for k, v in params)


# --------------------------------------------------------------------- fetch


@dataclass
class ArxivClient:
    """Fetches queries politely: one request per `delay` seconds, cached, retried."""

    api_url: str = DEFAULT_API_URL
    delay: float = 3.0
    cache_dir: Path | None = None
    timeout: float = 30.0
    max_attempts: int = MAX_ATTEMPTS
    user_agent: str = USER_AGENT
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    max_bytes: int = MAX_BYTES
    paper_deadline: float = PAPER_DEADLINE
    run_deadline: float | None = RUN_DEADLINE
    requests: int = 0  # HTTP requests actually sent, retries included
    cache_hits: int = 0
    retries: int = 0
    _last_request: float | None = field(default=None, repr=False)
    _started: float | None = field(default=None, repr=False)

    def cache_path(self, query: str) -> Path | None:
        """The cache file of one answer, keyed by endpoint and query: a mirror's
        or a test server's answers are never replayed for another `--api-url`."""
        if self.cache_dir is None:
            return None
        digest = hashlib.sha1((self.api_url + "\n" + query).encode("utf-8")).hexdigest()
        return self.cache_dir / f"{digest}.xml"

    def _deadline(self) -> tuple[float, str]:
        """The clock time this lookup must end by, and which deadline that is."""
        now = self.clock()
        if self._started is None:
            self._started = now
        end, which = now + self.paper_deadline, f"the per-paper deadline ({self.paper_deadline:.0f} s)"
        if self.run_deadline is not None and self._started + self.run_deadline < end:
            end, which = self._started + self.run_deadline, f"the run's deadline ({self.run_deadline:.0f} s)"
        return end, which

    def _read(self, response, end: float, which: str) -> bytes:
        """The body, refused past `max_bytes` or past the deadline (a server may
        send one byte at a time, each within the socket timeout)."""
        why = {"size": f"answer of {self.api_url} larger than {self.max_bytes:,} bytes; refused",
               "time": f"{which} passed while {self.api_url} was still answering"}
        return read_bounded(response, self.max_bytes, end, self.clock, lambda kind: FetchError(why[kind]))

    def lookup(self, query: str) -> ArxivFeed:
        """The parsed feed for `query`, from the cache or the API.

        Only responses that parse are cached, so a malformed answer is asked
        for again next run rather than remembered.
        """
        path = self.cache_path(query)
        if path is not None and path.is_file():
            try:
                feed = parse_feed(path.read_bytes())
            except FeedError:
                pass  # a damaged cache file: fetch again and replace it
            else:
                self.cache_hits += 1
                return feed
        data = self.fetch(query)
        feed = parse_feed(data)
        if path is not None:
            write_atomic(path, data)
        return feed

    def _wait_turn(self, at_least: float = 0.0) -> None:
        if self._last_request is not None:
            wait = max(self.delay, at_least) - (self.clock() - self._last_request)
            if wait > 0:
                self.sleep(wait)
        elif at_least > 0:
            self.sleep(at_least)

    def fetch(self, query: str) -> bytes:
        """GET `api_url?query`, retrying network errors, 429 and 5xx."""
        url = f"{self.api_url}?{query}"
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent, "Accept": "application/atom+xml"})
        backoff = max(self.delay, 0.05)
        wait_extra = 0.0
        last_error = ""
        end, which = self._deadline()
        for attempt in range(1, self.max_attempts + 1):
            if self.clock() + wait_extra > end:
                raise FetchError(f"{last_error or 'no answer'}: {which} would pass waiting for {self.api_url}")
            self._wait_turn(wait_extra)
            remaining = end - self.clock()
            if remaining <= 0:
                raise FetchError(f"{which} passed before {self.api_url} answered")
            self.requests += 1
            if attempt > 1:
                self.retries += 1
            try:
                with urllib.request.urlopen(request, timeout=min(self.timeout, remaining)) as response:
                    return self._read(response, end, which)
            except urllib.error.HTTPError as err:
                last_error = f"HTTP {err.code} {err.reason}"
                retry_after = retry_after_seconds(err.headers.get("Retry-After") if err.headers else None)
                err.close()
                if err.code not in RETRY_STATUSES:
                    raise FetchError(f"{last_error} for {url}") from None
                if retry_after is not None and retry_after > MAX_RETRY_AFTER:
                    raise FetchError(f"{last_error}: arXiv asks to wait {retry_after:.0f} s; try again later") from None
                wait_extra = retry_after if retry_after is not None else backoff * 2 ** (attempt - 1)
            except (urllib.error.URLError, http.client.HTTPException, OSError) as err:
                reason = getattr(err, "reason", err)
                last_error = f"network error: {reason}"
                wait_extra = backoff * 2 ** (attempt - 1)
            finally:
                # The delay counts from the end of a request, so that requests
                # never start closer together than `delay`, however slow they are.
                self._last_request = self.clock()
        raise FetchError(f"{last_error} (gave up after {self.max_attempts} attempts) for {url}")


# --------------------------------------------------------------------- by id


def entry_to_paper(entry: ArxivEntry) -> FetchedPaper:
    """An arXiv entry as the library's fields: the abs page as URL, the
    journal reference (or `arXiv preprint`) as venue."""
    return FetchedPaper(
        source="arxiv",
        title=entry.title,
        abstract=entry.summary,
        authors=entry.authors,
        year=entry.year,
        venue=entry.journal_ref or "arXiv preprint",
        url=entry.abs_url,
        arxiv=entry.arxiv_id,
        doi=entry.doi or None,
        primary_class=entry.primary_class,
    )


def _parse_checked(data: bytes) -> ArxivFeed:
    try:
        return parse_feed(data)
    except ET.ParseError as err:
        raise FeedError(f"malformed XML: {err}") from None


BATCH = 50  # ids per request; arXiv serves id_list lookups of this size quickly


def fetch_ids(client, api_url: str, arxiv_ids: list[str]) -> tuple[dict[str, FetchedPaper], dict[str, str]]:
    """Look `arxiv_ids` up in batches: ({id: paper}, {id: why it is missing}).

    A batch the API refuses as a whole (one malformed id makes arXiv answer
    with an error entry) is asked again one id at a time, so one bad id does
    not cost the others.
    """
    from generator.fetch.http import FetchError as HttpError, Malformed

    found: dict[str, FetchedPaper] = {}
    failed: dict[str, str] = {}
    unique = list(dict.fromkeys(arxiv_ids))
    batches = [unique[i : i + BATCH] for i in range(0, len(unique), BATCH)]
    while batches:
        batch = batches.pop(0)
        try:
            feed = client.get(api_url, ids_query(batch), _parse_checked, accept="application/atom+xml")
        except Malformed as err:
            if len(batch) > 1:
                batches[:0] = [[one] for one in batch]
            else:
                failed[batch[0]] = str(err)
            continue
        except (HttpError, OSError) as err:  # OSError: the cache folder
            for one in batch:
                failed[one] = str(err)
            continue
        by_id = {entry.arxiv_id: entry for entry in feed.entries if entry.title}
        for one in batch:
            if one in by_id:
                found[one] = entry_to_paper(by_id[one])
            else:
                failed[one] = f"arXiv has no paper {one}"
    return found, failed
