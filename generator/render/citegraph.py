"""A theme's citations among its own papers, as an inline SVG made at build time.

Layered by year: one row per paper that cites or is cited inside the theme,
oldest year at the top, each year a shaded band. The title sits on the left
at full size (so a hundred papers stay legible: the picture grows downwards,
never shrinks), the citations are arcs on the right from the citing paper to
the cited one, and the theme's most-cited papers are emphasised: a larger dot,
bold title, their arcs in the accent colour, and their in-theme count. Every
row links to its paper page; every text is escaped for XML. It needs no
JavaScript, and <title>/<desc> say what it shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup

from generator.analysis.citations import CitationGraph
from generator.model import Paper
from generator.render.escape import plain
from generator.render.timeline import paper_year, svg_text

WIDTH = 720
ROW = 20
PAD = 8
YEAR_COL = 44  # the year's label
NODE_X = 420  # the dots; titles end before them, arcs start after them
LABEL_CHARS = 56
MAX_ROWS = 120  # a larger theme shows its most connected papers (the page says so)
ACCENT = "#e91e63"
INK = "#4051b5"


def _short(title: str, room: int = LABEL_CHARS) -> str:
    text = plain(title).strip()
    return text if len(text) <= room else text[: room - 1].rstrip() + "\u2026"


def _rows(papers: Sequence[Paper], graph: CitationGraph) -> list[Paper]:
    """The papers that take part, by year (unknown last), most cited first within a year, then title."""
    linked = set(graph.cites) | set(graph.cited_by)
    chosen = [p for p in papers if p.key in linked]

    def order(paper: Paper) -> tuple:
        year = paper_year(paper)
        return (year is None, year or 0, -len(graph.cited_by_of(paper.key)), plain(paper.title).casefold(), paper.key)

    return sorted(chosen, key=order)


def busiest(graph: CitationGraph, limit: int = MAX_ROWS) -> CitationGraph:
    """`graph` restricted to its `limit` most connected papers (most cited, then most citing, then key)."""
    linked = set(graph.cites) | set(graph.cited_by)
    if len(linked) <= limit:
        return graph
    ranked = sorted(linked, key=lambda k: (-len(graph.cited_by_of(k)), -len(graph.cites_of(k)), k))
    return graph.within(ranked[:limit])


def citation_svg(
    papers: Sequence[Paper], graph: CitationGraph, emphasised: Sequence[str], *, url: Callable[[str], str], chart_id: str, title: str
) -> Markup | None:
    """The picture of `graph` (citations among `papers`); None when it has no edge."""
    rows = _rows(papers, graph)
    if not rows:
        return None
    strong = set(emphasised)
    y_of = {paper.key: PAD + index * ROW + ROW // 2 for index, paper in enumerate(rows)}
    height = PAD * 2 + ROW * len(rows)
    edges = sorted(graph.edges())
    desc = (
        f"{len(edges)} {'citation' if len(edges) == 1 else 'citations'} among {len(rows)} papers of this theme, by year; "
        f"most cited here: " + "; ".join(_short(p.title) for p in rows if p.key in strong)
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="rl-citegraph__svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="group" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-size="12" font-family="inherit">',
        f'<title id="{chart_id}-title">{svg_text(title)}</title>',
        f'<desc id="{chart_id}-desc">{svg_text(desc)}</desc>',
        "<defs>" + "".join(
            f'<marker id="{chart_id}-{name}" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto">'
            f'<path d="M0,0 L8,4 L0,8 z" fill="{colour}"/></marker>'
            for name, colour in (("arrow", INK), ("arrow-strong", ACCENT))
        ) + "</defs>",
    ]
    parts.extend(_bands(rows, y_of))
    for citing, cited in edges:  # older (cited) above, so most arcs bend from below to above
        y1, y2 = y_of[citing], y_of[cited]
        reach = min(WIDTH - NODE_X - 12, 14 + abs(y1 - y2) * 0.4)
        colour, opacity, arrow = (ACCENT, "0.8", "arrow-strong") if cited in strong else (INK, "0.45", "arrow")
        parts.append(
            f'<path d="M{NODE_X + 5},{y1} C{NODE_X + reach:.0f},{y1} {NODE_X + reach:.0f},{y2} {NODE_X + 6},{y2}" fill="none" '
            f'stroke="{colour}" stroke-opacity="{opacity}" stroke-width="1.2" marker-end="url(#{chart_id}-{arrow})"/>'
        )
    for paper in rows:
        y = y_of[paper.key]
        count = len(graph.cited_by_of(paper.key))
        is_strong = paper.key in strong
        radius = 6 if is_strong else 3.5
        weight = ' font-weight="700"' if is_strong else ""
        tip = f"{paper.title} ({paper_year(paper) or 'year unknown'}): cited by {count} and citing {len(graph.cites_of(paper.key))} of this theme"
        # bold letters are wider, and the count follows: a shorter title keeps clear of the dot
        label = svg_text(_short(paper.title, LABEL_CHARS - 14)) + f" ({count}\u00d7)" if is_strong else svg_text(_short(paper.title))
        parts.append(
            f'<a href="{url(paper.key)}"><title>{svg_text(tip)}</title>'
            f'<text x="{YEAR_COL}" y="{y + 4}" fill="currentColor"{weight}>{label}</text>'
            f'<circle cx="{NODE_X}" cy="{y}" r="{radius}" fill="{ACCENT if is_strong else INK}"/></a>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _bands(rows: list[Paper], y_of: dict[str, int]) -> list[str]:
    """A shaded band and a label for every year (every other band shaded)."""
    out = []
    groups: list[tuple[int | None, list[Paper]]] = []
    for paper in rows:
        year = paper_year(paper)
        if groups and groups[-1][0] == year:
            groups[-1][1].append(paper)
        else:
            groups.append((year, [paper]))
    for index, (year, members) in enumerate(groups):
        top = y_of[members[0].key] - ROW // 2
        height = ROW * len(members)
        if index % 2 == 0:
            out.append(f'<rect x="0" y="{top}" width="{WIDTH}" height="{height}" fill="currentColor" fill-opacity="0.05"/>')
        out.append(f'<text x="4" y="{top + ROW // 2 + 4}" fill="currentColor" font-weight="700">{year if year else "n.d."}</text>')
    return out


__all__ = ["MAX_ROWS", "busiest", "citation_svg"]
