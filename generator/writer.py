"""Every file the generator writes goes through here.

Writes are atomic (temporary file in the same folder, then `os.replace`), a
file is only touched when its bytes change (so `mkdocs serve` does not loop
and rebuilds stay cheap), two outputs may not claim one path, and generated
files that are no longer produced are removed, using a manifest so that
nothing the generator did not write is ever deleted. Sets of files that must
land together go through a journal (`generator.library.transaction`), so that even a
killed run leaves the old or the new state, never a mix.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from generator.library.transaction import ChangedOnDisk, Journal, check_unchanged, crash_point, note_written, pause_point, staging_root

__all__ = ["ChangedOnDisk", "OutputConflict", "OutputSet", "sync_tree", "write_all_or_nothing", "write_atomic"]

MANIFEST_NAME = ".generated-files"


class OutputConflict(ValueError):
    """Two generated outputs claim the same path."""


def _current_umask() -> int:
    try:  # Linux: read it without changing it
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def _mode_for(existing: os.stat_result | None) -> int:
    """The permissions a written file gets: the usual 0666 & ~umask, plus any
    extra bits the file it replaces had (`existing`, None for a new file).

    (A temporary file is created 0600; renamed as it is, every generated
    page would be unreadable to a web server or to another user.)
    """
    default = 0o666 & ~_UMASK
    return default if existing is None else stat.S_IMODE(existing.st_mode) | default


def _read_existing(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None


# A new file, write-only, never one that is already there (nor a symlink);
# binary on Windows, like mkstemp's.
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _stage(path: Path, data: bytes, mode: int) -> str:
    """Write `data` to a new temporary file next to `path`; return its name.

    The name is fixed per process: one `open`, cheaper than mkstemp's random
    names. When it is taken (another thread, or a crashed run that had the
    same pid), mkstemp picks a free one.
    """
    tmp = os.path.join(path.parent, f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, _NEW_FILE, 0o600)
    except FileExistsError:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
    except BaseException:
        _unlink_quietly(tmp)
        raise
    return tmp


def _unlink_quietly(path: str | Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _make_dirs(folder: Path, created: list[Path]) -> None:
    """mkdir -p, remembering which folders were new (to undo on failure)."""
    missing = []
    for candidate in (folder, *folder.parents):
        if candidate.is_dir():
            break
        missing.append(candidate)
    folder.mkdir(parents=True, exist_ok=True)
    created.extend(reversed(missing))


def _remove_dirs(created: list[Path]) -> None:
    for folder in reversed(created):
        try:
            folder.rmdir()
        except OSError:
            pass


def write_atomic(path: Path, data: bytes | str) -> bool:
    """Write `data` to `path` atomically; return False when it was already there.

    One `stat` answers most questions: a missing file needs no comparison and
    no permission bits, a size that differs needs no read. The folder is only
    created when staging finds it missing.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        info = None
    if info is not None and info.st_size == len(data) and stat.S_ISREG(info.st_mode) and path.read_bytes() == data:
        return False
    mode = _mode_for(info)
    try:
        tmp = _stage(path, data, mode)
    except (FileNotFoundError, NotADirectoryError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = _stage(path, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        _unlink_quietly(tmp)
        raise
    return True


@dataclass
class _Staged:
    tmp: str
    path: Path
    old: bytes | None  # None: the file did not exist
    old_times: tuple[int, int] | None = None
    old_mode: int | None = None


def _restore(entry: _Staged) -> None:
    """Put back what was at `entry.path` before it was replaced."""
    if entry.old is None:
        _unlink_quietly(entry.path)
        return
    try:
        tmp = _stage(entry.path, entry.old, entry.old_mode or 0o644)
        try:
            os.replace(tmp, entry.path)
        except OSError:
            _unlink_quietly(tmp)
            entry.path.write_bytes(entry.old)  # last resort: in place
    except OSError:
        entry.path.write_bytes(entry.old)
    if entry.old_times is not None:
        try:
            os.utime(entry.path, ns=entry.old_times)
        except OSError:
            pass


def _plan(files: dict[Path, bytes | str], expected: dict[str, bytes | None]) -> list[tuple[_Staged, bytes]]:
    """The files that change, each checked against what the command read."""
    changes = []
    for path, data in sorted(files.items()):
        if isinstance(data, str):
            data = data.encode("utf-8")
        old = _read_existing(path)  # a directory here raises IsADirectoryError: fail early
        if old == data:
            continue  # nothing to write, so nothing to lose
        check_unchanged(path, old, expected)
        entry = _Staged("", path, old)
        if old is not None:
            info = path.stat()
            entry.old_times = (info.st_atime_ns, info.st_mtime_ns)
            entry.old_mode = stat.S_IMODE(info.st_mode)
        changes.append((entry, data))
    return changes


def _check_writable(entries: list[_Staged]) -> None:
    """Fail before the commit point when a destination folder refuses writes."""
    for folder in sorted({entry.path.parent for entry in entries}):
        existing = folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(existing))
        if not os.access(existing, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, "folder is not writable", str(existing))


def write_all_or_nothing(files: dict[Path, bytes | str], *, expected: dict[Path, bytes | None] | None = None) -> list[Path]:
    """Write several files so that either all change or none does, even under kill -9.

    Each changed file is staged in `<root>/.txn/` (the step that fails on a
    full disk), a journal is committed, then the files are renamed into
    place; a killed run is finished or undone by the next one
    (`transaction.recover`). `expected` maps paths to the bytes the command
    read (None: the file did not exist); without it, the snapshot taken with
    the library lock is the reference. A file that differs raises
    ChangedOnDisk before anything is written. If a rename fails, the files
    already swapped are put back (bytes and modification time), folders this
    call created are removed, and the error is raised. Returns the paths
    that changed.
    """
    pause_point()
    wanted = {os.path.abspath(p): data for p, data in (expected or {}).items()}
    changes = _plan(files, wanted)
    if not changes:
        return []
    entries = [entry for entry, _data in changes]
    journal = Journal(staging_root([entry.path for entry in entries]))
    try:
        journal.open()
        for entry, data in changes:
            info = None if entry.old_mode is None else os.stat(entry.path)
            entry.tmp = str(journal.stage(entry.path, data, _mode_for(info), entry.old))
        _check_writable(entries)
        journal.commit()
    except BaseException:
        journal.discard()
        raise
    swapped: list[_Staged] = []
    created: list[Path] = []
    try:
        for entry in entries:
            _make_dirs(entry.path.parent, created)
            os.replace(entry.tmp, entry.path)
            swapped.append(entry)
            crash_point()
    except BaseException:
        journal.discard()  # no longer the truth: never replay it
        for entry in reversed(swapped):
            try:
                _restore(entry)
            except OSError:  # pragma: no cover - nothing more we can do
                pass
        _remove_dirs(created)
        raise
    journal.discard()
    paths = [entry.path for entry in entries]
    note_written(paths)
    return paths


def _fold(path: str) -> str:
    """The form under which two paths name one file on macOS or Windows."""
    if path.isascii():
        return path.lower()  # what NFC and casefold give for ASCII, far faster
    return unicodedata.normalize("NFC", path).casefold()


# Already normal (what PurePosixPath would give back), the case of almost every generated path:
# ASCII names that are not '.' or '..' (each holds a character other than a dot), joined by single slashes.
_PLAIN_PATH_RE = re.compile(r"(?:[A-Za-z0-9_.-]*[A-Za-z0-9_-][A-Za-z0-9_.-]*/)*[A-Za-z0-9_.-]*[A-Za-z0-9_-][A-Za-z0-9_.-]*")


def _normal_path(relpath) -> str:
    """The POSIX form of a relative output path; OutputConflict when it is unsafe."""
    if not isinstance(relpath, str) or not relpath or "\\" in relpath or "\x00" in relpath:
        raise OutputConflict(f"unsafe output path {relpath!r}")
    normal = PurePosixPath(relpath)
    if normal.is_absolute() or ".." in normal.parts or not normal.parts:
        raise OutputConflict(f"unsafe output path {relpath!r}")
    return str(normal)


@dataclass
class OutputSet:
    """Generated files keyed by their POSIX path relative to the output root."""

    files: dict[str, bytes] = field(default_factory=dict)
    _folded: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)
    _dirs: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def _index(self) -> None:
        if len(self._folded) == len(self.files):
            return
        self._folded.clear()
        self._dirs.clear()
        for key in self.files:
            self._remember(key)

    def _remember(self, key: str) -> None:
        folded = _fold(key)
        self._folded[folded] = key
        parts = folded.split("/")
        for end in range(1, len(parts)):
            self._dirs.setdefault("/".join(parts[:end]), key)

    def add(self, relpath: str, content: bytes | str) -> None:
        key = relpath if isinstance(relpath, str) and _PLAIN_PATH_RE.fullmatch(relpath) else _normal_path(relpath)
        if key == MANIFEST_NAME:
            raise OutputConflict(f"{MANIFEST_NAME!r} is the writer's own manifest")
        self._index()
        if key in self.files:
            raise OutputConflict(f"two generated outputs claim {key!r}")
        folded = _fold(key)
        if folded in self._folded:
            raise OutputConflict(f"outputs {self._folded[folded]!r} and {key!r} differ only by case or Unicode form")
        if folded in self._dirs:
            raise OutputConflict(f"output {key!r} is a file, but {self._dirs[folded]!r} needs it to be a folder")
        parts = folded.split("/")
        for end in range(1, len(parts)):
            prefix = "/".join(parts[:end])
            if prefix in self._folded:
                raise OutputConflict(f"output {key!r} needs {self._folded[prefix]!r} to be a folder, but it is a file")
        if isinstance(content, str):
            content = _encoded(key, content)
        self.files[key] = content
        self._remember(key)

    def __contains__(self, relpath: str) -> bool:
        return relpath in self.files

    def __len__(self) -> int:
        return len(self.files)


def _encoded(key: str, text: str) -> bytes:
    """`text` in UTF-8; the bytes of the last build when it gave this path the very same string.

    Under `mkdocs serve` nearly every page comes from the build cache as the
    same object as before: encoding 20,000 of them again, and hashing the new
    bytes to compare them with the file on disk, took 0.3 s at 10,000 papers
    (a bytes object keeps its hash).
    """
    last = _ENCODED.get(key)
    if last is not None and last[0] is text:
        return last[1]
    data = text.encode("utf-8")
    _ENCODED[key] = (text, data)
    return data


# Path -> (text, its bytes) as outputs last gave them; the text is held, so its id is not reused.
_ENCODED: dict[str, tuple[str, bytes]] = {}


@dataclass(frozen=True)
class SyncReport:
    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]


def _manifest_entry_ok(relpath: str, root: Path) -> bool:
    """Only plain relative paths inside `root` are ever removed."""
    normal = PurePosixPath(relpath)
    if not relpath or normal.is_absolute() or ".." in normal.parts or "\\" in relpath or str(normal) == MANIFEST_NAME:
        return False
    try:
        (root / normal).parent.resolve().relative_to(root.resolve())
    except (OSError, ValueError):
        return False
    return True


def _write_manifest(manifest: Path, paths: set[str] | dict[str, bytes]) -> None:
    write_atomic(manifest, "".join(f"{p}\n" for p in sorted(paths)))


# Output root -> relpath -> the mark (`_mark`) of the file as this process last
# wrote or found it. The rebuilds of one `mkdocs serve` skip reading back the
# 20,000 files of a large library to learn that they are unchanged.
_LEFT: dict[str, dict[str, tuple]] = {}


def _mark(path: str, data: bytes) -> tuple | None:
    """The file's size, modification time and inode with a hash of `data`; None when it is missing.

    A file someone else changed has another size or time; another content
    has another hash (Python's, keyed per process: nobody can aim at it).
    """
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_mode, hash(data))


def sync_tree(root: Path, outputs: OutputSet) -> SyncReport:
    """Make `root` hold exactly `outputs` (plus files the generator never wrote)."""
    root.mkdir(parents=True, exist_ok=True)
    manifest = root / MANIFEST_NAME
    previous: set[str] = set()
    if manifest.exists():
        previous = {line for line in manifest.read_text("utf-8").splitlines() if line}
    current = set(outputs.files)
    if not current <= previous:
        # Listed before writing: if this run stops half-way, the next one still
        # knows which files are its own to clean up.
        _write_manifest(manifest, previous | current)
    written = []
    known = _LEFT.setdefault(os.path.abspath(root), {})
    for relpath, data in sorted(outputs.files.items()):
        target = os.path.join(root, relpath)
        mark = _mark(target, data)
        if mark is not None and known.get(relpath) == mark:
            continue  # as this process left it, and the same bytes again
        if write_atomic(Path(target), data):
            written.append(relpath)
        known[relpath] = _mark(target, data)
    removed = []
    for relpath in sorted(previous - current):
        known.pop(relpath, None)
        if not _manifest_entry_ok(relpath, root):
            continue
        target = root / relpath
        if target.is_file() and not target.is_symlink():  # the writer only makes regular files
            target.unlink()
            removed.append(relpath)
            _prune_empty_dirs(target.parent, root)
    _write_manifest(manifest, current)
    return SyncReport(tuple(written), len(outputs.files) - len(written), tuple(removed))


def _prune_empty_dirs(folder: Path, root: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
