"""What theme and paper pages show of the literature review, ready for their templates.

A theme page: the `start_here:` reading path, a timeline of its papers, the
picture of its in-theme citations with its foundations (most cited within
it), and its comparison table. A paper page: the papers of the list it cites
and that cite it, and its dated citation count. The templates are the
partials `_theme_start_here.md`, `_theme_review.md` and `_paper_citations.md`.
"""

from __future__ import annotations

from typing import Any

from generator.analysis.citations import foundations
from generator.model import Paper
from generator.render.citegraph import busiest, citation_svg
from generator.render.escape import plain
from generator.render.site import SiteData
from generator.render.tables import comparison_rows, theme_csv_path
from generator.render.timeline import paper_year, timeline_svg, years_unknown

FOUNDATIONS = 5


def by_year(papers: list[Paper]) -> list[Paper]:
    """Oldest first, papers without a year last, then by title."""
    return sorted(papers, key=lambda p: (paper_year(p) is None, paper_year(p) or 0, plain(p.title).casefold(), p.key))


def theme_review(site: SiteData, theme: Any, page: Any, members: list[Paper]) -> dict[str, Any]:
    """The context of a theme page's review partials."""
    inside = site.citations.within(p.key for p in members)
    found = foundations(inside, FOUNDATIONS)
    drawn = busiest(inside)
    steps = [(step, site.by_key[step.paper]) for step in theme.start_here if step.paper in site.by_key]
    return {
        "start_here": steps,
        "timeline": timeline_svg(members, chart_id=f"rl-timeline-{theme.id}", title=f"{theme.title}: papers by year"),
        "years_unknown": years_unknown(members),
        "citegraph": citation_svg(
            members, drawn, [key for key, _ in found], url=page.paper_url, chart_id=f"rl-cites-{theme.id}", title=f"{theme.title}: citations among its papers"
        ),
        "citation_count": len(inside.edges()),
        "linked_count": len(set(inside.cites) | set(inside.cited_by)),
        "drawn_count": len(set(drawn.cites) | set(drawn.cited_by)),
        "foundations": [(site.by_key[key], count) for key, count in found],
        "columns": theme.columns,
        "table": comparison_rows(theme, members) if theme.columns else [],
        "table_csv": theme_csv_path(theme.id),
        "year_of": paper_year,
    }


def paper_citations(site: SiteData, paper: Paper) -> dict[str, Any]:
    """The context of a paper page's citations partial."""
    return {
        "cites_here": by_year([site.by_key[k] for k in site.citations.cites_of(paper.key) if k in site.by_key]),
        "cited_by_here": by_year([site.by_key[k] for k in site.citations.cited_by_of(paper.key) if k in site.by_key]),
        "year_of": paper_year,
    }


__all__ = ["by_year", "paper_citations", "theme_review"]
