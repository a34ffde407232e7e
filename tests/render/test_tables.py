"""Comparison tables: cells by column type, the sortable HTML table, and a CSV that no spreadsheet runs."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from generator.analysis.themes.model import Column, Theme
from generator.build import generate, load_content
from generator.model import Paper
from generator.render.tables import cell, comparison_csv, comparison_rows, neutral, typed_facts

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site" / "content"
THEME = Theme(
    id="t",
    title="T",
    intro="",
    columns=(Column("method", "Method", "text"), Column("saving", "Saved (%)", "number"), Column("full", "Full rank", "yes/no")),
)


def paper(key: str, year=None, title=None, **facts) -> Paper:
    return Paper(key=key, title=title or key, abstract="", added="2026-01-01", year=year, facts=tuple(facts.items()))


def test_cells_follow_their_column_type():
    assert (cell(65.5, "number").text, cell(65.0, "number").text, cell(3, "number").sort) == ("65.5", "65", "3")
    assert [cell(v, "yes/no").text for v in (True, False, "yes", "No")] == ["yes", "no", "yes", "no"]
    assert cell("Projection", "text").sort == "projection" and cell(128, "text").text == "128"
    assert cell("65%", "number").text == "" and cell("maybe", "yes/no").text == "" and cell(None, "text").text == ""


def test_rows_only_for_papers_with_facts_by_year_then_title():
    papers = [paper("b", 2024, method="x"), paper("a", 2024, saving=1), paper("old", 2019, full=True), paper("none", 2018), paper("undated", method="y")]
    rows = comparison_rows(THEME, papers)
    assert [r.paper.key for r in rows] == ["old", "a", "b", "undated"]
    assert [c.text for c in rows[1].cells] == ["", "1", ""]


def test_csv_neutralises_formulas_but_keeps_numbers():
    hostile = paper("evil", 2024, title="=HYPERLINK(\"http://x\")", method="+cmd|' /C calc'!A0", saving=-3)
    rows = comparison_rows(THEME, [hostile, paper("ok", 2020, method="@sum", full="yes")])
    text = comparison_csv(THEME, rows, lambda key: f"papers/{key}/")
    assert text.endswith("\r\n")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["key", "title", "year", "Method", "Saved (%)", "Full rank", "page"]
    assert table[1] == ["ok", "ok", "2020", "'@sum", "", "yes", "papers/ok/"]
    assert table[2] == ["evil", "'=HYPERLINK(\"http://x\")", "2024", "'+cmd|' /C calc'!A0", "-3", "", "papers/evil/"]
    assert [neutral(x) for x in ("-1+2", "\tx", "\rx", "plain", "")] == ["'-1+2", "'\tx", "'\rx", "plain", ""]


def test_yes_no_facts_are_true_or_false_in_the_data_export():
    assert typed_facts(paper("p", full="yes", method="no", saving=2), [THEME]) == {"full": True, "method": "no", "saving": 2}


def test_the_theme_table_sorts_in_the_browser_and_its_csv_is_generated():
    content, _ = load_content(FIXTURE)
    outputs = generate(content)
    page = outputs.files["themes/optimizers-memory.md"].decode()
    assert page.count("<th scope=\"col\"") == 5 and 'data-sort-type="number">Optimizer memory saved' in page
    rows = list(csv.reader(io.StringIO(outputs.files["csv/themes/optimizers-memory.csv"].decode())))
    assert [r[0] for r in rows] == ["key", "zero", "lora", "galore"] and rows[3][4] == "65.5"
    assert not any(name.startswith("csv/themes/") and name != "csv/themes/optimizers-memory.csv" for name in outputs.files)
    script = ROOT / "overrides" / "assets" / "javascripts" / "table-sort.js"
    assert "data-rl-sortable" in script.read_text() and "aria-sort" in script.read_text()
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)  # tags as text
    assert "assets/javascripts/table-sort.js" in config["extra_javascript"]
