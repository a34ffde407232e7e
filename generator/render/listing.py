"""Lists that scale: the all-papers list and theme lists cut into pages.

A page that lists every paper grows with the library (3.9 MB at 10,000
papers), so lists are cut into pages of a fixed size: the first at the
page's usual place (`papers/index.md`, `themes/<id>.md`), the rest at
`.../page/<n>.md`, each with links to all the others. Without JavaScript
those pages are the whole list, in title order. With it, the all-papers page
loads `papers-list.json` (one short row per paper, in title order) and sorts
and filters over every paper, not only the page's own.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Callable

from markupsafe import Markup

from generator.model import STATUSES, Paper
from generator.render.escape import plain
from generator.render.site import SiteData
from generator.render.urls import PAPERS_INDEX_SRC, page_url, paper_src, slug_segment, theme_src

PAPERS_PER_PAGE = 100  # one row is about 1 KB of HTML: a page stays far under 400 KB
THEME_PAPERS_PER_PAGE = 100  # a theme entry holds an excerpt: about 1.5 KB
PAPERS_LIST_JSON = "papers-list.json"
LIST_FIELDS = ("page", "title", "authors", "year", "added", "status", "themes")

_LEADING_PUNCTUATION_RE = re.compile(r"^[\W_]+")
_ARTICLE_RE = re.compile(r"^(?:the|an|a)\s+(?=\w)")


@lru_cache(maxsize=1 << 16)
def sort_title(title: str) -> str:
    """The title as a reader alphabetises it: case, leading punctuation and a leading article ignored.
    (Cached: every build sorts the whole library by it twice.)"""
    text = _LEADING_PUNCTUATION_RE.sub("", plain(title).strip().casefold())
    return _LEADING_PUNCTUATION_RE.sub("", _ARTICLE_RE.sub("", text)) or text


def index_order(paper: Paper) -> tuple:
    return (sort_title(paper.title), paper.key)


def chunks(items: list, size: int) -> list[list]:
    """`items` cut into pages of `size`; an empty list is one empty page."""
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def index_page_src(number: int) -> str:
    return PAPERS_INDEX_SRC if number == 1 else f"papers/page/{number}.md"


def theme_page_src(theme_id: str, number: int) -> str:
    return theme_src(theme_id) if number == 1 else f"themes/{slug_segment(theme_id, 'theme id')}/page/{number}.md"


def pager(page: Any, sources: list[str], current: int) -> dict:
    """Links from one page of a list to every page of it (1-based `current`)."""
    return {
        "current": current,
        "count": len(sources),
        "links": [(n, None if n == current else page.url(src)) for n, src in enumerate(sources, 1)],
        "previous": page.url(sources[current - 2]) if current > 1 else None,
        "next": page.url(sources[current]) if current < len(sources) else None,
    }


def status_label(status: str | None) -> str:
    return {"key": "key paper", "to-read": "to read"}.get(status or "", status or "")


def row(site: SiteData, paper: Paper) -> dict:
    """One paper of the all-papers list, as the template shows it."""
    ids = [a.theme for a in site.assignments.get(paper.key, ())]
    return {
        "paper": paper,
        "themes": [(i, site.theme_by_id[i].title if i in site.theme_by_id else i) for i in ids],
        "filter_themes": " ".join(ids) if ids else "unsorted",
        "status": paper.status or "none",
    }


# A row of the all-papers list is made from the site's themes and settings, the folder
# of the page it is on (its links are relative) and its paper alone.
# `reuse_row(folder, key, render)` may return an earlier build's row (build.py).
RowReuse = Callable[[str, str, Callable[[], str]], str]


def fresh_row(folder: str, key: str, render: Callable[[], str]) -> str:
    return render()


def papers_list_json(site: SiteData, reuse_row: RowReuse = fresh_row) -> str:
    """One short row per paper, in title order, for sorting and filtering in the browser.

    Rows are arrays named once by `fields`, one to a line, so 10,000 papers
    stay near 2 MB; `page` is site-relative, as in papers.json. Each row is
    encoded on its own, so `reuse_row(folder, key, render)` can keep a row
    while its paper is unchanged (a title edit at 10,000 papers spent 0.4 s
    encoding every row again).
    """
    dirs = site.settings.use_directory_urls

    def encoded(paper: Paper) -> str:
        return _json_line(
            [
                page_url(paper_src(paper.slug), dirs),
                plain(paper.title).strip(),
                ", ".join(plain(a).strip() for a in paper.authors),
                paper.year,
                paper.added,
                paper.status,
                [a.theme for a in site.assignments.get(paper.key, ())],
            ]
        )

    rows = [reuse_row(PAPERS_LIST_JSON, paper.key, lambda paper=paper: encoded(paper)) for paper in sorted(site.papers, key=index_order)]
    themes = [_json_line([t.id, plain(t.title), page_url(theme_src(t.id), dirs)]) for t in site.themes]
    statuses = [_json_line([s, status_label(s)]) for s in STATUSES]
    return (
        f'{{"fields":{_json_line(list(LIST_FIELDS))},"themes":[{_lines(themes)}],'
        f'"statuses":[{_lines(statuses)}],"papers":[{_lines(rows)}]}}\n'
    )


def _json_line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _lines(items: list[str]) -> str:
    """Array items one to a line (a text's own "],[" stays inside its string)."""
    return ",\n".join(items)


def theme_pieces(site: SiteData, theme_id: str) -> list[list[Paper]]:
    return chunks(site.members(theme_id), THEME_PAPERS_PER_PAGE)


def theme_pager(page: Any, theme_id: str, count: int, current: int) -> dict:
    return pager(page, [theme_page_src(theme_id, n) for n in range(1, count + 1)], current)


def papers_from_to(first: int, shown: int, total: int) -> Markup:
    return Markup(f"{first}–{first + shown - 1}" if shown else "0") + Markup(f" of {total}")


__all__ = [
    "PAPERS_PER_PAGE",
    "THEME_PAPERS_PER_PAGE",
    "PAPERS_LIST_JSON",
    "sort_title",
    "index_order",
    "chunks",
    "index_page_src",
    "theme_page_src",
    "pager",
    "row",
    "papers_list_json",
    "theme_pieces",
    "theme_pager",
]
