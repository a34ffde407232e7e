"""library.edit: the one place that changes a record file, always by adding to it."""

from __future__ import annotations

import ast
from pathlib import Path

from generator.library.edit import add_to_record, fill_missing
from generator.library.yamlio import dump_yaml, load_yaml
from generator.model import SourceRef

ROOT = Path(__file__).resolve().parents[2]

CURATED = """\
key: galore
title:   'GaLore: Memory-Efficient LLM Training'   # the curator's spacing and quotes
abstract: Training Large Language Models presents significant memory challenges.
added: 2026-01-15
# Read for the reading group.
sources:
  -   file: 000_a.txt
      date: Mar 12
year: 2024
"""


def test_sources_only_are_inserted_as_text_and_every_other_byte_stays():
    new = add_to_record(CURATED, "galore.yml", [(SourceRef("zotero.bib"), {}, "bibtex zotero.bib"), (SourceRef("000_a.txt"), {}, None)])
    assert new is not None
    assert new.replace("  -   file: zotero.bib\n", "", 1) == CURATED  # one line added, nothing else moved
    data, problems = load_yaml(new, "galore.yml")
    assert problems == [] and [s["file"] for s in data["sources"]] == ["000_a.txt", "zotero.bib"]


def test_nothing_new_gives_none():
    assert add_to_record(CURATED, "galore.yml", [(SourceRef("000_a.txt", "Mar 12"), {}, None)]) is None
    assert add_to_record(CURATED, "galore.yml", [(SourceRef("000_a.txt"), {"year": 1999}, "bibtex x.bib")]) is None


def test_fields_are_filled_never_replaced_and_say_where_they_came_from():
    values = {"authors": ["Jiawei Zhao", "Zhenyu Zhang"], "year": 1999, "doi": "10.1/x"}
    new = add_to_record(CURATED, "galore.yml", [(SourceRef("zotero.bib"), values, "bibtex zotero.bib")])
    data, problems = load_yaml(new, "galore.yml")
    assert problems == []
    assert data["year"] == 2024  # the curator's value wins
    assert list(data["authors"]) == ["Jiawei Zhao", "Zhenyu Zhang"] and data["doi"] == "10.1/x"
    assert dict(data["provenance"]) == {"authors": "bibtex zotero.bib", "doi": "bibtex zotero.bib"}
    assert "# the curator's spacing and quotes" in new and "# Read for the reading group.\nsources:" in new


def test_fill_missing_follows_record_field_order_and_skips_empty_values():
    data, _ = load_yaml("key: k\ntitle: T\nabstract: A\nadded: 2026-01-15\nnotes: n\n", "k.yml")
    filled = fill_missing(data, {"venue": "ICML", "year": None, "authors": ("A B",)}, provenance=None)
    assert filled == ["venue", "authors"] and "provenance" not in data
    keys = list(data)
    assert keys.index("authors") < keys.index("venue") < keys.index("notes")
    assert dump_yaml(data).count("\n") == 8


def _calls(folder: Path, name: str) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_stages_never_print_only_the_cli_does():
    for stage in ("reading", "library", "curation"):
        assert _calls(ROOT / "generator" / stage, "print") == []


def test_readers_do_not_reach_into_curation():
    for path in (ROOT / "generator" / "reading").glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
        assert not [m for m in imported if m.startswith("generator.curation")], path.name
