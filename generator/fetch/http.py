"""A polite HTTP client shared by every metadata source of `add` and `import`.

Politeness is the point, so it lives in one place: requests to one host are
at least that host's delay apart (arXiv asks for three seconds), every
request carries a descriptive User-Agent with a contact, 429 and 5xx answers
are retried with exponential back-off honouring a bounded `Retry-After`, an
answer larger than the size cap is refused, and the whole run has a
deadline. Every answer that parsed is kept raw on disk, keyed by endpoint and
query, so a second run sends nothing; a "not found" is kept too.

The standard library's urllib is enough here: one GET at a time, per-host
pacing that must be ours anyway, and a size cap read with `read(n + 1)`.
"""

from __future__ import annotations

import email.utils
import hashlib
import http.client
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar

from generator.writer import write_atomic

T = TypeVar("T")

VERSION = "0.1"
MAX_BYTES = 5_000_000
MAX_ATTEMPTS = 4
MAX_RETRY_AFTER = 120.0  # seconds; a server asking for longer is given up on for this run
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
NOT_FOUND_STATUSES = frozenset({404, 410})
# Seconds between two requests to one host: arXiv's published rule is one
# request every three seconds; Crossref's public pool allows 5 per second;
# OpenReview and the ACL Anthology publish none, so one a second.
HOST_DELAYS = {"export.arxiv.org": 3.0, "arxiv.org": 3.0, "api.crossref.org": 0.2}
DEFAULT_DELAY = 1.0
NOT_FOUND_MARK = b"\x00not-found\n"


class FetchError(RuntimeError):
    """The answer could not be had: network, HTTP error, size, deadline or malformed."""


class Malformed(FetchError):
    """The answer came but is not what the API documents (not cached)."""


class NotFound(FetchError):
    """The source answered that it has no such paper."""


def user_agent(contact: str | None) -> str:
    """A User-Agent naming the tool and, when known, where to reach its operator."""
    where = f"+{contact}" if contact else "no contact configured: set repo_url in mkdocs.yml"
    return f"reading-list-generator/{VERSION} ({where}; paper metadata for a reading list) python-urllib"


def contact_from_mkdocs(*folders: Path) -> str | None:
    """`repo_url` from the first mkdocs.yml found in `folders` (read as text:
    the file may carry tags a plain YAML loader refuses)."""
    for folder in folders:
        path = folder / "mkdocs.yml"
        try:
            text = path.read_text("utf-8")
        except OSError:
            continue
        m = re.search(r"^repo_url:\s*['\"]?(https?://[^\s'\"#]+)", text, re.M)
        if m:
            return m.group(1)
    return None


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def read_bounded(response, max_bytes: int, end: float, clock: Callable[[], float],
                 fail: Callable[[str], Exception]) -> bytes:
    """An answer's body read in steps, raising `fail("size")` past `max_bytes` and
    `fail("time")` past the clock time `end`: a server may send a byte at a time,
    each within the socket timeout."""
    chunks, size = [], 0
    while chunk := response.read1(65536):
        size += len(chunk)
        if size > max_bytes:
            raise fail("size")
        if clock() > end:
            raise fail("time")
        chunks.append(chunk)
    return b"".join(chunks)


@dataclass
class PoliteClient:
    """GETs with per-host pacing, retries, a size cap, a deadline and a raw cache."""

    user_agent: str = user_agent(None)
    cache_dir: Path | None = None
    delay: float | None = None  # one delay for every host (tests: 0); None: HOST_DELAYS
    timeout: float = 30.0  # for each socket read
    answer_timeout: float = 60.0  # for a whole answer: a server may send a byte a second, each read in time
    deadline: float | None = 600.0  # seconds for the whole run, from the first request
    max_bytes: int = MAX_BYTES
    max_attempts: int = MAX_ATTEMPTS
    max_retry_after: float = MAX_RETRY_AFTER
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    requests: int = 0  # sent, retries included
    cache_hits: int = 0
    retries: int = 0
    _last: dict[str, float] = field(default_factory=dict, repr=False)
    _down: dict[str, str] = field(default_factory=dict, repr=False)  # host -> why: unreachable this run
    _started: float | None = field(default=None, repr=False)

    # ------------------------------------------------------------ cache

    def cache_path(self, endpoint: str, query: str) -> Path | None:
        """The cache file of one answer: endpoint and query both in the key."""
        if self.cache_dir is None:
            return None
        digest = hashlib.sha256(f"{endpoint}\n{query}".encode("utf-8")).hexdigest()
        host = re.sub(r"[^a-z0-9.-]", "_", (urllib.parse.urlsplit(endpoint).hostname or "local").lower())
        return self.cache_dir / host / f"{digest[:40]}.raw"

    def get(self, endpoint: str, query: str, parse: Callable[[bytes], T], *, accept: str = "*/*") -> T:
        """`parse(answer)` for GET endpoint?query, from the cache when it is there.

        `parse` raises ValueError on a malformed answer: that answer is not
        cached (asked for again next run) and becomes a FetchError. A 404 or
        410 raises NotFound and is remembered.
        """
        path = self.cache_path(endpoint, query)
        if path is not None and path.is_file():
            data = path.read_bytes()
            if data == NOT_FOUND_MARK:
                self.cache_hits += 1
                raise NotFound(f"not found (cached answer) for {endpoint}")
            try:
                value = parse(data)
            except ValueError:
                pass  # a damaged cache file: fetch again and replace it
            else:
                self.cache_hits += 1
                return value
        url = f"{endpoint}?{query}" if query else endpoint
        try:
            data = self.fetch(url, accept)
        except NotFound:
            if path is not None:
                write_atomic(path, NOT_FOUND_MARK)
            raise
        try:
            value = parse(data)
        except ValueError as err:
            raise Malformed(f"malformed answer from {endpoint}: {err}") from None
        if path is not None:
            write_atomic(path, data)
        return value

    # ------------------------------------------------------------ network

    def _remaining(self) -> float | None:
        if self.deadline is None:
            return None
        if self._started is None:
            self._started = self.clock()
        return self.deadline - (self.clock() - self._started)

    def _wait_turn(self, host: str, at_least: float) -> None:
        delay = self.delay if self.delay is not None else HOST_DELAYS.get(host, DEFAULT_DELAY)
        last = self._last.get(host)
        wait = at_least if last is None else max(delay, at_least) - (self.clock() - last)
        remaining = self._remaining()
        if remaining is not None and wait > remaining:
            raise FetchError(f"the run's deadline ({self.deadline:.0f} s) would pass while waiting for {host}")
        if wait > 0:
            self.sleep(wait)

    def _read(self, response, url: str) -> bytes:
        """The body, refused past `max_bytes` or once it has taken `answer_timeout`
        (or the run's deadline) to arrive."""
        remaining = self._remaining()
        allowed = self.answer_timeout if remaining is None else max(0.01, min(self.answer_timeout, remaining))
        why = {"size": f"answer larger than {self.max_bytes:,} bytes; refused, from {url}",
               "time": f"answer still arriving after {allowed:.0f} s; gave up on {url}"}
        return read_bounded(response, self.max_bytes, self.clock() + allowed, self.clock, lambda kind: FetchError(why[kind]))

    def fetch(self, url: str, accept: str = "*/*") -> bytes:
        """GET `url`, retrying network errors, 429 and 5xx with back-off."""
        host = (urllib.parse.urlsplit(url).hostname or "").lower()
        if host in self._down:  # offline, or the host is down: do not wait on it again this run
            raise FetchError(f"{self._down[host]} (not asked again this run) for {url}")
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent, "Accept": accept})
        backoff = 1.0 if self.delay is None else max(self.delay, 0.01)
        extra = 0.0
        last_error = ""
        for attempt in range(1, self.max_attempts + 1):
            self._wait_turn(host, extra)
            remaining = self._remaining()
            if remaining is not None and remaining <= 0:
                raise FetchError(f"the run's deadline ({self.deadline:.0f} s) has passed")
            timeout = self.timeout if remaining is None else max(0.01, min(self.timeout, remaining))
            self.requests += 1
            self.retries += attempt > 1
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    return self._read(response, url)
            except urllib.error.HTTPError as err:
                last_error = f"HTTP {err.code} {err.reason}"
                wait = retry_after_seconds(err.headers.get("Retry-After") if err.headers else None)
                err.close()
                if err.code in NOT_FOUND_STATUSES:
                    raise NotFound(f"{last_error} for {url}") from None
                if err.code not in RETRY_STATUSES:
                    raise FetchError(f"{last_error} for {url}") from None
                if wait is not None and wait > self.max_retry_after:
                    raise FetchError(f"{last_error}: {host} asks to wait {wait:.0f} s; try again later") from None
                extra = wait if wait is not None else backoff * 2 ** (attempt - 1)
            except (urllib.error.URLError, http.client.HTTPException, socket.timeout, OSError) as err:
                reason = getattr(err, "reason", err)
                last_error = f"network error: {reason}"
                if isinstance(reason, socket.gaierror):  # no DNS: offline, retrying will not help
                    self._down[host] = last_error
                    raise FetchError(f"{last_error} for {url}") from None
                extra = backoff * 2 ** (attempt - 1)
            finally:
                self._last[host] = self.clock()  # the delay counts from the end of a request
        if last_error.startswith("network error"):
            self._down[host] = last_error
        raise FetchError(f"{last_error} (gave up after {self.max_attempts} attempts) for {url}")
