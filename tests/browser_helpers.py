"""Helpers for the browser tests (tests/test_browser.py): a quiet local HTTP
server for a built site, and a watcher that records everything a page must
never do (console errors, uncaught exceptions, dialogs, script from content,
requests to other hosts, broken local requests).

A pytest plugin (tests/conftest.py registers it): the `chromium` fixture is
the one headless browser of the session, and every test that asks for it is
marked `browser`.
"""

from __future__ import annotations

import functools
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]

DESKTOP = {"viewport": {"width": 1280, "height": 800}, "device_scale_factor": 1}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1, "is_mobile": True, "has_touch": True}

# Runs before any script of every page: a dialog or a call of one of these
# functions from injected content is recorded in window.__xss (and the real
# dialog still opens, so the dialog listener sees it too).
TRAP_SCRIPT = """
(() => {
  window.__xss = [];
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    const original = window[name];
    window[name] = function (...args) {
      window.__xss.push(name + "(" + args.map(String).join(", ") + ")");
      return original.apply(this, args);
    };
  }
})();
"""

# Everything in a page that would let content run script: event-handler
# attributes, javascript: URLs, and elements that have no business inside the
# page's content. Returns a list of descriptions (empty when clean).
SCRIPT_SURFACE_JS = """
() => {
  const bad = [];
  const describe = (el) => "<" + el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + ">";
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) bad.push(describe(el) + " has " + name + "=" + JSON.stringify(attr.value));
      if (["href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"].includes(name)
          && /^\\s*(javascript|vbscript|data\\s*:\\s*text\\/html)/i.test(attr.value.replace(/[\\x00-\\x20]/g, "")))
        bad.push(describe(el) + " has " + name + "=" + JSON.stringify(attr.value));
    }
  }
  for (const a of document.querySelectorAll("a[href], area[href]")) {
    if (a.protocol === "javascript:") bad.push(describe(a) + " links to " + JSON.stringify(a.getAttribute("href")));
  }
  const content = document.querySelector(".md-content");
  if (content) {
    for (const el of content.querySelectorAll("script, iframe, frame, object, embed, img, style, base, form, meta, link")) {
      bad.push(describe(el) + " inside the content: " + el.outerHTML.slice(0, 120));
    }
  }
  return bad;
}
"""

# Why a page is wider than the viewport: the outermost elements that stick out
# on the right, ignoring those inside a box that scrolls on its own (tables, code).
OVERFLOW_JS = """
(limit) => {
  const out = [];
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (["auto", "scroll", "hidden", "clip"].includes(s.overflowX) && p !== document.documentElement && p !== document.body) return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > limit + 1 && !scrolls(el)) {
      const parent = el.parentElement && el.parentElement.getBoundingClientRect();
      if (!parent || parent.right <= limit + 1) {
        out.push("<" + el.tagName.toLowerCase() + " class=" + JSON.stringify(el.className && el.className.baseVal !== undefined ? el.className.baseVal : el.className) + "> right=" + Math.round(r.right));
      }
    }
  }
  return out.slice(0, 10);
}
"""


def squash(text: str) -> str:
    """White space runs as one space, control characters as spaces (as the site shows text)."""
    return " ".join(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", " ", text).split())


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a browser closing a connection early is not a test failure


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 (a free port) in a daemon thread; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name=f"serve {directory}", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Watch:
    """What the pages of one browser context did that they must not do."""

    allowed: frozenset[str]  # "host:port" of the local servers
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    trapped: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def attach_context(self, context) -> None:
        context.add_init_script(TRAP_SCRIPT)
        context.route("**/*", self._route)

    def attach_page(self, page) -> None:
        page.on("console", lambda msg: self.console_errors.append(f"{page.url}: {msg.text}") if msg.type == "error" else None)
        page.on("pageerror", lambda err: self.page_errors.append(f"{page.url}: {err}"))
        page.on("dialog", self._dialog(page))
        page.on("response", lambda r: self.broken.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    def _dialog(self, page):
        def handle(dialog):
            self.dialogs.append(f"{page.url}: {dialog.type} {dialog.message!r}")
            dialog.dismiss()
        return handle

    def _route(self, route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or (parts.scheme == "http" and parts.netloc in self.allowed):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def settle(self, page) -> None:
        """Record what the trap caught on the page now shown."""
        self.visited.append(page.url)
        caught = page.evaluate("window.__xss || []")
        self.trapped.extend(f"{page.url}: {c}" for c in caught)

    def problems(self) -> list[str]:
        out = []
        for name in ("console_errors", "page_errors", "dialogs", "trapped", "foreign", "broken"):
            out += [f"{name}: {item}" for item in getattr(self, name)]
        return out


# --------------------------------------------------------------------------- plugin: the browser


@pytest.fixture(scope="session")
def chromium():
    """Headless Chromium, launched once per session (skips when playwright or Chromium is missing)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright: pip install -e '.[test]'")
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (bash .ci/run installs it)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "chromium" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
