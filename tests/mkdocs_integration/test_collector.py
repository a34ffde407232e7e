"""Under `mkdocs serve`, what lived before a rebuild is left out of the collector's
passes while it runs, and the garbage of earlier builds is still freed after it."""

from __future__ import annotations

import gc
import time
import weakref

from generator.mkdocs_integration import collector


class _Node:
    pass


def _cycle() -> weakref.ref:
    """A reference cycle only the collector can free, and a weak reference telling when it is freed."""
    node = _Node()
    node.self = node
    return weakref.ref(node)


def test_old_objects_are_frozen_during_a_rebuild_and_garbage_freed_after_it(monkeypatch):
    monkeypatch.setattr(collector, "IDLE_S", 0.05)
    garbage = _cycle()
    collector.rebuild_starts()
    try:
        assert gc.get_freeze_count() > 0
        gc.collect()
        assert garbage() is not None  # frozen: a pass during the rebuild does not walk it
    finally:
        collector.rebuild_ended()
    assert gc.get_freeze_count() == 0
    deadline = time.monotonic() + 5
    while garbage() is not None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert garbage() is None  # the pass after the rebuild freed it


def test_a_failed_served_rebuild_hands_the_objects_back(monkeypatch):
    from generator.mkdocs_integration import hook

    monkeypatch.setitem(hook._PROCESS, "command", "serve")
    monkeypatch.setattr(collector, "IDLE_S", 0.01)
    written = {"papers/x.md"}
    monkeypatch.setattr(hook._SERVED, "written", set(written))
    collector.rebuild_starts()
    hook.on_build_error(error=RuntimeError("a page failed"))
    assert gc.get_freeze_count() == 0
    assert hook._SERVED.written == written  # still to be built: not left out next time
