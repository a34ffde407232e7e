"""Page sizes and where a built site's bytes go, for benchmarks/run.py.

Issue 16's budgets: every list page (the all-papers pages, theme pages)
<= 400 KB at 10,000 papers, the site <= 250 MB. `page_figures` names the
largest page of each kind and `breakdown` the megabytes per top-level
folder and per kind of file, so a report says where the rest goes;
`paper_page_parts` splits the paper pages into Material's frame and the
page's own content, section by section.

    .venv/bin/python benchmarks/site_pages.py SITE_DIR    # prints all three as JSON
"""

from __future__ import annotations

import json
import re
import statistics
import sys
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


# (part, tag, a class of the element): Material's frame around the page's <article>.
PARTS = (
    ("head", "head", None),
    ("header", "header", "md-header"),
    ("nav sidebar", "div", "md-sidebar--primary"),
    ("toc sidebar", "div", "md-sidebar--secondary"),
    ("article", "article", "md-content__inner"),
    ("footer", "footer", "md-footer"),
)
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][\w-]*)\b([^>]*)>|<!--.*?-->", re.S)
_RAW = ("script", "style", "pre", "textarea")


def _spans(html: str, parts: tuple[tuple[str, str, str | None], ...] = PARTS) -> list[tuple[str, int, int]]:
    """(part, start, end) of each part's outermost element and of each <script> outside them."""
    out: list[tuple[str, int, int]] = []
    current: tuple[str, str, int] | None = None
    depth, pos = 0, 0
    while (match := _TAG_RE.search(html, pos)) is not None:
        pos = match.end()
        closing, tag, attrs = match.group(1), (match.group(2) or "").lower(), match.group(3) or ""
        if not tag:
            continue
        if not closing and tag in _RAW:  # raw text: skip to its end tag
            end = html.lower().find(f"</{tag}>", pos)
            pos = len(html) if end < 0 else end + len(tag) + 3
            if current is None and tag == "script":
                out.append(("scripts", match.start(), pos))
            continue
        if current is None and not closing:
            for name, want, cls in parts:
                if tag == want and (cls is None or re.search(rf'class="[^"]*\b{cls}\b', attrs)):
                    current, depth = (name, tag, match.start()), 1
                    break
        elif current is not None and tag == current[1]:
            depth += -1 if closing else 1
            if depth == 0:
                out.append((current[0], current[2], match.end()))
                current = None
    return out


def page_parts(html: str) -> dict[str, int]:
    """Bytes of a page by part (the parts add up to "total"), then figures across parts in brackets."""
    size = lambda text: len(text.encode())  # noqa: E731
    parts: dict[str, int] = {}
    article = ""
    for name, start, end in _spans(html):
        parts[name] = parts.get(name, 0) + size(html[start:end])
        article = html[start:end] if name == "article" else article
    parts["other"] = size(html) - sum(parts.values())
    parts["total"] = size(html)
    gaps = re.findall(r">(\s+)<", html)
    parts["(white space between tags)"] = sum(size(g) for g in gaps)
    parts["(inline scripts)"] = sum(size(m) for m in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>.*?</script>", html, re.S))
    search = _spans(html, (("search", "div", "md-search"),))
    parts["(search box, in the header)"] = sum(size(html[a:b]) for _, a, b in search if _ == "search")
    parts["(svg icons)"] = sum(size(m) for m in re.findall(r"<svg\b.*?</svg>", html, re.S))
    for section in re.split(r"(?=<h2\b)", article):
        heading = re.match(r'<h2[^>]*\bid="([^"]+)"', section)
        parts[f"article: {heading.group(1) if heading else 'title, byline, abstract'}"] = size(section)
    return parts


def paper_page_parts(site: Path, sample: int = 500) -> dict:
    """Parts of the median paper page, and their mean over `sample` paper pages (every n-th)."""
    pages = sorted(p for p in site.glob("papers/*/index.html") if p.parent.name != "page")
    if not pages:
        return {}
    median = sorted(pages, key=lambda p: (p.stat().st_size, p))[len(pages) // 2]
    chosen = pages[:: max(1, len(pages) // sample)]
    readings = [page_parts(p.read_text("utf-8")) for p in chosen]
    keys = sorted({k for r in readings for k in r}, key=lambda k: (k.startswith(("(", "article:")), k))
    return {
        "pages": len(pages),
        "median_page": median.relative_to(site).as_posix(),
        "median_page_bytes": page_parts(median.read_text("utf-8")),
        "mean_bytes": {k: round(statistics.fmean(r.get(k, 0) for r in readings)) for k in keys},
    }


__all__ = ["PAGE_BUDGET_KB", "page_figures", "breakdown", "page_parts", "paper_page_parts"]


if __name__ == "__main__":
    built = Path(sys.argv[1])
    report = {"breakdown": breakdown(built), "pages": page_figures(built), "paper_pages": paper_page_parts(built)}
    sys.stdout.write(json.dumps(report, indent=1) + "\n")
