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
    csv/themes/<id>.csv      a theme's comparison table, when it declares columns
    feeds/all.xml, feeds/themes/<id>.xml
    papers.json
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path
from typing import Callable

from generator import cache as cache_stage
from generator.analysis import themes as themes_stage
from generator.analysis.citations import citation_graph
from generator.analysis.features import warm_features
from generator.analysis.mentions import find_mentions
from generator.analysis.themes.review import validate_review
from generator.analysis.related_update import related_papers_updated
from generator.analysis.similarity import related_papers
from generator.export.aliases import with_alias_copies
from generator.export.bibtex import bibtex_for
from generator.export.csl import item_text, joined_with_ranges
from generator.export.downloads import THEME_DOWNLOADS, bib_ranges, theme_downloads
from generator.export.feeds import atom_feed
from generator.export.papers_json import join_lines, paper_line, papers_json
from generator.library.records import load_library
from generator.model import Paper, Problem
from generator.render import pages
from generator.render.chart import bar_chart
from generator.render.curated_check import curated_link_problems
from generator.render.listing import PAPERS_LIST_JSON, index_order, papers_list_json
from generator.render.site import SiteData, title_order
from generator.render.tables import comparison_csv, comparison_rows, theme_csv_path
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
from generator.settings import Settings, read_mkdocs_settings
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


def load_content(root: Path, cache: cache_stage.BuildCache | None = None) -> tuple[Content, list[Problem]]:
    """Read and validate everything under the content folder (unchanged records from `cache`)."""
    memo = None
    if cache is not None:
        memo = cache.records = cache_stage.RecordMemo(cache.stage("records"))
    library = load_library(root, memo)
    problems = list(library.problems)
    themes, found = _load_themes(root / "themes.yml", cache)
    problems.extend(found)
    if themes or not found:  # a themes.yml that did not load makes no pin or fact wrong
        problems.extend(themes_stage.validate_against_library(themes, library.papers, root / "themes.yml"))
        problems.extend(validate_review(themes, library.papers, root / "themes.yml"))  # columns, facts, start_here
    home_intro, hand_written = _read_pages(root / PAGES_DIR)
    return Content(root, library.papers, themes, home_intro, hand_written), problems


def _load_themes(path: Path, cache: cache_stage.BuildCache | None):
    """themes.yml, read again only when its bytes changed (its round-trip parse is slow)."""
    if cache is None or not path.is_file():
        return themes_stage.load_themes(path)
    stage = cache.stage("themes")
    key = cache_stage.digest(str(path), path.read_bytes())
    found = stage.get("themes.yml", key)
    return found if found is not None else stage.put("themes.yml", key, themes_stage.load_themes(path))


def _assign_themes(papers: tuple[Paper, ...], themes, cache: cache_stage.BuildCache | None):
    """Each paper's themes: they depend on that paper and themes.yml alone."""
    if cache is None:
        return themes_stage.assign_themes(papers, themes)
    stage = cache.stage("assignments")
    rules = cache_stage.digest(themes)
    keys = {paper.key: cache_stage.digest(cache.paper_id(paper), rules) for paper in papers}
    found = {paper.key: stage.get(paper.key, keys[paper.key]) for paper in papers}
    missing = [paper for paper in papers if found[paper.key] is None]
    for key, value in themes_stage.assign_themes(missing, themes).items():
        found[key] = stage.put(key, keys[key], value)
    return found


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


def generate(content: Content, settings: Settings = Settings(), cache: cache_stage.BuildCache | None = None) -> OutputSet:
    """Every generated file, in memory: the pipeline from records to pages and exports.

    With a `cache`, results whose inputs hash the same as in an earlier build
    are reused; the output is the same bytes either way.
    """
    papers = tuple(sorted(content.papers, key=lambda p: p.key))
    assignments = _assign_themes(papers, content.themes, cache)
    related, mentions = _text_stages(papers, cache)
    bibtex = _bibtex_entries(papers, cache)
    bib_files = with_alias_copies(papers, bibtex, lambda paper: bibtex_for([paper], aliases=False), "\n")
    site = SiteData(
        papers=papers,
        themes=content.themes,
        assignments=assignments,
        related=related,
        mentions_out=mentions.outgoing,
        mentions_in=mentions.incoming,
        bibtex=bibtex,
        bib_files=bib_files,
        settings=settings,
        home_intro=content.home_intro,
        citations=citation_graph(papers),
    )
    outputs = OutputSet()
    shown = _shown_keys(site, cache) if cache is not None else None
    listed = _listed_ids(site, cache) if cache is not None else None
    try:
        _pages(outputs, site, cache, shown, listed)
        for relative, data in content.pages:  # hand-written: about, how to curate, images
            outputs.add(relative, data)
        csl = with_alias_copies(papers, _csl_items(papers, cache), item_text, ",\n")
        _cached_exports(outputs, site, csl, cache, listed)
        outputs.add(PAPERS_JSON, _papers_json(site, cache, shown))
    except OutputConflict as err:  # e.g. content/pages/tags.md, or a paper keyed "library"
        raise ContentError([Problem(str(content.root), f"{err}; rename the page or record")]) from None
    return outputs


def _text_stages(papers: tuple[Paper, ...], cache: cache_stage.BuildCache | None):
    """Related papers and mentions: both read only keys, titles and abstracts.

    After an edit to a title or abstract, related papers are updated from the
    last build's (related_update.py: the same result, a fraction of the work).
    """
    if cache is None:
        return related_papers(papers, k=RELATED_PER_PAPER), find_mentions(papers)
    stage = cache.stage("text")
    key = cache_stage.digest(RELATED_PER_PAPER, [(p.key, p.title, p.abstract) for p in papers])
    found = stage.get("related+mentions", key)
    previous = stage.get("related-state", "latest")  # asked for on every build, so it is kept
    if found is None:
        with _TEXT_WORK:
            related, state = related_papers_updated(papers, RELATED_PER_PAPER, previous)
            mentions = find_mentions(papers)
        stage.put("related-state", "latest", state)
        found = stage.put("related+mentions", key, (related, mentions))
    return found


_TEXT_WORK = threading.Lock()  # the text stages and their warm-up share what they keep between calls


def prepare_for_edits(papers: tuple[Paper, ...], cache: cache_stage.BuildCache, pause: Callable[[], object] = lambda: None) -> None:
    """Do once the work that later builds of this process reuse from memory, for a
    `mkdocs serve` whose first build took everything from the cache: every title and
    abstract split into features and their words numbered, names judged (the text
    stages), the titles' sort keys, the page templates compiled.

    The first title edit of such a server otherwise does it all: at 10,000 papers its
    generation took 10.3 s, later ones 3.9 s. Run in the background after the first
    build, while the curator reads. `pause()` is called between steps, so that a
    rebuild started meanwhile has the interpreter to itself; a text stage that starts
    during one of the two text steps waits for it.
    """
    pages.compile_templates()
    for paper in papers:
        title_order(paper), index_order(paper)
    warm_features(papers, pause)
    papers = tuple(sorted(papers, key=lambda p: p.key))
    previous = cache.stage("text").get("related-state", "latest")
    pause()
    with _TEXT_WORK:
        related_papers_updated(papers, RELATED_PER_PAPER, previous)
    pause()
    with _TEXT_WORK:
        find_mentions(papers)


def _bibtex_entries(papers: tuple[Paper, ...], cache: cache_stage.BuildCache | None) -> dict[str, str]:
    """One BibTeX entry per paper; it depends on that paper alone."""
    return _per_paper(papers, cache, "bibtex", lambda paper: bibtex_for([paper], aliases=False))


def _csl_items(papers: tuple[Paper, ...], cache: cache_stage.BuildCache | None) -> dict[str, str]:
    """One CSL-JSON item text per paper; it depends on that paper alone."""
    return _per_paper(papers, cache, "csl", item_text)


def _per_paper(papers, cache: cache_stage.BuildCache | None, name: str, make) -> dict[str, str]:
    """`make(paper)` for every paper, reused from the cache's stage `name` while the record is unchanged."""
    if cache is None:
        return {paper.key: make(paper) for paper in papers}
    stage = cache.stage(name)
    found = {}
    for paper in papers:
        key = cache.paper_id(paper)
        value = stage.get(paper.key, key)
        found[paper.key] = value if value is not None else stage.put(paper.key, key, make(paper))
    return found


def _paper_page_inputs(site: SiteData, paper: Paper, ids: dict[str, str], common: str) -> str:
    """A hash of everything a paper page shows: the paper (its BibTeX entry follows
    from it), its themes, its neighbours (related, mentions, in-list citations),
    and `common` (theme titles, settings). A new input of `render_paper` must be
    added here too."""
    related = site.related_to(paper.key)
    mentions_out = site.mentions_out.get(paper.key, ())
    mentioned, mentioned_by = site.mentioned(paper.key), site.mentioned_by(paper.key)
    cites, cited_by = site.citations.cites_of(paper.key), site.citations.cited_by_of(paper.key)
    neighbours = {r.key for r in related} | {m.target for m in mentions_out} | set(mentioned) | set(mentioned_by)
    neighbours |= set(cites) | set(cited_by)
    return cache_stage.digest(
        common,
        ids[paper.key],
        _fields(site.assignments.get(paper.key, ())),
        _fields(related),
        _fields(mentions_out),
        mentioned,
        mentioned_by,
        cites,
        cited_by,
        [(k, ids.get(k)) for k in sorted(neighbours)],
    )


def _fields(items) -> list[tuple]:
    """Dataclass instances as the values of their fields: the same hash, pickled several times faster."""
    return [tuple(vars(item).values()) for item in items]


def _shown_keys(site: SiteData, cache: cache_stage.BuildCache) -> dict[str, str]:
    """Each paper key -> a hash of what its page shows (`_paper_page_inputs`)."""
    ids = {paper.key: cache.paper_id(paper) for paper in site.papers}
    common = cache_stage.digest([(t.id, t.title) for t in site.themes], site.settings)
    return {paper.key: _paper_page_inputs(site, paper, ids, common) for paper in site.papers}


def _paper_pages(outputs: OutputSet, site: SiteData, cache: cache_stage.BuildCache | None, shown: dict[str, str] | None) -> None:
    """A page per paper, re-rendered only when what it shows changed."""
    stage = cache.stage("paper-pages") if cache is not None else None
    for paper in site.papers:
        src = paper_src(paper.slug)
        if stage is None or shown is None:
            outputs.add(src, pages.render_paper(site, paper))
            continue
        key = shown[paper.key]
        text = stage.get(src, key)
        outputs.add(src, text if text is not None else stage.put(src, key, pages.render_paper(site, paper)))


def _papers_json(site: SiteData, cache: cache_stage.BuildCache | None, shown: dict[str, str] | None) -> str:
    """papers.json from one line per paper, each reused while what its page shows
    and the themes' columns (its `facts`) are unchanged."""
    if cache is None or shown is None:
        return papers_json(site)
    stage = cache.stage("papers-json")
    columns = cache_stage.digest([(t.id, t.columns) for t in site.themes])
    lines = []
    for paper in sorted(site.papers, key=lambda p: p.key):
        key = cache_stage.digest(shown[paper.key], columns)
        line = stage.get(paper.key, key)
        lines.append(line if line is not None else stage.put(paper.key, key, paper_line(site, paper)))
    return join_lines(lines)


def _pages(outputs: OutputSet, site: SiteData, cache: cache_stage.BuildCache | None = None,
           shown: dict[str, str] | None = None, listed: dict[str, str] | None = None) -> None:
    for src, text in _listings(site, cache, listed):
        outputs.add(src, text)
    _paper_pages(outputs, site, cache, shown)


def _listing_pages(site: SiteData, reuse: pages.Reuse = pages._fresh, reuse_row: pages.RowReuse = pages._fresh_row) -> list[tuple[str, str]]:
    """Every page that lists papers (home, themes, all papers, unsorted, tags) and the list's data."""
    counts = [(theme.title, len(site.members(theme.id))) for theme in site.themes]
    chart = bar_chart(counts, title="Papers per theme", chart_id="rl-themes-chart")
    found = [(HOME_SRC, pages.render_home(site, chart)), (THEMES_INDEX_SRC, pages.render_themes_index(site))]
    for theme in site.themes:
        found.append((theme_src(theme.id), pages.render_theme(site, theme, reuse)))
        found += pages.render_theme_pages(site, theme, reuse)
    found += pages.render_papers_index(site, reuse, reuse_row)
    found.append((PAPERS_LIST_JSON, papers_list_json(site, reuse_row)))
    found.append((UNSORTED_SRC, pages.render_unsorted(site)))
    found.append((TAGS_SRC, pages.render_tags(site)))
    return found


# Paper fields no listing page shows: editing them (the curator's notes) leaves every list as it was.
NOT_LISTED = {"notes": None}


def _listings(site: SiteData, cache: cache_stage.BuildCache | None, listed: dict[str, str] | None) -> list[tuple[str, str]]:
    """The listing pages, reused when nothing they show changed (an edit to a paper's notes).

    They are made from the papers but for `NOT_LISTED` (every other input of
    SiteData follows from these), the themes, the settings and the home page's
    introduction; a test holds that changing a NOT_LISTED field changes no list.
    When something listed changed (a title, a status), each page of a long
    list is still reused while its own papers and place are unchanged.
    """
    if cache is None or listed is None:
        return _listing_pages(site)
    frame = cache_stage.digest(site.themes, site.settings)  # all a list page shows besides its place and papers
    key = cache_stage.digest(list(listed.values()), frame, site.home_intro)
    stage = cache.stage("listings")
    found = stage.get("all", key)
    list_pages = cache.stage("list-pages")
    if found is not None:
        list_pages.keep_all()  # for the next build that changes a list
        _keep_rows(cache.stage("list-rows"), listed)
        return found

    def reuse(src: str, values: tuple, keys: tuple[str, ...], render) -> str:
        page_key = cache_stage.digest(frame, values, [listed[k] for k in keys])
        text = list_pages.get(src, page_key)
        return text if text is not None else list_pages.put(src, page_key, render())

    rows = cache.stage("list-rows")  # a row of the all-papers list, by page folder and paper

    def reuse_row(folder: str, paper_key: str, render) -> str:
        row_key = cache_stage.digest(frame, listed[paper_key])
        text = rows.get(f"{folder}|{paper_key}", row_key)
        return text if text is not None else rows.put(f"{folder}|{paper_key}", row_key, render())

    found = stage.put("all", key, _listing_pages(site, reuse, reuse_row))
    _keep_rows(rows, listed)
    return found


def _keep_rows(rows: cache_stage.Stage, listed: dict[str, str]) -> None:
    """Rows of the papers still in the library stay cached, asked for or not: a page
    reused whole did not ask for its rows, and needs them when its papers move."""
    rows.keep(name for name in rows.entries if name.rpartition("|")[2] in listed)


def _listed_ids(site: SiteData, cache: cache_stage.BuildCache) -> dict[str, str]:
    """Each paper key -> a hash of the paper but for its NOT_LISTED fields (kept per record)."""
    ids = cache.stage("listed-fields")
    listed = {}
    for paper in site.papers:
        paper_id = cache.paper_id(paper)
        found = ids.get(paper.key, paper_id)
        listed[paper.key] = found if found is not None else ids.put(paper.key, paper_id, cache_stage.digest(replace(paper, **NOT_LISTED)))
    return listed


def _cached_exports(outputs: OutputSet, site: SiteData, csl: dict[str, str],
                    cache: cache_stage.BuildCache | None, listed: dict[str, str] | None) -> None:
    """The exports, reused whole while the papers but for their NOT_LISTED fields (feeds,
    tables), their BibTeX and CSL entries, the themes and the settings are unchanged:
    a note edit at 10,000 papers spent 0.6 s joining and hashing them again."""
    if cache is None or listed is None:
        return _exports(outputs, site, csl)
    key = cache_stage.digest(
        site.themes, site.settings, [listed[p.key] for p in site.papers],
        [site.bib_files[p.key] for p in site.papers], [csl[p.key] for p in site.papers],
    )
    stage = cache.stage("exports")
    files = stage.get("all", key)
    if files is None:
        before = len(outputs.files)
        _exports(outputs, site, csl)
        stage.put("all", key, dict(islice(outputs.files.items(), before, None)))  # what it added
        return
    for path, data in files.items():
        outputs.add(path, data)


def _joined_bibtex(site: SiteData, papers) -> str:
    """A .bib of several papers from the per-paper entries already encoded.

    Same text as `bibtex_for(papers)` (a test holds them equal), without
    encoding each entry again for the library file and every theme file.
    """
    return "\n".join(site.bib_files[paper.key] for paper in papers)


def _exports(outputs: OutputSet, site: SiteData, csl: dict[str, str]) -> None:
    settings = site.settings
    dirs = settings.use_directory_urls

    def link(paper: Paper) -> str:
        return page_url(paper_src(paper.slug), dirs)

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
        outputs.add(bib_path(paper.slug), site.bib_files[paper.key])
    library_bib = _joined_bibtex(site, site.papers)
    outputs.add(LIBRARY_BIB, library_bib)
    csl_text, csl_ranges = joined_with_ranges([csl[paper.key] for paper in site.papers])
    outputs.add(LIBRARY_CSL, csl_text)
    outputs.add(ALL_FEED, feed(list(site.papers), ALL_FEED, f"{settings.site_name}: all papers"))
    members = {theme.id: sorted(site.members(theme.id), key=lambda p: p.key) for theme in site.themes}
    for theme in site.themes:
        path = theme_feed_path(theme.id)
        outputs.add(path, feed(members[theme.id], path, f"{settings.site_name}: {theme.title}"))
        if theme.columns and (rows := comparison_rows(theme, site.members(theme.id))):
            outputs.add(theme_csv_path(theme.id), comparison_csv(theme, rows, lambda key: page_url(paper_src(site.by_key[key].slug), dirs)))
    # A theme's .bib and CSL-JSON are cut from the library files in the browser (export/downloads.py).
    keys = [paper.key for paper in site.papers]
    bib = bib_ranges([site.bib_files[key] for key in keys])
    libraries = {"bib": library_bib.encode("utf-8"), "csl": csl_text.encode("utf-8")}
    outputs.add(THEME_DOWNLOADS, theme_downloads(keys, bib, csl_ranges, {t: [p.key for p in found] for t, found in members.items()}, libraries))


def _feed_id(site_url: str, path: str) -> str:
    """A permanent feed id: its URL when the site has one, else a tag: URI."""
    if site_url:
        return site_url.rstrip("/") + "/" + path
    return f"tag:reading-list,2024:{path}"


def build_site(
    content_dir: Path, docs_dir: Path, settings: Settings | None = None, cache: cache_stage.BuildCache | None = None
) -> tuple[Content, SyncReport]:
    """Load, check, generate and write; `settings` default to the mkdocs.yml beside the content.

    `cache` (generator/cache.py) makes a rebuild after a small edit cheap; it is
    saved only after a build that succeeded.
    """
    content, problems = load_content(content_dir, cache)
    if problems:
        raise ContentError(problems)
    if settings is None:
        settings = read_mkdocs_settings(Path(content_dir).resolve().parent / "mkdocs.yml")
    outputs = generate(content, settings, cache)
    problems = link_problems(content, outputs, settings)
    if problems:
        raise ContentError(problems)
    report = sync_tree(docs_dir, outputs)
    if cache is not None:
        cache.save()
    return content, report


def link_problems(content: Content, outputs: OutputSet, settings: Settings) -> list[Problem]:
    """Links in notes and theme intros to nothing the site has: what `mkdocs build --strict` refuses.

    Checked against the generated files only (the docs folder holds nothing
    else: hand-written pages come from content/pages), so `check`, which has
    no docs folder, refuses exactly what `build` refuses.
    """
    return curated_link_problems(
        content.papers, content.themes, content.root / "themes.yml",
        outputs.files, settings.use_directory_urls,
    )


def build(content_dir: Path, docs_dir: Path, settings: Settings | None = None,
          cache: cache_stage.BuildCache | None = None) -> SyncReport:
    return build_site(content_dir, docs_dir, settings, cache)[1]
