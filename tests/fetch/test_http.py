"""The polite client: pacing per host, retries, Retry-After, cache, size cap, deadline."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from apiserver import Answer

from generator.fetch.http import FetchError, Malformed, NotFound, PoliteClient, contact_from_mkdocs, user_agent


def parse_json(data: bytes):
    try:
        return json.loads(data)
    except json.JSONDecodeError as err:
        raise ValueError(str(err)) from None


class FakeTime:
    """A clock that only moves when the client sleeps (or a request is made)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


def client(tmp_path: Path, **kw) -> PoliteClient:
    kw.setdefault("delay", 0.0)
    return PoliteClient(cache_dir=tmp_path / "cache", **kw)


def test_cache_is_keyed_by_endpoint_and_query(api, tmp_path):
    c = client(tmp_path)
    notes = f"{api.url}/openreview/notes"
    a = c.get(notes, "id=gEZrGCozdqR", parse_json)
    b = c.get(notes, "id=yzkSU5zdwD", parse_json)
    assert a["notes"][0]["id"] == "gEZrGCozdqR" and b["notes"][0]["id"] == "yzkSU5zdwD"
    assert c.get(notes, "id=gEZrGCozdqR", parse_json) == a
    assert api.count("/openreview") == 2 and c.cache_hits == 1
    again = client(tmp_path)  # a second run: nothing sent
    again.get(notes, "id=yzkSU5zdwD", parse_json)
    assert again.requests == 0 and api.count("/openreview") == 2
    assert c.cache_path(notes, "id=a") != c.cache_path(f"{api.url}/other", "id=a")


def test_user_agent_names_the_tool_and_a_contact(api, tmp_path):
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nrepo_url: https://github.com/lab/list\ntheme: !!python/name:x\n")
    contact = contact_from_mkdocs(tmp_path)
    assert contact == "https://github.com/lab/list"
    c = client(tmp_path, user_agent=user_agent(contact))
    c.get(f"{api.url}/acl/N19-1423.bib", "", lambda d: d)
    assert api.agents[-1].startswith("reading-list-generator/") and "+https://github.com/lab/list" in api.agents[-1]
    assert "no contact" in user_agent(None)


def test_429_retry_after_is_honoured_then_answered(api, tmp_path):
    t = FakeTime()
    api.then("/acl/N19-1423.bib", Answer(429, b"slow down", {"Retry-After": "7"}), Answer(503, b"busy"))
    c = client(tmp_path, sleep=t.sleep, clock=t.clock)
    data = c.get(f"{api.url}/acl/N19-1423.bib", "", lambda d: d)
    assert data.startswith(b"@inproceedings")
    assert c.requests == 3 and c.retries == 2
    assert 7.0 in t.sleeps  # the server's Retry-After, not the back-off


def test_a_retry_after_beyond_the_bound_gives_up_at_once(api, tmp_path):
    api.then("/acl/N19-1423.bib", Answer(429, b"", {"Retry-After": "86400"}))
    c = client(tmp_path, sleep=FakeTime().sleep)
    with pytest.raises(FetchError, match="asks to wait 86400 s"):
        c.get(f"{api.url}/acl/N19-1423.bib", "", lambda d: d)
    assert c.requests == 1


def test_server_errors_are_retried_a_bounded_number_of_times(api, tmp_path):
    api.then("/acl/N19-1423.bib", *[Answer(500, b"oops")] * 6)
    c = client(tmp_path, sleep=FakeTime().sleep)
    with pytest.raises(FetchError, match="HTTP 500.*gave up after 4 attempts"):
        c.get(f"{api.url}/acl/N19-1423.bib", "", lambda d: d)
    assert c.requests == 4


def test_not_found_is_not_retried_and_is_remembered(api, tmp_path):
    c = client(tmp_path)
    with pytest.raises(NotFound):
        c.get(f"{api.url}/crossref/works/10.9999/nothing", "", parse_json)
    with pytest.raises(NotFound):
        client(tmp_path).get(f"{api.url}/crossref/works/10.9999/nothing", "", parse_json)
    assert api.count("/crossref") == 1


def test_a_malformed_answer_is_not_cached(api, tmp_path):
    api.then("/crossref/works/10.1038/nature14539", Answer(200, b'{"status": "ok", "mess'))
    c = client(tmp_path)
    with pytest.raises(Malformed):
        c.get(f"{api.url}/crossref/works/10.1038/nature14539", "", parse_json)
    assert c.get(f"{api.url}/crossref/works/10.1038/nature14539", "", parse_json)["status"] == "ok"
    assert api.count("/crossref") == 2


def test_an_answer_over_the_size_cap_is_refused(api, tmp_path):
    api.then("/acl/N19-1423.bib", Answer(200, b"x" * 5000))
    c = client(tmp_path, max_bytes=4096)
    with pytest.raises(FetchError, match="larger than 4,096 bytes"):
        c.get(f"{api.url}/acl/N19-1423.bib", "", lambda d: d)
    assert not list((tmp_path / "cache").rglob("*.raw"))


def test_a_slow_answer_times_out_and_is_retried(api, tmp_path):
    api.then("/acl/N19-1423.bib", Answer(200, b"late", sleep=1.0))
    c = client(tmp_path, timeout=0.2)
    assert c.get(f"{api.url}/acl/N19-1423.bib", "", lambda d: d).startswith(b"@inproceedings")
    assert c.requests == 2 and c.retries == 1


def test_an_answer_sent_a_byte_at_a_time_is_cut_off(api, tmp_path):
    """Each byte arrives within the socket timeout; the whole answer is bounded too."""
    api.then("/acl/N19-1423.bib", Answer(200, b"@inproceedings{x, title={y}}" * 4, trickle=0.1))
    c = client(tmp_path, timeout=5.0, answer_timeout=1.0)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"still arriving after 1 s; gave up on http://127\.0\.0\.1:\d+/acl/N19-1423\.bib"):
        c.get(f"{api.url}/acl/N19-1423.bib", "", lambda d: d)
    assert time.monotonic() - started < 3.0  # not the 11 s the answer would take
    assert c.requests == 1 and not list((tmp_path / "cache").rglob("*.raw"))


def test_the_deadline_bounds_the_whole_run(api, tmp_path):
    t = FakeTime()
    api.then("/acl/N19-1423.bib", Answer(429, b"", {"Retry-After": "60"}))
    c = client(tmp_path, deadline=30.0, sleep=t.sleep, clock=t.clock)
    with pytest.raises(FetchError, match="deadline"):
        c.get(f"{api.url}/acl/N19-1423.bib", "", lambda d: d)
    assert t.sleeps == []  # it did not wait 60 s to find out


def test_requests_to_one_host_are_spaced_by_its_delay(api, tmp_path):
    t = FakeTime()
    c = PoliteClient(cache_dir=None, delay=3.0, sleep=t.sleep, clock=t.clock)
    for forum in ("gEZrGCozdqR", "yzkSU5zdwD", "HkgEQnRqYQ"):
        c.get(f"{api.url}/openreview/notes", f"id={forum}", parse_json)
    assert t.sleeps == [3.0, 3.0]


def test_default_delays_follow_each_hosts_rule(tmp_path):
    from generator.fetch.http import HOST_DELAYS

    assert HOST_DELAYS["export.arxiv.org"] == 3.0  # https://info.arxiv.org/help/api/tou.html
    assert HOST_DELAYS["api.crossref.org"] <= 1.0


def test_an_unreachable_host_is_not_asked_again_this_run(tmp_path):
    t = FakeTime()
    c = PoliteClient(cache_dir=None, delay=0.0, sleep=t.sleep, clock=t.clock, max_attempts=2)
    with pytest.raises(FetchError, match="network error"):
        c.fetch("http://127.0.0.1:9/a")
    with pytest.raises(FetchError, match="not asked again"):
        c.fetch("http://127.0.0.1:9/b")
    assert c.requests == 2


def test_no_dns_means_offline_at_once(tmp_path):
    c = PoliteClient(cache_dir=None, delay=0.0, sleep=FakeTime().sleep)
    with pytest.raises(FetchError, match="network error"):
        c.fetch("http://no-such-host.invalid/a")
    with pytest.raises(FetchError, match="not asked again"):
        c.fetch("http://no-such-host.invalid/b")
    assert c.requests == 1
