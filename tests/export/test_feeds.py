"""Atom feeds: valid for feed readers, hostile text stays text, bytes never drift."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import feedparser
import pytest

from generator.export.feeds import EPOCH, atom_feed, atom_timestamp, newest_first
from generator.model import Paper, SourceRef

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE_TITLE = '<script>alert("x")</script> R&B & <1.5% ]]> PokéChamp'
HOSTILE_ABSTRACT = "Bell\x07 null\x00 esc\x1b del\x7f <b>bold</b> &amp; {it misaligned} \ufffe end"


def make(key: str, added: str, title: str | None = None, **kw) -> Paper:
    kw.setdefault("abstract", f"Abstract of {key}.")
    return Paper(key=key, title=title or key.title(), added=added, sources=(SourceRef("000_x.txt", "Mar 12"),), **kw)


PAPERS = [
    make("older", "2026-10-01", authors=("Ada Lovelace", "Alan Turing")),
    make("hostile", "2026-11-01", HOSTILE_TITLE, abstract=HOSTILE_ABSTRACT),
    make("alpha", "2026-11-01"),
    make("newest", "2026-11-03T09:30:00+02:00"),
    make("no-abstract", "2026-09-15", abstract=""),
]


def feed(papers=PAPERS, **kw) -> str:
    args = dict(
        feed_id="tag:example.org,2026:feeds/all",
        title="All papers",
        site_url="https://example.org/reading-list/",
        feed_path="feeds/all.xml",
        page_url=lambda p: f"papers/{p.key}/",
    )
    args.update(kw)
    return atom_feed(papers, **args)


def parsed(text: str):
    result = feedparser.parse(text.encode("utf-8"))
    assert result.bozo == 0, result.get("bozo_exception")
    return result


def test_feedparser_reads_it_cleanly() -> None:
    result = parsed(feed())
    assert result.version == "atom10"
    assert result.feed.title == "All papers"
    assert result.feed.id == "tag:example.org,2026:feeds/all"
    assert len(result.entries) == len(PAPERS)


def test_newest_additions_first_then_key() -> None:
    keys = [e.link.rsplit("/", 2)[-2] for e in parsed(feed()).entries]
    assert keys == ["newest", "alpha", "hostile", "older", "no-abstract"]
    assert [p.key for p in newest_first(reversed(PAPERS))] == keys


def test_limit_keeps_the_newest() -> None:
    keys = [e.link.rsplit("/", 2)[-2] for e in parsed(feed(limit=2)).entries]
    assert keys == ["newest", "alpha"]


def test_hostile_text_survives_as_text() -> None:
    text = feed()
    assert "<script>" not in text and "<b>" not in text
    entry = next(e for e in parsed(text).entries if e.link.endswith("/hostile/"))
    assert entry.title == HOSTILE_TITLE
    assert entry.summary == "Bell null esc del <b>bold</b> &amp; {it misaligned} end"
    assert entry.title_detail.type == "text/plain" and entry.summary_detail.type == "text/plain"


def test_entries_carry_id_link_updated_authors() -> None:
    entries = parsed(feed()).entries
    newest, older = entries[0], entries[3]
    assert newest.id == newest.link == "https://example.org/reading-list/papers/newest/"
    assert newest.updated == "2026-11-03T07:30:00Z"
    assert [a.name for a in older.authors] == ["Ada Lovelace", "Alan Turing"]
    assert "summary" not in entries[4]


def test_feed_updated_is_the_newest_addition_not_the_clock() -> None:
    assert parsed(feed()).feed.updated == "2026-11-03T07:30:00Z"
    assert parsed(feed(updated="2027-01-01")).feed.updated == "2027-01-01T00:00:00Z"
    empty = parsed(feed(papers=[]))
    assert empty.feed.updated == EPOCH and empty.entries == []


def test_relative_links_without_site_url() -> None:
    text = feed(site_url="")
    root = ET.fromstring(text.encode())
    self_link = root.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == "feeds/all.xml"
    entry = root.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}link").get("href") == "papers/newest/"
    assert entry.find(f"{ATOM}id").text == "tag:example.org,2026:papers/newest"
    parsed(text)


def test_identical_bytes_on_every_call_and_any_input_order() -> None:
    first = feed()
    assert first == feed()
    assert first == feed(papers=list(reversed(PAPERS)))
    assert first.startswith('<?xml version="1.0" encoding="utf-8"?>\n') and first.endswith("</feed>\n")


@pytest.mark.parametrize(
    ("added", "expected"),
    [
        ("2026-11-01", "2026-11-01T00:00:00Z"),
        ("2026-11-01T10:00:00", "2026-11-01T10:00:00Z"),
        ("2026-11-01T10:00:00Z", "2026-11-01T10:00:00Z"),
        ("not a date", EPOCH),
        ("", EPOCH),
    ],
    ids=["date", "naive-datetime", "utc", "garbage", "empty"],
)
def test_timestamps(added: str, expected: str) -> None:
    assert atom_timestamp(added) == expected
