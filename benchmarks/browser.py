"""What a reader waits for, in headless Chromium, for benchmarks/run.py.

The built site is served from 127.0.0.1 (a thread of this process); each
figure opens a fresh browser context, so nothing is cached:

- `search`: open the home page, type a word from late in one abstract into
  Material's search box, and time from the last keystroke to the first result
  (`first_results_s`; `from_first_key_s` includes the typing); bytes are everything the page fetched from opening it to that result.
- `papers_index`: open the all-papers page, until the list's script has
  loaded papers-list.json and filled the count (or the load event without it).

Skipped (None) when playwright or /usr/bin/chromium is missing.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
TIMEOUT_MS = 60_000


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def _query_word(site: Path) -> str:
    """A long word from the end of the middle paper's abstract: past any preview."""
    papers = json.loads((site / "papers.json").read_text("utf-8"))
    paper = sorted(papers, key=lambda p: p["key"])[len(papers) // 2]
    words = [w for w in re.findall(r"[A-Za-z]{8,}", paper["abstract"])]
    return (words[-1] if words else paper["title"].split()[0]).lower()


class _Counting:
    """Every finished response in a context: the search worker's fetches too (not on the page's events).

    Sizes are asked for afterwards: the sync API cannot make a call from inside an event handler.
    """

    def __init__(self, context):
        self.requests = []
        context.on("requestfinished", lambda request: self.requests.append(request))

    def mb(self) -> float:
        total = 0
        for request in list(self.requests):
            try:
                total += request.sizes()["responseBodySize"]
            except Exception:  # gone with a closed page
                pass
        return round(total / 1e6, 3)


def _search(browser, base: str, word: str) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    fetched = _Counting(context)
    page = context.new_page()
    page.goto(base, wait_until="load")
    box = page.locator("input.md-search__input")
    box.click()
    start = time.perf_counter()
    box.type(word, delay=0)
    typed = time.perf_counter()
    page.wait_for_selector(".md-search-result__item", timeout=TIMEOUT_MS)
    end = time.perf_counter()
    results = page.locator(".md-search-result__item").count()
    mb = fetched.mb()
    context.close()
    # The target is "after typing": from the last keystroke. Typing itself (one
    # browser round trip per letter here) is reported apart.
    return {"word": word, "first_results_s": round(end - typed, 3), "from_first_key_s": round(end - start, 3),
            "fetched_mb": mb, "results_shown": results}


def _papers_index(browser, base: str) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    fetched = _Counting(context)
    page = context.new_page()
    start = time.perf_counter()
    page.goto(base + "papers/", wait_until="load")
    try:
        page.wait_for_selector("[data-rl-filter-count]:not(:empty)", timeout=TIMEOUT_MS)
    except Exception:  # an older site without the list script
        pass
    seconds = time.perf_counter() - start
    mb = fetched.mb()
    context.close()
    return {"open_s": round(seconds, 3), "fetched_mb": mb}


def browser_figures(site: Path) -> dict | None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not CHROMIUM.exists() or not (site / "index.html").is_file():
        return None
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            try:
                return {"search": _search(browser, base, _query_word(site)), "papers_index": _papers_index(browser, base)}
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()


__all__ = ["browser_figures"]
