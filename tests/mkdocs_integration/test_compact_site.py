"""The fixture site built as Material writes it and as the hook compacts it: the same pages to a reader.

READING_LIST_COMPACT=off leaves every page as Material wrote it; the two
builds must have the same text, the same links and sources, the same
scripts run in the same order (shared files read back in), the same page
config, and, in Chromium, the same rendered text and the same palette
restored from a reader's saved choice.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from fixtures.site.sitetools import SITE_CONTENT, make_site, mkdocs_build, squash
from generator.mkdocs_integration.icons import root_prefix
from generator.mkdocs_integration.scripts import FOLDER, script_files
from generator.mkdocs_integration.site_parts import PARTS, join_at_root
from browser_helpers import DESKTOP, PHONE, Watch, serve

pytestmark = pytest.mark.site

URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "poster", "data", "content")


class _Reading(HTMLParser):
    """Text, URL-bearing attributes and scripts of a page, icons (already shared before) left out."""

    def __init__(self, shared: dict[str, str]):
        super().__init__(convert_charrefs=True)
        self.shared = shared
        self.text: list[str] = []
        self.links: list[tuple[str, str, str]] = []
        self.scripts: list[str] = []
        self.config = None
        self._in: list[str] = []
        self._svg = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self._svg += 1
        if tag == "script":
            src = a.get("src") or ""
            name = src.rsplit("/", 1)[-1]
            if src.endswith(f"{FOLDER}/{name}") and name in self.shared:
                self.scripts.append(self.shared[name].rstrip("\n"))
            elif src:
                self.scripts.append(f"src={src}")
            self._in.append("config" if a.get("id") == "__config" else "script" if not src else "external")
            return
        if tag == "style":
            self._in.append("style")
        if not self._svg:
            self.links += [(tag, name, a[name] or "") for name in URL_ATTRIBUTES if name in a]

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg -= 1
        if tag in ("script", "style") and self._in:
            self._in.pop()

    def handle_data(self, data):
        where = self._in[-1] if self._in else None
        if where == "config":
            self.config = json.loads(data)
        elif where == "script":
            self.scripts.append(data)
        elif where is None:
            self.text.append(data)


def _written_parts(site: Path) -> dict[str, list]:
    """The pieces each shared part script writes (site_parts.py), read back from the built file."""
    found = {}
    for name, _ in PARTS:
        path = site / FOLDER / name
        if path.is_file():
            text = path.read_text("utf-8")
            found[name] = json.JSONDecoder().raw_decode(text, text.index("pieces = ") + len("pieces = "))[0]
    return found


def _with_parts_written(html: str, parts: dict[str, list]) -> str:
    """The page as the browser has it once each part script has run where it stands."""
    prefix = root_prefix(html)
    for name, pieces in parts.items():
        html = html.replace(f'<script src="{prefix}{FOLDER}/{name}"></script>', join_at_root(pieces, prefix))
    return html


def _read(path: Path, shared: dict[str, str], parts: dict[str, list] | None = None) -> dict:
    reading = _Reading(shared)
    reading.feed(_with_parts_written(path.read_text("utf-8"), parts or {}))
    reading.close()
    # Material's head script is one statement `scope,helpers`; shared, it is two
    # scripts `scope` and `helpers`: joined with "," both read the same.
    return {"text": squash("".join(reading.text)), "links": reading.links,
            "scripts": ",".join(reading.scripts), "config": reading.config}


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> tuple[Path, Path]:
    root = make_site(tmp_path_factory.mktemp("compact"), SITE_CONTENT)
    plain = mkdocs_build(root, site_dir="plain", READING_LIST_COMPACT="off")
    assert plain.returncode == 0, plain.stderr[-3000:]
    compact = mkdocs_build(root, site_dir="compact")
    assert compact.returncode == 0, compact.stderr[-3000:]
    return root / "plain", root / "compact"


def test_compact_pages_read_the_same(both):
    plain, compact = both
    shared = script_files()
    pages = sorted(p.relative_to(plain) for p in plain.rglob("*.html"))
    assert len(pages) >= 20 and pages == sorted(p.relative_to(compact) for p in compact.rglob("*.html"))
    parts = _written_parts(compact)
    assert sorted(parts) == sorted(name for name, _ in PARTS) and not _written_parts(plain)
    smaller = 0
    for page in pages:
        before, after = _read(plain / page, shared), _read(compact / page, shared, parts)
        assert after == before, page
        if page.name != "404.html":  # MkDocs makes it from a theme template: no on_post_page
            text = (compact / page).read_text("utf-8")
            assert "rl-md-palette.js" in text and all(f'{FOLDER}/{name}"' in text for name in parts), page
        smaller += (plain / page).stat().st_size - (compact / page).stat().st_size
    assert smaller > 1500 * len(pages)  # the scripts, the config's spaces, the indentation
    for name, text in shared.items():
        assert (compact / FOLDER / name).read_text("utf-8") == text


def test_compact_build_is_deterministic(both, tmp_path):
    _, compact = both
    again = make_site(tmp_path / "again", SITE_CONTENT)
    run = mkdocs_build(again, site_dir="compact")
    assert run.returncode == 0, run.stderr[-3000:]

    def digest(site: Path) -> dict[str, str]:
        return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(site.rglob("*.html"))}

    assert digest(again / "compact") == digest(compact)
    shutil.rmtree(again)


# The rendered text, less the search box's status line (it says when the search worker is ready).
RENDERED_TEXT = """() => {
  const status = document.querySelector(".md-search-result__meta");
  if (status) status.textContent = "";
  return document.body.innerText;
}"""
PALETTE = {"index": 1, "color": {"media": "(prefers-color-scheme: dark)", "scheme": "slate", "primary": "indigo", "accent": "indigo"}}


PAGES = ("", "papers/galore/", "themes/scaling-laws/", "about/")


def _render(chromium, site: Path, device: dict) -> dict:
    """Per page: rendered text, the palette restored from a saved choice, Material's helpers."""
    seen = {}
    with serve(site) as base:
        context = chromium.new_context(**device)
        watch = Watch(frozenset({base.split("/")[2]}))
        watch.attach_context(context)
        page = context.new_page()
        watch.attach_page(page)
        for path in PAGES:
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.evaluate("p => localStorage.setItem(__md_scope.pathname + '.__palette', JSON.stringify(p))", PALETTE)
            page.reload()
            page.wait_for_load_state("networkidle")
            seen[path] = (page.evaluate(RENDERED_TEXT),
                          page.evaluate("document.body.getAttribute('data-md-color-scheme')"),
                          page.evaluate("typeof __md_get + typeof __md_set + typeof __md_hash"))
            page.evaluate("localStorage.clear()")
            watch.settle(page)
        context.close()
    assert not watch.problems(), watch.problems()
    return seen


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_compact_pages_render_the_same_in_chromium(both, chromium, device):
    """Same rendered text; a reader's saved dark palette is restored before the page shows."""
    plain, compact = _render(chromium, both[0], device), _render(chromium, both[1], device)
    for path in PAGES:
        assert compact[path] == plain[path], path
        assert compact[path][1:] == ("slate", "functionfunctionfunction"), path
