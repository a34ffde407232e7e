"""Material's frame rendered once per folder depth for the pages outside the navigation.

Every paper page is outside the navigation: it marks no nav item or tab
active, has no previous or next page, and the frame's relative links depend
only on its base_url. So the sidebar, the footer, the stylesheet and script
tags and the page config are the same HTML for all of them, and the header
differs only by the page title. In a profile at ten thousand papers, the
header alone was a quarter of the time spent in Material's templates; in a
later one the blocks now shared besides it took about a third of what was left.
overrides/main.html asks for the stored rendering and falls back to
Material's own whenever none is stored; READING_LIST_SHARED_NAV=off renders
every page's own (the site is byte-identical, tests/test_site_build.py).
"""

from __future__ import annotations

import re


# Material's blocks that, for a page outside the navigation, depend on nothing
# but its base_url: rendered once per folder depth (overrides/main.html).
# `nav` is the navigation sidebar; the others are Material's blocks of the
# same names (its stylesheets, scripts, page config, footer). A block that
# reads the page itself (title, meta, table of contents, content) is not here.
SHARED_BLOCKS = ("nav", "styles", "libs", "fonts", "analytics", "tabs", "footer", "config", "scripts")


class SharedBlocks:
    """Blocks rendered once for all pages outside the nav at one depth.

    overrides/main.html asks `key(page, base_url)`: None for a page that is in
    the navigation (its own item is marked active, it has a previous and next
    page), else its base_url, which every relative link of those blocks
    depends on. `html(name, key, rendered)` stores a rendering of block `name`
    and returns it; `html(name, key)` returns the stored one, or None.
    """

    def __init__(self, nav_pages: set[str], enabled: bool = True):
        self.nav_pages = nav_pages
        self.enabled = enabled
        self.rendered: dict[tuple[str, str], str] = {}

    def key(self, page, base_url: str) -> str | None:
        if not self.enabled or page is None or page.file.src_uri in self.nav_pages:
            return None
        return base_url

    def html(self, name: str, key: str | None, rendered: str | None = None) -> str | None:
        if name not in SHARED_BLOCKS:
            raise ValueError(f"block {name!r} is not one that pages outside the navigation share")
        if key is None:
            return rendered
        if rendered is not None:
            self.rendered[(name, key)] = rendered
        return self.rendered.get((name, key))


# Material's header shows the page title in one place: this span.
_TOPIC_RE = re.compile(r'(data-md-component="header-topic">\s*<span class="md-ellipsis">\s*)(.*?)(\s*</span>)', re.S)


class SharedHeader:
    """Material's header for pages outside the nav, kept as the HTML around the page title.

    `html(key, title, rendered)` learns the header from one page's rendering
    (when its title sits alone in the header's topic span, and nowhere else
    could be confused with it) and returns that rendering; `html(key, title)`
    returns the learnt header with `title` in place, or None.
    """

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.around: dict[str, tuple[str, str]] = {}

    def html(self, key: str | None, title: str, rendered: str | None = None) -> str | None:
        if rendered is not None:
            if self.enabled and key is not None and key not in self.around:
                self._learn(key, str(title), rendered)
            return rendered
        around = self.around.get(key) if self.enabled and key is not None else None
        return None if around is None else around[0] + str(title) + around[1]

    def _learn(self, key: str, title: str, rendered: str) -> None:
        found = list(_TOPIC_RE.finditer(rendered))
        if len(found) != 1 or found[0].group(2) != title or not title:
            return
        match = found[0]
        self.around[key] = (rendered[: match.end(1)], rendered[match.start(3):])
