"""Shrink what MkDocs writes, for large libraries.

Every page's HTML grows with the number of papers: mkdocs-material indents
its templates deeply and repeats the same icons and small scripts on every
page. They are reduced here without changing what a reader sees. (The search
index is Pagefind's, chunked: see search.py.)
"""

from __future__ import annotations

import json
import os
import re

from generator.mkdocs_integration.icons import root_prefix, share_icons
from generator.mkdocs_integration.scripts import share_scripts
from generator.mkdocs_integration.site_parts import SharedParts

_PRE_RE = re.compile(r"(<pre\b.*?</pre>|<textarea\b.*?</textarea>|<script\b.*?</script>)", re.S | re.I)
_INDENT_RE = re.compile(r"\n\s+")
_CONFIG_RE = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)
# What Jinja's `tojson` escapes, so that no value can end the script.
_JSON_HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027"})


def compact_html(html: str, parts: SharedParts | None = None) -> str:
    """Collapse indentation and blank lines, outside <pre>, <textarea> and <script>; icons
    from the sprite, Material's inline scripts from their shared files, its config without spaces;
    with `parts`, the build's search dialog and page config written by shared scripts (site_parts.py).

    A browser renders any run of white space there as one space; one newline
    is kept where there was one, so inline text never runs together.
    READING_LIST_COMPACT=off leaves pages as Material wrote them (to compare).
    """
    if os.environ.get("READING_LIST_COMPACT", "on") == "off":
        return html
    prefix = root_prefix(html)
    html = _CONFIG_RE.sub(_compact_config, share_scripts(share_icons(html, prefix), prefix), count=1)
    pieces = _PRE_RE.split(html)
    for index in range(0, len(pieces), 2):  # even pieces are outside <pre>
        pieces[index] = _INDENT_RE.sub("\n", pieces[index])
    html = "".join(pieces)
    return parts.share(html, prefix) if parts is not None else html


def _compact_config(match: re.Match[str]) -> str:
    """Material's page config (JSON that its script reads) without the spaces `tojson` puts in."""
    try:
        data = json.loads(match.group(2))
    except ValueError:
        return match.group(0)
    text = json.dumps(data, separators=(",", ":")).translate(_JSON_HTML_SAFE)
    return match.group(1) + text + match.group(3)
