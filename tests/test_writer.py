"""The writer: atomic, change-only writes; all-or-nothing sets; safe sync of a tree."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from generator import writer
from generator.library import transaction
from generator.writer import MANIFEST_NAME, OutputConflict, OutputSet, sync_tree, write_all_or_nothing, write_atomic


def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def no_temp_files(root: Path) -> bool:
    return not [p for p in root.rglob("*") if p.name.endswith(".tmp")]


class FailOnCall:
    """Stands in for os.replace (or another function) and fails on call number `n`."""

    def __init__(self, real, n: int, error: type[BaseException] = OSError):
        self.real, self.n, self.calls, self.error = real, n, 0, error

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls == self.n:
            raise self.error(28, "No space left on device")
        return self.real(*args, **kwargs)


# ------------------------------------------------------------- write_atomic


def test_write_atomic_writes_and_skips_unchanged(tmp_path):
    path = tmp_path / "a" / "b.txt"
    assert write_atomic(path, "héllo") is True
    assert path.read_bytes() == "héllo".encode()
    before = path.stat().st_mtime_ns
    time.sleep(0.01)
    assert write_atomic(path, b"h\xc3\xa9llo") is False
    assert path.stat().st_mtime_ns == before
    assert write_atomic(path, "changed") is True
    assert path.read_text() == "changed"
    assert no_temp_files(tmp_path)


def test_write_atomic_compares_bytes_not_only_sizes(tmp_path):
    path = tmp_path / "a.txt"
    assert write_atomic(path, "abc") is True
    assert write_atomic(path, "abd") is True
    assert path.read_text() == "abd"


def test_a_leftover_temporary_file_is_left_alone(tmp_path):
    """A crashed run with the same pid may have left the usual temporary name taken."""
    path = tmp_path / "a.txt"
    leftover = tmp_path / f".a.txt.{os.getpid()}.tmp"
    leftover.write_text("not ours")
    assert write_atomic(path, "new") is True
    assert path.read_text() == "new" and leftover.read_text() == "not ours"
    assert sorted(p.name for p in tmp_path.iterdir()) == [leftover.name, "a.txt"]


def test_written_files_are_readable_by_others(tmp_path):
    """mkstemp makes 0600 files; after the rename they must have normal permissions."""
    old = os.umask(0o022)
    try:
        path = tmp_path / "page.md"
        write_atomic(path, "x")
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        path.chmod(0o755)  # bits the user added are kept
        write_atomic(path, "y")
        assert stat.S_IMODE(path.stat().st_mode) == 0o755
        path2 = tmp_path / "rec.yml"
        write_all_or_nothing({path2: "z"})
        assert stat.S_IMODE(path2.stat().st_mode) == 0o644
    finally:
        os.umask(old)


def test_write_atomic_failure_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "b.txt"
    path.write_text("old")
    monkeypatch.setattr(os, "replace", FailOnCall(os.replace, 1))
    with pytest.raises(OSError):
        write_atomic(path, "new")
    assert path.read_text() == "old"
    assert no_temp_files(tmp_path)


# ---------------------------------------------------- write_all_or_nothing


def test_all_or_nothing_returns_only_changed_paths(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "sub" / "b.txt"
    a.write_text("same")
    assert write_all_or_nothing({a: "same", b: "new"}) == [b]
    assert write_all_or_nothing({a: "same", b: "new"}) == []
    assert no_temp_files(tmp_path)


@pytest.mark.parametrize("fail_at", [1, 2, 3, 4])
def test_failed_swap_rolls_everything_back(tmp_path, monkeypatch, fail_at):
    existing = {tmp_path / f"{n}.txt": f"old {n}" for n in range(3)}
    for path, text in existing.items():
        path.write_text(text)
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()}
    update = {path: f"new {n}" for n, path in enumerate(existing)}
    update[tmp_path / "new" / "deep" / "x.txt"] = "brand new"
    monkeypatch.setattr(os, "replace", FailOnCall(os.replace, fail_at))
    with pytest.raises(OSError):
        write_all_or_nothing(update)
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()}
    assert after == before  # bytes and modification times; no new folder, no temp file


def test_failed_staging_touches_nothing(tmp_path, monkeypatch):
    a = tmp_path / "a.txt"
    a.write_text("old")
    real = transaction._write_new
    calls = []

    def write_new(path, data, mode):
        calls.append(path)
        if len(calls) == 3:  # the .gitignore, the first staged file, then a full disk
            raise OSError(28, "No space left on device")
        return real(path, data, mode)

    monkeypatch.setattr(transaction, "_write_new", write_new)
    with pytest.raises(OSError):
        write_all_or_nothing({a: "new", tmp_path / "b" / "c.txt": "x", tmp_path / "d.txt": "y"})
    assert len(calls) == 3
    assert files_under(tmp_path) == {"a.txt": b"old"}  # no staging folder, no journal left
    assert not (tmp_path / "b").exists()


def test_failed_write_inside_staging_leaves_no_temp_file(tmp_path, monkeypatch):
    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()
            return False

        def write(self, data):
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: FullDisk(real_fdopen(fd, *a, **k)))
    with pytest.raises(OSError):
        write_all_or_nothing({tmp_path / "a.txt": "x"})
    assert list(tmp_path.iterdir()) == []


def test_directory_in_the_way_fails_before_anything_changes(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("old")
    (tmp_path / "z.txt").mkdir()
    with pytest.raises(IsADirectoryError):
        write_all_or_nothing({a: "new", tmp_path / "z.txt": "x"})
    assert a.read_text() == "old" and no_temp_files(tmp_path)


# ---------------------------------------------------------------- OutputSet


def test_output_set_refuses_two_outputs_at_one_path():
    out = OutputSet()
    out.add("papers/galore.md", "a")
    for clash in ("papers/galore.md", "papers//galore.md", "./papers/galore.md", "papers/./galore.md"):
        with pytest.raises(OutputConflict, match="two generated outputs claim"):
            out.add(clash, "b")
    assert out.files == {"papers/galore.md": b"a"}


@pytest.mark.parametrize("clash", ["papers/GaLore.md", "PAPERS/galore.md", "Papers/Galore.MD"])
def test_output_set_refuses_case_only_collisions(clash):
    out = OutputSet()
    out.add("papers/galore.md", "a")
    with pytest.raises(OutputConflict, match="differ only by case"):
        out.add(clash, "b")


def test_output_set_refuses_unicode_form_collisions():
    out = OutputSet()
    out.add("caf\u00e9.md", "a")
    with pytest.raises(OutputConflict):
        out.add("cafe\u0301.md", "b")


@pytest.mark.parametrize("bad", ["../x.md", "a/../../x.md", "a/..", "/etc/passwd", "", ".", "a\\..\\b", "a\x00b", MANIFEST_NAME])
def test_output_set_refuses_unsafe_paths(bad):
    with pytest.raises(OutputConflict):
        OutputSet().add(bad, "x")


def test_output_set_refuses_a_file_where_a_folder_is_needed():
    out = OutputSet()
    out.add("papers/galore.md", "a")
    with pytest.raises(OutputConflict, match="folder"):
        out.add("papers", "b")
    with pytest.raises(OutputConflict, match="folder"):
        out.add("Papers/galore.md/x.md", "b")


def test_output_set_is_fast_for_large_sites():
    out = OutputSet()
    start = time.perf_counter()
    for n in range(30_000):
        out.add(f"papers/paper-{n}.md", "x")
    assert time.perf_counter() - start < 3
    assert len(out) == 30_000 and "papers/paper-7.md" in out


def test_output_set_tolerates_direct_edits_of_files():
    out = OutputSet(files={"a.md": b"x"})
    with pytest.raises(OutputConflict):
        out.add("A.md", "y")


# ---------------------------------------------------------------- sync_tree


def outputs(**files: str) -> OutputSet:
    out = OutputSet()
    for name, text in files.items():
        out.add(name.replace("__", "/"), text)
    return out


def test_sync_tree_writes_then_changes_nothing(tmp_path):
    report = sync_tree(tmp_path, outputs(index_md="i", papers__a_md="a"))
    assert report.written == ("index_md", "papers/a_md") and report.removed == ()
    assert (tmp_path / MANIFEST_NAME).read_text() == "index_md\npapers/a_md\n"
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}
    time.sleep(0.01)
    report = sync_tree(tmp_path, outputs(index_md="i", papers__a_md="a"))
    assert report.written == () and report.unchanged == 2
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")} == before
    assert no_temp_files(tmp_path)


def test_sync_tree_removes_stale_generated_files_only(tmp_path):
    sync_tree(tmp_path, outputs(index_md="i", papers__a_md="a", papers__b_md="b", old__c_md="c"))
    (tmp_path / "papers" / "mine.md").write_text("written by hand")
    (tmp_path / "notes.txt").write_text("written by hand")
    (tmp_path / "old" / "keep.txt").write_text("written by hand")
    report = sync_tree(tmp_path, outputs(index_md="i", papers__a_md="a"))
    assert report.removed == ("old/c_md", "papers/b_md")
    assert files_under(tmp_path) == {
        MANIFEST_NAME: b"index_md\npapers/a_md\n",
        "index_md": b"i",
        "notes.txt": b"written by hand",
        "old/keep.txt": b"written by hand",
        "papers/a_md": b"a",
        "papers/mine.md": b"written by hand",
    }


def test_sync_tree_prunes_emptied_folders(tmp_path):
    sync_tree(tmp_path, outputs(a__b__c_md="c", d_md="d"))
    sync_tree(tmp_path, outputs(d_md="d"))
    assert not (tmp_path / "a").exists()


def test_sync_tree_never_follows_a_tampered_manifest_outside_its_root(tmp_path):
    root = tmp_path / "docs"
    outside = tmp_path / "precious.txt"
    outside.write_text("keep")
    (tmp_path / "sub").mkdir()
    sneaky = tmp_path / "sub" / "x.txt"
    sneaky.write_text("keep")
    root.mkdir()
    (root / "link").symlink_to(tmp_path / "sub")
    (root / MANIFEST_NAME).write_text(f"../precious.txt\n{outside}\nlink/x.txt\n{MANIFEST_NAME}\n")
    sync_tree(root, outputs(index_md="i"))
    assert outside.read_text() == "keep" and sneaky.read_text() == "keep"
    assert (root / MANIFEST_NAME).read_text() == "index_md\n"


def test_sync_tree_does_not_remove_a_folder_or_symlink_listed_in_the_manifest(tmp_path):
    sync_tree(tmp_path, outputs(a_md="a"))
    (tmp_path / "a_md").unlink()
    (tmp_path / "a_md").mkdir()
    (tmp_path / "a_md" / "user.txt").write_text("mine")
    sync_tree(tmp_path, outputs(b_md="b"))
    assert (tmp_path / "a_md" / "user.txt").read_text() == "mine"


def test_interrupted_sync_still_knows_its_files(tmp_path, monkeypatch):
    sync_tree(tmp_path, outputs(a_md="a"))
    real = writer.write_atomic
    calls = []

    def flaky(path, data):
        calls.append(path)
        if path.name == "c_md":
            raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(writer, "write_atomic", flaky)
    with pytest.raises(OSError):
        sync_tree(tmp_path, outputs(a_md="a", b_md="b", c_md="c"))
    monkeypatch.setattr(writer, "write_atomic", real)
    report = sync_tree(tmp_path, outputs(a_md="a"))
    assert "b_md" in report.removed  # written by the interrupted run, still cleaned up
    assert not (tmp_path / "b_md").exists()


def test_a_file_changed_or_deleted_between_two_syncs_of_one_process_is_written_again(tmp_path):
    """The writer remembers what it left (mkdocs serve skips reading 20,000 files
    back); a hand edit or a deletion in between must still be repaired."""
    outputs = OutputSet()
    outputs.add("a.md", "alpha\n")
    outputs.add("b/c.md", "gamma\n")
    assert sync_tree(tmp_path, outputs).written == ("a.md", "b/c.md")
    assert sync_tree(tmp_path, outputs).written == ()
    (tmp_path / "a.md").write_text("alpha, edited by hand\n")
    (tmp_path / "b" / "c.md").unlink()
    report = sync_tree(tmp_path, outputs)
    assert report.written == ("a.md", "b/c.md")
    assert (tmp_path / "a.md").read_text() == "alpha\n" and (tmp_path / "b" / "c.md").read_text() == "gamma\n"
    changed = OutputSet()
    changed.add("a.md", "alpha\n")
    changed.add("b/c.md", "delta\n")  # the same size: the hash tells it apart
    assert sync_tree(tmp_path, changed).written == ("b/c.md",)


def test_a_text_given_again_keeps_its_bytes_and_a_new_text_is_encoded():
    """The bytes of the last build are reused only for the very same string at the same path."""
    page = "".join(["# Pa", "ge é\n"])  # made at run time: not an interned constant
    first = OutputSet()
    first.add("p/index.md", page)
    again = OutputSet()
    again.add("p/index.md", page)
    assert again.files["p/index.md"] is first.files["p/index.md"]
    equal_but_new = "".join(["# Pa", "ge é\n"])
    edited = OutputSet()
    edited.add("p/index.md", "# Page è\n")
    edited.add("q/index.md", page)
    assert edited.files["p/index.md"] == "# Page è\n".encode()
    assert edited.files["q/index.md"] == page.encode()
    fresh = OutputSet()
    fresh.add("p/index.md", equal_but_new)
    assert fresh.files["p/index.md"] == page.encode()
