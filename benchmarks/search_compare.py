"""Today's search index against a Pagefind index of the same built site, side by side.

    .venv/bin/python benchmarks/search_compare.py SITE_DIR [--word WORD]

Indexes SITE_DIR with Pagefind (PyPI `pagefind[bin]`, offline) into
SITE_DIR/pagefind/ (paper pages only, their <article>), then in headless
Chromium, each from a fresh context on the home page:

- Material's search box as the site ships it: keystroke to first result,
  MB fetched since opening the page (search_index.json is all of it);
- Pagefind's JS API (`pagefind.search(word)`, then the first result's
  data): time from the call to the first result's data, MB fetched by it.

Prints one JSON object; the bundle's size on disk is in it too. Nothing of
the site but SITE_DIR/pagefind/ is written.
"""

from __future__ import annotations

import argparse
import functools
import json
import subprocess
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import ARGS, CHROMIUM, TIMEOUT_MS, _Counting, _query_word, _Quiet, _search  # noqa: E402

PAGEFIND_JS = """async (word) => {
  const start = performance.now();
  const pagefind = await import("./pagefind/pagefind.js");
  await pagefind.init();
  const found = await pagefind.search(word);
  const first = found.results.length ? await found.results[0].data() : null;
  return {seconds: (performance.now() - start) / 1000, results: found.results.length, first: first && first.url};
}"""


def index_with_pagefind(site: Path) -> dict:
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site), "--glob", "papers/*/index.html", "--root-selector", "article",
         "--exclude-selectors", "[data-search-exclude]", "--quiet"],
        capture_output=True, text=True,
    )
    if run.returncode:
        raise SystemExit(f"pagefind failed: {run.stderr[-2000:]}")
    bundle = site / "pagefind"
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    return {"index_s": round(time.perf_counter() - started, 2), "bundle_mb": round(size / 1e6, 2),
            "bundle_files": sum(1 for p in bundle.rglob("*") if p.is_file())}


def _pagefind(browser, base: str, word: str) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.route("**/search/search_index.json", lambda route: route.abort())  # Material's own, not part of this figure
    page = context.new_page()
    page.goto(base, wait_until="load")
    fetched = _Counting(context)
    got = page.evaluate(PAGEFIND_JS, word)
    page.wait_for_timeout(200)  # let the last requests finish counting
    mb = fetched.mb()
    context.close()
    return {"word": word, "first_results_s": round(got["seconds"], 3), "fetched_mb": mb,
            "results": got["results"], "first": got["first"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--word")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    site = args.site.resolve()
    word = args.word or _query_word(site)
    bundle = index_with_pagefind(site)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            browser.new_context().close()
            out = {"site": str(site), "pagefind": {**bundle, **_pagefind(browser, base, word)},
                   "material": _search(browser, base, word),
                   "material_index_mb": round((site / "search" / "search_index.json").stat().st_size / 1e6, 2)}
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["index_with_pagefind", "TIMEOUT_MS"]
