"""Results of earlier builds, keyed by content hashes, so that one edit redoes
only the work it touches (the curator's loop under `mkdocs serve`).

What is kept, each under the hash of every input it was made from:

- records: the Paper read from each record file, under the file's bytes;
- related / mentions: the whole library's results, under the titles and
  abstracts (a change of status, notes or tags reuses them);
- paper pages: each rendered page, under the paper and everything shown of its
  neighbours (related, mentions, themes), the BibTeX entry and the settings.

Every key also holds `CODE_DIGEST` (the generator's own source and templates,
and the Python version), so a changed generator starts from nothing. A missing
or unreadable cache is an empty one: a fresh clone builds exactly as before.
The cache folder must lie outside what `mkdocs serve` watches (content/,
docs_dir), or writing it would start another rebuild: the hook and
`python -m generator build` keep it in `.cache/build/` beside mkdocs.yml.
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import pickle
import sys
import threading
from pathlib import Path
from typing import Any

from generator.writer import write_atomic

PACKAGE = Path(__file__).resolve().parent
FORMAT = 1  # bump when what is stored changes shape


def _code_digest() -> str:
    """The generator's source, templates and the Python version, in one hash."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{FORMAT}|{sys.version}".encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".md", ".html", ".j2", ".jinja", ".yml", ".txt", ".json"):
            h.update(path.relative_to(PACKAGE).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


CODE_DIGEST = _code_digest()


def unpickle(data: bytes) -> Any:
    """`pickle.loads` with the garbage collector paused: unpickling a cache makes
    hundreds of thousands of objects, none of them garbage, and the collector's
    passes over them took 0.5 to 0.9 s of the 1.3 s that reading a 10,000-paper
    build cache took."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    finally:
        if enabled:
            gc.enable()


def digest(*parts: Any) -> str:
    """A hash of plain data (frozen dataclasses, tuples, strings): the same input, the same key."""
    return hashlib.blake2b(pickle.dumps(parts, protocol=5), digest_size=16).hexdigest()


class Stage:
    """One stage's results: `get(name, key)` finds what `put` stored under the same key."""

    def __init__(self, entries: dict[str, tuple[str, Any]]):
        self.entries = entries
        self.changed = False
        self.used: set[str] = set()

    def get(self, name: str, key: str) -> Any | None:
        found = self.entries.get(name)
        if found is None or found[0] != key:
            return None
        self.used.add(name)
        return found[1]

    def put(self, name: str, key: str, value: Any) -> Any:
        self.entries[name] = (key, value)
        self.used.add(name)
        self.changed = True
        return value

    def keep(self, names) -> None:
        """Keep these entries through the next `prune`, asked for or not."""
        self.used.update(names)

    def keep_all(self) -> None:
        """Keep every entry through the next `prune` (a build that reused their whole)."""
        self.used.update(self.entries)

    def prune(self) -> None:
        """Forget what this build did not ask for (deleted records, renamed pages)."""
        stale = set(self.entries) - self.used
        for name in stale:
            del self.entries[name]
        self.changed = self.changed or bool(stale)
        self.used = set()


class BuildCache:
    """The stages of one cache folder; `save()` writes the ones that changed."""

    def __init__(self, folder: Path | None):
        self.folder = Path(folder) if folder is not None else None
        self.stages: dict[str, Stage] = {}
        self.records: RecordMemo | None = None  # set by each load, for `paper_id`
        self._at_exit = False
        self._in_background = False
        self._writer: threading.Thread | None = None
        self._write_error: BaseException | None = None

    def paper_id(self, paper) -> str:
        return self.records.paper_id(paper) if self.records is not None else digest(paper)

    def stage(self, name: str) -> Stage:
        if name not in self.stages:
            self.stages[name] = Stage(self._read(name))
        return self.stages[name]

    def _file(self, name: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{name}.pickle"

    def _read(self, name: str) -> dict[str, tuple[str, Any]]:
        """What an earlier build stored, or nothing if it is missing, broken or from other code."""
        if self.folder is None:
            return {}
        try:
            code, entries = unpickle(self._file(name).read_bytes())
        except Exception:  # missing, truncated, or written by another version: start over
            return {}
        return entries if code == CODE_DIGEST and isinstance(entries, dict) else {}

    def save(self, only: list[str] | None = None) -> None:
        """Forget what this build did not use, and write the stages that changed
        (at exit instead, once `write_at_exit` was called). `only` saves just those
        stages: one filled after the others were saved (the built pages, page_cache.py)."""
        names = list(self.stages) if only is None else list(only)
        for name in names:
            self.stages[name].prune()
        if self._in_background:
            self.wait_for_writes()  # one writer at a time
            self._writer = threading.Thread(target=self._write_catching, args=(names,), name="build-cache-writer")
            self._writer.start()
        elif not self._at_exit:
            self.write()

    def write_in_background(self) -> None:
        """Write later saves on a thread of their own: `mkdocs build` goes on rendering
        pages while the changed stages (60 MB and more at 10,000 papers) reach the disk.
        `wait_for_writes` (also run at exit) waits for them and raises what the writing raised.
        The writer is handed the names of the stages to write, and nothing touches those after the save."""
        if not self._in_background:
            self._in_background = True
            atexit.register(self.wait_for_writes)

    def wait_for_writes(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.join()
        error, self._write_error = self._write_error, None
        if error is not None:
            raise error

    def _write_catching(self, names: list[str]) -> None:
        try:
            self.write(names)
        except BaseException as err:  # handed to wait_for_writes
            self._write_error = err

    def write(self, names: list[str] | None = None) -> None:
        for name in list(self.stages) if names is None else names:
            stage = self.stages[name]
            if stage.changed and self.folder is not None:
                write_atomic(self._file(name), pickle.dumps((CODE_DIGEST, stage.entries), protocol=5))
            stage.changed = False

    def write_at_exit(self) -> None:
        """Keep later saves in memory and write them when the process ends.

        For `mkdocs serve`, which keeps the cache in memory between rebuilds:
        pickling 10,000 pages after every edit cost about half a second. A
        process killed outright loses only what its edits added, and the
        next build redoes that work (keys are content hashes, so an older
        file is never wrong, only less complete).
        """
        if not self._at_exit:
            self._at_exit = True
            atexit.register(self.write)


class RecordMemo:
    """The Paper read from a record file, reused while the file's bytes are the same."""

    def __init__(self, stage: Stage):
        self.stage = stage
        # record path -> (hash of its bytes, the Paper made of them): a Paper is made
        # from its path and bytes alone, so the hash names it far cheaper than its fields.
        self.ids: dict[str, tuple[str, Any]] = {}

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    def paper(self, path: str | Path, text: str):
        key = self._key(text)
        found = self.stage.get(str(path), key)
        if found is not None:
            self.ids[str(path)] = (key, found)
        return found

    def keep(self, path: Path, text: str, paper) -> None:
        key = self._key(text)
        self.ids[str(path)] = (key, paper)
        self.stage.put(str(path), key, paper)

    def paper_id(self, paper) -> str:
        """A hash naming `paper`: its record's bytes when read through this memo, else its fields."""
        found = self.ids.get(str(paper.path))
        return found[0] if found is not None and found[1] is paper else digest(paper)


# Where `mkdocs build`, `mkdocs serve` and `python -m generator build` keep it:
# beside mkdocs.yml, which is the content folder's parent.
SITE_CACHE_DIR = ".cache/build"

_OPEN: dict[Path, BuildCache] = {}


def open_cache(folder: Path) -> BuildCache:
    """The cache of `folder`, kept in memory between the rebuilds of one `mkdocs serve`."""
    folder = Path(folder).resolve()
    cache = _OPEN.get(folder)
    if cache is None:
        cache = _OPEN[folder] = BuildCache(folder)
    return cache
