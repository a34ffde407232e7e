"""Under `mkdocs serve`, the garbage collector's full passes wait for the rebuild to end.

A served site at 10,000 papers keeps half a million objects alive between
rebuilds (the build cache, MkDocs' files and pages). Each full pass of
Python's collector walks all of them, 0.6 to 0.8 s here, and a rebuild
often set one off. While a rebuild runs, what was alive before it is frozen
(`gc.freeze`: left out of every pass); after it, the objects are handed back
and one pass runs a moment later, while the curator reads the page, so the
garbage of the builds before is still freed.
"""

from __future__ import annotations

import gc
import threading

IDLE_S = 1.0  # after a rebuild: time for the browser to reload before the pass


def rebuild_starts() -> None:
    gc.freeze()


def rebuild_ended() -> None:
    gc.unfreeze()
    timer = threading.Timer(IDLE_S, gc.collect)
    timer.daemon = True
    timer.start()


__all__ = ["rebuild_starts", "rebuild_ended", "IDLE_S"]
