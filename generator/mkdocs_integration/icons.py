"""Material's icons as one sprite (assets/images/rl-icons.svg) that pages point to.

Every page of a Material site repeats the same dozen inline SVG icons, about
3.8 KB: 38 MB at 10,000 papers. `share_icons` replaces each icon listed
here, when it appears exactly so, by a `<use>` of the same drawing in the
sprite, which the browser fetches once. An icon not listed (another Material
version, another repository host) stays inline, so nothing can go missing.
The sprite file is `icon_sprite()` (tests/mkdocs_integration/test_postprocess.py).
"""

from __future__ import annotations

import re

SPRITE = "assets/images/rl-icons.svg"

# (id, viewBox, the inner markup exactly as Material writes it)
ICONS: tuple[tuple[str, str, str], ...] = (
    ('logo', '0 0 24 24', '<path d="M12 8a3 3 0 0 0 3-3 3 3 0 0 0-3-3 3 3 0 0 0-3 3 3 3 0 0 0 3 3m0 3.54C9.64 9.35 6.5 8 3 8v11c3.5 0 6.64 1.35 9 3.54 2.36-2.19 5.5-3.54 9-3.54V8c-3.5 0-6.64 1.35-9 3.54"/>'),
    ('menu', '0 0 24 24', '<path d="M3 6h18v2H3zm0 5h18v2H3zm0 5h18v2H3z"/>'),
    ('light', '0 0 24 24', '<path d="M12 8a4 4 0 0 0-4 4 4 4 0 0 0 4 4 4 4 0 0 0 4-4 4 4 0 0 0-4-4m0 10a6 6 0 0 1-6-6 6 6 0 0 1 6-6 6 6 0 0 1 6 6 6 6 0 0 1-6 6m8-9.31V4h-4.69L12 .69 8.69 4H4v4.69L.69 12 4 15.31V20h4.69L12 23.31 15.31 20H20v-4.69L23.31 12z"/>'),
    ('dark', '0 0 24 24', '<path d="M12 18c-.89 0-1.74-.2-2.5-.55C11.56 16.5 13 14.42 13 12s-1.44-4.5-3.5-5.45C10.26 6.2 11.11 6 12 6a6 6 0 0 1 6 6 6 6 0 0 1-6 6m8-9.31V4h-4.69L12 .69 8.69 4H4v4.69L.69 12 4 15.31V20h4.69L12 23.31 15.31 20H20v-4.69L23.31 12z"/>'),
    ('search', '0 0 24 24', '<path d="M9.5 3A6.5 6.5 0 0 1 16 9.5c0 1.61-.59 3.09-1.56 4.23l.27.27h.79l5 5-1.5 1.5-5-5v-.79l-.27-.27A6.52 6.52 0 0 1 9.5 16 6.5 6.5 0 0 1 3 9.5 6.5 6.5 0 0 1 9.5 3m0 2C7 5 5 7 5 9.5S7 14 9.5 14 14 12 14 9.5 12 5 9.5 5"/>'),
    ('back', '0 0 24 24', '<path d="M20 11v2H8l5.5 5.5-1.42 1.42L4.16 12l7.92-7.92L13.5 5.5 8 11z"/>'),
    ('clear', '0 0 24 24', '<path d="M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z"/>'),
    ('repo', '0 0 448 512', '<!--! Font Awesome Free 7.1.0 by @fontawesome - https://fontawesome.com License - https://fontawesome.com/license/free (Icons: CC BY 4.0, Fonts: SIL OFL 1.1, Code: MIT License) Copyright 2025 Fonticons, Inc.--><path d="M439.6 236.1 244 40.5c-5.4-5.5-12.8-8.5-20.4-8.5s-15 3-20.4 8.4L162.5 81l51.5 51.5c27.1-9.1 52.7 16.8 43.4 43.7l49.7 49.7c34.2-11.8 61.2 31 35.5 56.7-26.5 26.5-70.2-2.9-56-37.3L240.3 199v121.9c25.3 12.5 22.3 41.8 9.1 55-6.4 6.4-15.2 10.1-24.3 10.1s-17.8-3.6-24.3-10.1c-17.6-17.6-11.1-46.9 11.2-56v-123c-20.8-8.5-24.6-30.7-18.6-45L142.6 101 8.5 235.1C3 240.6 0 247.9 0 255.5s3 15 8.5 20.4l195.6 195.7c5.4 5.4 12.7 8.4 20.4 8.4s15-3 20.4-8.4l194.7-194.7c5.4-5.4 8.4-12.8 8.4-20.4s-3-15-8.4-20.4"/>'),
    ('top', '0 0 24 24', '<path d="M13 20h-2V8l-5.5 5.5-1.42-1.42L12 4.16l7.92 7.92-1.42 1.42L13 8z"/>'),
)

_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="{box}">{inner}</svg>'
_INLINE = {_SVG.format(box=box, inner=inner): (name, box) for name, box, inner in ICONS}
_SCOPE_RE = re.compile(r'__md_scope=new URL\("([^"]*)",location\)')
_ANY_ICON_RE = re.compile(r'<svg xmlns="http://www.w3.org/2000/svg" viewBox="[^"]*">.*?</svg>', re.S)


def icon_sprite() -> str:
    """The sprite file's text: one <symbol> per icon, licence comments kept."""
    symbols = "".join(f'<symbol id="{name}" viewBox="{box}">{inner}</symbol>\n' for name, box, inner in ICONS)
    return f'<svg xmlns="http://www.w3.org/2000/svg">\n{symbols}</svg>\n'


def root_prefix(html: str) -> str | None:
    """What leads from the page to the site root ("../../", "" or "/site/"), or None if unknown.

    Read from Material's own `__md_scope` line.
    """
    scope = _SCOPE_RE.search(html)
    if not scope:
        return None
    root = scope.group(1).rstrip("/")
    return f"{root}/" if root and root != "." else ""


def share_icons(html: str, prefix: str | None = None) -> str:
    """Listed inline icons -> `<use>` of the sprite, relative to the page's site root.

    `prefix` is `root_prefix(html)` unless given; a page without Material's
    scope line keeps its icons inline.
    """
    prefix = root_prefix(html) if prefix is None else prefix
    if prefix is None:
        return html

    def swap(match: re.Match[str]) -> str:
        known = _INLINE.get(match.group(0))
        if known is None:
            return match.group(0)
        name, box = known
        return f'<svg viewBox="{box}"><use href="{prefix}{SPRITE}#{name}"/></svg>'

    return _ANY_ICON_RE.sub(swap, html)


__all__ = ["SPRITE", "ICONS", "icon_sprite", "root_prefix", "share_icons"]
