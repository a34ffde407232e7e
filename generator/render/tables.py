"""A theme's comparison table: its papers against the `columns:` it declares, and the CSV of it.

The values are the records' curated `facts:`; a paper with none of the
columns' facts has no row. The page shows a plain HTML table in a useful
order (by year, then title), so it reads without JavaScript;
overrides/assets/javascripts/table-sort.js makes the headings sort it, using
the `data-sort` value of each cell (numbers as numbers, yes before no, text
case-blind, empty cells last). The CSV beside it holds the same rows; a text
cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`,
`@`, a tab or a carriage return) is prefixed with `'`, while numbers we
validated and formatted stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from generator.analysis.themes.review import YES, fact_matches
from generator.model import Paper
from generator.render.escape import plain
from generator.render.timeline import paper_year

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def theme_csv_path(theme_id: str) -> str:
    return f"csv/themes/{theme_id}.csv"


@dataclass(frozen=True)
class Cell:
    text: str  # as shown ("" when the paper has no such fact)
    sort: str  # what the browser sorts by
    number: bool = False  # a validated number, written as one in the CSV


@dataclass(frozen=True)
class Row:
    paper: Paper
    year: int | None
    cells: tuple[Cell, ...]


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value) if isinstance(value, int) else f"{value:.12g}"


def cell(value: object, kind: str) -> Cell:
    """One value as a column of `kind` shows it; a value of the wrong type (check reports it) is left out."""
    if value is None or not fact_matches(value, kind):
        return Cell("", "")
    if kind == "number":
        return Cell(_number_text(value), _number_text(value), number=True)  # type: ignore[arg-type]
    if kind == "yes/no":
        yes = value is True or (isinstance(value, str) and value.casefold() in YES)
        return Cell("yes" if yes else "no", "1" if yes else "0")
    text = plain(value).strip()
    return Cell(text, text.casefold())


def typed_facts(paper: Paper, themes) -> dict[str, object]:
    """The paper's facts for the data export: yes/no columns' words (`yes`, `no`) as true/false."""
    kinds = {column.fact: column.type for theme in themes for column in getattr(theme, "columns", ())}
    out: dict[str, object] = {}
    for fact, value in paper.facts:
        if kinds.get(fact) == "yes/no" and isinstance(value, str) and fact_matches(value, "yes/no"):
            value = value.casefold() in YES
        out[fact] = value
    return out


def comparison_rows(theme, papers: Sequence[Paper]) -> list[Row]:
    """The theme's papers that carry at least one of its columns' facts, by year then title."""
    rows = []
    for paper in papers:
        cells = tuple(cell(paper.fact(column.fact), column.type) for column in theme.columns)
        if any(c.text for c in cells):
            rows.append(Row(paper, paper_year(paper), cells))
    return sorted(rows, key=lambda r: (r.year is None, r.year or 0, plain(r.paper.title).casefold(), r.paper.key))


def neutral(text: str) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def comparison_csv(theme, rows: Sequence[Row], page_url) -> str:
    """The table as CSV (RFC 4180: comma, double quotes, CRLF); `page_url(key)` gives each paper's address."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutral(t) for t in ["key", "title", "year", *(plain(c.title) for c in theme.columns), "page"]])
    for row in rows:
        values = [neutral(row.paper.key), neutral(plain(row.paper.title).strip()), "" if row.year is None else str(row.year)]
        values.extend(c.text if c.number else neutral(c.text) for c in row.cells)
        values.append(neutral(page_url(row.paper.key)))
        writer.writerow(values)
    return out.getvalue()


__all__ = ["Cell", "Row", "cell", "comparison_csv", "comparison_rows", "neutral", "theme_csv_path", "typed_facts"]
