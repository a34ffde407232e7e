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
import subprocess
import sys
from pathlib import Path

BUNDLE = "pagefind"
ARTICLE = re.compile(r'<article class="md-content__inner md-typeset"')
# Containers whose inside is not the page's top level (a heading in them is not a section).
_OPEN = re.compile(r"<(div|ul|ol|details|table|section|blockquote|aside|nav|figure|dl)\b", re.I)
_CLOSE = re.compile(r"</(div|ul|ol|details|table|section|blockquote|aside|nav|figure|dl)\s*>", re.I)
_HEADING = re.compile(r"<h([1-6])\b[^>]*>", re.I)
TIMEOUT_S = 600
# Pagefind's own search interfaces: this site answers through Material's box instead.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")


class SearchIndexError(Exception):
    """Pagefind could not index the site; the message says why."""


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
            out.append(html[last:start] + '<div data-pagefind-ignore="all">')
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


def index_site(site_dir: Path, out_dir: Path | None = None, background: bool = False) -> Path:
    """Index the built site with Pagefind into `out_dir` (default SITE/pagefind); returns it.

    `background` runs it at a low priority, so that under `mkdocs serve` the
    next edit's rebuild is not slowed down by the indexing of the last one.
    """
    out_dir = out_dir or site_dir / BUNDLE
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-path", str(out_dir),
               "--exclude-selectors", "[data-search-exclude]", "--silent"]
    lower = (lambda: os.nice(10)) if background and hasattr(os, "nice") else None
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, preexec_fn=lower)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise SearchIndexError(f"pagefind could not index {site_dir}: {err}") from None
    if run.returncode or not (out_dir / "pagefind.js").is_file():
        detail = (run.stderr or run.stdout).strip()[-1500:] or f"exit code {run.returncode}"
        raise SearchIndexError(f"pagefind could not index {site_dir}: {detail}")
    for name in UNUSED:
        (out_dir / name).unlink(missing_ok=True)
    return out_dir


def replace_bundle(site_dir: Path, background: bool = False) -> None:
    """Index into a side folder, then swap it in: a served site never has half a
    bundle, and a `--dirty` build keeps no chunk of an earlier one."""
    fresh = site_dir / f".{BUNDLE}.new"
    old = site_dir / f".{BUNDLE}.old"
    shutil.rmtree(fresh, ignore_errors=True)
    index_site(site_dir, fresh, background=background)
    live = site_dir / BUNDLE
    shutil.rmtree(old, ignore_errors=True)
    if live.exists():
        live.rename(old)
    fresh.rename(live)
    shutil.rmtree(old, ignore_errors=True)
