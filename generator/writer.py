"""Every file the generator writes goes through here.

Writes are atomic (temporary file in the same folder, then `os.replace`), a
file is only touched when its bytes change (so `mkdocs serve` does not loop
and rebuilds stay cheap), two outputs may not claim one path, and generated
files that are no longer produced are removed, using a manifest so that
nothing the generator did not write is ever deleted.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MANIFEST_NAME = ".generated-files"


class OutputConflict(ValueError):
    """Two generated outputs claim the same path."""


def write_atomic(path: Path, data: bytes | str) -> bool:
    """Write `data` to `path` atomically; return False when it was already there."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return True


def write_all_or_nothing(files: dict[Path, bytes | str]) -> list[Path]:
    """Stage every file first, then swap them all in; return the changed paths.

    Staging is the step that can fail (disk full, permissions); if it does,
    nothing in the destination has been touched yet.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in sorted(files.items()):
            if isinstance(data, str):
                data = data.encode("utf-8")
            try:
                if path.read_bytes() == data:
                    continue
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                pass
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            staged.append((tmp, path))
    except BaseException:
        for tmp, _ in staged:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        raise
    for tmp, path in staged:
        os.replace(tmp, path)
    return [path for _, path in staged]


@dataclass
class OutputSet:
    """Generated files keyed by their POSIX path relative to the output root."""

    files: dict[str, bytes] = field(default_factory=dict)

    def add(self, relpath: str, content: bytes | str) -> None:
        normal = PurePosixPath(relpath)
        if normal.is_absolute() or ".." in normal.parts or not normal.parts:
            raise OutputConflict(f"unsafe output path {relpath!r}")
        key = str(normal)
        if key in self.files:
            raise OutputConflict(f"two generated outputs claim {key!r}")
        lowered = key.lower()
        for existing in self.files:
            if existing.lower() == lowered:
                raise OutputConflict(f"outputs {existing!r} and {key!r} differ only by case")
        if isinstance(content, str):
            content = content.encode("utf-8")
        self.files[key] = content

    def __contains__(self, relpath: str) -> bool:
        return relpath in self.files

    def __len__(self) -> int:
        return len(self.files)


@dataclass(frozen=True)
class SyncReport:
    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]


def sync_tree(root: Path, outputs: OutputSet) -> SyncReport:
    """Make `root` hold exactly `outputs` (plus files the generator never wrote)."""
    root.mkdir(parents=True, exist_ok=True)
    manifest = root / MANIFEST_NAME
    previous: set[str] = set()
    if manifest.exists():
        previous = {line for line in manifest.read_text("utf-8").splitlines() if line}
    written = []
    for relpath, data in sorted(outputs.files.items()):
        if write_atomic(root / relpath, data):
            written.append(relpath)
    removed = []
    for relpath in sorted(previous - set(outputs.files)):
        target = root / relpath
        if target.is_file():
            target.unlink()
            removed.append(relpath)
            _prune_empty_dirs(target.parent, root)
    write_atomic(manifest, "".join(f"{p}\n" for p in sorted(outputs.files)))
    return SyncReport(tuple(written), len(outputs.files) - len(written), tuple(removed))


def _prune_empty_dirs(folder: Path, root: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
