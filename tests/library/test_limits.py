"""Hostile records that `check` must refuse, naming file and line, before the
build or the next import runs out of memory or crashes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from generator.cli import main
from generator.library.records import load_library
from generator.limits import MAX_RECORD_BYTES, record_text_problems

GOOD = """\
key: galore
title: 'GaLore: Memory-Efficient LLM Training by Gradient Low-Rank Projection'
abstract: Training large language models presents significant memory challenges.
added: 2025-01-01
"""

ALIAS_BOMB = GOOD + "provenance:\n  a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"  {chr(98 + n)}: &{chr(98 + n)} [*{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}]\n"
    for n in range(9)
)


def library_with(tmp_path: Path, text: str) -> Path:
    content = tmp_path / "content"
    (content / "papers").mkdir(parents=True)
    (content / "papers" / "galore.yml").write_text(text, "utf-8")
    return content


def test_an_alias_bomb_is_refused_by_check_with_file_and_line(tmp_path, capsys):
    content = library_with(tmp_path, ALIAS_BOMB)
    started = time.monotonic()
    assert main(["check", "--content", str(content)]) == 1
    err = capsys.readouterr().err
    assert time.monotonic() - started < 10
    assert "galore.yml:7: YAML alias *a found; records may not use anchors and aliases" in err
    assert load_library(content).papers == ()


def test_an_alias_bomb_gives_each_problem_once(tmp_path, capsys):
    assert main(["check", "--content", str(library_with(tmp_path, ALIAS_BOMB))]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == len(set(lines)) == 10  # one per line of aliases (*a to *i), then the count
    assert [line.split(": YAML alias ")[1][:2] for line in lines[:-1]] == [f"*{c}" for c in "abcdefghi"]
    assert lines[-1] == "check: 9 problem(s)"


def test_a_lone_surrogate_is_refused_by_check_and_build_does_not_crash(tmp_path, capsys):
    content = library_with(tmp_path, GOOD.replace("added:", 'notes: "see \\ud800 here"\nadded:'))
    assert main(["check", "--content", str(content)]) == 1
    err = capsys.readouterr().err
    assert "galore.yml:4: expected text, found the escape \\ud800 (a UTF-16 surrogate" in err
    assert main(["build", "--content", str(content), "--docs", str(tmp_path / "docs")]) == 1  # a problem, not a traceback
    assert "galore.yml:4" in capsys.readouterr().err


@pytest.mark.parametrize("harmless", [
    "notes: 'the escape \\ud800 written as text'\n",  # single quotes: no escape
    "notes: \"a real character \\U0001F600 is fine\"\n",
    "notes: \"emphasis *like this* and a footnote*\"\n",
    "notes: |\n  **bold** and *italic* Markdown\n",
])
def test_text_that_only_looks_hostile_passes(tmp_path, harmless):
    content = library_with(tmp_path, GOOD + harmless)
    library = load_library(content)
    assert library.problems == () and len(library.papers) == 1


def test_an_oversized_record_is_refused_without_parsing_it():
    text = GOOD + "notes: " + "x" * MAX_RECORD_BYTES + "\n"
    problems = record_text_problems(text, "papers/galore.yml")
    assert len(problems) == 1 and "at most 1,000,000 expected" in problems[0].message


@pytest.mark.parametrize("extra, line, message", [
    ("notes: " + "n" * 100_001 + "\n", 5, "notes is 100,001 characters; at most 100,000 expected"),
    ("authors:\n" + "  - A. Author\n" * 5_001, 5, "5,001 authors; at most 5,000 expected"),
    ("authors:\n  - " + "N" * 201 + "\n", 5, "an author name is 201 characters; at most 200 expected"),
])
def test_oversized_fields_are_refused_by_check_with_their_line(tmp_path, extra, line, message):
    content = library_with(tmp_path, GOOD + extra)
    library = load_library(content)
    assert [(p.line, p.message) for p in library.problems] == [(line, message)]
    assert library.papers == ()


def test_a_long_title_is_refused_as_a_dump_would_refuse_it(tmp_path):
    content = library_with(tmp_path, GOOD.replace("title: 'GaLore:", "title: 'GaLore" + "x" * 600 + ":"))
    [problem] = load_library(content).problems
    assert problem.line == 2 and "at most 600 expected" in problem.message
