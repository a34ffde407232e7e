"""`check` on themes: every problem in themes.yml and in pins, with its line and key path."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from generator.build import ContentError, build, load_content
from generator.cli import main

ROOT = Path(__file__).resolve().parents[2]

RECORD = """\
key: {key}
title: {title}
abstract: {abstract}
added: 2026-01-15
"""

VALID_THEMES = """\
themes:
  - id: data
    title: Training data
    intro: Data. More data. Better data.
    match: [data curation]
  - id: agents
    title: Agents
    match_title: [agent*]
"""


def make_content(root: Path, themes: str | None = VALID_THEMES, records: dict[str, str] | None = None) -> Path:
    papers = root / "papers"
    papers.mkdir(parents=True)
    defaults = {
        "alpha-paper": RECORD.format(key="alpha-paper", title="Data Curation at Scale", abstract="We curate data."),
        "beta-paper": RECORD.format(key="beta-paper", title="An Agent That Acts", abstract="Agents act."),
    }
    defaults.update(records or {})
    for key, text in defaults.items():
        (papers / f"{key}.yml").write_text(text, "utf-8")
    if themes is not None:
        (root / "themes.yml").write_text(textwrap.dedent(themes), "utf-8")
    return root


def problems_of(root: Path):
    _content, problems = load_content(root)
    return problems


def test_valid_content_has_no_problems(tmp_path):
    assert problems_of(make_content(tmp_path)) == []


def test_shipped_content_is_valid(shipped_content):
    assert problems_of(shipped_content) == []


def test_missing_themes_file_means_no_themes(tmp_path):
    root = make_content(tmp_path, themes=None)
    content, problems = load_content(root)
    assert problems == [] and content.themes == ()


# Each case: themes.yml text, then the one problem expected: (words in the message, line, key path).
SCHEMA_CASES = {
    "unknown-key-did-you-mean": (
        """\
        themes:
          - id: data
            title: Data
            mach: [x]
        """,
        ("unknown key 'mach' (did you mean 'match'?)", 4, "themes[0].mach"),
    ),
    "unknown-top-level-key": (
        """\
        themes: []
        theme: []
        """,
        ("unknown key 'theme' (did you mean 'themes'?)", 2, "theme"),
    ),
    "missing-themes-list": (
        "{}\n",
        ("missing required key 'themes'", None, "themes"),
    ),
    "themes-not-a-list": (
        """\
        themes:
          id: data
        """,
        ("'themes' must be a list", 1, "themes"),
    ),
    "theme-not-a-mapping": (
        """\
        themes:
          - data
        """,
        ("must be a theme (a mapping with at least 'id' and 'title'), found text 'data'", 2, "themes[0]"),
    ),
    "missing-id": (
        """\
        themes:
          - title: Data
        """,
        ("missing required key 'id'", 2, "themes[0].id"),
    ),
    "missing-title": (
        """\
        themes:
          - id: data
        """,
        ("missing required key 'title'", 2, "themes[0].title"),
    ),
    "empty-title": (
        """\
        themes:
          - id: data
            title:
        """,
        ("'themes[0].title' is empty", 3, "themes[0].title"),
    ),
    "title-wrong-type": (
        """\
        themes:
          - id: data
            title: [Data]
        """,
        ("'title' must be text, found a list", 3, "themes[0].title"),
    ),
    "id-not-a-slug": (
        """\
        themes:
          - id: Training Data
            title: Data
        """,
        ("'id' 'Training Data' must be lower-case letters and digits", 2, "themes[0].id"),
    ),
    "id-double-hyphen": (
        """\
        themes:
          - id: long--context
            title: Long
        """,
        ("'id' 'long--context' must be lower-case", 2, "themes[0].id"),
    ),
    "id-reserved": (
        """\
        themes:
          - id: unsorted
            title: Unsorted
        """,
        ("theme id 'unsorted' is reserved", 2, "themes[0].id"),
    ),
    "duplicate-id": (
        """\
        themes:
          - id: data
            title: Data
          - id: data
            title: More data
        """,
        ("duplicate theme id 'data'; it is already used on line 2", 4, "themes[1].id"),
    ),
    "regex-does-not-compile": (
        """\
        themes:
          - id: data
            title: Data
            match:
              - data curation
              - regex: 'data (mix'
        """,
        ("the regex 'data (mix' does not compile: missing ), unterminated subpattern at position 5", 6, "themes[0].match[1]"),
    ),
    "regex-matches-empty-text": (
        """\
        themes:
          - id: data
            title: Data
            hints: [{regex: 'x*'}]
        """,
        ("matches empty text, so it would match every paper", 4, "themes[0].hints[0]"),
    ),
    "regex-nested-repeat": (
        """\
        themes:
          - id: data
            title: Data
            unless:
              - regex: '(\\w+\\s?)+data'
        """,
        ("repeats a group that itself repeats", 5, "themes[0].unless[0]"),
    ),
    "phrase-without-letters": (
        """\
        themes:
          - id: data
            title: Data
            match_title: ['*']
        """,
        ("the phrase '*' needs at least one letter or digit", 4, "themes[0].match_title[0]"),
    ),
    "phrase-too-long": (
        """\
        themes:
          - id: data
            title: Data
            match: [one two three four five six seven eight nine]
        """,
        ("has more than 8 words", 4, "themes[0].match[0]"),
    ),
    "phrase-and-regex-together": (
        """\
        themes:
          - id: data
            title: Data
            match:
              - {phrase: data, regex: data}
        """,
        ("must have exactly one of 'phrase' or 'regex'; it has both", 5, "themes[0].match[0]"),
    ),
    "pattern-wrong-type": (
        """\
        themes:
          - id: data
            title: Data
            match:
              - 42
        """,
        ("'match[0]' must be a phrase, a mapping such as {phrase: MoE, case-sensitive: true}, or a [list, of, synonyms], found a number (42)", 5, "themes[0].match[0]"),
    ),
    "case-sensitive-not-a-flag": (
        """\
        themes:
          - id: mixture-of-experts
            title: MoE
            match_title:
              - {phrase: MoE, case-sensitive: yes}
        """,
        ("'case-sensitive' must be true or false, found text 'yes'", 5, "themes[0].match_title[0].case-sensitive"),
    ),
    "synonym-wrong-type": (
        """\
        themes:
          - id: data
            title: Data
            hints:
              - [data mixture, [nested]]
        """,
        ("'hints[0][1]' must be a phrase", 5, "themes[0].hints[0][1]"),
    ),
    "min-hints-zero": (
        """\
        themes:
          - id: data
            title: Data
            min_hints: 0
        """,
        ("'min_hints' must be at least 1, found 0", 4, "themes[0].min_hints"),
    ),
    "min-hints-not-a-number": (
        """\
        themes:
          - id: data
            title: Data
            min_hints: two
        """,
        ("'min_hints' must be a whole number, found text 'two'", 4, "themes[0].min_hints"),
    ),
    "papers-not-a-list": (
        """\
        themes:
          - id: data
            title: Data
            papers: alpha-paper
        """,
        ("'papers' must be a list ('- ' items) of a paper key, found text 'alpha-paper'", 4, "themes[0].papers"),
    ),
    "pin-unknown-paper": (
        """\
        themes:
          - id: data
            title: Data
            papers:
              - alpha-paper
              - alpha-papr
        """,
        ("theme 'data' names paper 'alpha-papr', which is not in the library (did you mean 'alpha-paper'?)", 6, "themes[0].papers[1]"),
    ),
    "exclude-unknown-paper": (
        """\
        themes:
          - id: data
            title: Data
            not_papers: [gamma-paper]
        """,
        ("theme 'data' names paper 'gamma-paper', which is not in the library", 4, "themes[0].not_papers[0]"),
    ),
    "paper-pinned-in-and-out": (
        """\
        themes:
          - id: data
            title: Data
            papers: [alpha-paper]
            not_papers: [alpha-paper]
        """,
        ("paper 'alpha-paper' is both in 'papers' and in 'not_papers'; keep one", 5, "themes[0].not_papers[0]"),
    ),
    "paper-pinned-twice": (
        """\
        themes:
          - id: data
            title: Data
            papers: [alpha-paper, alpha-paper]
        """,
        ("paper 'alpha-paper' is listed twice in 'papers'", 4, "themes[0].papers[1]"),
    ),
    "invalid-yaml": (
        """\
        themes:
          - id: data
            title: "Data
        """,
        ("invalid YAML", 4, None),
    ),
    "duplicate-yaml-key": (
        """\
        themes:
          - id: data
            title: Data
            title: Again
        """,
        ("invalid YAML", 4, None),
    ),
    "empty-file": (
        "",
        ("the file is empty; it must hold a 'themes' list", None, None),
    ),
}


@pytest.mark.parametrize("text, expected", list(SCHEMA_CASES.values()), ids=list(SCHEMA_CASES))
def test_schema_problem(tmp_path, text, expected):
    message, line, key = expected
    problems = problems_of(make_content(tmp_path, themes=text))
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert message in problem.message
    assert problem.file == str(tmp_path / "themes.yml")
    assert problem.line == line
    assert problem.key == key


RECORD_CASES = {
    "record-pins-unknown-theme": (
        "themes: [agent]\n",
        ("unknown theme 'agent' (did you mean 'agents'?)", 5, "themes[0]"),
    ),
    "record-excludes-unknown-theme": (
        "not_themes:\n  - data\n  - dta\n",
        ("unknown theme 'dta' (did you mean 'data'?)", 7, "not_themes[1]"),
    ),
    "record-pins-in-and-out": (
        "themes: [data]\nnot_themes: [data]\n",
        ("theme 'data' is both in 'themes' and in 'not_themes'; keep one", 6, "not_themes[0]"),
    ),
}


@pytest.mark.parametrize("extra, expected", list(RECORD_CASES.values()), ids=list(RECORD_CASES))
def test_record_pin_problem(tmp_path, extra, expected):
    message, line, key = expected
    record = RECORD.format(key="alpha-paper", title="T", abstract="A.") + extra
    problems = problems_of(make_content(tmp_path, records={"alpha-paper": record}))
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert message in problem.message
    assert problem.file == str(tmp_path / "papers" / "alpha-paper.yml")
    assert (problem.line, problem.key) == (line, key)


def test_every_problem_is_reported_at_once(tmp_path):
    themes = """\
    themes:
      - id: data
        title: Data
        mach: [x]
        match: [{regex: '('}]
      - id: data
        title: Again
        papers: [nobody]
    """
    record = RECORD.format(key="alpha-paper", title="T", abstract="A.") + "themes: [nothing]\n"
    problems = problems_of(make_content(tmp_path, themes=themes, records={"alpha-paper": record}))
    assert [(p.line, p.key) for p in problems] == [
        (4, "themes[0].mach"),
        (5, "themes[0].match[0]"),
        (6, "themes[1].id"),
        (5, "themes[0]"),  # the record's pin, in papers/alpha-paper.yml
    ]


def test_valid_themes_survive_problems_elsewhere(tmp_path):
    """A broken theme does not hide the others: record pins to them stay valid."""
    themes = """\
    themes:
      - id: data
        title: Data
        match: [{regex: '('}]
      - id: agents
        title: [Agents]
    """
    record = RECORD.format(key="alpha-paper", title="T", abstract="A.") + "themes: [data, agents]\n"
    content, problems = load_content(make_content(tmp_path, themes=themes, records={"alpha-paper": record}))
    assert [t.id for t in content.themes] == ["data", "agents"]
    assert [p.key for p in problems] == ["themes[0].match[0]", "themes[1].title"]


def test_check_command_lists_problems_with_locations(tmp_path, capsys):
    themes = """\
    themes:
      - id: data
        titel: Data
    """
    root = make_content(tmp_path, themes=themes)
    assert main(["check", "--content", str(root)]) == 1
    err = capsys.readouterr().err
    assert f"{root / 'themes.yml'}:3 [themes[0].titel]: unknown key 'titel' (did you mean 'title'?)" in err
    assert f"{root / 'themes.yml'}:2 [themes[0].title]: missing required key 'title'" in err
    assert "check: 2 problem(s)" in err


def test_check_command_passes_on_valid_content(tmp_path, capsys):
    assert main(["check", "--content", str(make_content(tmp_path))]) == 0
    assert "is valid" in capsys.readouterr().out


def test_build_refuses_invalid_themes(tmp_path):
    root = make_content(tmp_path / "content", themes="themes:\n  - id: Bad Id\n    title: x\n")
    with pytest.raises(ContentError) as err:
        build(root, tmp_path / "docs")
    assert [p.key for p in err.value.problems] == ["themes[0].id"]
    assert not (tmp_path / "docs").exists()


def test_check_stage_returns_every_problem_and_prints_nothing(tmp_path, capsys):
    from generator.curation.check import check_content

    themes = "themes:\n  - id: data\n    titel: Data\n"
    root = make_content(tmp_path / "bad", themes=themes)
    report = check_content(root)
    assert capsys.readouterr() == ("", "")
    assert not report.ok and sorted(p.key for p in report.problems) == ["themes[0].titel", "themes[0].title"]
    assert report.summary() == "check: 2 problem(s)"
    good = check_content(make_content(tmp_path / "good"))
    assert good.ok and good.summary() == f"check: {tmp_path / 'good'} is valid"


def test_a_themes_file_that_is_not_yaml_is_the_one_problem_reported(tmp_path, capsys):
    """Pins and facts are not held against themes that did not load: they were not wrong."""
    themes = VALID_THEMES + "    columns:\n      - fact: approach\n        title: Approach\n        type: text\n"
    record = RECORD.format(key="beta-paper", title="An Agent", abstract="A.") + "themes: [agents]\nfacts:\n  approach: acting\n"
    root = make_content(tmp_path / "content", themes=themes, records={"beta-paper": record})
    assert main(["check", "--content", str(root)]) == 0  # the same content is valid while themes.yml reads
    capsys.readouterr()
    (root / "themes.yml").write_text(themes.replace("title: Agents", "title: [Agents"), "utf-8")
    assert main(["check", "--content", str(root)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and err[0].startswith(f"error: {root / 'themes.yml'}:") and "invalid YAML" in err[0]
    assert err[1] == "check: 1 problem(s)"
