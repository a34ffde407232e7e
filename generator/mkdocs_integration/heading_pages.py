"""Generated pages that are only headings and finished HTML, rendered without Python-Markdown.

Once its fragments are lifted out (generator/render/fragments.py), a paper
page's Markdown is a row of placeholder paragraphs and `## Title { #id ... }`
headings. Python-Markdown still parsed each such page whole, about 2 ms of
CPU a page (20 s at ten thousand papers), to produce the same few headings
every page has; put together here, a page takes about 0.2 ms.

A heading with an explicit id and no link, footnote or raw HTML renders the
same wherever it stands (its id is its own, no reference or abbreviation can
reach it from a page that has nothing else), so each distinct heading line is
rendered once, with the build's Markdown extensions, and its HTML and
table-of-contents token are reused. That happens on an instance of its own:
the shared one carries the last page's MkDocs processors, which would take the
heading's permalink for a link of that page. A page qualifies only when every
block is a placeholder or such a heading, from level 2 (an h1 would become
the page title), with ids unique on the page; for any other page `render` returns
False and MkDocs renders it as usual. tests/test_site_build.py builds the site both
ways and compares every byte.
"""

from __future__ import annotations

import copy
import logging
import re

import markdown
from markdown.extensions.toc import nest_toc_tokens
from mkdocs.structure import pages as mkdocs_pages
from mkdocs.structure.toc import get_toc

_PLACEHOLDER_RE = re.compile(r"RLFRAGMENT\d+X")
# `## Text { #id attributes }`: level 2 to 6, an explicit id, text without the
# characters that could reach the rest of the page (links, footnotes, raw HTML).
_HEADING_RE = re.compile(r"#{2,6} [^\[\]<\n]+? \{ *#([A-Za-z][\w-]*)(?: +[^{}\n]*?)? *\}")
_BLOCKS_RE = re.compile(r"\n(?:[ \t]*\n)+")


class HeadingPages:
    """Renders qualifying pages from headings rendered once each, with one set of Markdown extensions."""

    def __init__(self, extensions, extension_configs):
        self._md = markdown.Markdown(extensions=extensions, extension_configs=extension_configs)
        self._headings: dict[str, tuple[str, dict]] = {}

    def render(self, page) -> bool:
        """Set `page.content`, `toc` and anchors as MkDocs' `Page.render` would; False if the page does not qualify."""
        blocks = _BLOCKS_RE.split(page.markdown.strip("\n"))
        html: list[str] = []
        tokens: list[dict] = []
        for block in blocks:
            if _PLACEHOLDER_RE.fullmatch(block):
                html.append(f"<p>{block}</p>")
                continue
            if not _HEADING_RE.fullmatch(block):
                return False
            rendered = self._heading(block)
            if rendered is None:
                return False
            html.append(rendered[0])
            tokens.append(copy.deepcopy(rendered[1]))
        ids = [token["id"] for token in tokens]
        if len(set(ids)) != len(ids):
            return False
        page.content = "\n".join(html)
        page.toc = get_toc(nest_toc_tokens(tokens))
        page._title_from_render = None
        page.present_anchor_ids = set(ids)
        if mkdocs_pages.log.getEffectiveLevel() > logging.DEBUG:  # as MkDocs does
            page.links_to_anchors = {}
        return True

    def _heading(self, line: str) -> tuple[str, dict] | None:
        found = self._headings.get(line)
        if found is None:
            md = self._md.reset()
            html = md.convert(line)
            toc = getattr(md, "toc_tokens", [])
            if len(toc) != 1 or toc[0].get("children") or "\n" in html:
                return None  # not one heading after all: let Markdown render the page
            found = self._headings[line] = (html, toc[0])
        return found
