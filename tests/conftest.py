"""Shared fixtures: the seed dumps, a seeded library to copy, and a snapshot of a folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED_DUMPS = tuple(sorted((ROOT / "content" / "sources").glob("*.txt")))
FIXTURE_DUMPS = ROOT / "tests" / "fixtures" / "dumps"
IMPORT_DATE = "2026-01-15"


@pytest.fixture(scope="session")
def seed_dumps() -> tuple[Path, ...]:
    assert len(SEED_DUMPS) == 4, SEED_DUMPS
    return SEED_DUMPS


@pytest.fixture(scope="session")
def library():
    """The shipped library's papers (content/papers/); read only."""
    from generator.library.records import load_library

    papers = load_library(ROOT / "content").papers
    if len(papers) < 100:
        pytest.skip("the real library is not there")
    return papers


@pytest.fixture(scope="session")
def seed_import(tmp_path_factory, seed_dumps):
    """(content folder, ImportReport) of one import of the four seeds; read only."""
    from generator.reading.merge import import_dumps

    content = tmp_path_factory.mktemp("seeded") / "content"
    report = import_dumps(content, list(seed_dumps), today=IMPORT_DATE)
    assert not report.problems, report.problems
    return content, report


@pytest.fixture
def seeded_content(seed_import, tmp_path) -> Path:
    """A private copy of a content folder holding the four seed dumps, imported."""
    target = tmp_path / "content"
    shutil.copytree(seed_import[0], target)
    return target


def snapshot_tree(root: Path) -> dict[str, tuple[str, bytes | None, int | None]]:
    """Every file and folder under `root`: kind, bytes and modification time."""
    out: dict[str, tuple[str, bytes | None, int | None]] = {}
    if not root.exists():
        return out
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_dir():
            out[rel] = ("dir", None, None)
        else:
            out[rel] = ("file", path.read_bytes(), path.stat().st_mtime_ns)
    return out


@pytest.fixture
def snapshot():
    return snapshot_tree


def pytest_addoption(parser):
    """`pytest --update-golden` rewrites tests/golden/ from the current output."""
    parser.addoption(
        "--update-golden", action="store_true", default=False,
        help="rewrite the golden files under tests/golden/ instead of comparing with them",
    )


@pytest.fixture
def update_golden(request) -> bool:
    return bool(request.config.getoption("--update-golden"))
