"""`python -m generator enrich` against a local stand-in for the arXiv API.

The stub serves Atom files shaped like arXiv's (tests/fixtures/arxiv/) on
127.0.0.1, records every request with its time, and can answer a query with
a sequence of responses (a 503, then the feed).
"""

from __future__ import annotations

import hashlib
import socket
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.fetch import arxiv as arxiv_mod
from generator.fetch.arxiv import ArxivEntry, ArxivFeed, FeedError, parse_feed, title_phrase, title_query
from generator.cli import main
from generator.curation.enrich import classify
from generator.library.records import load_library
from generator.model import Paper

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv"

GALORE = "GaLore: Memory-Efficient LLM Training by Gradient Low-Rank Projection"
FP_QUANT = "Scaling Laws for Floating Point Quantization Training"
PROVER = "Prover-Verifier Games improve legibility of LLM outputs"
HOLMES = "Holmes: Towards Distributed Training Across Clusters with Heterogeneous NIC Environment"
MEGASCALE = "MegaScale: Scaling Large Language Model Training to More Than 10,000 GPUs"

RECORDS = {
    "galore": """\
# Curated by hand: keep this comment.
key: galore
title: '{GALORE}'
abstract: Training Large Language Models (LLMs) presents significant memory challenges.
added: 2025-01-01
sources:
  - file: 000_c0e08a5fb17945d4.txt
    date: Mar 12
# We cite the workshop version, hence the year.
year: 2023  # hand-written, keep
tags:
  - optimizers
""".replace("{GALORE}", GALORE),
    "scaling-laws-floating-point": f"""\
key: scaling-laws-floating-point
title: {FP_QUANT}
abstract: Low-precision training scaling laws.
added: 2025-01-01
sources:
  - file: 000_c0e08a5fb17945d4.txt
""",
    "prover-verifier-games": f"""\
key: prover-verifier-games
title: {PROVER}
abstract: Prover-verifier games.
added: 2025-01-01
""",
    "holmes": f"""\
key: holmes
title: '{HOLMES}'
abstract: Distributed training across clusters.
added: 2025-01-01
""",
    "megascale": f"""\
key: megascale
title: '{MEGASCALE}'
abstract: Training at the scale of more than 10,000 GPUs.
added: 2025-01-01
""",
    "bitnet": """\
key: bitnet
title: 'BitNet: Scaling 1-bit Transformers for Large Language Models'
abstract: One-bit transformers.
added: 2025-01-01
authors:
  - Hongyu Wang
year: 2023
arxiv: '2310.11453'
""",
}


def feed(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class ArxivStub:
    """Routes `ti:"<phrase>"` (or `id:<id>`) to a list of responses, the last one repeating."""

    def __init__(self) -> None:
        self.routes: dict[str, list[tuple[int, dict[str, str], bytes]]] = {}
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.url = ""

    def title(self, title: str, *responses) -> None:
        self.routes[f'ti:"{title_phrase(title)}"'] = [r if isinstance(r, tuple) else (200, {}, r) for r in responses]

    def arxiv_id(self, arxiv_id: str, *responses) -> None:
        self.routes[f"id:{arxiv_id}"] = [r if isinstance(r, tuple) else (200, {}, r) for r in responses]

    def respond(self, path: str, headers) -> tuple[int, dict[str, str], bytes]:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
        route = query.get("search_query", [""])[0] or f"id:{query.get('id_list', [''])[0]}"
        with self.lock:
            self.requests.append({"time": time.monotonic(), "path": path, "route": route, "ua": headers.get("User-Agent", "")})
            queue = self.routes.get(route)
            if not queue:
                return 200, {}, feed("empty.xml")
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def count(self, title: str) -> int:
        return sum(1 for r in self.requests if r["route"] == f'ti:"{title_phrase(title)}"')


@pytest.fixture
def stub():
    state = ArxivStub()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            status, headers, body = state.respond(self.path, self.headers)
            self.send_response(status)
            self.send_header("Content-Type", "application/atom+xml; charset=utf-8" if status == 200 else "text/plain")
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/api/query"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    (root / "papers").mkdir(parents=True)
    for key, text in RECORDS.items():
        (root / "papers" / f"{key}.yml").write_text(text, "utf-8")
    return root


def enrich(content: Path, stub: ArxivStub, *extra: str, delay: str = "0.01") -> int:
    return main(["enrich", "--content", str(content), "--api-url", stub.url, "--delay", delay, *extra])


def record(content: Path, key: str) -> str:
    return (content / "papers" / f"{key}.yml").read_text("utf-8")


# ---------------------------------------------------------------- a full run


def test_run_matches_fills_and_reports_every_outcome(content, stub, capsys):
    stub.title(GALORE, feed("galore.xml"))
    stub.title(FP_QUANT, feed("ambiguous.xml"))
    stub.title(PROVER, feed("empty.xml"))
    stub.title(HOLMES, feed("malformed.xml"))
    stub.title(MEGASCALE, (503, {}, b"Rate exceeded."), feed("megascale.xml"))
    before = {key: record(content, key) for key in RECORDS}

    status = enrich(content, stub)
    out, err = capsys.readouterr()

    assert status == 1  # one lookup failed
    assert (
        "enrich: matched 2, ambiguous 1, not found 1, failed 1, skipped (already complete) 1; "
        "6 request(s) sent, 0 answered from the cache"
    ) in out
    # one request per paper, two for the 503, none for the complete bitnet record
    assert len(stub.requests) == 6
    assert stub.count(MEGASCALE) == 2
    assert not any("BitNet" in r["route"] for r in stub.requests)
    assert "failed: holmes: malformed XML" in err
    assert "ambiguous: scaling-laws-floating-point: no exact title match; 3 near" in err
    assert "not found: prover-verifier-games" in err

    # the documented query: title as a phrase, colon and hyphens gone, URL-encoded
    galore_request = next(r for r in stub.requests if "GaLore" in r["route"])
    assert galore_request["path"] == (
        "/api/query?search_query=ti:%22GaLore%20Memory%20Efficient%20LLM%20Training%20by%20Gradient"
        "%20Low%20Rank%20Projection%22&start=0&max_results=5"
    )
    assert all(r["ua"].startswith("reading-list-generator/") for r in stub.requests)

    galore = record(content, "galore")
    # curated values and comments survive; the key does not change
    assert galore.startswith("# Curated by hand: keep this comment.\nkey: galore\n")
    assert "# We cite the workshop version, hence the year.\n" in galore
    assert "year: 2023  # hand-written, keep\n" in galore
    assert "authors:\n  - Jiawei Zhao\n  - Zhenyu Zhang\n  - Beidi Chen\n" in galore
    assert "arxiv: '2403.03507'\n" in galore
    assert "url: https://arxiv.org/abs/2403.03507\n" in galore
    assert "primary_class: cs.LG\n" in galore
    assert "provenance:\n  authors: arxiv 2403.03507\n" in galore
    assert "  year: arxiv" not in galore  # year was not filled, so it has no provenance

    # ambiguous, not found and failed papers are left exactly as they were
    for key in ("scaling-laws-floating-point", "prover-verifier-games", "holmes", "bitnet"):
        assert record(content, key) == before[key]

    library = load_library(content)
    assert library.problems == ()
    papers = library.by_key()
    assert papers["galore"].year == 2023
    assert papers["galore"].arxiv == "2403.03507"
    assert papers["galore"].authors[-1] == "Yuandong Tian"
    assert papers["megascale"].authors == ("Ziheng Jiang", "Haibin Lin", "Yinmin Zhong", "Xin Liu")
    assert papers["megascale"].year == 2024
    assert papers["megascale"].url == "https://arxiv.org/abs/2402.15627"
    assert papers["megascale"].primary_class == "cs.LG"
    assert papers["megascale"].title == MEGASCALE


def test_cache_answers_a_second_run_without_any_request(content, stub, capsys):
    stub.title(GALORE, feed("galore.xml"))
    stub.title(FP_QUANT, feed("ambiguous.xml"))
    only = ["--only", "galore", "--only", "scaling-laws-floating-point", "--only", "prover-verifier-games"]
    assert enrich(content, stub, *only) == 0
    assert len(stub.requests) == 3
    query = title_query(GALORE)
    digest = hashlib.sha1((stub.url + "\n" + query).encode()).hexdigest()  # the endpoint is in the key
    cached = content / ".cache" / "arxiv" / f"{digest}.xml"
    assert cached.read_bytes() == feed("galore.xml")
    enriched = record(content, "galore")

    # undo the enrichment: the lookups must now come from the cache alone
    (content / "papers" / "galore.yml").write_text(RECORDS["galore"], "utf-8")
    capsys.readouterr()
    assert enrich(content, stub, *only) == 0
    out = capsys.readouterr().out
    assert len(stub.requests) == 3  # zero new requests
    assert "matched 1, ambiguous 1, not found 1, failed 0, skipped (already complete) 0; 0 request(s) sent, 3 answered from the cache" in out
    assert record(content, "galore") == enriched

    # a third run skips the now complete record outright
    assert enrich(content, stub, "--only", "galore") == 0
    assert "skipped (already complete) 1; 0 request(s) sent, 0 answered" in capsys.readouterr().out


def test_malformed_responses_are_not_cached(content, stub, capsys):
    stub.title(HOLMES, feed("malformed.xml"), feed("empty.xml"))
    assert enrich(content, stub, "--only", "holmes") == 1
    assert enrich(content, stub, "--only", "holmes") == 0  # asked again, now answered
    assert stub.count(HOLMES) == 2
    assert "not found: holmes" in capsys.readouterr().err


def test_retry_after_is_honoured(content, stub, capsys):
    stub.title(MEGASCALE, (503, {"Retry-After": "1"}, b"Rate exceeded."), feed("megascale.xml"))
    assert enrich(content, stub, "--only", "megascale") == 0
    first, second = stub.requests
    assert second["time"] - first["time"] >= 1.0  # as the server saw it
    assert load_library(content).by_key()["megascale"].arxiv == "2402.15627"


def test_gives_up_after_four_attempts_and_does_not_retry_a_404(content, stub, capsys):
    stub.title(MEGASCALE, (429, {}, b"Too many requests"))
    stub.title(HOLMES, (404, {}, b"Not found"))
    assert enrich(content, stub, "--only", "megascale", "--only", "holmes") == 1
    err = capsys.readouterr().err
    assert stub.count(MEGASCALE) == 4
    assert stub.count(HOLMES) == 1
    assert "gave up after 4 attempts" in err and "HTTP 404" in err


def test_network_errors_are_retried_then_reported(content, capsys):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    status = main(["enrich", "--content", str(content), "--api-url", f"http://127.0.0.1:{port}/api/query",
                   "--delay", "0.01", "--only", "galore"])
    assert status == 1
    out, err = capsys.readouterr()
    assert "failed: galore: network error" in err and "gave up after 4 attempts" in err
    assert "failed 1" in out and "4 request(s) sent" in out
    assert record(content, "galore") == RECORDS["galore"]


def test_delay_between_requests(content, stub, monkeypatch):
    sent: list[float] = []
    real_urlopen = urllib.request.urlopen

    def timed_urlopen(*args, **kwargs):
        sent.append(time.monotonic())
        return real_urlopen(*args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", timed_urlopen)
    only = ["--only", "galore", "--only", "prover-verifier-games", "--only", "holmes"]
    enrich(content, stub, *only, delay="0.2")
    assert len(sent) == 3
    client_gaps = [b - a for a, b in zip(sent, sent[1:])]
    server_gaps = [b["time"] - a["time"] for a, b in zip(stub.requests, stub.requests[1:])]
    assert min(client_gaps) >= 0.2, client_gaps
    assert min(server_gaps) >= 0.2, server_gaps  # and as the server saw them


def test_limit_and_only(content, stub, capsys):
    assert enrich(content, stub, "--limit", "1") == 0
    assert len(stub.requests) == 1
    assert "left for a later run 4" in capsys.readouterr().out

    assert enrich(content, stub, "--only", "prover-verifier-games") == 0
    assert stub.requests[-1]["route"] == f'ti:"{title_phrase(PROVER)}"'
    assert len(stub.requests) == 2

    assert enrich(content, stub, "--only", "megascal") == 1
    err = capsys.readouterr().err
    assert "--only 'megascal': no such paper (did you mean 'megascale'?)" in err
    assert len(stub.requests) == 2


def test_a_known_arxiv_id_is_looked_up_by_id(content, stub, capsys):
    path = content / "papers" / "megascale.yml"
    path.write_text(RECORDS["megascale"] + "arxiv: 2402.15627v1  # from the PDF\n", "utf-8")
    stub.arxiv_id("2402.15627", feed("megascale.xml"))
    assert enrich(content, stub, "--only", "megascale") == 0
    assert stub.requests[0]["path"].endswith("?id_list=2402.15627&start=0&max_results=1")
    text = path.read_text("utf-8")
    assert "arxiv: 2402.15627v1  # from the PDF\n" in text  # never overwritten
    paper = load_library(content).by_key()["megascale"]
    assert paper.authors[0] == "Ziheng Jiang" and paper.year == 2024 and paper.primary_class == "cs.LG"


def test_an_interrupted_run_keeps_what_was_done(content, stub, monkeypatch, capsys):
    stub.title(GALORE, feed("galore.xml"))
    real_lookup = arxiv_mod.ArxivClient.lookup
    calls = []

    def lookup(self, query):
        calls.append(query)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_lookup(self, query)

    monkeypatch.setattr(arxiv_mod.ArxivClient, "lookup", lookup)
    status = enrich(content, stub, "--only", "galore", "--only", "prover-verifier-games")
    assert status == 130
    assert "interrupted" in capsys.readouterr().out
    assert load_library(content).by_key()["galore"].arxiv == "2403.03507"


# ---------------------------------------------------------------- parsing


def test_parse_both_feed_layouts():
    legacy = parse_feed(feed("galore.xml"))
    assert legacy.total_results == 1
    (entry,) = legacy.entries
    assert (entry.arxiv_id, entry.version, entry.year) == ("2403.03507", 2, 2024)
    assert entry.title == GALORE  # line break and double spaces collapsed
    assert entry.primary_class == "cs.LG"
    modern = parse_feed(feed("megascale.xml"))
    assert modern.entries[0].arxiv_id == "2402.15627" and modern.entries[0].title == MEGASCALE
    assert parse_feed(feed("empty.xml")) == ArxivFeed(0, ())


@pytest.mark.parametrize(
    "data, message",
    [
        (feed("malformed.xml"), "malformed XML"),
        (feed("error.xml"), "arXiv API error: incorrect id format"),
        (b"Rate exceeded.", "malformed XML"),
        (b"", "empty response"),
        (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
         b'<feed xmlns="http://www.w3.org/2005/Atom">&lol2;</feed>', "DOCTYPE"),
        (b'<!DOCTYPE feed SYSTEM "http://example.invalid/x.dtd"><feed/>', "DOCTYPE"),
        (b'<html><body>Service Unavailable</body></html>', "expected an Atom <feed>"),
    ],
)
def test_bad_responses_are_feed_errors(data, message):
    with pytest.raises(FeedError, match=message):
        parse_feed(data)


def test_title_phrase_strips_query_syntax():
    assert title_phrase('GaLore: "Memory-Efficient" (LLM) Training?') == "GaLore Memory Efficient LLM Training"
    assert title_phrase("Pok\\'eChamp: an Expert-level Agent") == "PokeChamp an Expert level Agent"
    assert "%22" in title_query("A: B") and " " not in title_query("A: B")


def test_two_arxiv_papers_with_the_same_title_are_ambiguous():
    paper = Paper(key="x", title="Attention Is All You Need", abstract="a", added="2025-01-01")

    def entry(arxiv_id: str, title: str) -> ArxivEntry:
        return ArxivEntry(arxiv_id, 1, title, ("A",), "2017-06-12T00:00:00Z", "", "cs.CL", "")

    assert classify(paper, ArxivFeed(1, (entry("1706.03762", "Attention is all you  need"),))).kind == "matched"
    two = ArxivFeed(2, (entry("1706.03762", "Attention Is All You Need"), entry("2501.00001", "Attention is all you need!")))
    outcome = classify(paper, two)
    assert outcome.kind == "ambiguous" and "2 arXiv papers have this exact title" in outcome.detail
    unrelated = ArxivFeed(1, (entry("2501.00002", "Graph Networks for Chemistry"),))
    assert classify(paper, unrelated).kind == "not-found"


# ------------------------------------------------------- into every export


def test_enriched_metadata_flows_into_every_export(content, stub, tmp_path, capsys):
    """enrich against the replay server, then build: BibTeX, pages, CSL-JSON,
    papers.json and the feed all carry the authors and the arXiv id."""
    import json

    stub.title(GALORE, feed("galore.xml"))
    (content / "themes.yml").write_text(
        "themes:\n  - id: optimizers-memory\n    title: Optimizers and memory\n    match: [{phrase: memory, specific: true}]\n", "utf-8"
    )
    enrich(content, stub, "--only", "galore")
    docs = tmp_path / "docs"
    assert main(["build", "--content", str(content), "--docs", str(docs)]) == 0

    bib = (docs / "bib" / "galore.bib").read_text("utf-8")
    assert "eprint = {2403.03507}" in bib and "archivePrefix = {arXiv}" in bib and "primaryClass = {cs.LG}" in bib
    assert "author = {Zhao, Jiawei and Zhang, Zhenyu and Chen, Beidi" in bib
    assert "year = {2023}" in bib  # the hand-written year, never overwritten
    assert "galore" in (docs / "bib" / "library.bib").read_text("utf-8")

    page = (docs / "papers" / "galore.md").read_text("utf-8")
    assert "https://arxiv.org/abs/2403.03507" in page and "https://arxiv.org/pdf/2403.03507" in page
    assert "Jiawei Zhao" in page
    assert "Jiawei Zhao" in (docs / "themes" / "optimizers-memory.md").read_text("utf-8")

    record = next(p for p in json.loads((docs / "papers.json").read_text("utf-8")) if p["key"] == "galore")
    assert record["arxiv"] == "2403.03507" and record["authors"][:2] == ["Jiawei Zhao", "Zhenyu Zhang"]
    csl = next(i for i in json.loads((docs / "csl" / "library.json").read_text("utf-8")) if i["id"] == "galore")
    assert csl["author"][0] == {"family": "Zhao", "given": "Jiawei"}
    assert "Jiawei Zhao" in (docs / "feeds" / "all.xml").read_text("utf-8")


def test_the_stage_reports_through_its_callbacks_and_prints_nothing(content, stub, capsys):
    """Only the CLI prints: `enrich_library` hands each outcome to `log` and its papers to `progress`."""
    from generator.curation.enrich import EnrichOptions, enrich_library

    stub.title(GALORE, feed("galore.xml"))
    lines, wrapped = [], []
    options = EnrichOptions(api_url=stub.url, delay=0.0, only=("galore", "prover-verifier-games"))
    report = enrich_library(content, options, log=lines.append, progress=lambda items, label: wrapped.append((label, len(items))) or items)
    assert capsys.readouterr() == ("", "")
    assert report.matched == ["galore"] and report.not_found == ["prover-verifier-games"]
    assert wrapped == [("arXiv", 2)]
    assert lines[0].startswith("matched: galore = arXiv 2403.03507 (") and lines[1].startswith("not found: prover-verifier-games")
    assert "provenance:" in record(content, "galore") and "arxiv 2403.03507" in record(content, "galore")
