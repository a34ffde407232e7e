"""The local API server of tests/fixtures/api, for the fetch tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures" / "api"))
import apiserver  # noqa: E402


@pytest.fixture
def api():
    yield from apiserver.serve()
