"""Which papers belong to which theme, and the reason shown for each.

Precedence, strongest first: the record's `not_themes`, the record's `themes`,
themes.yml `not_papers`, themes.yml `papers`, then the rules (matched by
`engine.py`). Reasons quote the paper as written ("the title mentions
'Low-Rank Adaptation'"); their wording lives here and only here.
"""

from __future__ import annotations

from collections.abc import Iterable

from generator.analysis.themes.engine import Found, Verdict, engine_for, hit_text
from generator.analysis.themes.model import Rules, Theme
from pathlib import Path

from generator.analysis.themes.loading import max_themes_per_paper
from generator.model import Paper, Problem, ThemeAssignment

PINNED_IN_RECORD = "pinned in the paper's record"
PINNED_IN_THEMES = "pinned in themes.yml"
_QUOTE_MAX = 60


def assign_themes(papers: Iterable[Paper], themes: Iterable[Theme]) -> dict[str, tuple[ThemeAssignment, ...]]:
    """Every paper key -> its themes in site order, each with its reason.

    An empty tuple means the paper is unsorted. Pins (in the paper's record,
    then in themes.yml) win over rules; rules of all themes are matched in one
    pass over each title and abstract.
    """
    themes = tuple(themes)
    engine = engine_for(tuple(t.rules for t in themes))
    out: dict[str, tuple[ThemeAssignment, ...]] = {}
    for paper in papers:
        verdicts = engine.evaluate(paper.title, paper.abstract)
        found = []
        for theme, verdict in zip(themes, verdicts):
            pinned = _pin_reason(paper, theme)
            if pinned is not None:
                reason = pinned or None
            else:
                reason = _verdict_reason(verdict)
            if reason is not None:
                found.append(ThemeAssignment(theme.id, reason))
        out[paper.key] = tuple(found)
    return out


def theme_reason(paper: Paper, theme: Theme) -> str | None:
    """Why `paper` belongs to `theme`, or None when it does not."""
    pinned = _pin_reason(paper, theme)
    if pinned is not None:
        return pinned or None
    return rule_reason(theme.rules, paper.title, paper.abstract)


def rule_reason(rules: Rules, title: str, abstract: str) -> str | None:
    """Why the rules place a paper with this title and abstract, or None."""
    return _verdict_reason(engine_for((rules,)).evaluate(title, abstract)[0])


def explain_exclusion(rules: Rules, title: str, abstract: str) -> str | None:
    """Which `unless` phrase keeps a paper out, for curators' tools."""
    found = engine_for((rules,)).exclusion(title, abstract)[0]
    return None if found is None else _mentions(found)


def crowded_papers(papers: Iterable[Paper], themes: Iterable[Theme], path: Path) -> list[Problem]:
    """Warnings for papers in more themes than themes.yml's `max_themes_per_paper`.

    A paper in many themes is usually placed by words it only mentions; the
    warning asks the curator to look again (tighten a rule, or pin it out).
    """
    limit = max_themes_per_paper(path)
    if limit is None:
        return []
    papers = tuple(papers)
    assigned = assign_themes(papers, themes)
    out = []
    for paper in papers:
        found = assigned.get(paper.key, ())
        if len(found) > limit:
            ids = ", ".join(a.theme for a in found)
            out.append(Problem(str(paper.path or path), f"in {len(found)} themes ({ids}), more than max_themes_per_paper: {limit} in {path}; check its reasons", key=paper.key, severity="warning"))
    return out


def members(assignments: dict[str, tuple[ThemeAssignment, ...]], theme_id: str) -> list[str]:
    """Keys of the papers assigned to a theme, in the order of `assignments`."""
    return [key for key, found in assignments.items() if any(a.theme == theme_id for a in found)]


def _pin_reason(paper: Paper, theme: Theme) -> str | None | bool:
    """A pin's verdict: a reason (in), False (kept out), or None (no pin: rules decide)."""
    if theme.id in paper.not_themes:
        return False
    if theme.id in paper.themes:
        return PINNED_IN_RECORD
    if paper.key in theme.not_papers:
        return False
    if paper.key in theme.papers:
        return PINNED_IN_THEMES
    return None


# --------------------------------------------------------------------------- wording


def _verdict_reason(verdict: Verdict | None) -> str | None:
    """The reason readers see for what the engine found."""
    if verdict is None:
        return None
    kind, found = verdict
    if kind == "match":
        return _mentions(found[0])
    return _hint_reason([(f[0], hit_text(f)) for f in found])


def _mentions(found: Found) -> str:
    return f"the {found[0]} mentions {_quote(hit_text(found))}"


def _quote(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _QUOTE_MAX:
        text = text[: _QUOTE_MAX - 1].rstrip() + "…"
    return f"'{text}'"


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _hint_reason(found: list[tuple[str, str]]) -> str:
    in_title = [_quote(m) for w, m in found if w == "title"]
    in_abstract = [_quote(m) for w, m in found if w == "abstract"]
    parts = []
    if in_title:
        parts.append(f"the title mentions {_listing(in_title)}")
    if in_abstract:
        parts.append(f"the abstract mentions {_listing(in_abstract)}")
    return " and ".join(parts)
