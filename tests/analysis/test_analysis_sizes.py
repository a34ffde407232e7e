"""The analysis stage stays readable: no module over ~450 lines, no function over ~80."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "generator" / "analysis").rglob("*.py")) + [ROOT / "generator" / "library" / "schema.py"]
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 80


def test_the_analysis_files_are_found():
    names = {p.relative_to(ROOT).as_posix() for p in FILES}
    assert {"generator/analysis/themes/engine.py", "generator/analysis/similarity.py", "generator/library/schema.py"} <= names


def test_no_module_is_over_450_lines():
    long = {p.relative_to(ROOT).as_posix(): n for p in FILES if (n := len(p.read_text("utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, long


def test_no_function_is_over_80_lines():
    long = {}
    for path in FILES:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT).as_posix()}:{node.lineno} {node.name}"] = n
    assert not long, long
