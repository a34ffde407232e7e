"""`enrich` writes its whole run in one transaction: killed, it leaves the
library as it was; a record edited by hand during the run is kept as edited."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from test_enrich import GALORE, MEGASCALE, content, enrich, feed, record, stub  # noqa: F401 (fixtures)

from generator.fetch import arxiv as arxiv_mod
from generator.library.records import load_library
from generator.library.transaction import KILL_AT_ENV, TXN_DIR

ROOT = Path(__file__).resolve().parents[2]
ONLY = ["--only", "galore", "--only", "megascale"]


def papers(content: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((content / "papers").iterdir())}


def test_an_edit_during_the_run_is_kept_and_the_rest_still_lands(content, stub, monkeypatch, capsys):
    stub.title(GALORE, feed("galore.xml"))
    stub.title(MEGASCALE, feed("megascale.xml"))
    real_lookup = arxiv_mod.ArxivClient.lookup
    edited = record(content, "galore") + "# read again on paper\n"

    def lookup(self, query):
        if "MegaScale" in query:  # galore is matched, not yet written: the curator edits it
            (content / "papers" / "galore.yml").write_text(edited, "utf-8")
        return real_lookup(self, query)

    monkeypatch.setattr(arxiv_mod.ArxivClient, "lookup", lookup)
    assert enrich(content, stub, *ONLY) == 1
    out, err = capsys.readouterr()
    assert record(content, "galore") == edited  # never overwritten
    assert "failed: galore:" in err and "galore.yml: changed on disk" in err
    assert load_library(content).by_key()["megascale"].arxiv == "2402.15627"
    assert "matched 1," in out and "failed 1," in out


def test_enrich_killed_at_every_step_leaves_before_or_after(content, stub, tmp_path):
    stub.title(GALORE, feed("galore.xml"))
    stub.title(MEGASCALE, feed("megascale.xml"))
    before = papers(content)

    def run(target: Path, kill_at: int | None) -> int:
        env = dict(os.environ)
        if kill_at is not None:
            env[KILL_AT_ENV] = str(kill_at)
        args = [sys.executable, "-m", "generator", "enrich", "--content", str(target), "--api-url", stub.url, "--delay", "0", *ONLY]
        return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, timeout=120).returncode

    done = tmp_path / "done"
    shutil.copytree(content, done)
    assert run(done, None) == 0
    after = papers(done)
    assert sum(before[k] != after[k] for k in before) == 2
    outcomes = []
    for kill_at in range(1, 6):  # two files staged, the commit, two renames
        trial = tmp_path / f"trial{kill_at}"
        shutil.copytree(content, trial)
        assert run(trial, kill_at) == -9
        load_library(trial)  # the next run recovers
        state = papers(trial)
        assert state in (before, after), kill_at
        assert not [p for p in trial.rglob("*") if p.name.endswith(".tmp") or TXN_DIR in p.parts], kill_at
        outcomes.append(state == after)
    assert outcomes == [False, False, True, True, True]
