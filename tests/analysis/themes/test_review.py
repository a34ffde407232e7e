"""themes.yml `columns:` and `start_here:`: their schema, and the records' facts held against the columns."""

from __future__ import annotations

from pathlib import Path

from generator.build import load_content

THEMES = """\
themes:
  - id: optimizers-memory
    title: Optimizers
    match: [optimizer]
    start_here:
      - paper: galore
        why: Read it first.
      - paper: galroe
        why: A typo.
      - paper: galore
        why: Twice.
    columns:
      - fact: saving
        title: Memory saved (%)
        type: number
      - fact: method
        title: Method
        type: text
      - fact: full_rank
        title: Full rank
        type: yes/no
  - id: other
    title: Other
    columns:
      - fact: saving
        title: Saving
        type: text
      - fact: Bad Name
        title: x
        type: numeric
      - title: no fact
        type: text
"""

RECORD = """\
key: {key}
title: A paper about the optimizer
abstract: Something on the optimizer.
added: 2026-01-15
"""


def content(tmp_path: Path, themes: str, facts: dict[str, str]) -> Path:
    (tmp_path / "papers").mkdir()
    (tmp_path / "themes.yml").write_text(themes, "utf-8")
    for key, extra in facts.items():
        (tmp_path / "papers" / f"{key}.yml").write_text(RECORD.format(key=key) + extra, "utf-8")
    return tmp_path


def test_the_schema_and_the_builder_report_bad_columns_and_steps_with_lines(tmp_path):
    _, problems = load_content(content(tmp_path, THEMES, {"galore": ""}))
    got = {(p.key, p.line): p.message for p in problems}
    assert "not in the library (did you mean 'galore'?)" in got[("themes[0].start_here[1]", 8)]
    assert "already a step" in got[("themes[0].start_here[2]", 10)]
    assert "one of number, text, yes/no" in got[("themes[1].columns[1].type", 30)]
    assert "must be lower-case letters" in got[("themes[1].columns[1].fact", 28)]
    assert "missing required key 'fact'" in got[("themes[1].columns[2].fact", 31)]
    assert "'text' here but 'number' on line 13" in got[("themes[1].columns[0]", 25)]
    assert all(p.file.endswith("themes.yml") for p in problems)


def test_facts_are_held_against_the_declared_columns(tmp_path):
    themes = THEMES.split("  - id: other")[0].replace("      - paper: galroe\n        why: A typo.\n", "").replace("      - paper: galore\n        why: Twice.\n", "")
    facts = {
        "galore": "facts:\n  saving: 65.5\n  method: projection\n  full_rank: yes\n",
        "bad": "facts:\n  saving: 65%\n  full_rank: maybe\n  methd: typo\n  method: 3\n",  # lines 6-9
    }
    loaded, problems = load_content(content(tmp_path, themes, facts))
    got = {(Path(p.file).name, p.key, p.line): p.message for p in problems}
    assert set(got) == {("bad.yml", "facts.saving", 6), ("bad.yml", "facts.full_rank", 7), ("bad.yml", "facts.methd", 8)}
    assert "must be a number" in got[("bad.yml", "facts.saving", 6)] and "'65%'" in got[("bad.yml", "facts.saving", 6)]
    assert "must be yes or no" in got[("bad.yml", "facts.full_rank", 7)]
    assert "not a column of any theme (did you mean 'method'?)" in got[("bad.yml", "facts.methd", 8)]
    (theme,) = loaded.themes
    assert [(c.fact, c.title, c.type) for c in theme.columns] == [("saving", "Memory saved (%)", "number"), ("method", "Method", "text"), ("full_rank", "Full rank", "yes/no")]
    assert [(s.paper, s.why) for s in theme.start_here] == [("galore", "Read it first.")]


def test_a_multi_line_reason_is_a_problem(tmp_path):
    themes = "themes:\n  - id: a\n    title: A\n    start_here:\n      - paper: galore\n        why: |\n          one\n          two\n"
    _, problems = load_content(content(tmp_path, themes, {"galore": ""}))
    (problem,) = problems
    assert problem.key == "themes[0].start_here[0].why" and "one line" in problem.message and problem.line == 5


def test_check_lists_a_wrong_fact_with_its_file_and_line(tmp_path, capsys):
    from generator.cli import main

    themes = "themes:\n  - id: a\n    title: A\n    columns:\n      - {fact: saving, title: Saved, type: number}\n"
    folder = content(tmp_path, themes, {"galore": "facts:\n  saving: about half\n", "other": "references: [LoRA]\n"})
    assert main(["check", "--content", str(folder)]) == 1
    err = capsys.readouterr().err
    assert f"{folder / 'papers' / 'galore.yml'}:6 [facts.saving]: fact 'saving' must be a number" in err
    assert f"{folder / 'papers' / 'other.yml'}:5 [references[0]]: references[0] must be an arXiv id" in err
