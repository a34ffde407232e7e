"""`check` warns about papers in more themes than themes.yml's max_themes_per_paper, and still passes."""

from __future__ import annotations

from pathlib import Path

from generator.cli import main

THEMES = """max_themes_per_paper: {limit}
themes:
  - id: a
    title: A
    match: [pipeline parallelism]
  - id: b
    title: B
    match: [speculative decoding]
"""
RECORD = """key: both
title: Pipeline Parallelism Meets Speculative Decoding
abstract: We combine pipeline parallelism with speculative decoding.
added: 2026-01-01
"""


def _content(tmp_path: Path, limit: int) -> Path:
    (tmp_path / "papers").mkdir()
    (tmp_path / "papers" / "both.yml").write_text(RECORD, "utf-8")
    (tmp_path / "themes.yml").write_text(THEMES.format(limit=limit), "utf-8")
    return tmp_path


def test_a_crowded_paper_is_a_warning_not_an_error(tmp_path, capsys):
    content = _content(tmp_path, 1)
    assert main(["check", "--content", str(content)]) == 0
    err = capsys.readouterr().err
    assert "warning:" in err and "[both]" in err and "in 2 themes (a, b)" in err
    assert "error:" not in err


def test_no_warning_within_the_limit(tmp_path, capsys):
    content = _content(tmp_path, 2)
    assert main(["check", "--content", str(content)]) == 0
    assert "warning" not in capsys.readouterr().err


def test_a_bad_limit_is_an_error(tmp_path, capsys):
    content = _content(tmp_path, 0)
    assert main(["check", "--content", str(content)]) == 1
    assert "max_themes_per_paper" in capsys.readouterr().err
