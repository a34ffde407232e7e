"""`suggest --apply` pins every proposal or none, also when killed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from test_suggest import args, write_content

from generator.cli import main
from generator.library.records import load_library
from generator.library.transaction import KILL_AT_ENV, TXN_DIR

ROOT = Path(__file__).resolve().parents[2]


def papers(content: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((content / "papers").iterdir())}


def apply(content: Path, kill_at: int | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if kill_at is not None:
        env[KILL_AT_ENV] = str(kill_at)
    args = [sys.executable, "-m", "generator", "suggest", "--apply", "--content", str(content)]
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_suggest_apply_killed_leaves_no_partial_pins(tmp_path):
    content = write_content(tmp_path / "content")
    before = papers(content)
    done = tmp_path / "done"
    shutil.copytree(content, done)
    assert main(args(done, apply=True)) == 0
    after = papers(done)
    pinned = sum(before[name] != after[name] for name in before)
    assert pinned >= 2
    # bounded: the last file staged, the commit, a rename half-way (the import's
    # crash test walks every step)
    points = {pinned: False, pinned + 1: True, pinned + 2: True}
    for kill_at, lands in points.items():
        trial = tmp_path / f"trial{kill_at}"
        shutil.copytree(content, trial)
        assert apply(trial, kill_at).returncode == -9
        load_library(trial)  # the next run recovers
        assert papers(trial) == (after if lands else before), kill_at
        assert not [p for p in trial.rglob("*") if p.name.endswith(".tmp") or TXN_DIR in p.parts], kill_at
