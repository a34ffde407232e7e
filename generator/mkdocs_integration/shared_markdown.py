"""One Python-Markdown instance for all generated pages of a build.

MkDocs makes a new `markdown.Markdown` for every page (`Page.render`), and
loading the extensions is most of what a generated page costs there: their
Markdown is only front matter, headings and placeholders for finished HTML
(generator/render/fragments.py). At ten thousand papers it saves about 3 s
of CPU a build (measured without a profiler). Python-Markdown is made to be reused: `reset()` clears the
document state of the instance and of every extension that keeps one, and
MkDocs' per-page processors are registered again under the same names, which
replaces the previous page's.

`render(page, config, files)` runs MkDocs' own `Page.render` with
`markdown.Markdown` answered by the shared instance; everything else of it is
MkDocs'. `READING_LIST_SHARED_MARKDOWN=off` renders each page with its own
instance (to compare after an upgrade). Pages a curator writes by hand are
never rendered here: their Markdown may use anything.
"""

from __future__ import annotations

import os

import markdown
from mkdocs.structure import pages as mkdocs_pages

from generator.mkdocs_integration.heading_pages import HeadingPages


def enabled() -> bool:
    return os.environ.get("READING_LIST_SHARED_MARKDOWN", "on") != "off" and hasattr(mkdocs_pages, "markdown")


class _ModuleWithSharedMarkdown:
    """`mkdocs.structure.pages`' view of the `markdown` module, with `Markdown` answered by one instance."""

    def __init__(self, shared: "SharedMarkdown"):
        self.Markdown = shared.instance

    def __getattr__(self, name):
        return getattr(markdown, name)


class SharedMarkdown:
    """The build's instance, made on first use with the extensions MkDocs asks for."""

    def __init__(self):
        self._md: markdown.Markdown | None = None
        self._made_with: tuple | None = None
        self._heading_pages: HeadingPages | None = None

    def instance(self, *, extensions, extension_configs) -> markdown.Markdown:
        made_with = (repr(extensions), repr(extension_configs))
        if self._md is None or made_with != self._made_with:
            self._md = markdown.Markdown(extensions=extensions, extension_configs=extension_configs)
            self._made_with = made_with
            # headings rendered with these extensions, on an instance of their own
            self._heading_pages = HeadingPages(extensions, extension_configs)
        return self._md.reset()

    def render(self, page, config, files) -> None:
        """MkDocs' `Page.render` for `page`, on the shared instance; a page of
        headings and placeholders only from headings rendered once (heading_pages.py)."""
        if page.markdown is not None:
            self.instance(extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"] or {})
            if self._heading_pages.render(page):
                return
        real = mkdocs_pages.markdown
        mkdocs_pages.markdown = _ModuleWithSharedMarkdown(self)
        try:
            mkdocs_pages.Page.render(page, config, files)
        finally:
            mkdocs_pages.markdown = real
