"""Site search by Pagefind, behind Material's own search box.

Material's search downloads one index of every page (9.6 MB at 10,000
papers) before the first result. Pagefind splits its index into chunks and
a search fetches only the chunks of its words and the fragments of the
results it shows, so the first search stays small at any size. Material's
search box, keys and result list stay: its worker is replaced by
overrides/assets/javascripts/search-worker.js, which answers from Pagefind.

What is searchable follows Material's own rules, so pages written for
Material keep their meaning:
- a page whose front matter says `search: exclude: true` is left out;
- a section under a heading marked `data-search-exclude` is left out, and so
  is any element marked with it.
Material's own index is given no page (it would only be downloaded for
nothing); its file keeps the configuration the search box reads.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

BUNDLE = "pagefind"
ARTICLE = re.compile(r'<article class="md-content__inner md-typeset"')
# Containers whose inside is not the page's top level (a heading in them is not a section).
_OPEN = re.compile(r"<(div|ul|ol|details|table|section|blockquote|aside|nav|figure|dl)\b", re.I)
_CLOSE = re.compile(r"</(div|ul|ol|details|table|section|blockquote|aside|nav|figure|dl)\s*>", re.I)
_HEADING = re.compile(r"<h([1-6])\b[^>]*>", re.I)
TIMEOUT_S = 600
IGNORED = '<div data-pagefind-ignore="all">'  # what ignore_excluded_sections wraps a section in
EXCLUDE_SELECTOR = "[data-search-exclude]"  # Material's mark, on sections and elements
# Pagefind's own search interfaces: this site answers through Material's box instead.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")


class SearchIndexError(Exception):
    """Pagefind could not index the site; the message says why."""


class IndexingStopped(SearchIndexError):
    """A background run was stopped on purpose (a newer build supersedes it, or the server stops)."""


def excluded(meta: dict) -> bool:
    """True when the page's front matter leaves it out of search, as Material reads it."""
    search = meta.get("search") if isinstance(meta, dict) else None
    return isinstance(search, dict) and search.get("exclude") is True


def ignore_excluded_sections(html: str) -> str:
    """Wrap each top-level section under a `data-search-exclude` heading in a Pagefind ignore.

    A section runs to the next top-level heading of the same or a higher
    level. Headings inside containers (a curator note's own headings) are
    not section boundaries, so a wrap never cuts a container in two.
    """
    headings = _top_level_headings(html)
    if not any(excluded for _, _, excluded in headings):
        return html
    out, last, open_level = [], 0, None
    for start, level, is_excluded in headings:
        if open_level is not None and level <= open_level:
            out.append(html[last:start] + "</div>")
            last, open_level = start, None
        if open_level is None and is_excluded:
            out.append(html[last:start] + IGNORED)
            last, open_level = start, level
    out.append(html[last:] + ("</div>" if open_level is not None else ""))
    return "".join(out)


def _top_level_headings(html: str) -> list[tuple[int, int, bool]]:
    """(offset, level, marked data-search-exclude) of each heading outside any container."""
    found, depth, pos = [], 0, 0
    for match in _HEADING.finditer(html):
        between = html[pos:match.start()]
        depth += len(_OPEN.findall(between)) - len(_CLOSE.findall(between))
        pos = match.start()
        if depth <= 0:
            found.append((match.start(), int(match.group(1)), "data-search-exclude" in match.group(0)))
    return found


def mark_searchable(output: str) -> str:
    """Make the page's article the part Pagefind indexes (pages without the mark are skipped)."""
    return ARTICLE.sub(r"\g<0> data-pagefind-body", output, count=1)


_HTML_TAG = re.compile(r"<html\b[^>]*>", re.I)
_TITLE = re.compile(r"<title>.*?</title>", re.I | re.S)


def pagefind_view(page_html: str) -> str:
    """The part of a built page Pagefind reads: its `<html>` tag (the language), its
    `<title>` and the article marked `data-pagefind-body`, without the sections Pagefind
    ignores whole (`without_ignored`); the whole page when it has more than one article
    or Pagefind attributes elsewhere. Indexed the same (the bundle of a 10,000-paper
    site is byte-identical), in two thirds of the time; without the ignored sections
    Pagefind is handed a third of the article's bytes (54 MB -> 17 MB at 10,000
    papers) and takes 2 s less."""
    body = page_html.find(" data-pagefind-body")
    start = page_html.rfind("<article", 0, body)
    end = page_html.find("</article>", body)
    html_tag, title = _HTML_TAG.search(page_html), _TITLE.search(page_html)
    if body < 0 or start < 0 or end < 0 or not html_tag or not title or page_html.count("<article") != 1:
        return page_html
    end += len("</article>")
    if "data-pagefind" in page_html[:start] + page_html[end:]:
        return page_html
    article = without_ignored(page_html[start:end])
    return f"<!doctype html>{html_tag.group(0)}<head>{title.group(0)}</head><body>{article}</body></html>"


_DIV_TAG = re.compile(r"<div\b|</div\s*>", re.I)


def without_ignored(html: str) -> str:
    """`html` without the sections `ignore_excluded_sections` wrapped: Pagefind ignores an
    element marked `data-pagefind-ignore="all"` with all it holds, filters and meta too,
    so leaving it out changes nothing. When a wrap's `<div>`s do not balance (raw HTML
    in a curator's note), `html` is returned whole."""
    out, pos = [], 0
    while (start := html.find(IGNORED, pos)) >= 0:
        depth, end = 0, None
        for tag in _DIV_TAG.finditer(html, start):
            depth += -1 if tag.group(0)[1] == "/" else 1
            if depth == 0:
                end = tag.end()
                break
        if end is None:
            return html
        out.append(html[pos:start])
        pos = end
    out.append(html[pos:])
    return "".join(out)


def index_site(site_dir: Path, out_dir: Path | None = None, background: bool = False) -> Path:
    """Index the built site with Pagefind into `out_dir` (default SITE/pagefind); returns it.

    `background` runs it at a low priority, so that under `mkdocs serve` the
    next edit's rebuild is not slowed down by the indexing of the last one.
    """
    out_dir = out_dir or site_dir / BUNDLE
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-path", str(out_dir),
               "--exclude-selectors", EXCLUDE_SELECTOR, "--silent"]
    stops = _STOPS[0]
    try:
        returncode, output = run_indexer(command, background)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise SearchIndexError(f"pagefind could not index {site_dir}: {err}") from None
    if returncode and background and _STOPS[0] != stops:
        raise IndexingStopped(f"indexing {site_dir} was stopped")
    if returncode:
        detail = output.strip()[-1500:] or f"exit code {returncode}"
        raise SearchIndexError(f"pagefind could not index {site_dir}: {detail}")
    return _finish_bundle(out_dir, f"pagefind could not index {site_dir}: no bundle written")


_BACKGROUND: set[subprocess.Popen] = set()  # indexing runs a served site started
_STOPS = [0]  # how many times they were stopped: a run that fails after a stop was stopped
_BACKGROUND_LOCK = threading.Lock()


def run_indexer(command: list[str], background: bool = False) -> tuple[int, str]:
    """Run one indexing command in a process group of its own; its exit code and output.

    A background run (under `mkdocs serve`) is niced and known to
    `stop_background_indexing`, so a stopped server leaves no indexer behind
    (`python -m pagefind` starts the binary as a child: the whole group stops)."""
    lower = (lambda: os.nice(10)) if background and hasattr(os, "nice") else None
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               preexec_fn=lower, start_new_session=True)
    if background:
        with _BACKGROUND_LOCK:
            _BACKGROUND.add(process)
    try:
        output, _ = process.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        process.communicate()
        raise
    finally:
        with _BACKGROUND_LOCK:
            _BACKGROUND.discard(process)
    return process.returncode, output


def stop_background_indexing() -> None:
    """Stop every background indexing run of this process: the served site is going away,
    or a rebuild is about to rewrite the pages it reads (and would share the CPU with it)."""
    with _BACKGROUND_LOCK:
        _STOPS[0] += 1
        running = list(_BACKGROUND)
    for process in running:
        _kill_group(process)  # its own thread's communicate() then returns


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def replace_bundle(site_dir: Path, background: bool = False, live=None) -> None:
    """Index into a side folder, then swap it in: a served site never has half a
    bundle, and a `--dirty` build keeps no chunk of an earlier one.

    `live` is a LiveIndex (live_index.py) that was given every page as it was
    built: it only writes its bundle; without one Pagefind reads the site."""
    fresh = site_dir / f".{BUNDLE}.new"
    old = site_dir / f".{BUNDLE}.old"
    shutil.rmtree(fresh, ignore_errors=True)
    if live is not None:
        live.write(fresh)
        _finish_bundle(fresh, f"pagefind --service wrote no bundle into {fresh}")
    else:
        index_site(site_dir, fresh, background=background)
    live_dir = site_dir / BUNDLE
    shutil.rmtree(old, ignore_errors=True)
    if live_dir.exists():
        live_dir.rename(old)
    fresh.rename(live_dir)
    shutil.rmtree(old, ignore_errors=True)


def _finish_bundle(out_dir: Path, missing: str) -> Path:
    """A written bundle without Pagefind's own interfaces; `missing` is the error when there is none."""
    if not (out_dir / "pagefind.js").is_file():
        raise SearchIndexError(missing)
    for name in UNUSED:
        (out_dir / name).unlink(missing_ok=True)
    return out_dir
