"""MkDocs hook: run the generator before every build, so `mkdocs build` and
`mkdocs serve` need no other step, and watch content/ and overrides/.

The content folder is `content/` next to mkdocs.yml. site_url and
use_directory_urls come from mkdocs.yml, so feeds, papers.json and links in
raw HTML agree with the site MkDocs builds. The theme pages are added to the
navigation under the entry that names `themes/index.md`; paper pages are never
in the navigation (see `not_in_nav`), they are reached by links and search.

For speed at thousands of papers the hook also keeps generated HTML away from
Python-Markdown and checks its links (generator/render/fragments.py), lets
pages outside the navigation share one rendered sidebar and header
(shared_frame.py),
shrinks the built pages (postprocess.py), links the generated static files
into the site instead of copying them (static_files.py), leaves the unchanged
paper pages out of a `mkdocs serve --dirty` rebuild (dirty_files.py) and indexes them with Pagefind
(search.py; a full build hands Pagefind each page as it is built, live_index.py). What one build needs to remember between events lives on its
`BuildState`, never in module globals.
"""

from __future__ import annotations

from html import escape as escape_html
import atexit
import datetime
import functools
import logging
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the hook is loaded by file path
    sys.path.insert(0, str(ROOT))

import jinja2  # noqa: E402
import material  # noqa: E402
import mkdocs  # noqa: E402
from mkdocs.exceptions import PluginError  # noqa: E402

from generator.build import ContentError, build_site, prepare_for_edits  # noqa: E402
from generator.cache import SITE_CACHE_DIR, BuildCache, open_cache  # noqa: E402
from generator.settings import apply_view, settings_from  # noqa: E402
from generator.render.fragments import FRONT_MATTER_FLAG, FragmentError, broken_links, lift, restore  # noqa: E402
from generator.mkdocs_integration.postprocess import compact_html  # noqa: E402
from generator.render.urls import theme_src  # noqa: E402
from generator.mkdocs_integration import collector, page_cache, search, served_files, served_problems, shared_markdown  # noqa: E402
from generator.mkdocs_integration.live_index import LiveIndex  # noqa: E402
from generator.mkdocs_integration.shared_frame import SharedBlocks, SharedHeader  # noqa: E402
from generator.mkdocs_integration.site_parts import SharedParts  # noqa: E402
from generator.mkdocs_integration.static_files import link_static_files  # noqa: E402
from generator.mkdocs_integration.dirty_files import per_paper, without_unchanged  # noqa: E402
from generator.mkdocs_integration.compiled_templates import COMPILED  # noqa: E402
from generator.mkdocs_integration.watching import watch_natively  # noqa: E402
from generator.mkdocs_integration.scripts import FOLDER as SCRIPTS_FOLDER  # noqa: E402
from generator.writer import write_atomic  # noqa: E402

log = logging.getLogger("mkdocs.hooks.generator")

THEMES_INDEX = "themes/index.md"


def _site_root(config) -> Path:
    return Path(config.config_file_path).resolve().parent


@dataclass
class BuildState:
    """What one build carries between events, so two builds never share any.

    It hangs on the build's config object (every event receives it), made new
    by `on_config`: `mkdocs serve` loads the config again for each rebuild.
    """

    shared_blocks: SharedBlocks = field(default_factory=lambda: SharedBlocks(set()))
    shared_header: SharedHeader = field(default_factory=SharedHeader)
    # Fragments lifted out of each page's Markdown, by page, until its HTML is made.
    lifted: dict[str, list[str]] = field(default_factory=dict)
    # Every page URL and file path of the build, for checking links in fragments.
    site_paths: set[str] = field(default_factory=set)
    # During `mkdocs serve`: the content problems this build could not get past,
    # shown on every served page instead of stopping the server.
    content_problems: list[str] = field(default_factory=list)
    # Pages whose front matter leaves them out of search (search.py).
    unsearchable: set[str] = field(default_factory=set)
    # One Python-Markdown instance for the generated pages (shared_markdown.py).
    markdown: shared_markdown.SharedMarkdown = field(default_factory=shared_markdown.SharedMarkdown)
    # Material's search dialog and page config, learnt from the first page (site_parts.py).
    parts: SharedParts = field(default_factory=SharedParts)
    # A full build's search index, fed each page as it is built (live_index.py).
    live_index: LiveIndex | None = None
    # `mkdocs serve --dirty`: the per-paper files left out of this rebuild, and those it builds (served_files.py).
    left_out: dict = field(default_factory=dict)
    built_per_paper: list = field(default_factory=list)
    # A full build's pages kept from the last one (page_cache.py): the cache, the pages
    # found in it, the keys of the pages rendered, the navigation's pages (never kept).
    page_cache: page_cache.PageCache | None = None
    kept: dict[str, page_cache.KeptPage] = field(default_factory=dict)
    page_keys: dict[str, str] = field(default_factory=dict)
    in_nav: set[str] = field(default_factory=set)
    warnings: page_cache.WarningCount | None = None
    # `mkdocs serve`'s first build: the papers and cache to prepare later builds with (build.prepare_for_edits).
    to_prepare: tuple | None = None


_STATE = "reading_list_build"
# The command this process runs ("serve", "build", "gh-deploy"): the process's,
# not a build's, so it is kept here; on_startup sets it once.
_PROCESS = {"command": None, "dirty": False, "build_date_set": False, "stopping": False, "problems_served": False,
            "prepared": False}
_SERVED = served_files.ServedFiles()  # the per-paper files of this server's last rebuild
_PROBLEMS = served_problems.ServedProblems()  # the box the server adds to each page (served_problems.py)


def on_startup(command, dirty=False, **kwargs):
    _PROCESS["command"] = command
    _PROCESS["dirty"] = dirty
    _PROCESS["stopping"] = False
    _PROCESS["problems_served"] = False
    _PROCESS["prepared"] = False
    if command == "serve":
        atexit.register(search.stop_background_indexing)  # no indexer outlives the server
    if command == "serve" and dirty and os.environ.get("READING_LIST_SERVED_FILES", "on") != "off":
        served_files.install(_SERVED)  # unchanged paper files are not listed again per rebuild
    if command == "serve" and threading.current_thread() is threading.main_thread():
        # A server stopped by SIGTERM (an editor's task runner, `kill`) ends like
        # Ctrl-C, so the build cache kept in memory is written at exit.
        signal.signal(signal.SIGTERM, _exit_on_sigterm)


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def build_state(config) -> BuildState:
    """This build's state (made on first use if on_config did not run, e.g. in a test)."""
    state = getattr(config, _STATE, None)
    if state is None:
        state = BuildState()
        setattr(config, _STATE, state)
    return state


def on_config(config, **kwargs):
    state = BuildState()
    setattr(config, _STATE, state)
    if _keeps_pages():
        state.warnings = page_cache.WarningCount()
        logging.getLogger("mkdocs").addHandler(state.warnings)
    root = _site_root(config)
    for path in (root / "content", root / "overrides"):
        if path.is_dir() and str(path) not in config.watch:
            config.watch.append(str(path))
    return config


def on_pre_build(config, **kwargs):
    if _PROCESS["command"] == "serve":
        _IDLE.clear()  # preparing for edits pauses (build.prepare_for_edits)
        # The last edit's search index gives way: this build rewrites the pages it
        # reads, and at 10,000 papers it took the CPU from the rebuild. The index
        # of this build follows it (on_post_build).
        search.stop_background_indexing()
        collector.rebuild_starts()  # no full pass of the collector over the site kept in memory
    content_dir = _site_root(config) / "content"
    settings = settings_from(config.site_url, config.use_directory_urls, config.site_name, config.extra, config.repo_url)
    cache = build_cache(config)
    if cache is not None and _PROCESS["command"] in ("build", "gh-deploy"):
        cache.write_in_background()  # waited for in on_post_build
    try:
        content, report = build_site(content_dir, Path(config.docs_dir), settings, cache)
    except ContentError as err:
        for problem in err.problems:
            log.error(str(problem))
        if _PROCESS["command"] == "serve":  # show it in the browser; the next edit rebuilds
            _serve_content_error(config, [str(problem) for problem in err.problems])
            return
        raise PluginError(
            f"generator: {len(err.problems)} problem(s) in {content_dir}; run `python -m generator check`"
        ) from None
    if _PROCESS["command"] == "serve":
        _PROBLEMS.clear()
        _SERVED.generated(report.written)
        if cache is not None:
            cache.write_at_exit()  # the first build's cache is on disk; an edit's additions follow at exit
            if not _PROCESS["prepared"]:
                _PROCESS["prepared"] = True
                build_state(config).to_prepare = (content.papers, cache)  # prepared after this build
    set_build_date(content.papers)
    log.info(
        "generator: %d file(s) written, %d unchanged, %d removed",
        len(report.written), report.unchanged, len(report.removed),
    )
    if config.nav:
        config.nav = expand_theme_nav(config.nav, [theme_src(t.id) for t in content.themes])
    apply_view(config, settings)  # the readers' view hides curator pages (extra.reading_list.public)


def set_build_date(papers) -> None:
    """The same content, the same sitemap: MkDocs dates every page's `lastmod` with
    the build date, which `SOURCE_DATE_EPOCH` fixes. Unless the user set it, it is
    the day the newest paper was added (a date of the content, not of the clock)."""
    if "SOURCE_DATE_EPOCH" in os.environ and not _PROCESS["build_date_set"]:
        return
    newest = max((p.added for p in papers if p.added), default="1970-01-01")
    try:
        day = datetime.date.fromisoformat(str(newest)[:10])
    except ValueError:
        day = datetime.date(1970, 1, 1)
    epoch = int(datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc).timestamp())
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    _PROCESS["build_date_set"] = True


def _serve_content_error(config, problems: list[str]) -> None:
    """Keep the last good pages, each showing the problems; a home page if there is none.

    The server adds the box to each page it serves (served_problems.py); a server
    that cannot (`--no-livereload`) gets pages rendered again with the box in them.
    """
    if _PROCESS["problems_served"]:
        _PROBLEMS.show(content_error_html(problems))
    else:
        _SERVED.forget()  # every page shows the problems: MkDocs lists every file
        build_state(config).content_problems = problems
    docs = Path(config.docs_dir)
    if not (docs / "index.md").is_file():
        write_atomic(docs / "index.md", "# The content has problems\n\nFix them and save: the site rebuilds.\n")
    apply_view(config, settings_from(config.site_url, config.use_directory_urls, config.site_name, config.extra))


def content_error_html(problems: list[str]) -> str:
    """The problems as a box at the top of a served page; their text is data, escaped."""
    items = "".join(f"<li><code>{escape_html(problem)}</code></li>" for problem in problems)
    return (
        '<div class="admonition failure rl-content-error" role="alert">'
        f'<p class="admonition-title">{len(problems)} problem(s) in content/: this page is from the last good build</p>'
        f"<ul>{items}</ul></div>\n"
    )


def build_cache(config) -> BuildCache | None:
    """Results of earlier builds (generator/cache.py); READING_LIST_CACHE=off builds from nothing."""
    if os.environ.get("READING_LIST_CACHE", "on") == "off":
        return None
    return open_cache(_site_root(config) / SITE_CACHE_DIR)  # outside content/ and docs_dir, which serve watches


def on_serve(server, config, builder, **kwargs):
    """One edit, one rebuild, started at once: stop watching the generated docs
    folder, and have the operating system report edits (watching.py).

    MkDocs watches docs_dir, but here only the generator writes it, from
    content/ (watched through `config.watch`). Watching it too made every edit
    build twice: the files the first build wrote started a second one.
    """
    try:
        server.unwatch(config.docs_dir)
    except KeyError:  # `mkdocs serve --no-livereload` watches nothing
        pass
    watch_natively(server)  # content/ (added next, from config.watch) is not polled
    _PROCESS["problems_served"] = served_problems.install(server, _PROBLEMS)
    return server


def on_nav(nav, config, files, **kwargs):
    # READING_LIST_SHARED_NAV=off renders every page's own frame (to compare after a Material upgrade).
    enabled = os.environ.get("READING_LIST_SHARED_NAV", "on") != "off"
    state = build_state(config)
    state.shared_blocks = SharedBlocks({page.file.src_uri for page in nav.pages}, enabled)
    state.shared_header = SharedHeader(enabled)
    cache = build_cache(config)
    if _keeps_pages() and cache is not None:
        state.in_nav = {page.file.src_uri for page in nav.pages}
        packages = (Path(material.__file__).parent, Path(mkdocs.__file__).parent)
        own_dirs = [d for d in config.theme.dirs if not any(Path(d).is_relative_to(p) for p in packages)]
        state.page_cache = page_cache.PageCache(cache, page_cache.frame_digest(config, nav, files, own_dirs))
    return nav


def _keeps_pages() -> bool:
    """Pages are kept between full builds only: `mkdocs serve` has its own way (dirty_files.py)."""
    return _PROCESS["command"] in ("build", "gh-deploy") and not _PROCESS["dirty"] and page_cache.enabled()


def on_page_read_source(page, config, **kwargs):
    """A page kept from the last build is not read: MkDocs is handed an empty source."""
    state = build_state(config)
    if state.page_cache is None or page.file.src_uri in state.in_nav:
        return None
    source = page.file.content_string
    key = state.page_cache.key(page.file.src_uri, page.file.dest_uri, page.url, source)
    kept = state.page_cache.find(page.file.src_uri, key)
    if kept is None:
        state.page_keys[page.file.src_uri] = key
        return source
    state.kept[page.file.src_uri] = kept
    return ""


def on_env(env, config, files, **kwargs):
    state = build_state(config)
    env.globals["rl_shared_key"] = lambda page, base_url: state.shared_blocks.key(page, base_url)
    env.globals["rl_shared_block"] = lambda name, key, rendered=None: state.shared_blocks.html(name, key, rendered)
    env.globals["rl_shared_header"] = lambda key, title, rendered=None: state.shared_header.html(key, title, rendered)
    env.globals["rl_pagefind"] = True  # on_post_build writes the index the search worker reads
    env.bytecode_cache = COMPILED  # a serve rebuild does not compile the theme's templates again
    if state.page_cache is not None:  # the template of a kept page (page_cache.py)
        env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({page_cache.TEMPLATE: page_cache.TEMPLATE_TEXT}), env.loader])
    return env


def on_files(files, config, **kwargs):
    state = build_state(config)
    state.site_paths = {file.url for file in files} | {file.url for file in _SERVED.reused}
    if _PROCESS["command"] == "serve" and _PROCESS["dirty"] and not state.content_problems:
        files = without_unchanged(files, _SERVED.reused)  # built already: MkDocs would only skip them, slowly
        state.left_out = files.left_out
        state.built_per_paper = [file for file in files if per_paper(file.src_uri)]
    link_static_files(files, config.docs_dir)  # the per-paper .bib files and the rest: linked, not copied
    if _indexes_while_building():
        try:
            state.live_index = LiveIndex([search.EXCLUDE_SELECTOR])
        except search.SearchIndexError as err:
            raise PluginError(f"generator: {err}") from None
    return files


def _indexes_while_building() -> bool:
    """Only a full `mkdocs build` (or gh-deploy) renders every page: Pagefind can be fed
    them as they come. READING_LIST_LIVE_INDEX=off indexes the written site instead."""
    return (_PROCESS["command"] in ("build", "gh-deploy") and not _PROCESS["dirty"]
            and os.environ.get("READING_LIST_LIVE_INDEX", "on") != "off")


def on_page_markdown(markdown, page, config, files, **kwargs):
    """Keep the finished HTML of generated pages away from Python-Markdown (see generator/render/fragments.py).

    Search is Pagefind's (search.py): the page's own choice is remembered, and
    Material's index is told to leave every page out. A generated page is
    rendered on the build's one Python-Markdown instance (shared_markdown.py).
    A page kept from the last build is not rendered (page_cache.py).
    """
    kept = build_state(config).kept.get(page.file.src_uri)
    if kept is not None:
        page_cache.stand_in(page, kept, files)
        page.meta["search"] = {"exclude": True}
        return markdown
    if search.excluded(page.meta):
        build_state(config).unsearchable.add(page.file.src_uri)
    page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}
    if page.meta.get(FRONT_MATTER_FLAG) is not True:
        return markdown
    markdown, fragments = lift(markdown)
    state = build_state(config)
    state.lifted[page.file.src_uri] = fragments
    if shared_markdown.enabled():
        page.render = functools.partial(state.markdown.render, page)
    return markdown


def on_page_content(html, page, config, files, **kwargs):
    state = build_state(config)
    if page.file.src_uri in state.kept:
        return html
    fragments = state.lifted.pop(page.file.src_uri, None)
    if state.content_problems:
        html = content_error_html(state.content_problems) + html
    html = search.ignore_excluded_sections(html)
    if not fragments:
        return html
    try:
        html = restore(html, fragments, page.file.src_uri)
    except FragmentError as err:
        raise PluginError(f"generator: {err}") from None
    # MkDocs checks links in Markdown only; these are checked here, as a warning
    # like MkDocs' own, so that `mkdocs build --strict` fails on a broken one.
    for href in broken_links(fragments, page.url, state.site_paths, html):
        log.warning("Doc file '%s' contains a link '%s', but the target is not found among documentation files.", page.file.src_uri, href)
    return html


def on_post_page(output, page, config, **kwargs):
    state = build_state(config)
    kept = state.kept.get(page.file.src_uri)
    if kept is not None:
        _feed_search(state, page, kept.search_view)
        return kept.html
    searchable = page.file.src_uri not in state.unsearchable
    if searchable:
        output = search.mark_searchable(output)
    output = compact_html(output, state.parts)
    key = state.page_keys.pop(page.file.src_uri, None)
    view = search.pagefind_view(output) if searchable and (state.live_index is not None or key) else None
    _feed_search(state, page, view)
    if key is not None:
        state.page_cache.keep(page.file.src_uri, key, page_cache.kept_page(key, page, output, view))
    return output


def _feed_search(state: BuildState, page, view: str | None) -> None:
    if view is None or state.live_index is None:
        return
    try:
        state.live_index.add(page.file.dest_uri, view)
    except search.SearchIndexError as err:
        raise PluginError(f"generator: {err}") from None


def on_build_error(error, **kwargs):
    """A failed rebuild hands the collector its objects back; the files it was to build stay unbuilt."""
    if _PROCESS["command"] == "serve":
        collector.rebuild_ended()
        _IDLE.set()
    _stop_counting_warnings()


def _stop_counting_warnings() -> None:
    """A process makes one full build: its counter goes with it (or with its error)."""
    for handler in list(logging.getLogger("mkdocs").handlers):
        if isinstance(handler, page_cache.WarningCount):
            logging.getLogger("mkdocs").removeHandler(handler)


def on_post_build(config, **kwargs):
    """The shared scripts that write Material's search dialog and config
    (site_parts.py), then Pagefind's index of the built pages (search.py).

    `mkdocs serve` indexes in the background, so the browser reloads as soon
    as the pages are written; the new bundle replaces the old one whole, and
    the next rebuild stops a run that has not finished (on_pre_build).
    """
    site = Path(config.site_dir)
    state = build_state(config)
    shared_scripts = state.parts.files()
    if state.page_cache is not None and state.page_cache.hits:
        shared_scripts = {**state.page_cache.shared_scripts, **shared_scripts}
    for name, text in shared_scripts.items():
        write_atomic(site / SCRIPTS_FOLDER / name, text)
    if _PROCESS["command"] == "serve":
        _SERVED.finished(state.left_out, state.built_per_paper)
        collector.rebuild_ended()
        _IDLE.set()
        threading.Thread(target=_index_in_background, args=(site,), daemon=True).start()
        if state.to_prepare is not None:
            threading.Thread(target=_prepare_in_background, args=state.to_prepare, daemon=True).start()
        return
    try:
        search.replace_bundle(site, live=state.live_index)
    except search.SearchIndexError as err:
        raise PluginError(f"generator: {err}") from None
    try:
        _keep_pages(state, shared_scripts)
        if (cache := build_cache(config)) is not None:
            cache.wait_for_writes()  # written while MkDocs rendered (on_pre_build)
    except OSError as err:
        raise PluginError(f"generator: the build cache could not be written: {err}") from None


def _keep_pages(state: BuildState, shared_scripts: dict[str, str]) -> None:
    """Save this build's pages for the next one, unless it logged a warning (page_cache.py)."""
    _stop_counting_warnings()
    if state.page_cache is None:
        return
    if state.warnings is not None and state.warnings.count:
        log.info("generator: %d warning(s) in this build: no page kept for the next one", state.warnings.count)
        return
    state.page_cache.save(shared_scripts)
    log.info("generator: %d page(s) kept from the last build", state.page_cache.hits)


_INDEXING = threading.Lock()  # one Pagefind run at a time in this process (rapid edits under serve)
SHUTDOWN_WAIT_S = 10.0  # for a stopped indexer to be gone


def on_shutdown(**kwargs):
    """The server stops: its indexer goes first. MkDocs removes the served site folder
    next, and an indexer still writing into it made that fail ("Directory not empty")."""
    _PROCESS["stopping"] = True
    search.stop_background_indexing()
    if _INDEXING.acquire(timeout=SHUTDOWN_WAIT_S):  # the running one has been reaped
        _INDEXING.release()


def _index_in_background(site: Path) -> None:
    try:
        with _INDEXING:
            if _PROCESS["stopping"]:
                return
            search.replace_bundle(site, background=True)
    except search.IndexingStopped:
        pass  # a newer build indexes the site again
    except (search.SearchIndexError, OSError) as err:
        log.error("generator: %s", err)


_IDLE = threading.Event()  # no rebuild running: set by on_post_build and on_build_error
_IDLE.set()
PAUSE_AT_MOST_S = 60.0  # a rebuild that never ends does not hold preparing back for ever


def _prepare_in_background(papers, cache) -> None:
    started = time.perf_counter()
    try:
        prepare_for_edits(papers, cache, pause=lambda: _IDLE.wait(PAUSE_AT_MOST_S))
    except Exception as err:  # only a head start for the next edit, which does the same work itself
        log.debug("generator: not prepared for edits: %s", err)
        return
    log.info("generator: prepared for edits in %.1f s", time.perf_counter() - started)


def expand_theme_nav(nav: list, theme_pages: list[str]) -> list:
    """The nav with the entry naming themes/index.md turned into a section of every theme."""
    out = []
    for item in nav:
        if item == THEMES_INDEX:
            out.append({"Themes": [THEMES_INDEX, *theme_pages]})
        elif isinstance(item, dict) and len(item) == 1:
            (title, value), = item.items()
            if value == THEMES_INDEX or (isinstance(value, list) and value and value[0] == THEMES_INDEX):
                out.append({title: [THEMES_INDEX, *theme_pages]})
            else:
                out.append(item)
        else:
            out.append(item)
    return out
