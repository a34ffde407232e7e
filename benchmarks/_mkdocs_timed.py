"""Run the `mkdocs` command line with every plugin/hook event timed.

Usage: python benchmarks/_mkdocs_timed.py TIMINGS.json build -f mkdocs.yml ...

Behaves exactly like `mkdocs ...`; on exit it writes TIMINGS.json with the
seconds spent in each event, per plugin (hooks are named by their path as
written in mkdocs.yml, e.g. `generator/mkdocs_integration/hook.py`). benchmarks/run.py
uses it to separate the generator hook's own time from MkDocs' rendering.
"""

from __future__ import annotations

import atexit
import json
import sys
import time
from collections import defaultdict

from mkdocs import plugins

_by_origin: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
_original = plugins.PluginCollection.run_event


def _timed_run_event(self, name, item=None, **kwargs):
    origins = getattr(self, "_event_origins", None)
    events = getattr(self, "events", None)
    if origins is None or events is None:  # unknown MkDocs internals: time the whole event
        start = time.perf_counter()
        try:
            return _original(self, name, item, **kwargs) if item is not None else _original(self, name, **kwargs)
        finally:
            _by_origin["<all>"][name] += time.perf_counter() - start
    # Same loop as mkdocs.plugins.PluginCollection.run_event, with a clock per method.
    pass_item = item is not None
    for method in events[name]:
        origin = origins.get(method, "<unknown>")
        self._current_plugin = origin
        start = time.perf_counter()
        try:
            result = method(item, **kwargs) if pass_item else method(**kwargs)
        finally:
            _by_origin[origin][name] += time.perf_counter() - start
        if result is not None:
            item = result
    self._current_plugin = None
    return item


def _dump(path: str, started: float) -> None:
    data = {
        "wall_s": time.perf_counter() - started,
        "by_origin": {origin: dict(events) for origin, events in _by_origin.items()},
    }
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit("usage: _mkdocs_timed.py TIMINGS.json MKDOCS-ARGS...")
    out = sys.argv[1]
    started = time.perf_counter()
    atexit.register(_dump, out, started)
    plugins.PluginCollection.run_event = _timed_run_event
    from mkdocs.__main__ import cli

    sys.argv = ["mkdocs", *sys.argv[2:]]
    cli()


if __name__ == "__main__":
    main()
