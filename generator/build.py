"""Build stage: content -> generated docs folder (Markdown, .bib, JSON, feeds).

`generate()` is pure: it returns every output file in memory. `build()` then
hands them to the writer, which writes only what changed and removes stale
files. The pipeline reads top to bottom: load -> assign themes -> related
papers -> mentions -> pages -> exports (BibTeX, CSL-JSON, Atom) -> papers.json.

Layout of the generated docs folder:

    index.md                 home: counts, theme cards, chart, recently added
    themes/index.md          every theme as a card
    themes/<id>.md           a theme: introduction, its papers with excerpts
    papers/index.md          every paper, a page of them; papers/page/<n>.md the next pages
    themes/<id>/page/<n>.md  a long theme's list past its first page
    papers-list.json         one short row per paper: the all-papers list sorts and filters it
    papers/<key>.md          a paper: abstract, themes and why, links, BibTeX
    unsorted.md, tags.md     triage list; tags from the records
    <content/pages/**>       hand-written pages, copied through (about, curating)
    bib/<key>.bib, bib/library.bib, csl/library.json
    bib/themes.json          where each theme's entries sit in the library files (its downloads)
    feeds/all.xml, feeds/themes/<id>.xml
    papers.json
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.analysis import themes as themes_stage
from generator.analysis.mentions import find_mentions
from generator.analysis.similarity import related_papers
from generator.export.bibtex import bibtex_for
from generator.export.csl import csl_json_ranges
from generator.export.downloads import THEME_DOWNLOADS, bib_ranges, theme_downloads
from generator.export.feeds import atom_feed
from generator.export.papers_json import papers_json
from generator.library.records import load_library
from generator.model import Paper, Problem
from generator.render import pages
from generator.render.chart import bar_chart
from generator.render.listing import PAPERS_LIST_JSON, papers_list_json
from generator.render.site import SiteData
from generator.render.urls import (
    ALL_FEED,
    HOME_SRC,
    LIBRARY_BIB,
    LIBRARY_CSL,
    PAPERS_JSON,
    TAGS_SRC,
    THEMES_INDEX_SRC,
    UNSORTED_SRC,
    bib_path,
    page_url,
    paper_src,
    theme_feed_path,
    theme_src,
)
from generator.settings import Settings, read_mkdocs_settings, settings_from  # noqa: F401 (settings_from: the hook's)
from generator.writer import OutputConflict, OutputSet, SyncReport, sync_tree

RELATED_PER_PAPER = 5
PAGES_DIR = "pages"
HOME_FRAGMENT = "home.md"  # content/pages/home.md opens the home page; it is not a page itself


class ContentError(Exception):
    """The content folder has problems; the build refuses to run."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the content")
        self.problems = problems


@dataclass(frozen=True)
class Content:
    """Everything the build reads, read once, so that `generate` touches no file."""

    root: Path
    papers: tuple[Paper, ...]
    themes: tuple[themes_stage.Theme, ...]
    home_intro: str | None = None  # content/pages/home.md, trusted Markdown
    pages: tuple[tuple[str, bytes], ...] = ()  # content/pages/** as (docs path, bytes), sorted


def load_content(root: Path) -> tuple[Content, list[Problem]]:
    """Read and validate everything under the content folder."""
    library = load_library(root)
    problems = list(library.problems)
    themes, found = themes_stage.load_themes(root / "themes.yml")
    problems.extend(found)
    problems.extend(themes_stage.validate_against_library(themes, library.papers, root / "themes.yml"))
    home_intro, hand_written = _read_pages(root / PAGES_DIR)
    return Content(root, library.papers, themes, home_intro, hand_written), problems


def _read_pages(folder: Path) -> tuple[str | None, tuple[tuple[str, bytes], ...]]:
    """content/pages/: the home page's opening, and the pages copied through as they are."""
    if not folder.is_dir():
        return None, ()
    home = folder / HOME_FRAGMENT
    home_intro = home.read_text("utf-8") if home.is_file() else None
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or relative.as_posix() == HOME_FRAGMENT or any(part.startswith(".") for part in relative.parts):
            continue
        found.append((relative.as_posix(), path.read_bytes()))
    return home_intro, tuple(found)


def generate(content: Content, settings: Settings = Settings()) -> OutputSet:
    """Every generated file, in memory: the pipeline from records to pages and exports."""
    papers = tuple(sorted(content.papers, key=lambda p: p.key))
    assignments = themes_stage.assign_themes(papers, content.themes)
    related = related_papers(papers, k=RELATED_PER_PAPER)
    mentions = find_mentions(papers)
    bibtex = {paper.key: bibtex_for([paper]) for paper in papers}
    site = SiteData(
        papers=papers,
        themes=content.themes,
        assignments=assignments,
        related=related,
        mentions_out=mentions.outgoing,
        mentions_in=mentions.incoming,
        bibtex=bibtex,
        settings=settings,
        home_intro=content.home_intro,
    )
    outputs = OutputSet()
    try:
        _pages(outputs, site)
        for relative, data in content.pages:  # hand-written: about, how to curate, images
            outputs.add(relative, data)
        _exports(outputs, site)
        outputs.add(PAPERS_JSON, papers_json(site))
    except OutputConflict as err:  # e.g. content/pages/tags.md, or a paper keyed "library"
        raise ContentError([Problem(str(content.root), f"{err}; rename the page or record")]) from None
    return outputs


def _pages(outputs: OutputSet, site: SiteData) -> None:
    counts = [(theme.title, len(site.members(theme.id))) for theme in site.themes]
    chart = bar_chart(counts, title="Papers per theme", chart_id="rl-themes-chart")
    outputs.add(HOME_SRC, pages.render_home(site, chart))
    outputs.add(THEMES_INDEX_SRC, pages.render_themes_index(site))
    for theme in site.themes:
        outputs.add(theme_src(theme.id), pages.render_theme(site, theme))
        for src, text in pages.render_theme_pages(site, theme):
            outputs.add(src, text)
    for src, text in pages.render_papers_index(site):
        outputs.add(src, text)
    outputs.add(PAPERS_LIST_JSON, papers_list_json(site))
    for paper in site.papers:
        outputs.add(paper_src(paper.key), pages.render_paper(site, paper))
    outputs.add(UNSORTED_SRC, pages.render_unsorted(site))
    outputs.add(TAGS_SRC, pages.render_tags(site))

def _joined_bibtex(site: SiteData, papers) -> str:
    """A .bib of several papers from the per-paper entries already encoded.

    Same text as `bibtex_for(papers)` (a test holds them equal), without
    encoding each entry again for the library file and every theme file.
    """
    return "\n".join(site.bibtex[paper.key] for paper in papers)


def _exports(outputs: OutputSet, site: SiteData) -> None:
    settings = site.settings
    dirs = settings.use_directory_urls

    def link(paper: Paper) -> str:
        return page_url(paper_src(paper.key), dirs)

    def feed(papers: list[Paper], path: str, title: str) -> str:
        return atom_feed(
            papers,
            feed_id=_feed_id(settings.site_url, path),
            title=title,
            site_url=settings.site_url,
            feed_path=path,
            page_url=link,
            limit=settings.feed_limit,
        )

    for paper in site.papers:
        outputs.add(bib_path(paper.key), site.bibtex[paper.key])
    outputs.add(LIBRARY_BIB, _joined_bibtex(site, site.papers))
    csl_text, csl_ranges = csl_json_ranges(site.papers)
    outputs.add(LIBRARY_CSL, csl_text)
    outputs.add(ALL_FEED, feed(list(site.papers), ALL_FEED, f"{settings.site_name}: all papers"))
    members = {theme.id: sorted(site.members(theme.id), key=lambda p: p.key) for theme in site.themes}
    for theme in site.themes:
        path = theme_feed_path(theme.id)
        outputs.add(path, feed(members[theme.id], path, f"{settings.site_name}: {theme.title}"))
    # A theme's .bib and CSL-JSON are cut from the library files in the browser (export/downloads.py).
    keys = [paper.key for paper in site.papers]
    bib = bib_ranges([site.bibtex[key] for key in keys])
    outputs.add(THEME_DOWNLOADS, theme_downloads(keys, bib, csl_ranges, {t: [p.key for p in found] for t, found in members.items()}))


def _feed_id(site_url: str, path: str) -> str:
    """A permanent feed id: its URL when the site has one, else a tag: URI."""
    if site_url:
        return site_url.rstrip("/") + "/" + path
    return f"tag:reading-list,2024:{path}"


def build_site(content_dir: Path, docs_dir: Path, settings: Settings | None = None) -> tuple[Content, SyncReport]:
    """Load, check, generate and write; `settings` default to the mkdocs.yml beside the content."""
    content, problems = load_content(content_dir)
    if problems:
        raise ContentError(problems)
    if settings is None:
        settings = read_mkdocs_settings(Path(content_dir).resolve().parent / "mkdocs.yml")
    return content, sync_tree(docs_dir, generate(content, settings))


def build(content_dir: Path, docs_dir: Path, settings: Settings | None = None) -> SyncReport:
    return build_site(content_dir, docs_dir, settings)[1]
