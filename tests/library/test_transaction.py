"""Transactions and the library lock: whole or nothing under kill -9, one
writer at a time, and an edit made during a run is never overwritten."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.library import transaction
from generator.library.lock import LibraryLocked, library_lock, lock_path, owner_path
from generator.library.records import load_library
from generator.library.transaction import JOURNAL, TXN_DIR, ChangedOnDisk, Journal, recover, watch_tree, unwatch_tree
from generator.reading.merge import import_dumps
from generator.writer import write_all_or_nothing

ROOT = Path(__file__).resolve().parents[2]
DATE = "2026-01-15"
HEADER = ["new", "", "Get trending papers in your email inbox!", "", "Subscribe", "", "byAK and the research community", "", "Mar 12", ""]


def make_dump(path: Path, first: int, count: int, tag: str) -> Path:
    """A dump of `count` papers named Model<first>..; `tag` keeps titles apart
    between dumps while their short names (and so their keys) compete."""
    lines = list(HEADER)
    for n in range(first, first + count):
        title = f"Model{n}: Sparse {tag} Routing for Paper {n} of the {tag} Set"
        lines += [title, "", f"We describe {title.lower()} and measure it on {n + 3} benchmarks of the {tag} suite.", ""]
    path.write_text("\n".join(lines), "utf-8")
    return path


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def leftovers(root: Path) -> list[str]:
    """Anything a run left in the library besides the library itself."""
    return [p.relative_to(root).as_posix() for p in root.rglob("*") if p.name.endswith(".tmp") or TXN_DIR in p.parts]


def run(*args: str, env: dict[str, str] | None = None, wait: bool = True):
    command = [sys.executable, "-m", "generator", *args]
    full_env = {**os.environ, **(env or {})}
    if not wait:
        return subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def small_library(tmp_path) -> Path:
    content = tmp_path / "content"
    report = import_dumps(content, [make_dump(tmp_path / "first.txt", 0, 4, "alpha")], today=DATE)
    assert not report.problems and len(report.added) == 4
    return content


# ------------------------------------------------------------- journal


def test_uncommitted_journal_is_rolled_back(tmp_path):
    target = tmp_path / "papers" / "a.yml"
    target.parent.mkdir()
    target.write_text("old")
    journal = Journal(tmp_path)
    journal.open()
    journal.stage(target, b"new", 0o644, b"old")  # killed before the commit
    assert recover(tmp_path) and target.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_committed_journal_is_finished_and_a_later_edit_kept(tmp_path):
    a, b, c = (tmp_path / "papers" / f"{n}.yml" for n in "abc")
    a.parent.mkdir()
    a.write_text("old a")
    b.write_text("old b")
    journal = Journal(tmp_path)
    journal.open()
    for path, new, old in ((a, b"new a", b"old a"), (b, b"new b", b"old b"), (c, b"new c", None)):
        journal.stage(path, new, 0o644, old)
    journal.commit()
    os.replace(journal.entries[0][1], a)  # the run died after its first rename
    b.write_text("edited by hand")  # and the curator edited b before the next run
    notes = recover(tmp_path)
    assert (a.read_text(), b.read_text(), c.read_text()) == ("new a", "edited by hand", "new c")
    assert any("b.yml" in note and "kept as edited" in note for note in notes)
    assert leftovers(tmp_path) == []


def test_a_tampered_journal_never_writes_outside_the_library(tmp_path):
    (tmp_path / "lib").mkdir()
    journal = Journal(tmp_path / "lib")
    journal.open()
    journal.stage(tmp_path / "lib" / "x.yml", b"x", 0o644, None)
    journal.commit()
    doc = json.loads((journal.folder / JOURNAL).read_text())
    doc["files"][0]["path"] = "../escaped.txt"
    (journal.folder / JOURNAL).write_text(json.dumps(doc))
    notes = recover(tmp_path / "lib")
    assert not (tmp_path / "escaped.txt").exists() and any("malformed" in n for n in notes)


def test_stray_temp_files_are_removed_by_the_next_locked_run(small_library):
    stray = small_library / "papers" / ".model0.yml.4242.tmp"
    stray.write_text("half a record")
    user_file = small_library / "papers" / "notes.tmp"  # not a name the writer uses
    user_file.write_text("mine")
    with library_lock(small_library, command="test"):
        pass
    assert not stray.exists() and user_file.exists()


def test_expected_bytes_guard_against_an_edit(tmp_path):
    path = tmp_path / "a.yml"
    path.write_text("read by the command")
    seen = path.read_bytes()
    path.write_text("edited meanwhile")
    with pytest.raises(ChangedOnDisk, match="a.yml"):
        write_all_or_nothing({path: "new", tmp_path / "b.yml": "b"}, expected={path: seen})
    assert path.read_text() == "edited meanwhile" and not (tmp_path / "b.yml").exists()
    with pytest.raises(ChangedOnDisk, match="b.yml"):  # None: the command saw no such file
        (tmp_path / "b.yml").write_text("created meanwhile")
        write_all_or_nothing({tmp_path / "b.yml": "b"}, expected={tmp_path / "b.yml": None})


def test_the_lock_snapshot_guards_writers_that_pass_no_expected_bytes(tmp_path):
    path = tmp_path / "papers" / "a.yml"
    path.parent.mkdir()
    path.write_text("before")
    watch_tree(tmp_path)
    try:
        assert write_all_or_nothing({path: "written by the run"}) == [path]
        assert write_all_or_nothing({path: "written twice by the run"}) == [path]  # its own write is fine
        path.write_text("edited by hand, longer")
        with pytest.raises(ChangedOnDisk):
            write_all_or_nothing({path: "would lose the edit"})
    finally:
        unwatch_tree(tmp_path)
    assert path.read_text() == "edited by hand, longer"


# ------------------------------------------------------------- the lock


def test_a_second_run_waits_then_names_the_holder(small_library, tmp_path):
    dump = make_dump(tmp_path / "second.txt", 10, 2, "beta")
    with library_lock(small_library, command="python -m generator enrich --limit 3"):
        started = time.monotonic()
        result = run("import", str(dump), "--content", str(small_library), env={"GENERATOR_LOCK_TIMEOUT": "0.5"})
        waited = time.monotonic() - started
    assert result.returncode == 75, result.stderr
    assert f"pid {os.getpid()}" in result.stderr and "enrich --limit 3" in result.stderr
    assert "waited 0.5 s" in result.stderr and waited < 30
    assert not (small_library / "papers" / "model10.yml").exists()
    with library_lock(small_library, timeout=0):  # released: free again at once
        pass


def test_the_lock_is_reentrant_in_one_process_and_exclusive_across_objects(small_library):
    with library_lock(small_library):
        with library_lock(small_library):
            pass
    from filelock import FileLock

    holder = FileLock(str(lock_path(small_library)))
    holder.acquire()
    try:
        with pytest.raises(LibraryLocked, match="waited 0 s"):
            with library_lock(small_library, timeout=0):
                pass
    finally:
        holder.release()


# ------------------------------------------------------------- kill -9


def test_import_killed_at_every_step_leaves_before_or_after(small_library, tmp_path):
    """20+ kills, one per step of the transaction: the next run always sees
    exactly the old library or exactly the new one, and nothing stray."""
    dump = make_dump(tmp_path / "crash.txt", 2, 10, "gamma")  # 2 and 3 compete with existing keys
    before = tree(small_library)
    done = tmp_path / "done"
    import shutil

    shutil.copytree(small_library, done)
    assert run("import", str(dump), "--content", str(done), "--date", DATE).returncode == 0
    after = tree(done)
    changed = sum(1 for k in after if before.get(k) != after[k])
    assert changed >= 11  # ten new records and the copied dump
    steps = 2 * changed + 1  # each file staged, the commit, each file renamed
    outcomes = []
    for kill_at in range(1, steps + 1):
        trial = tmp_path / f"trial{kill_at}"
        shutil.copytree(small_library, trial)
        result = run("import", str(dump), "--content", str(trial), "--date", DATE, env={transaction.KILL_AT_ENV: str(kill_at)})
        assert result.returncode == -9, (kill_at, result.stderr)
        load_library(trial)  # any later run that opens the library recovers it
        state = tree(trial)
        assert state in (before, after), f"partial library after a kill at step {kill_at}"
        assert leftovers(trial) == [], kill_at
        outcomes.append(state == after)
        shutil.rmtree(trial)
    assert outcomes == [False] * changed + [True] * (changed + 1)  # the journal is the commit point


# ------------------------------------------------------------- races


def test_two_imports_racing_keep_every_paper(small_library, tmp_path):
    dumps = [make_dump(tmp_path / f"race{n}.txt", 0, 6, tag) for n, tag in enumerate(("delta", "omega"))]
    env = {transaction.PAUSE_ENV: "0.4", "GENERATOR_LOCK_TIMEOUT": "60"}
    procs = [run("import", str(d), "--content", str(small_library), "--date", DATE, env=env, wait=False) for d in dumps]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    assert [r[2] for r in results] == [0, 0], results
    titles = {p.title for p in load_library(small_library).papers}
    for tag in ("delta", "omega"):
        for n in range(6):
            assert f"Model{n}: Sparse {tag} Routing for Paper {n} of the {tag} Set" in titles
    assert len(titles) == 4 + 12 and leftovers(small_library) == []


def test_an_edit_during_an_import_is_never_lost(small_library, tmp_path):
    dump = make_dump(tmp_path / "again.txt", 0, 3, "alpha")  # merges a source into model0..2
    record = small_library / "papers" / "model0.yml"
    proc = run("import", str(dump), "--content", str(small_library), "--date", DATE,
               env={transaction.PAUSE_ENV: "2"}, wait=False)
    owner = owner_path(small_library)
    deadline = time.monotonic() + 20
    while not owner.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert owner.exists(), "the import never took the lock"
    time.sleep(0.5)
    edited = record.read_text("utf-8") + "# checked against the PDF\n"
    record.write_text(edited, "utf-8")
    out, err = proc.communicate(timeout=120)
    assert "# checked against the PDF" in record.read_text("utf-8")
    if proc.returncode == 0:  # it read the edit before its snapshot: merged into it
        assert "again.txt" in record.read_text("utf-8")
    else:
        assert "model0.yml" in err and "changed on disk" in err, err
        assert not (small_library / "sources" / "again.txt").exists()  # nothing else landed
    assert leftovers(small_library) == []
