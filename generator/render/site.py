"""The site model: everything the pages are rendered from, and the orders papers are listed in.

Computed once per build from the analysis results, then only read: each page
function takes it and returns text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from generator.analysis.citations import CitationGraph
from generator.model import Paper, ThemeAssignment
from generator.render.escape import plain
from generator.render.urls import tag_anchor_ids
from generator.settings import Settings


@dataclass(frozen=True)
class SiteData:
    """Everything the pages are rendered from, computed once by the build."""

    papers: tuple[Paper, ...]  # in key order
    themes: tuple[Any, ...]  # generator.analysis.themes.Theme, in site order
    assignments: Mapping[str, tuple[ThemeAssignment, ...]]
    related: Mapping[str, tuple[Any, ...]]  # key -> Related(key, score, terms), best first
    mentions_out: Mapping[str, tuple[Any, ...]]  # key -> Mention(name, target, start, end)
    mentions_in: Mapping[str, tuple[str, ...]]  # key -> keys of papers that mention it
    bibtex: Mapping[str, str]  # key -> its BibTeX entry
    # key -> what the .bib files hold for it: its entry, then copies under its alias keys (export/aliases.py)
    bib_files: Mapping[str, str] = field(default_factory=dict)
    settings: Settings = Settings()
    home_intro: str | None = None  # trusted Markdown from content/pages/home.md
    citations: CitationGraph = field(default_factory=CitationGraph)  # in-list citations (analysis/citations.py)
    by_key: dict[str, Paper] = field(default_factory=dict)
    theme_by_id: dict[str, Any] = field(default_factory=dict)
    tag_ids: dict[str, str] = field(default_factory=dict)  # tag -> anchor on the tags page
    _members: dict[str, tuple[Paper, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.by_key.update({p.key: p for p in self.papers})
        self.theme_by_id.update({t.id: t for t in self.themes})
        self.tag_ids.update(tag_anchor_ids(t for p in self.papers for t in p.tags))
        grouped: dict[str, list[Paper]] = {}
        for paper in self.papers:
            for assignment in self.assignments.get(paper.key, ()):
                grouped.setdefault(assignment.theme, []).append(paper)
        self._members.update({theme: tuple(sorted(found, key=reading_order)) for theme, found in grouped.items()})

    def members(self, theme_id: str) -> list[Paper]:
        """A theme's papers: key papers first, then by title."""
        return list(self._members.get(theme_id, ()))

    def unsorted(self) -> list[Paper]:
        return sorted((p for p in self.papers if not self.assignments.get(p.key)), key=reading_order)

    def related_to(self, key: str) -> list[Any]:
        return [r for r in self.related.get(key, ()) if r.score > 0 and r.key in self.by_key and r.key != key]

    def mentioned(self, key: str) -> list[str]:
        """Keys this paper mentions, in order of first mention, without repeats."""
        seen: dict[str, None] = {}
        for m in sorted(self.mentions_out.get(key, ()), key=lambda m: (m.start, m.end)):
            if m.target != key and m.target in self.by_key:
                seen.setdefault(m.target)
        return list(seen)

    def mentioned_by(self, key: str) -> list[str]:
        return sorted({k for k in self.mentions_in.get(key, ()) if k != key and k in self.by_key})

    def newest(self, limit: int) -> list[Paper]:
        return sorted(sorted(self.papers, key=lambda p: p.key), key=lambda p: p.added, reverse=True)[:limit]


def title_order(paper: Paper) -> tuple:
    """By title as a reader alphabetises it: case and leading punctuation ignored."""
    return (_sortable(paper.title), paper.key)


@lru_cache(maxsize=1 << 17)  # every list sorts by it, the themes' lists again and again
def _sortable(title: str) -> str:
    return _LEADING_PUNCTUATION_RE.sub("", plain(title).casefold())


_LEADING_PUNCTUATION_RE = re.compile(r"^[\W_]+")


def reading_order(paper: Paper) -> tuple:
    """Key papers first, then by title."""
    return (paper.status != "key", *title_order(paper))
