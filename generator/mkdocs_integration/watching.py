"""`mkdocs serve` told of an edit by the operating system, not by polling.

MkDocs' server polls every watched folder twice a second (watchdog's
PollingObserver): it lists and stats every file each time. content/papers
holds one record per paper, so at 10,000 papers each poll took 0.17 s of
Python, a quarter of a core, holding the interpreter lock while the rebuild
ran beside it, and an edit was noticed up to 0.7 s after it was saved.
Watchdog's native observer (inotify on Linux, FSEvents on macOS,
ReadDirectoryChangesW on Windows) is told of each change at once. It also
reports files being opened and closed, and every rebuild opens every
record: only changes (a file created, modified, deleted or moved) are
passed on, or each rebuild would start the next. They are asked of the
system itself (watchdog's `event_filter` sets the inotify mask): told of
every open and close, the observer's thread took the interpreter lock
30,000 times per rebuild at 10,000 papers, and reading the records took
1.0 to 1.2 s under `mkdocs serve` instead of 0.2 s.

`READING_LIST_WATCH=poll` keeps MkDocs' polling, for file systems whose
changes the operating system does not report (some network and
virtual-machine shares).
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger("mkdocs.plugins.generator")


def watch_natively(server) -> bool:
    """Give `server` (MkDocs' LiveReloadServer, not yet serving) a native observer,
    moving the paths it already watches; False when it keeps polling."""
    if os.environ.get("READING_LIST_WATCH", "native") == "poll":
        return False
    watched = getattr(server, "_watched_paths", None)
    polling = getattr(server, "observer", None)
    if not isinstance(watched, dict) or polling is None or polling.is_alive():
        return False  # not the server this was written for: leave it as it is
    try:
        native = _changes_observer()
    except Exception as err:  # no native API on this system
        log.debug("generator: watching by polling (%s)", err)
        return False
    paths = dict(watched)
    for path, count in paths.items():
        for _ in range(count):
            server.unwatch(path)
    server.observer = native
    for path, count in paths.items():
        for _ in range(count):
            server.watch(path)
    return True


def _changes_observer():
    """Watchdog's native observer, handing its handlers changes only."""
    from watchdog import events
    from watchdog.observers import Observer

    changes = {events.EVENT_TYPE_CREATED, events.EVENT_TYPE_DELETED, events.EVENT_TYPE_MODIFIED, events.EVENT_TYPE_MOVED}
    change_events = [
        events.FileCreatedEvent, events.FileDeletedEvent, events.FileModifiedEvent, events.FileMovedEvent,
        events.DirCreatedEvent, events.DirDeletedEvent, events.DirModifiedEvent, events.DirMovedEvent,
    ]

    class ChangesOnly(events.FileSystemEventHandler):
        def __init__(self, handler):
            self.handler = handler

        def dispatch(self, event):
            if event.event_type in changes:
                self.handler.dispatch(event)

    class ChangesObserver(Observer):
        def schedule(self, event_handler, path, **kwargs):
            handler = ChangesOnly(event_handler)
            try:
                return super().schedule(handler, path, event_filter=change_events, **kwargs)
            except TypeError:  # watchdog before 4.0: every event comes, ChangesOnly drops the rest
                return super().schedule(handler, path, **kwargs)

    return ChangesObserver()


__all__ = ["watch_natively"]
