"""Curator Markdown (paper notes, theme introductions) -> sanitised HTML.

Curators are trusted to write Markdown, not HTML: it is rendered with
Python-Markdown and cleaned with nh3 (no script, no event attributes, no
`javascript:` URLs, no images from other hosts), then placed as a raw HTML
block. Links in it are written relative to the docs root (`papers/galore.md`)
and are rewritten for the page they appear on.
"""

from __future__ import annotations

import html
import posixpath
import re
from typing import Callable

import markdown
import nh3
from markupsafe import Markup

from generator.limits import markdown_budget
from generator.render.escape import CONTROL_RE, one_line
from generator.render.urls import page_url, url_from

_ALLOWED_TAGS = {
    "p", "br", "hr", "a", "em", "strong", "b", "i", "code", "pre", "kbd", "sub", "sup", "del", "ins",
    "abbr", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "span", "div",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}, "code": {"class"}}
# Blocks whose end is a paragraph break once the HTML is read as plain text.
_BLOCK_END_RE = re.compile(r"</(?:p|h[1-6]|li|dt|dd|blockquote|pre|ul|ol|dl|table|tr|div)>|<hr\s*/?>", re.I)


class _CuratorLinks(markdown.treeprocessors.Treeprocessor):
    """Demote headings below the page's own and point `.md` links at their pages."""

    def __init__(self, md: markdown.Markdown, rewrite: Callable[[str], str]):
        super().__init__(md)
        self.rewrite = rewrite

    def run(self, root):
        for el in root.iter():
            if el.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                el.tag = f"h{min(6, int(el.tag[1]) + 2)}"
            elif el.tag == "a" and el.get("href"):
                el.set("href", self.rewrite(el.get("href")))


# The hook's placeholder for lifted HTML (generator/render/fragments.py): in
# curator text it would be taken for one, so its F becomes a character reference.
_PLACEHOLDER_RE = re.compile(r"RLFRAGMENT(?=\d)")


def curated_html(
    text: str | None, src: str, use_directory_urls: bool = True, links: list[tuple[str, str]] | None = None
) -> Markup:
    """Curator Markdown as sanitised HTML for the page built from `src`, on one line.

    `links`, if given, receives each link as written and as rewritten, so that
    `check` can name a broken one as the curator wrote it.
    """
    if not text or not text.strip():
        return Markup("")
    if markdown_budget(text):  # `check` names it; never hang or crash the build on it
        return Markup(f"<p>{html.escape(one_line(CONTROL_RE.sub('', text)))}</p>")
    if links is None:
        links = []

    def rewrite(href: str) -> str:
        if re.match(r"^[a-z][a-z0-9+.-]*:|^/|^#", href, re.I):
            return href
        path, _, fragment = href.partition("#")
        if not path.endswith(".md"):
            return href
        target = posixpath.normpath(path)
        if target.startswith(".."):
            return href
        url = url_from(src, page_url(target, use_directory_urls), use_directory_urls)
        links.append((href, url + (f"#{fragment}" if fragment else "")))
        return links[-1][1]

    md = markdown.Markdown(extensions=["tables", "fenced_code", "sane_lists"], output_format="html")
    md.treeprocessors.register(_CuratorLinks(md, rewrite), "curator-links", 1)
    rendered = md.convert(CONTROL_RE.sub("", text))
    clean = nh3.clean(
        rendered,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return Markup(_PLACEHOLDER_RE.sub("RL&#70;RAGMENT", one_line(clean.strip())))


def curated_text(text: str | None) -> str:
    """Curator Markdown as the plain text a reader sees, blocks as paragraphs.

    For places that show words, not formatting (a theme's card line): `**x**`
    reads `x`, `[LoRA](papers/lora.md)` reads `LoRA`, and markup and scripts go.
    """
    if not text or not text.strip():
        return ""
    if markdown_budget(text):
        return CONTROL_RE.sub("", text).strip()
    rendered = markdown.markdown(CONTROL_RE.sub("", text), extensions=["tables", "fenced_code", "sane_lists"])
    rendered = _BLOCK_END_RE.sub(lambda m: m.group(0) + "\n\n", rendered)
    return html.unescape(nh3.clean(rendered, tags=set())).strip()
