"""Render stage: the site model -> Markdown pages, one function per kind of page.

Each page is a Jinja2 template (generator/render/templates/) given the site
model and helpers bound to the page (`_Page`: links from it, in MkDocs'
terms). Every `{{ ... }}` goes through one escape (generator/render/escape.py)
unless it is `Markup` built here: our own URLs, sanitised curator HTML
(generator/render/curated.py), the chart. Text from dumps is data, never a
template: it enters only as escaped variables.
"""

from __future__ import annotations

import re
from functools import lru_cache, partial
from typing import Any, Callable

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from generator.analysis.themes import first_sentence
from generator.export.bibtex import without_abstract
from generator.model import STATUSES, Paper
from generator.render.curated import curated_html, curated_text
from generator.render.escape import author_list, code_block, excerpt, html_text, md_text, plain, yaml_str
from generator.render import listing, meta
from generator.render.fragments import HTML_END, HTML_START
from generator.render.review import paper_citations, theme_review
from generator.render.site import SiteData, reading_order
from generator.render.urls import (
    HOME_SRC,
    LIBRARY_BIB,
    LIBRARY_CSL,
    TAGS_SRC,
    THEMES_INDEX_SRC,
    UNSORTED_SRC,
    bib_path,
    external_url,
    md_link,
    paper_links,
    paper_src,
    search_links,
    site_path,
    theme_feed_path,
    theme_src,
    url_folder,
    url_from_folder,
)

# --------------------------------------------------------------------------- templates


def _finalize(value: Any) -> Any:
    """Every `{{ ... }}` goes through here: plain values become escaped text."""
    if value is None:
        return Markup("")
    if isinstance(value, Markup):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Markup(str(value))
    return md_text(value)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("generator.render", "templates"),
        autoescape=True,  # and _finalize escapes more than HTML needs
        finalize=_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # Filters that would return Markup built by plain HTML escaping are replaced
    # by ones that escape like every other value.
    env.filters["join"] = lambda items, sep="": Markup(md_text(sep)).join(md_text(i) for i in items)
    env.filters["e"] = env.filters["escape"] = md_text
    env.filters["yaml"] = yaml_str
    env.filters["html_yaml"] = lambda v: yaml_str(html_text(v))
    env.filters["excerpt"] = excerpt
    env.filters["author_list"] = author_list
    env.globals["html_start"] = Markup(HTML_START)
    env.globals["html_end"] = Markup(HTML_END)
    return env


def compile_templates() -> None:
    """Compile every page template now (a process otherwise compiles each at its first use)."""
    env = environment()
    for name in env.list_templates():
        env.get_template(name)


def _render(template: str, **context: Any) -> str:
    text = environment().get_template(template).render(**context)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"


class _Page:
    """Helpers bound to one page: links from it, in MkDocs' terms."""

    def __init__(self, site: SiteData, src: str):
        self.site = site
        self.src = src
        self.dirs = site.settings.use_directory_urls  # for links in raw HTML (curator Markdown)
        self.folder = url_folder(src, self.dirs)
        self.public = site.settings.public  # the readers' view: no curator internals, no curator pages

    def md(self, target_src: str) -> Markup:
        """Link to another docs file (a .md page or a static file), checked by MkDocs."""
        return md_link(self.src, target_src)

    def paper(self, key: str) -> Markup:
        return self.md(paper_src(self.site.by_key[key].slug))

    def theme(self, theme_id: str) -> Markup:
        return self.md(theme_src(theme_id))

    # Links in HTML fragments (see generator/fragments.py): MkDocs neither rewrites nor
    # checks those, so they are final URLs, and only to pages this build makes.

    def url(self, target_src: str) -> Markup:
        """URL of another docs file as the browser resolves it from this page."""
        return Markup(url_from_folder(self.folder, site_path(target_src, self.dirs)))

    def paper_url(self, key: str) -> Markup:
        if key not in self.site.by_key:
            raise KeyError(f"{self.src}: link to unknown paper {key!r}")
        return self.url(paper_src(self.site.by_key[key].slug))

    def theme_url(self, theme_id: str) -> Markup:
        if theme_id not in self.site.theme_by_id:
            raise KeyError(f"{self.src}: link to unknown theme {theme_id!r}")
        return self.url(theme_src(theme_id))

    def tag_url(self, tag: str) -> Markup:
        return Markup(f"{self.url(TAGS_SRC)}#{self.site.tag_ids[tag]}")


def _theme_title(site: SiteData, theme_id: str) -> str:
    theme = site.theme_by_id.get(theme_id)
    return theme.title if theme is not None else theme_id


def _reason_sentence(reason: str) -> str:
    reason = plain(reason).strip()
    return f"it is {reason}" if reason.startswith("pinned") else reason


def theme_short(theme: Any) -> str:
    """The theme's one line for cards: `short:` as written, or the intro's first sentence as plain text.

    Loading fills an absent `short:` with the first sentence of the intro's
    Markdown source; that text is recognised here and read again from the
    intro as a reader sees it (no `**`, no link syntax). A `short:` given in
    themes.yml is plain text and shows exactly as written.
    """
    short = getattr(theme, "short", "") or ""
    intro = getattr(theme, "intro", "") or ""
    if short.strip() and short != first_sentence(intro):
        return short
    return first_sentence(curated_text(intro))


def abstract_segments(paper: Paper, site: SiteData) -> list[tuple[str, str | None]]:
    """The abstract cut into (text, target key or None) at its mentions."""
    text = paper.abstract
    segments: list[tuple[str, str | None]] = []
    pos = 0
    for m in sorted(site.mentions_out.get(paper.key, ()), key=lambda m: (m.start, -m.end)):
        if m.start < pos or m.target == paper.key or m.target not in site.by_key:
            continue
        if not (0 <= m.start < m.end <= len(text)):
            continue
        segments.append((text[pos : m.start], None))
        segments.append((text[m.start : m.end], m.target))
        pos = m.end
    segments.append((text[pos:], None))
    # Collapse white space across the whole abstract, not per piece.
    out: list[tuple[str, str | None]] = []
    for index, (piece, target) in enumerate(segments):
        piece = plain(piece)
        if index == 0:
            piece = piece.lstrip()
        if index == len(segments) - 1:
            piece = piece.rstrip()
        if out and out[-1][0].endswith(" ") and piece.startswith(" "):
            piece = piece[1:]
        if piece:
            out.append((piece, target))
    return out


def _status_label(status: str | None) -> str:
    return {"key": "key paper", "to-read": "to read"}.get(status or "", status or "")


def render_paper(site: SiteData, paper: Paper) -> str:
    src = paper_src(paper.slug)
    page = _Page(site, src)
    links = paper_links(paper.arxiv, paper.doi, paper.url)
    byline = []
    if paper.authors:
        byline.append(", ".join(plain(a).strip() for a in paper.authors) + (" et al." if paper.more_authors else ""))
    published = " ".join(plain(x).strip() for x in (paper.venue, paper.year) if x)
    if published:
        byline.append(published)
    return _render(
        "paper.md",
        page=page,
        paper=paper,
        byline=byline,
        segments=abstract_segments(paper, site),
        themes=[(a.theme, _theme_title(site, a.theme), _reason_sentence(a.reason)) for a in site.assignments.get(paper.key, ())],
        status=_status_label(paper.status),
        links=links,
        searches=[] if links else search_links(paper.title),
        notes=curated_html(paper.notes, src, page.dirs),
        related=[(r, site.by_key[r.key]) for r in site.related_to(paper.key)],
        mentions=[site.by_key[k] for k in site.mentioned(paper.key)],
        mentioned_by=[site.by_key[k] for k in site.mentioned_by(paper.key)],
        bibtex=code_block(without_abstract(site.bibtex.get(paper.key, ""))),
        bib=bib_path(paper.slug),
        description=meta.description(paper, site.settings),
        head=meta.head_meta(paper, site.settings),
        **paper_citations(site, paper),  # in-list citations (render/review.py)
    )


# A page of a long list is made from the site's themes and settings, its place in
# the list (`values`) and its papers (`keys`) alone. `reuse(src, values, keys, render)`
# may return the text an earlier build made from the same inputs instead of
# calling `render()`; the build passes one that knows what each paper key stood
# for (build.py).
Reuse = Callable[[str, tuple, tuple[str, ...], Callable[[], str]], str]


def _fresh(src: str, values: tuple, keys: tuple[str, ...], render: Callable[[], str]) -> str:
    return render()


def render_theme(site: SiteData, theme: Any, reuse: Reuse = _fresh) -> str:
    """A theme's first page: made from its members, the papers of its reading path and
    the citations among its members (render/review.py), besides the themes and settings."""
    members = site.members(theme.id)
    keys = [paper.key for paper in members]
    path = [step.paper for step in theme.start_here if step.paper in site.by_key]
    citations = tuple(sorted(site.citations.within(keys).edges()))
    return reuse(theme_src(theme.id), ("theme", len(keys), citations), (*keys, *path), partial(_theme_page, site, theme))


def _theme_page(site: SiteData, theme: Any) -> str:
    src = theme_src(theme.id)
    page = _Page(site, src)
    members = site.members(theme.id)
    reasons = {p.key: next(a.reason for a in site.assignments[p.key] if a.theme == theme.id) for p in members}
    pieces = listing.chunks(members, listing.THEME_PAPERS_PER_PAGE)
    return _render(
        "theme.md",
        page=page,
        theme=theme,
        intro=curated_html(theme.intro, src, page.dirs),
        papers=members,
        page_papers=pieces[0],  # the first page of the list; the rest: render_theme_pages
        pager=listing.theme_pager(page, theme.id, len(pieces), 1),
        key_count=sum(1 for p in members if p.status == "key"),
        reasons={k: _reason_sentence(r) for k, r in reasons.items()},
        limit=site.settings.excerpt_chars,
        bib=LIBRARY_BIB,  # the theme's part of it, cut in the browser (generator/export/downloads.py)
        csl=LIBRARY_CSL,
        feed=theme_feed_path(theme.id),
        description=excerpt(theme_short(theme), site.settings.excerpt_chars),  # <meta name="description">
        **theme_review(site, theme, page, members),  # reading path, timeline, citations, table (render/review.py)
    )


def render_theme_pages(site: SiteData, theme: Any, reuse: Reuse = _fresh) -> list[tuple[str, str]]:
    """A long theme's list past its first page: (docs path, Markdown) for pages 2, 3, ..."""
    members = site.members(theme.id)
    pieces = listing.chunks(members, listing.THEME_PAPERS_PER_PAGE)
    out = []
    for number, piece in enumerate(pieces[1:], 2):
        src = listing.theme_page_src(theme.id, number)

        def render(src=src, number=number, piece=piece) -> str:
            page = _Page(site, src)
            reasons = {p.key: next(a.reason for a in site.assignments[p.key] if a.theme == theme.id) for p in piece}
            return _render(
                "theme_page.md",
                page=page,
                theme=theme,
                page_title=f"{theme.title} (page {number})",
                papers=piece,
                total=len(members),
                first=(number - 1) * listing.THEME_PAPERS_PER_PAGE + 1,
                pager=listing.theme_pager(page, theme.id, len(pieces), number),
                reasons={k: _reason_sentence(r) for k, r in reasons.items()},
                limit=site.settings.excerpt_chars,
            )

        out.append((src, reuse(src, (theme.id, number, len(pieces), len(members)), tuple(p.key for p in piece), render)))
    return out


def _theme_cards(site: SiteData, page: _Page) -> list[dict]:
    return [
        {"id": t.id, "title": t.title, "short": excerpt(theme_short(t), 160), "count": len(site.members(t.id)), "link": page.theme(t.id)}
        for t in site.themes
    ]


def render_home(site: SiteData, chart_svg: Markup) -> str:
    page = _Page(site, HOME_SRC)
    sources = sorted({s.file for p in site.papers for s in p.sources})
    return _render(
        "home.md",
        page=page,
        intro=Markup(site.home_intro or "# Reading list\n"),  # trusted: a hand-written page
        total=len(site.papers),
        theme_count=len(site.themes),
        unsorted=len(site.unsorted()),
        key_count=sum(1 for p in site.papers if p.status == "key"),
        source_count=len(sources),
        cards=_theme_cards(site, page),
        chart=chart_svg,
        newest=site.newest(site.settings.recent),
        assignments=site.assignments,
        theme_title=lambda i: _theme_title(site, i),
        suggest_url=external_url(site.settings.suggest_url),
    )


def render_themes_index(site: SiteData) -> str:
    page = _Page(site, THEMES_INDEX_SRC)
    return _render("themes_index.md", page=page, cards=_theme_cards(site, page), unsorted=len(site.unsorted()))


RowReuse = listing.RowReuse  # a row of the all-papers list, kept by build.py
_fresh_row = listing.fresh_row


def _index_row(site: SiteData, page: _Page, paper: Paper) -> str:
    return environment().get_template("_papers_index_row.md").render(page=page, row=listing.row(site, paper))


def render_papers_index(site: SiteData, reuse: Reuse = _fresh, reuse_row: RowReuse = _fresh_row) -> list[tuple[str, str]]:
    """The all-papers list as (docs path, Markdown), cut into pages (generator/render/listing.py)."""
    ordered = sorted(site.papers, key=listing.index_order)
    pieces = listing.chunks(ordered, listing.PAPERS_PER_PAGE)
    sources = [listing.index_page_src(n) for n in range(1, len(pieces) + 1)]
    statuses = tuple(s for s in STATUSES if any(p.status == s for p in site.papers))
    has_unstatused = any(p.status is None for p in site.papers)
    out = []
    for number, (src, piece) in enumerate(zip(sources, pieces), 1):

        def render(src=src, number=number, piece=piece) -> str:
            page = _Page(site, src)
            return _render(
                "papers_index.md",
                page=page,
                rows=piece,
                row_html=[Markup(reuse_row(page.folder, p.key, partial(_index_row, site, page, p))) for p in piece],
                total=len(ordered),
                first=(number - 1) * listing.PAPERS_PER_PAGE + 1,
                pager=listing.pager(page, sources, number),
                list_json=page.url(listing.PAPERS_LIST_JSON),
                root=page.url(HOME_SRC),
                themes=site.themes,
                statuses=[(s, _status_label(s)) for s in statuses],
                has_unstatused=has_unstatused,
            )

        values = (number, len(pieces), len(ordered), statuses, has_unstatused)
        out.append((src, reuse(src, values, tuple(p.key for p in piece), render)))
    return out


def render_unsorted(site: SiteData) -> str:
    page = _Page(site, UNSORTED_SRC)
    return _render("unsorted.md", page=page, papers=site.unsorted(), limit=site.settings.excerpt_chars, themes=site.themes)


def render_tags(site: SiteData) -> str:
    page = _Page(site, TAGS_SRC)
    groups = []
    for tag, anchor in site.tag_ids.items():
        tagged = sorted((p for p in site.papers if tag in p.tags), key=reading_order)
        groups.append({"tag": tag, "anchor": anchor, "papers": tagged})
    return _render("tags.md", page=page, groups=groups)



__all__ = [
    "environment",
    "theme_short",
    "render_paper",
    "render_theme",
    "render_theme_pages",
    "render_home",
    "render_themes_index",
    "render_papers_index",
    "render_unsorted",
    "render_tags",
]
