"""One writer of the library at a time.

Every command that changes `content/` runs inside `library_lock(content)`: a
lock file next to the folder (`.content.lock`, via `filelock`, which works on
Linux, macOS and Windows) plus a side file naming the holder
(`.content.lock.owner`), so that a second run waits
a bounded time and then says who holds the library instead of silently
interleaving its writes. Taking the lock also finishes or undoes what a
killed run left (`transaction.recover`) and remembers how every file looked,
so that an edit made by hand during the run is never overwritten.

The lock lives beside the library, not in it: taking it changes nothing that
`mkdocs serve` watches or that a comparison of the library would see.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock, Timeout

from generator.library.transaction import has_leftovers, recover, unwatch_tree, watch_tree

TIMEOUT_ENV = "GENERATOR_LOCK_TIMEOUT"
DEFAULT_TIMEOUT = 10.0

_log = logging.getLogger(__name__)
_held: set[str] = set()  # libraries this process holds (the lock is not reentrant across FileLock objects)


class LibraryLocked(RuntimeError):
    """Another run holds the library."""


def lock_timeout(timeout: float | None = None) -> float:
    if timeout is not None:
        return max(0.0, timeout)
    try:
        return max(0.0, float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT)))
    except ValueError:
        return DEFAULT_TIMEOUT


def lock_path(content: Path) -> Path:
    folder = Path(os.path.abspath(content))
    return folder.parent / f".{folder.name or 'content'}.lock"


def owner_path(content: Path) -> Path:
    path = lock_path(content)
    return path.with_name(path.name + ".owner")


def describe_holder(content: Path) -> str:
    """Who holds the lock, from the side file it wrote."""
    try:
        owner = json.loads(owner_path(content).read_text("utf-8"))
        return f"pid {owner['pid']} on {owner['host']} (`{owner['command']}`, started {owner['started']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another run (it has not said which yet)"


def _write_owner(content: Path, command: str) -> None:
    from generator.writer import write_atomic

    started = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    owner = {"pid": os.getpid(), "host": socket.gethostname(), "command": command, "started": started}
    write_atomic(owner_path(content), json.dumps(owner) + "\n")


def _prepare(content: Path) -> Path:
    path = lock_path(content)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def library_lock(content: Path, command: str | None = None, timeout: float | None = None) -> Iterator[list[str]]:
    """Hold the library in `content` for the duration of the block.

    Waits up to `timeout` seconds (default: $GENERATOR_LOCK_TIMEOUT, else
    10), then raises LibraryLocked naming the holder. Yields what recovery
    from a killed run did (lines for the command to print).
    """
    key = os.path.abspath(content)
    if key in _held:
        yield []
        return
    wait = lock_timeout(timeout)
    lock = FileLock(str(_prepare(content)))
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise LibraryLocked(
            f"{content}: the library is being changed by {describe_holder(content)}; "
            f"waited {wait:g} s (set {TIMEOUT_ENV}=SECONDS to wait longer)"
        ) from None
    _held.add(key)
    try:
        _write_owner(content, command or " ".join(sys.argv))
        notes = recover(content)
        watch_tree(content)
        yield notes
    finally:
        unwatch_tree(content)
        _held.discard(key)
        try:
            os.unlink(owner_path(content))
        except OSError:
            pass
        lock.release()


def recover_if_idle(content: Path) -> None:
    """For commands that only read: clean what a killed run left, if no run
    holds the library now (one that does owns those files)."""
    if os.path.abspath(content) in _held or not has_leftovers(content):
        return
    try:
        lock = FileLock(str(_prepare(content)))
        lock.acquire(timeout=0)
    except (Timeout, OSError):  # held, or a read-only checkout
        return
    try:
        for note in recover(content):
            _log.info(note)
    finally:
        lock.release()
