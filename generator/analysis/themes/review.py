"""A theme's literature-review parts in themes.yml: comparison `columns:` and a `start_here:` path.

    columns:                     # a table of the theme's papers over their curated facts
      - fact: optimizer_memory_saving
        title: Optimizer memory saved (%)
        type: number             # number | text | yes/no
    start_here:                  # shown first on the theme page, as a numbered path
      - paper: galore
        why: The method the later papers here measure themselves against.

The schema parts plug into THEME_SCHEMA (loading.py); `review_parts` builds
the records and reports what a schema cannot see (a column or a step given
twice, a reason on several lines); `validate_review` holds them against the
library: steps naming unknown papers, facts no theme declares, facts of the
wrong type for their column, one fact declared with two types.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from generator.analysis.themes.model import COLUMN_TYPES, Column, Step, Theme
from generator.library import schema
from generator.library.records import did_you_mean, line_of, load_yaml
from generator.library.review_fields import FACT_NAME_HELP, FACT_NAME_RE
from generator.model import Paper, Problem

_TYPE_RE = re.compile(r"^(?:number|text|yes/no)$")
YES = ("yes", "true")
NO = ("no", "false")

COLUMN_SCHEMA = schema.Mapping(
    {
        "fact": schema.Field(schema.Text(pattern=FACT_NAME_RE, pattern_help=FACT_NAME_HELP, description="a fact name"), required=True),
        "title": schema.Field(schema.Text(description="the column's heading"), required=True),
        "type": schema.Field(schema.Text(pattern=_TYPE_RE, pattern_help="one of " + ", ".join(COLUMN_TYPES)), required=True),
    },
    description="a column (a mapping with 'fact', 'title' and 'type')",
)
STEP_SCHEMA = schema.Mapping(
    {
        "paper": schema.Field(schema.Text(description="a paper key"), required=True),
        "why": schema.Field(schema.Text(description="one line saying why to read it at this step"), required=True),
    },
    description="a step (a mapping with 'paper' and 'why')",
)
FIELDS = {
    "columns": schema.Field(schema.ListOf(COLUMN_SCHEMA, description="columns"), help="a comparison table over the records' facts"),
    "start_here": schema.Field(schema.ListOf(STEP_SCHEMA, description="steps"), help="a reading order shown first on the theme page"),
}


def _item_line(seq: Any, index: int, default: int | None) -> int | None:
    try:
        return seq.lc.item(index)[0] + 1
    except Exception:
        return default


def review_parts(item: dict, where: str, name: str) -> tuple[tuple[Column, ...], tuple[Step, ...], list[Problem]]:
    """The theme's columns and reading steps (well-formed ones only; the schema reports the rest)."""
    problems: list[Problem] = []
    columns: list[Column] = []
    raw = item.get("columns")
    for index, entry in enumerate(raw if isinstance(raw, list) else ()):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) and entry[k].strip() for k in ("fact", "title", "type")):
            continue
        fact, kind = entry["fact"].strip(), entry["type"].strip()
        line, keypath = _item_line(raw, index, line_of(item, "columns")), f"{where}.columns[{index}]"
        if not FACT_NAME_RE.match(fact) or kind not in COLUMN_TYPES:
            continue
        if any(c.fact == fact for c in columns):
            problems.append(Problem(name, f"column {fact!r} is declared twice in this theme", line, keypath))
            continue
        columns.append(Column(fact, " ".join(entry["title"].split()), kind, line, keypath))
    steps: list[Step] = []
    raw = item.get("start_here")
    for index, entry in enumerate(raw if isinstance(raw, list) else ()):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) and entry[k].strip() for k in ("paper", "why")):
            continue
        line, keypath = _item_line(raw, index, line_of(item, "start_here")), f"{where}.start_here[{index}]"
        paper, why = entry["paper"].strip(), entry["why"].strip()
        if "\n" in why:
            problems.append(Problem(name, f"the reason for {paper!r} must be one line, found {why.count(chr(10)) + 1} lines", line, f"{keypath}.why"))
        if any(s.paper == paper for s in steps):
            problems.append(Problem(name, f"paper {paper!r} is already a step of this reading order", line, keypath))
            continue
        steps.append(Step(paper, " ".join(why.split()), line, keypath))
    return tuple(columns), tuple(steps), problems


def fact_matches(value: Any, kind: str) -> bool:
    """Whether a fact's value fits a column type (yes/no also takes the words yes and no)."""
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "yes/no":
        return isinstance(value, bool) or (isinstance(value, str) and value.casefold() in YES + NO)
    return not isinstance(value, bool)  # text: words, or a number written as it is


def validate_review(themes: Iterable[Theme], papers: Iterable[Paper], path: Path) -> list[Problem]:
    """Reading orders naming unknown papers; facts against the declared columns."""
    themes, papers = tuple(themes), tuple(papers)
    keys = {p.key for p in papers}
    problems: list[Problem] = []
    declared: dict[str, Column] = {}
    for theme in themes:
        for step in theme.start_here:
            if step.paper not in keys:
                hint = did_you_mean(step.paper, sorted(keys)) if len(keys) <= 20_000 else ""
                problems.append(Problem(str(path), f"theme {theme.id!r} starts its reading order with {step.paper!r}, which is not in the library{hint}", step.line, step.keypath))
        for column in theme.columns:
            first = declared.setdefault(column.fact, column)
            if first.type != column.type:
                problems.append(
                    Problem(str(path), f"column {column.fact!r} is {column.type!r} here but {first.type!r} on line {first.line}; one fact has one type", column.line, column.keypath)
                )
    for paper in papers:
        found = []
        for fact, value in paper.facts:
            column = declared.get(fact)
            if column is None:
                names = sorted(declared)
                known = f"; declared: {', '.join(names)}" if names else "; no theme declares columns yet"
                found.append((fact, f"fact {fact!r} is not a column of any theme{did_you_mean(fact, names)}{known}"))
            elif not fact_matches(value, column.type):
                found.append((fact, f"fact {fact!r} must be {_type_help(column.type)} (column {column.title!r}), found {value!r}"))
        if found:
            facts = _record_facts(paper.path)
            problems.extend(Problem(str(paper.path), message, line_of(facts, fact), f"facts.{fact}") for fact, message in found)
    return problems


def _type_help(kind: str) -> str:
    return {"number": "a number (no unit: the column's title names it)", "yes/no": "yes or no"}.get(kind, "text")


def _record_facts(path: Path | None) -> Any:
    """The record's `facts` mapping with its lines, read again only when a fact is wrong."""
    if path is None:
        return {}
    try:
        data, _ = load_yaml(path.read_text("utf-8"), str(path))
    except (OSError, UnicodeDecodeError):
        return {}
    facts = data.get("facts") if isinstance(data, dict) else None
    return facts if isinstance(facts, dict) else {}
