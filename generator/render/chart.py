"""A bar chart of papers per theme, as an inline SVG made at build time.

Horizontal bars, one per theme, each with its label above the bar and its
count after it, so the chart reads on a phone and without JavaScript. The SVG
carries a <title> and a <desc> (the same numbers as text) for screen readers.
Every label is escaped for XML; colours come from the site's CSS variables
with plain fallbacks, so it follows light and dark palettes.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from markupsafe import Markup

from generator.render.escape import plain


def _text(value: str) -> str:
    """Label text for SVG: one line, XML-escaped, braces as references."""
    return escape(plain(value).strip()).replace("{", "&#123;").replace("}", "&#125;")

WIDTH = 400
ROW = 34  # label line + bar
BAR = 12
PAD = 4
COUNT_ROOM = 44  # room after the longest bar for its count


def bar_chart(rows: Sequence[tuple[str, int]], *, title: str, chart_id: str = "rl-chart") -> Markup:
    """`rows` of (label, count) as an SVG, in the given order."""
    top = max((count for _, count in rows), default=0) or 1
    height = PAD * 2 + ROW * len(rows)
    usable = WIDTH - COUNT_ROOM
    desc = "; ".join(f"{plain(label).strip()}: {count}" for label, count in rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="rl-chart__svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-size="13" font-family="inherit">',
        f'<title id="{chart_id}-title">{_text(title)}</title>',
        f'<desc id="{chart_id}-desc">{_text(desc)}</desc>',
    ]
    for index, (label, count) in enumerate(rows):
        y = PAD + index * ROW
        length = 0 if count <= 0 else max(2, round(usable * count / top))
        text = _text(label)
        parts.append(
            f'<g class="rl-chart__row">'
            f'<text x="0" y="{y + 12}" class="rl-chart__label" fill="currentColor">{text}</text>'
            f'<rect x="0" y="{y + 16}" width="{length}" height="{BAR}" rx="2" class="rl-chart__bar" fill="#4051b5"/>'
            f'<text x="{length + 6}" y="{y + 26}" class="rl-chart__count" fill="currentColor">{count}</text>'
            f"</g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


__all__ = ["bar_chart"]
