"""Records' literature-review fields: references, facts, a dated citation count, validated with their lines."""

from __future__ import annotations

from pathlib import Path

from generator.library.records import load_library

GOOD = """\
key: galore
title: 'GaLore: Memory-Efficient LLM Training by Gradient Low-Rank Projection'
abstract: Training Large Language Models presents significant memory challenges.
added: 2026-01-15
"""


def load(tmp_path: Path, extra: str):
    folder = tmp_path / "papers"
    folder.mkdir(exist_ok=True)
    (folder / "galore.yml").write_text(GOOD + extra, "utf-8")
    return load_library(tmp_path)


def test_valid_fields_are_read_in_their_canonical_form(tmp_path):
    library = load(
        tmp_path,
        "references:\n"
        "  - '2106.09685'\n"
        "  - arXiv:1910.02054v3\n"
        "  - https://arxiv.org/abs/1909.08053\n"
        "  - 10.48550/arXiv.2101.06840\n"
        "  - https://doi.org/10.1145/ABC.123\n"
        "  - '2106.09685v2'  # the same paper again\n"
        "facts:\n  saving: 65.5\n  method: '<b>projection</b>'\n  full_rank: true\n  rank: 128\n"
        "cited_by_count: 812\ncited_by_count_date: 2026-11-30\n",
    )
    assert library.problems == ()
    (paper,) = library.papers
    assert paper.references == ("arxiv:2106.09685", "arxiv:1910.02054", "arxiv:1909.08053", "arxiv:2101.06840", "doi:10.1145/abc.123")
    assert paper.facts == (("saving", 65.5), ("method", "<b>projection</b>"), ("full_rank", True), ("rank", 128))
    assert paper.fact("saving") == 65.5 and paper.fact("missing") is None
    assert (paper.cited_by_count, paper.cited_by_count_date) == (812, "2026-11-30")


def test_bad_values_are_problems_with_their_lines_and_the_record_is_kept(tmp_path):
    library = load(
        tmp_path,
        "references:\n"  # line 5
        "  - 2106.09685\n"  # 6: a float, not text
        "  - not an id\n"  # 7
        "  - '2403.03507'\n"  # 8: fine
        "facts:\n"  # 9
        "  Bad-Name: 1\n"  # 10
        "  nested: [1, 2]\n"  # 11
        "  empty: ''\n"  # 12
        "  fine: 3\n"  # 13
        "cited_by_count: -4\n"  # 14
        "cited_by_count_date: last week\n",  # 15
    )
    found = {(p.key, p.line) for p in library.problems}
    assert found == {
        ("references[0]", 6),
        ("references[1]", 7),
        ("facts.Bad-Name", 10),
        ("facts.nested", 11),
        ("facts.empty", 12),
        ("cited_by_count", 14),
        ("cited_by_count_date", 15),
    }
    messages = " | ".join(p.message for p in library.problems)
    assert "put it in quotes" in messages and "arXiv id" in messages
    (paper,) = library.papers  # bad values dropped, the rest kept
    assert paper.references == ("arxiv:2403.03507",)
    assert paper.facts == (("fine", 3),)
    assert paper.cited_by_count is None


def test_wrong_shapes_and_a_date_without_a_count(tmp_path):
    library = load(tmp_path, "references: '2106.09685'\nfacts: [a, b]\ncited_by_count_date: 2026-11-30\n")
    assert {(p.key, p.line) for p in library.problems} == {("references", 5), ("facts", 6), ("cited_by_count_date", 7)}
    assert "no 'cited_by_count'" in next(p.message for p in library.problems if p.key == "cited_by_count_date")


def test_unknown_field_near_a_review_field_is_named(tmp_path):
    (problem,) = load(tmp_path, "referenses: ['2106.09685']\n").problems
    assert "did you mean 'references'" in problem.message and problem.line == 5
