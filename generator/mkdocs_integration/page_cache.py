"""Built pages kept between full builds: a page whose Markdown, place and
frame are unchanged is not rendered again.

A `mkdocs build` after a content edit (the deploy workflow, a curator's
build) rendered all 10,000 paper pages again (front matter, Markdown,
Material's templates, compaction) for an edit that changes a handful of
them. This keeps each finished page of a full build with a key made of its
Markdown source and its place in the site, under a frame digest of all a
page can show besides its own source: the generator's and the theme's code
and templates, the MkDocs and Material versions, the configuration after
the hook has applied the view, the navigation, every file's URL, and the
environment variables the generator reads.

Only pages outside the navigation are kept: the nav of every page shows
the titles and metadata of those in it. A kept page still gives MkDocs its
title, the anchors it holds and the links to anchors it makes, so MkDocs
checks links to and from it as before. A build that logs a warning keeps
nothing new: a kept page would not repeat its warning, and `--strict`
would then pass a page it should fail. The pages are one stage of the build
cache (generator/cache.py), saved after the others, once the pages are built.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from generator.cache import CODE_DIGEST, BuildCache

STAGE = "pages"
SHARED_SCRIPTS = "<shared scripts>"  # the stage's entry for them: no page's src_uri
TEMPLATE = "rl-kept-page.html"  # renders a marker; on_post_page puts the kept page in its place
TEMPLATE_TEXT = "rl-kept-page"
# What a page may show besides its own Markdown, read from the configuration.
CONFIG_KEYS = ("site_name", "site_url", "site_description", "site_author", "copyright", "repo_url", "repo_name",
               "edit_uri", "use_directory_urls", "theme", "extra", "extra_css", "extra_javascript",
               "markdown_extensions", "mdx_configs", "validation")


@dataclass(frozen=True)
class KeptPage:
    """A finished page and what MkDocs learns of a page by rendering it."""

    key: str
    html: str
    search_view: str | None  # what Pagefind was handed; None when the page is left out of search
    title: str | None
    anchors: frozenset[str]
    links_to_anchors: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # (target src_uri, ((anchor, link), ...))


def enabled() -> bool:
    """READING_LIST_PAGE_CACHE=off renders every page (so does READING_LIST_CACHE=off, with no build cache)."""
    return os.environ.get("READING_LIST_PAGE_CACHE", "on") != "off"


def frame_digest(config, nav, files, theme_dirs_outside_packages: list[str]) -> str:
    """All that a kept page's HTML depends on besides its own source."""
    import material
    import mkdocs

    h = hashlib.blake2b(digest_size=16)
    h.update(f"{CODE_DIGEST}|{mkdocs.__version__}|{getattr(material, '__version__', '')}".encode())
    for key in CONFIG_KEYS:
        h.update(f"{key}={_stable(config.get(key))!r}\n".encode())
    theme = config.theme
    h.update(repr(_stable([theme.name, theme.dirs, theme.static_templates])).encode())
    for name, plugin in config.plugins.items():
        h.update(f"plugin {name} {_stable(getattr(plugin, 'config', None))!r}\n".encode())
    h.update(repr(_nav_outline(nav.items)).encode())
    for file in sorted(files, key=lambda f: f.src_uri):
        h.update(f"{file.src_uri}>{file.url}\n".encode())
    for folder in theme_dirs_outside_packages:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    dated = _shows_build_date(config.theme.dirs)
    for name in sorted(os.environ):
        # The deploy workflow dates each build by its commit; the pages show that date
        # only through a template that uses it (Material's do not).
        if name.startswith("READING_LIST_") or (name == "SOURCE_DATE_EPOCH" and dated):
            h.update(f"{name}={os.environ[name]}\n".encode())
    return h.hexdigest()


def _shows_build_date(theme_dirs) -> bool:
    """Whether a template of the theme (Material's or the site's own) uses MkDocs' build date."""
    return any(b"build_date_utc" in path.read_bytes()
               for folder in theme_dirs for path in Path(folder).rglob("*.html") if path.is_file())


def _stable(value):
    """`value` as plain data in an order that does not change between processes (sets, mappings)."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (set, frozenset)):
        return sorted(repr(_stable(item)) for item in value)
    if isinstance(value, (list, tuple)):
        return [_stable(item) for item in value]
    if hasattr(value, "items"):
        return sorted((str(key), _stable(item)) for key, item in value.items())
    return repr(value)


def _nav_outline(items) -> list:
    return [(type(item).__name__, item.title, getattr(item, "url", None), _nav_outline(getattr(item, "children", None) or []))
            for item in items]


class WarningCount(logging.Handler):
    """Warnings MkDocs and its plugins log during one build."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record):
        self.count += 1


class PageCache:
    """The kept pages: the build cache's `pages` stage, each page under a key of the frame,
    its place and its source, so a page of another frame is never found."""

    def __init__(self, cache: BuildCache, frame: str):
        self.cache = cache
        self.stage = cache.stage(STAGE)
        self.frame = frame
        self.hits = 0
        self._built: dict[str, tuple[str, KeptPage]] = {}

    def key(self, src_uri: str, dest_uri: str, url: str, source: str) -> str:
        parts = (self.frame, src_uri, dest_uri, url, source)
        return hashlib.blake2b("\0".join(parts).encode("utf-8"), digest_size=16).hexdigest()

    def find(self, src_uri: str, key: str) -> KeptPage | None:
        page = self.stage.get(src_uri, key)
        self.hits += page is not None
        return page

    def keep(self, src_uri: str, key: str, page: KeptPage) -> None:
        self._built[src_uri] = (key, page)

    @property
    def shared_scripts(self) -> dict[str, str]:
        """The shared scripts the kept pages call (site_parts.py), learnt from rendered
        pages: kept with them for a build that renders none."""
        return self.stage.get(SHARED_SCRIPTS, self.frame) or {}

    def save(self, shared_scripts: dict[str, str]) -> None:
        """Store the pages built, keep the ones found, forget the rest (a removed page)."""
        for src_uri, (key, page) in self._built.items():
            self.stage.put(src_uri, key, page)
        if self.shared_scripts != shared_scripts:
            self.stage.put(SHARED_SCRIPTS, self.frame, shared_scripts)
        self.cache.save(only=[STAGE])


def kept_page(key: str, page, html: str, search_view: str | None) -> KeptPage:
    links = tuple(sorted((target.src_uri, tuple(sorted(anchors.items())))
                         for target, anchors in (page.links_to_anchors or {}).items()))
    return KeptPage(key, html, search_view, page.title, frozenset(page.present_anchor_ids or ()), links)


def stand_in(page, kept: KeptPage, files) -> None:
    """Give the page object what rendering it would have given MkDocs (title, anchors,
    links to anchors); its content stays empty and its template renders a marker."""
    from mkdocs.structure.toc import TableOfContents

    page.meta["title"] = kept.title
    page.meta["template"] = TEMPLATE

    def render(config, files_=None) -> None:
        page.content = ""
        page.toc = TableOfContents([])
        page.present_anchor_ids = set(kept.anchors)
        links = {}
        for target_src, anchors in kept.links_to_anchors:
            target = files.get_file_from_path(target_src)
            if target is not None:
                links[target] = dict(anchors)
        page.links_to_anchors = links

    page.render = render
