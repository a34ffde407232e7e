"""The literature-review fields of a record: references, facts, a dated citation count.

    references:            [2106.09685, 10.1145/3458817.3476205]   # what the paper cites
    facts:                 {optimizer_memory_saving: 65.5, full_rank: yes}
    cited_by_count:        812
    cited_by_count_date:   2026-11-30

`references` are external ids (arXiv ids and DOIs, any usual spelling), the
form enrichment from a scholarly graph stores them in; the build turns those
that name papers of the library into citation edges. `facts` are curated
values shown in a theme's comparison table (`columns:` in themes.yml, which
`check` holds them against). Values are validated here and collected as
Problems with the line they sit on; a bad value is dropped, the record kept.
"""

from __future__ import annotations

import re
from datetime import date as Date
from typing import Any

from generator.identifiers import external_id
from generator.model import Problem

FACT_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
FACT_NAME_HELP = "lower-case letters, digits and underscores, starting with a letter (e.g. memory_saving)"


def _line(container: Any, key: Any = None, index: int | None = None) -> int | None:
    """1-based line of a key or an item in ruamel data; None for plain data."""
    try:
        if index is not None:
            return container.lc.item(index)[0] + 1
        return container.lc.key(key)[0] + 1
    except Exception:
        return None


def review_fields(data: dict, name: str, problems: list[Problem]) -> dict[str, Any]:
    """The review fields of one record as Paper arguments; problems are appended."""
    return {
        "references": _references(data, name, problems),
        "facts": _facts(data, name, problems),
        **_count(data, name, problems),
    }


def _references(data: dict, name: str, problems: list[Problem]) -> tuple[str, ...]:
    raw = data.get("references")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(Problem(name, "'references' must be a list of arXiv ids or DOIs", _line(data, "references"), "references"))
        return ()
    found: dict[str, None] = {}
    for index, item in enumerate(raw):
        ref = external_id(item) if isinstance(item, str) else None
        if ref is None:
            shown = repr(item) if isinstance(item, str) else f"the number {item}" if isinstance(item, (int, float)) else repr(item)
            hint = "; put it in quotes so it stays text" if isinstance(item, (int, float)) else ""
            line = _line(raw, index=index) or _line(data, "references")
            problems.append(
                Problem(name, f"references[{index}] must be an arXiv id (2106.09685) or a DOI (10.1145/...), found {shown}{hint}", line, f"references[{index}]")
            )
            continue
        found.setdefault(ref)
    return tuple(found)


def _facts(data: dict, name: str, problems: list[Problem]) -> tuple[tuple[str, Any], ...]:
    raw = data.get("facts")
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        problems.append(Problem(name, "'facts' must be a mapping of column name: value", _line(data, "facts"), "facts"))
        return ()
    facts = []
    for fact, value in raw.items():
        line = _line(raw, fact) or _line(data, "facts")
        if not isinstance(fact, str) or not FACT_NAME_RE.match(fact):
            problems.append(Problem(name, f"fact name {fact!r} must be {FACT_NAME_HELP}", line, f"facts.{fact}"))
            continue
        if isinstance(value, str) and value.strip():
            value = value.strip()
        elif not isinstance(value, (bool, int, float)) or value != value:  # NaN compares unequal to itself
            problems.append(Problem(name, f"fact {fact!r} must be a number, yes/no or one line of text, found {value!r}", line, f"facts.{fact}"))
            continue
        facts.append((fact, value))
    return tuple(facts)


def _count(data: dict, name: str, problems: list[Problem]) -> dict[str, Any]:
    count, when = data.get("cited_by_count"), data.get("cited_by_count_date")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 0):
        problems.append(Problem(name, f"'cited_by_count' must be a whole number, found {count!r}", _line(data, "cited_by_count"), "cited_by_count"))
        count = None
    if isinstance(when, str):
        try:
            when = Date.fromisoformat(when.strip())
        except ValueError:
            pass
    if when is not None and not isinstance(when, Date):
        problems.append(
            Problem(name, f"'cited_by_count_date' must be the date the count was read, such as 2026-11-30, found {when!r}", _line(data, "cited_by_count_date"), "cited_by_count_date")
        )
        when = None
    if when is not None and count is None and "cited_by_count" not in data:
        problems.append(Problem(name, "'cited_by_count_date' dates a count, but the record has no 'cited_by_count'", _line(data, "cited_by_count_date"), "cited_by_count_date"))
    return {"cited_by_count": count, "cited_by_count_date": when.isoformat() if when is not None else None}
