"""What a reader waits for, in headless Chromium, for benchmarks/run.py.

The built site is served from 127.0.0.1 (a thread of this process); each
figure opens a fresh browser context, so nothing is cached:

- `search`: open the home page, type a word from late in one abstract into
  Material's search box, and time from the last keystroke's input event to
  the animation frame that draws the first result, on the page's own clock
  (`seen_from_here_s` is the same as this process saw it, through
  Playwright's polling; `from_first_key_s` includes the typing); bytes are everything the page
  fetched from opening it to that result. One search is one sample of a noisy
  figure (0.35 to 0.87 s for the same word and bundle on one machine), so
  there are `SEARCHES` of them, for words of papers spread over the library,
  each in a fresh context: `first_results_s` is their median and
  `first_results_max_s` the slowest, `fetched_mb` their median and
  `fetched_max_mb` the most; `runs` holds each one.
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
SEARCHES = 5


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def _query_words(site: Path, count: int = SEARCHES) -> list[str]:
    """A long word from the end of the abstract (past any preview) of `count` papers
    spread over the library by key, the middle one first."""
    papers = sorted(json.loads((site / "papers.json").read_text("utf-8")), key=lambda p: p["key"])
    places = sorted({len(papers) * (2 * i + 1) // (2 * count) for i in range(count)}, key=lambda i: abs(i - len(papers) // 2))
    words = []
    for paper in (papers[i] for i in places):
        found = re.findall(r"[A-Za-z]{8,}", paper["abstract"])
        words.append((found[-1] if found else paper["title"].split()[0]).lower())
    return words


def _searches(runs: list[dict]) -> dict:
    """The median and the worst of several first searches."""
    def middle(name):
        return sorted(run[name] for run in runs)[len(runs) // 2]

    return {"word": runs[0]["word"], "words": [run["word"] for run in runs], "runs": runs,
            "first_results_s": middle("first_results_s"), "first_results_max_s": max(r["first_results_s"] for r in runs),
            "seen_from_here_s": middle("seen_from_here_s"), "from_first_key_s": middle("from_first_key_s"),
            "fetched_mb": middle("fetched_mb"), "fetched_max_mb": max(r["fetched_mb"] for r in runs),
            "results_shown": min(r["results_shown"] for r in runs)}


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


# Timed inside the page: the last keystroke's input event, and the animation frame in which
# the first result is drawn. Playwright's own wait polls the page from this process, which
# added 0.1 to 0.3 s to a search measured from here.
_PAGE_CLOCK = """
window.__rl = {};
document.addEventListener("input", () => { window.__rl.typed = performance.now(); }, true);
new MutationObserver(() => {
  if (window.__rl.shown === undefined && document.querySelector(".md-search-result__item")) {
    window.__rl.shown = null;
    requestAnimationFrame(() => { window.__rl.shown = performance.now(); });
  }
}).observe(document, { subtree: true, childList: true });
"""


def _search(browser, base: str, word: str) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    fetched = _Counting(context)
    page = context.new_page()
    page.add_init_script(_PAGE_CLOCK)
    page.goto(base, wait_until="load")
    box = page.locator("input.md-search__input")
    box.click()
    start = time.perf_counter()
    box.type(word, delay=0)
    typed = time.perf_counter()
    page.wait_for_selector(".md-search-result__item", timeout=TIMEOUT_MS)
    end = time.perf_counter()
    page.wait_for_function("window.__rl.shown", timeout=TIMEOUT_MS)
    clock = page.evaluate("window.__rl")
    results = page.locator(".md-search-result__item").count()
    mb = fetched.mb()
    context.close()
    # The target is "after typing": from the last keystroke, on the page's clock. Typing
    # itself (one browser round trip per letter here) is reported apart, as is the time
    # this process saw.
    return {"word": word, "first_results_s": round((clock["shown"] - clock["typed"]) / 1000, 3),
            "seen_from_here_s": round(end - typed, 3), "from_first_key_s": round(end - start, 3),
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
                searches = _searches([_search(browser, base, word) for word in _query_words(site)])
                return {"search": searches, "papers_index": _papers_index(browser, base)}
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()


__all__ = ["browser_figures"]
