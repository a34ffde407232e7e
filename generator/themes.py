"""Themes stage: content/themes.yml -> Theme records -> per-paper assignments.

(Minimal version: pins only. Rules, validation and the default themes come next.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .library import load_yaml
from .model import Paper, Problem, ThemeAssignment


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    intro: str  # Markdown written by the curator


def load_themes(path: Path) -> tuple[tuple[Theme, ...], list[Problem]]:
    """Read themes.yml; a missing file means no themes."""
    if not path.exists():
        return (), []
    data, problems = load_yaml(path.read_text("utf-8"), str(path))
    if problems:
        return (), problems
    themes = []
    for item in (data or {}).get("themes", []):
        themes.append(Theme(str(item["id"]), str(item.get("title", item["id"])), str(item.get("intro", ""))))
    return tuple(themes), []


def validate_against_library(themes: Iterable[Theme], papers: Iterable[Paper], path: Path) -> list[Problem]:
    """Pins that name a theme or paper that does not exist."""
    ids = {t.id for t in themes}
    problems = []
    for paper in papers:
        for field in ("themes", "not_themes"):
            for theme_id in getattr(paper, field):
                if theme_id not in ids:
                    problems.append(Problem(str(paper.path), f"unknown theme {theme_id!r}", key=field))
    return problems


def assign_themes(papers: Iterable[Paper], themes: Iterable[Theme]) -> dict[str, tuple[ThemeAssignment, ...]]:
    """Every paper key -> its themes in site order, each with its reason."""
    order = [t.id for t in themes]
    out = {}
    for paper in papers:
        pinned = [t for t in order if t in paper.themes and t not in paper.not_themes]
        out[paper.key] = tuple(ThemeAssignment(t, "pinned in the paper's record") for t in pinned)
    return out
