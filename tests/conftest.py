"""Shared fixtures: the seed dumps, a seeded library to copy, and a snapshot of a folder.

Tests never read the live content/ folder: curators change it (new dumps,
hand-edited records, new themes) and the tests must not care. They read
tests/fixtures/seeds/ (copies of the four shipped dumps) and
tests/fixtures/shipped/ (the shipped themes and pages, a few shipped records);
the shipped content itself is checked by `python -m generator check` and
`mkdocs build --strict`, steps of their own in CI.

Helpers live in plugins registered here (no sys.path edits in test files):
tests/fixtures/site/sitetools.py builds and reads real sites,
tests/browser_helpers.py drives Chromium.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ("fixtures.site.sitetools", "browser_helpers")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SEEDS = FIXTURES / "seeds"
SEED_DUMPS = tuple(sorted(SEEDS.glob("*.txt")))
SHIPPED = FIXTURES / "shipped"
FIXTURE_DUMPS = FIXTURES / "dumps"
IMPORT_DATE = "2026-01-15"


@pytest.fixture(scope="session")
def seed_dumps() -> tuple[Path, ...]:
    """The four seed dumps (tests/fixtures/seeds/), oldest name first."""
    assert len(SEED_DUMPS) == 4, SEED_DUMPS
    return SEED_DUMPS


@pytest.fixture(scope="session")
def seed_import(tmp_path_factory, seed_dumps):
    """(content folder, ImportReport) of one import of the four seeds; read only."""
    from generator.reading.merge import import_dumps

    content = tmp_path_factory.mktemp("seeded") / "content"
    report = import_dumps(content, list(seed_dumps), today=IMPORT_DATE)
    assert not report.problems, report.problems
    return content, report


@pytest.fixture(scope="session")
def shipped_content(tmp_path_factory, seed_import) -> Path:
    """A content folder like the shipped one: the seeds imported, plus the shipped
    themes.yml and pages (tests/fixtures/shipped/); read only."""
    target = tmp_path_factory.mktemp("shipped") / "content"
    shutil.copytree(seed_import[0], target)
    shutil.copy(SHIPPED / "themes.yml", target / "themes.yml")
    shutil.copytree(SHIPPED / "pages", target / "pages")
    return target


@pytest.fixture(scope="session")
def library(seed_import):
    """The papers of the four seeds, imported (as the shipped library holds them); read only."""
    from generator.library.records import load_library

    loaded = load_library(seed_import[0])
    assert loaded.problems == () and len(loaded.papers) == 478
    return loaded.papers


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
