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
own. MkDocs does not check links inside fragments; the render stage writes
them only to pages of the same build and the site tests check every link.
"""

from __future__ import annotations

import re

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
