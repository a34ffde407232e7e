"""Page sizes and where a built site's bytes go, for benchmarks/run.py.

Issue 16's budgets: every list page (the all-papers pages, theme pages)
<= 400 KB at 10,000 papers, the site <= 250 MB. `page_figures` names the
largest page of each kind and `breakdown` the megabytes per top-level
folder and per kind of file, so a report says where the rest goes.
"""

from __future__ import annotations

from pathlib import Path

PAGE_BUDGET_KB = 400.0


def _largest(paths: list[Path], site: Path) -> dict:
    if not paths:
        return {"kb": 0.0, "page": None, "count": 0}
    biggest = max(paths, key=lambda p: p.stat().st_size)
    return {"kb": round(biggest.stat().st_size / 1e3, 2), "page": biggest.relative_to(site).as_posix(), "count": len(paths)}


def page_figures(site: Path) -> dict:
    """The largest HTML page overall, of the all-papers list, and of the theme pages."""
    html = [p for p in site.rglob("*.html")]
    index = [p for p in html if p.relative_to(site).as_posix() == "papers/index.html" or p.relative_to(site).as_posix().startswith("papers/page/")]
    themes = [p for p in site.glob("themes/**/*.html") if p != site / "themes" / "index.html"]
    over = sorted(p.relative_to(site).as_posix() for p in html if p.stat().st_size > PAGE_BUDGET_KB * 1e3)
    return {
        "largest_page": _largest(html, site),
        "papers_index": _largest(index, site),
        "theme_pages": _largest(themes, site),
        "pages_over_budget": len(over),
        "pages_over_budget_sample": over[:10],
    }


def breakdown(site: Path) -> dict:
    """MB per top-level folder (files at the root by name) and per file suffix."""
    folders: dict[str, int] = {}
    suffixes: dict[str, int] = {}
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        size = path.stat().st_size
        top = path.relative_to(site).parts[0]
        folders[top] = folders.get(top, 0) + size
        suffixes[path.suffix or "(none)"] = suffixes.get(path.suffix or "(none)", 0) + size
    def mb(d: dict[str, int]) -> dict[str, float]:
        return {k: round(v / 1e6, 2) for k, v in sorted(d.items(), key=lambda kv: -kv[1]) if v >= 50_000}

    return {"folders_mb": mb(folders), "suffixes_mb": mb(suffixes)}


__all__ = ["PAGE_BUDGET_KB", "page_figures", "breakdown"]
