"""Library transactions: a set of file changes that lands whole, even under kill -9.

A transaction stages every new file inside `<root>/.txn/<id>/`, then writes a
journal naming where each one goes (the commit point), then renames the staged
files into place. A run killed before the journal leaves only its staging
folder, which the next run deletes (rollback); a run killed after it leaves a
journal, which the next run finishes (roll forward). A rename inside one file
system is atomic, so every file is at each moment either old or new, and the
journal says which set is the truth.

This module also remembers how the library looked when a command took the
lock (`watch_tree`), so that a record edited meanwhile by hand is never
overwritten: the write stops and names it (`ChangedOnDisk`).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import signal
import time
from pathlib import Path, PurePosixPath

TXN_DIR = ".txn"
JOURNAL = "journal.json"
# Test hooks: stop the process with SIGKILL at the Nth step of a transaction
# (each staged file, the commit, each rename), or pause before a transaction
# reads what it replaces. Random timing rarely hits the short rename phase.
KILL_AT_ENV = "GENERATOR_TXN_KILL_AT"
PAUSE_ENV = "GENERATOR_TXN_PAUSE"
# The names write_atomic gives its temporary files: .NAME.PID.tmp, or
# mkstemp's .NAME.XXXXXXXX.tmp when that one was taken.
_TEMP_NAME = re.compile(r"^\..+\.(?:\d+|[a-z0-9_]{8})\.tmp$")
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


class ChangedOnDisk(OSError):
    """A file changed since the command read it: writing would lose that edit."""

    def __init__(self, path: Path | str):
        super().__init__(
            errno.ESTALE,
            "changed on disk since this run read it; nothing was written (run the command again to include that edit)",
            str(path),
        )

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}"


# ------------------------------------------------------------- baselines

Signature = tuple[int, int, int]
_BASELINES: dict[str, dict[str, Signature]] = {}


def _signature(path: str | Path) -> Signature | None:
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def watch_tree(root: Path) -> None:
    """Remember how every file under `root` looks now, before the command reads it."""
    base = os.path.abspath(root)
    snapshot: dict[str, Signature] = {}
    for folder, dirs, names in os.walk(base):
        if folder == base:
            dirs[:] = [d for d in dirs if d not in (TXN_DIR, ".cache")]
        for name in names:
            full = os.path.join(folder, name)
            sig = _signature(full)
            if sig is not None:
                snapshot[full] = sig
    _BASELINES[base] = snapshot


def unwatch_tree(root: Path) -> None:
    _BASELINES.pop(os.path.abspath(root), None)


def _baseline_for(path: str) -> dict[str, Signature] | None:
    for base, snapshot in _BASELINES.items():
        if path.startswith(base + os.sep):
            return snapshot
    return None


def check_unchanged(path: Path, old: bytes | None, expected: dict[str, bytes | None]) -> None:
    """Raise ChangedOnDisk when `path` (now holding `old`) is not what the command read.

    `expected` (absolute path -> bytes, None for "did not exist") says it
    exactly; otherwise the snapshot taken with the lock decides.
    """
    key = os.path.abspath(path)
    if key in expected:
        if expected[key] != old:
            raise ChangedOnDisk(path)
        return
    snapshot = _baseline_for(key)
    if snapshot is not None and snapshot.get(key) != _signature(key):
        raise ChangedOnDisk(path)


def note_written(paths: list[Path]) -> None:
    """The command itself changed these: later writes in the same run may replace them."""
    for path in paths:
        key = os.path.abspath(path)
        snapshot = _baseline_for(key)
        sig = _signature(key)
        if snapshot is not None and sig is not None:
            snapshot[key] = sig


def staging_root(paths: list[Path]) -> Path:
    """Where a transaction over `paths` keeps its staging folder: the watched
    library that holds them all, else their nearest common existing folder."""
    absolute = [os.path.abspath(p) for p in paths]
    for base in _BASELINES:
        if all(p.startswith(base + os.sep) for p in absolute):
            return Path(base)
    common = Path(os.path.commonpath([os.path.dirname(p) for p in absolute]))
    while not common.is_dir() and common != common.parent:
        common = common.parent
    return common


# ------------------------------------------------------------- test hooks

_steps = 0


def crash_point() -> None:
    """Die here, as kill -9 would, when the crash test asked for this step."""
    global _steps
    limit = os.environ.get(KILL_AT_ENV)
    if not limit:
        return
    _steps += 1
    if _steps == int(limit):
        if hasattr(signal, "SIGKILL"):
            os.kill(os.getpid(), signal.SIGKILL)
        os._exit(137)  # pragma: no cover - Windows


def pause_point() -> None:
    seconds = os.environ.get(PAUSE_ENV)
    if seconds:
        time.sleep(float(seconds))


# ------------------------------------------------------------- journal


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # pragma: no cover - folders cannot be opened there
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_new(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, _NEW_FILE, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(path, mode)


class Journal:
    """One transaction's staging folder and journal under `<root>/.txn/`."""

    def __init__(self, root: Path):
        self.root = root
        self.txn_dir = root / TXN_DIR
        self.folder = self.txn_dir / f"{os.getpid()}-{time.time_ns()}"
        self.entries: list[tuple[Path, Path, str | None, str]] = []  # target, staged, old, new digest

    def open(self) -> None:
        self.txn_dir.mkdir(parents=True, exist_ok=True)  # a first import creates the library
        ignore = self.txn_dir / ".gitignore"
        if not ignore.exists():  # leftovers of a killed run stay out of git
            try:
                _write_new(ignore, b"*\n", 0o644)
            except FileExistsError:  # another transaction's, just now
                pass
        self.folder.mkdir()

    def stage(self, target: Path, data: bytes, mode: int, old: bytes | None) -> Path:
        staged = self.folder / str(len(self.entries))
        _write_new(staged, data, mode)
        self.entries.append((target, staged, _digest(old), _digest(data)))
        crash_point()
        return staged

    def commit(self) -> None:
        """The commit point: from here on the new state is the truth."""
        files = [
            {"path": Path(os.path.relpath(target, self.root)).as_posix(), "staged": staged.name, "old": old, "new": new}
            for target, staged, old, new in self.entries
        ]
        tmp = self.folder / (JOURNAL + ".tmp")
        _write_new(tmp, json.dumps({"version": 1, "files": files}, indent=1).encode("utf-8"), 0o644)
        os.replace(tmp, self.folder / JOURNAL)
        _fsync_dir(self.folder)
        crash_point()

    def discard(self) -> None:
        """Forget the transaction: the journal first, so it is never replayed."""
        try:
            os.unlink(self.folder / JOURNAL)
        except OSError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)
        _tidy(self.txn_dir)


def _tidy(txn_dir: Path) -> None:
    """Remove `.txn/` when nothing but its .gitignore is left."""
    try:
        names = os.listdir(txn_dir)
    except OSError:
        return
    if names in ([], [".gitignore"]):
        shutil.rmtree(txn_dir, ignore_errors=True)


def _safe_target(root: Path, rel: object) -> Path | None:
    if not isinstance(rel, str) or not rel or "\\" in rel or "\x00" in rel:
        return None
    normal = PurePosixPath(rel)
    if normal.is_absolute() or ".." in normal.parts or normal.parts[0] == TXN_DIR:
        return None
    return root / normal


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None


def _roll_forward(root: Path, folder: Path) -> list[str]:
    """Finish a committed transaction; a file edited since the crash is kept."""
    try:
        files = json.loads((folder / JOURNAL).read_text("utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return [f"{folder / JOURNAL}: unreadable journal; its change was dropped"]
    notes = []
    for item in files:
        target = _safe_target(root, item.get("path")) if isinstance(item, dict) else None
        name = str(item.get("staged", "")) if isinstance(item, dict) else ""
        if target is None or not name.isdigit():
            notes.append(f"{folder / JOURNAL}: ignored a malformed entry {item!r}")
            continue
        staged = folder / name
        if not staged.is_file():
            continue  # renamed before the run stopped
        current = _digest(_read(target))
        if current == item.get("old"):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
        elif current != item.get("new"):
            notes.append(f"{target}: edited after an interrupted run; kept as edited, that run's version dropped")
    return notes


def remove_stray_temp_files(root: Path) -> int:
    """Delete the temporary files of atomic writes that a killed run left."""
    removed = 0
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != TXN_DIR]
        for name in names:
            if _TEMP_NAME.match(name):
                try:
                    os.unlink(os.path.join(folder, name))
                    removed += 1
                except OSError:
                    pass
    return removed


def recover(root: Path) -> list[str]:
    """Finish or undo what killed runs left in `root`; the caller holds the lock."""
    notes: list[str] = []
    txn_dir = root / TXN_DIR
    if txn_dir.is_dir():
        for folder in sorted(txn_dir.iterdir()):
            if not folder.is_dir() or folder.is_symlink():
                continue
            if (folder / JOURNAL).is_file():
                notes.extend(_roll_forward(root, folder))
                notes.append(f"{root}: finished a change that an interrupted run had committed")
            else:
                notes.append(f"{root}: undid a change that an interrupted run had not committed (nothing had been written)")
            shutil.rmtree(folder, ignore_errors=True)
    _tidy(txn_dir)
    removed = remove_stray_temp_files(root)
    if removed:
        notes.append(f"{root}: removed {removed} temporary file(s) left by an interrupted run")
    return notes


def has_leftovers(root: Path) -> bool:
    """Cheap test (for read-only commands) whether `recover` has anything to do."""
    try:
        if any(entry.is_dir() for entry in os.scandir(root / TXN_DIR)):
            return True
    except OSError:
        pass
    try:
        folders = [e.path for e in os.scandir(root) if e.is_dir() and e.name not in (TXN_DIR, ".cache")]
    except OSError:
        return False
    for folder in [str(root), *folders]:
        try:
            if any(_TEMP_NAME.match(e.name) for e in os.scandir(folder)):
                return True
        except OSError:
            pass
    return False
