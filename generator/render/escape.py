"""Text from outside as data: one escape for Markdown and HTML alike, and the other escapes.

Every page is a Jinja2 template whose variables are escaped by default, and
the escape is stronger than HTML's: besides `& < > " '`, every ASCII character
that means something to Markdown or to one of the site's Markdown extensions
(`* _ [ ] ( ) { } | # ! : \\ ` ~ ^ = + $ ...`) becomes a numeric character
reference (`&#42;`). Python-Markdown passes character references through
untouched and the browser shows them as the character, so a title such as
`[x](javascript:alert(1))`, `{: onclick=...}` or `A*` is the same plain text
in Markdown paragraphs, list items, table cells, link texts and raw HTML
blocks alike. One escape for every context means a template cannot pick the
wrong one; only values built as `Markup` (URLs of our own pages, sanitised
curator HTML, the chart) bypass it.

Untrusted text never goes into a Markdown heading (the toc extension would
copy it into the sidebar); page titles are an HTML `<h1>` plus the front
matter `title:`, which holds HTML-escaped text because MkDocs' templates print
`page.meta.title` without escaping (the `<title>` tag, the header, the search
index's fallback title all expect HTML).
"""

from __future__ import annotations

import html
import re
import string
from functools import lru_cache
from typing import Any

from markupsafe import Markup

# Characters dropped from any text before it is shown: C0/C1 controls (which
# include Python-Markdown's own placeholder markers STX/ETX), lone surrogates
# and non-characters.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACE_RE = re.compile(r"\s+")
# Bidirectional embeddings, overrides and isolates: one left open (an
# unterminated U+202E) would reverse the rest of the line on the page. Text
# from outside never needs them: the Unicode bidi algorithm orders Arabic
# and Hebrew by itself.
BIDI_CONTROL_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")
# ASCII punctuation left as it is: it means nothing to Markdown in the middle of
# a line, and the first character of a text is always encoded (see md_text).
_PLAIN_PUNCTUATION = frozenset(" ,.-'/?;%")
_ENTITIES = {ord(c): f"&#{ord(c)};" for c in string.punctuation if c not in _PLAIN_PUNCTUATION}


# What the unencoded characters could still start at the beginning of a line:
# a list item ("- ", "1. ", "1) ") or a collapsible block ("??? ").
_LIST_START_RE = re.compile(r"\d+[.)]")


def plain(text: Any) -> str:
    """Text as one line: control characters dropped, any run of white space one space."""
    return _plain(str(text))


@lru_cache(maxsize=1 << 16)
def _plain(text: str) -> str:
    # Cached: every list page, papers-list.json and the sort order ask for each title and author.
    return _SPACE_RE.sub(" ", CONTROL_RE.sub(" ", BIDI_CONTROL_RE.sub("", text)))


def md_text(value: Any) -> Markup:
    """`value` as literal text that is safe in Markdown and in HTML alike.

    White space is collapsed to single spaces (a newline could end a raw HTML
    block or start a Markdown block); Markdown and HTML syntax characters
    become character references; the first visible character is encoded too
    when it is ASCII but not a letter, so the text can never start a list
    (`1. `, `- `), a heading or a quote even at the start of a line.
    """
    if isinstance(value, Markup):
        return value
    return _md_text(str(value))


@lru_cache(maxsize=1 << 16)
def _md_text(value: str) -> Markup:
    # Cached: a title is escaped on every page that lists the paper.
    text = plain(value).translate(_ENTITIES)
    body = text.lstrip(" ")
    if body[:1] in ("-", "?") or _LIST_START_RE.match(body):
        text = text[: len(text) - len(body)] + f"&#{ord(body[0])};" + body[1:]
    return Markup(text)


def html_text(value: Any) -> str:
    """One-line text escaped for HTML (for front matter, which themes print raw)."""
    return html.escape(plain(value).strip(), quote=True)


# Characters a YAML double-quoted scalar may hold as they are; the rest are
# written as escapes (line and paragraph separators and the BOM included, which
# YAML would otherwise fold or drop).
_YAML_PRINTABLE_RE = re.compile("[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")


def yaml_str(value: Any) -> Markup:
    """A YAML double-quoted scalar holding exactly `value` (one line)."""

    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"

    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return Markup('"' + _YAML_PRINTABLE_RE.sub(escape, text) + '"')


def one_line(markup: str) -> str:
    """HTML on one source line, with no brace a template engine could read.

    Newlines become `&#10;` (a blank line would end the raw HTML block the
    HTML is placed in) and braces `&#123;` / `&#125;`; both mean the same to
    a browser, in text and in attribute values alike.
    """
    return markup.replace("\r", "").replace("\n", "&#10;").replace("{", "&#123;").replace("}", "&#125;")


def code_block(text: str) -> Markup:
    """Text for a raw `<pre><code>` block, escaped, its line breaks as `&#10;`.

    Kept on one source line so that no blank line can end the raw HTML block.
    """
    text = CONTROL_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")).rstrip("\n")
    return Markup(one_line(html.escape(text, quote=True)))


@lru_cache(maxsize=1 << 16)
def excerpt(text: str, limit: int = 200) -> str:
    """The start of `text`, about `limit` characters, cut at a word boundary.

    Cached (a paper in three themes is excerpted three times), and only the
    opening is normalised: white space collapses, so the first `limit` + 1
    characters of the normalised opening are those of the whole text once
    the opening, normalised, is longer than that.
    """
    opening = plain(text[: 4 * limit + 8]).lstrip()
    if len(opening) > limit + 1 and len(text) > 4 * limit + 8:
        text = opening[: limit + 1]
        return _cut(text, limit)
    text = plain(text).strip()
    if len(text) <= limit:
        return text
    return _cut(text, limit)


def _cut(text: str, limit: int) -> str:
    """`text` (longer than `limit`) cut at the last space within `limit` + 1, with an ellipsis."""
    cut = text.rfind(" ", 0, limit + 1)
    if cut < limit * 0.6:
        cut = limit
    return text[:cut].rstrip(" ,;:-\u2013\u2014(") + "\u2026"


def author_list(authors, shown: int = 3) -> Markup:
    """"A, B, C et al." as escaped text: theme pages name the first few authors."""
    names = [md_text(plain(a).strip()) for a in authors]
    text = Markup(", ").join(names[:shown])
    return text + Markup(" et al.") if len(names) > shown else text


__all__ = ["plain", "md_text", "html_text", "yaml_str", "one_line", "code_block", "excerpt", "author_list", "CONTROL_RE"]
