"""Finished HTML in generated pages, kept away from Python-Markdown.

Most of a generated page is HTML the render stage has already escaped and
linked: the abstract, lists of themes and related papers, the BibTeX block.
Python-Markdown would parse all of it again (its raw-HTML reader and inline
patterns were over half of MkDocs' build time at ten thousand papers) only to
pass it through. So the templates write such HTML between two marker lines:

    <!-- rl:html -->
    <ul><li>...</li></ul>
    <!-- /rl:html -->

and mark the page with `rl_fragments: true` in its front matter. For any
Markdown reader this is an ordinary raw HTML block (the markers are comments),
so a page renders the same without the hook. The MkDocs hook lifts each
fragment out before Markdown runs (`lift`), leaving a placeholder paragraph,
and puts it back in the HTML Markdown produced (`restore`). Headings stay
Markdown, so the table of contents, anchors and search sections are MkDocs'
own. MkDocs does not check links inside raw HTML, so `broken_links` does it
for fragments (the hook warns, and `mkdocs build --strict` fails): a link to
a page or file of the site must name one that exists.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote, urlsplit

HTML_START = "<!-- rl:html -->"
HTML_END = "<!-- /rl:html -->"
FRONT_MATTER_FLAG = "rl_fragments"

# A fragment runs from a start marker line to the next end marker line; it
# has no blank line (the templates guarantee it, so a page means the same with
# or without the hook: a blank line would end a raw HTML block).
_FRAGMENT_RE = re.compile(
    r"^" + re.escape(HTML_START) + r"[ \t]*\n(.*?)\n" + re.escape(HTML_END) + r"[ \t]*$", re.M | re.S
)
_PLACEHOLDER = "RLFRAGMENT{}X"  # letters and digits only: Markdown leaves it alone


class FragmentError(ValueError):
    """A placeholder did not come back from Markdown exactly once."""


def lift(markdown: str) -> tuple[str, list[str]]:
    """The Markdown with each fragment replaced by a placeholder paragraph, and the fragments."""
    fragments: list[str] = []

    def keep(match: re.Match[str]) -> str:
        fragments.append(match.group(1))
        return "\n\n" + _PLACEHOLDER.format(len(fragments) - 1) + "\n\n"

    return _FRAGMENT_RE.sub(keep, markdown), fragments


def restore(html: str, fragments: list[str], where: str) -> str:
    """Put each fragment back where Markdown left its placeholder paragraph."""
    if not fragments:
        return html
    pieces = re.split(r"<p>(RLFRAGMENT\d+X)</p>", html)
    seen: set[int] = set()
    for index in range(1, len(pieces), 2):
        number = int(pieces[index][len("RLFRAGMENT") : -1])
        if number >= len(fragments) or number in seen:
            raise FragmentError(f"{where}: HTML fragment {number} came back from Markdown twice or unknown")
        seen.add(number)
        pieces[index] = fragments[number]
    if len(seen) != len(fragments):
        missing = sorted(set(range(len(fragments))) - seen)
        raise FragmentError(f"{where}: HTML fragment(s) {missing} did not come back from Markdown")
    return "".join(pieces)


_HREF_RE = re.compile(r'\b(?:href|src)="([^"]*)"')


_ID_RE = re.compile(r'\bid="([^"]*)"')


def broken_links(fragments: list[str], page_url: str, site_paths: set[str], page_html: str = "") -> list[str]:
    """The links in `fragments` that point inside the site at nothing it has.

    `page_url` is the page's URL relative to the site root (`papers/galore/`),
    `site_paths` every page URL and file path of the site as MkDocs' `File.url`
    gives them (`papers/galore/`, `bib/galore.bib`, `./` for the home page).
    A same-page anchor (`#tag-x`) must be an id in `page_html`. Links with a
    scheme (`https:`, `mailto:`) are not the site's to check.
    """
    base = page_url if page_url.endswith("/") or not page_url else posixpath.dirname(page_url) + "/"
    ids: set[str] | None = None
    broken = []
    for fragment in fragments:
        for href in _HREF_RE.findall(fragment):
            parts = urlsplit(href.replace("&amp;", "&"))
            if parts.scheme or parts.netloc:
                continue
            if not parts.path:
                if ids is None:
                    ids = set(_ID_RE.findall(page_html))
                if parts.fragment and unquote(parts.fragment) not in ids:
                    broken.append(href)
                continue
            target = posixpath.normpath(posixpath.join("/" + base, unquote(parts.path))).lstrip("/")
            target = target + "/" if target and parts.path.endswith("/") else target or "./"  # MkDocs' home is "./"
            if target not in site_paths:
                broken.append(href)
    return broken
