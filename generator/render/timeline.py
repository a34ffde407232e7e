"""A theme's papers by year, as an inline SVG made at build time.

One column per year from the first to the last (a gap is a year without
papers), each paper a small square with its title as a tooltip, key papers
filled in the accent colour, the count above the column and the year below.
It needs no JavaScript; <title> and <desc> say the same numbers as text for
screen readers. A paper's year is its record's `year`, else the year its
arXiv id was given (2403.03507 -> 2024). Every text is escaped for XML.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from markupsafe import Markup

from generator.identifiers import arxiv_id
from generator.model import Paper
from generator.render.escape import plain

COLUMN = 44
SQUARE = 8
STEP = 10  # square plus gap
PER_ROW = 4
TOP = 18  # room for the counts
BOTTOM = 20  # room for the years
MAX_SPAN = 60  # years; a wider range keeps only the years that have papers


def svg_text(value: object) -> str:
    """Text for SVG: one line, XML-escaped (quotes too, for attributes), braces as references."""
    text = escape(plain(value).strip(), {'"': "&quot;"})
    return text.replace("{", "&#123;").replace("}", "&#125;")


def paper_year(paper: Paper) -> int | None:
    """The record's year, else the year of its arXiv id (new ids YYMM.N, old ones archive/YYMMNNN)."""
    if paper.year is not None:
        return paper.year
    found = arxiv_id(paper.arxiv)
    if found is None:
        return None
    digits = found.split("/")[-1][:2]
    yy = int(digits)
    if "/" in found:
        return 1900 + yy if yy >= 91 else 2000 + yy
    return 2000 + yy


def timeline_svg(papers: Sequence[Paper], *, chart_id: str, title: str) -> Markup | None:
    """`papers` by year as an SVG; None when none of them has a year."""
    by_year: dict[int, list[Paper]] = {}
    for paper in papers:
        year = paper_year(paper)
        if year is not None:
            by_year.setdefault(year, []).append(paper)
    if not by_year:
        return None
    first, last = min(by_year), max(by_year)
    years = list(range(first, last + 1)) if last - first < MAX_SPAN else sorted(by_year)
    rows = max(-(-len(group) // PER_ROW) for group in by_year.values())
    width = COLUMN * len(years)
    height = TOP + rows * STEP + BOTTOM
    base = TOP + rows * STEP  # the squares' floor
    desc = "; ".join(f"{year}: {len(by_year[year])} {'paper' if len(by_year[year]) == 1 else 'papers'}" for year in sorted(by_year))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="rl-timeline__svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-size="11" font-family="inherit">',
        f'<title id="{chart_id}-title">{svg_text(title)}</title>',
        f'<desc id="{chart_id}-desc">{svg_text(desc)}</desc>',
        f'<line x1="0" y1="{base + 1}" x2="{width}" y2="{base + 1}" stroke="currentColor" stroke-opacity="0.3"/>',
    ]
    for column, year in enumerate(years):
        x0 = column * COLUMN + (COLUMN - PER_ROW * STEP) // 2 + 1
        group = sorted(by_year.get(year, ()), key=lambda p: (p.status != "key", plain(p.title).casefold(), p.key))
        parts.append('<g class="rl-timeline__year">')
        for index, paper in enumerate(group):
            x = x0 + (index % PER_ROW) * STEP
            y = base - (index // PER_ROW + 1) * STEP
            key_paper = paper.status == "key"
            fill = "#e91e63" if key_paper else "#4051b5"
            label = svg_text(f"{paper.title} ({year})" + (", key paper" if key_paper else ""))
            parts.append(f'<rect x="{x}" y="{y}" width="{SQUARE}" height="{SQUARE}" rx="1" fill="{fill}"><title>{label}</title></rect>')
        centre = column * COLUMN + COLUMN // 2
        if group:
            used = -(-len(group) // PER_ROW)  # rows of squares, rounded up
            parts.append(f'<text x="{centre}" y="{base - used * STEP - 4}" text-anchor="middle" fill="currentColor">{len(group)}</text>')
        parts.append(f'<text x="{centre}" y="{height - 5}" text-anchor="middle" fill="currentColor">{year}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def years_unknown(papers: Sequence[Paper]) -> int:
    return sum(1 for paper in papers if paper_year(paper) is None)


__all__ = ["paper_year", "svg_text", "timeline_svg", "years_unknown"]
