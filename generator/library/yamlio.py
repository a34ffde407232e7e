"""Round-trip YAML for the library: one loader and one dumper for every record.

Records are read and written with ruamel.yaml in round-trip mode so that a
curator's comments, field order and quoting survive every edit; valid
records are read through the C parser first because loading is most of what
`build` does.
"""

from __future__ import annotations

import io
from datetime import date as Date
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from generator.model import Problem


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 1_000_000  # one line per field: clean diffs, no trailing spaces
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = False
    return yaml


_LOADER: YAML | None = None


try:
    from ruamel.yaml.cyaml import CSafeLoader
except ImportError:  # pragma: no cover - ruamel.yaml.clib has no build for this Python
    _FastLoader = None
else:

    class _FastLoader(CSafeLoader):
        """The loader `YAML(typ="safe", pure=False)` puts together for every
        document, put together once: C parser, safe constructor, YAML 1.2 rules.

        Assembling a loader class and its resolver tables per load costs that
        API as much as parsing a record. Its C parser ignores `%YAML`
        directives, so records are always read as YAML 1.2; this resolver
        would report no version and send the constructor down its YAML 1.1
        paths, hence the pin. tests/library/test_records.py holds the two equal.
        """

        processing_version = (1, 2)


def _fast_load(text: str) -> Any:
    """Plain data through the C parser (many times faster than the
    round-trip loader, same YAML 1.2 rules); raises on any error. It keeps no
    line numbers, so anything it finds wrong is re-read with `load_yaml`."""
    if _FastLoader is None:  # pragma: no cover - the same rules in pure Python
        yaml = YAML(typ="safe", pure=True)
        yaml.allow_duplicate_keys = False
        return yaml.load(text)
    loader = _FastLoader(text)
    loader.allow_duplicate_keys = False
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def dump_yaml(data: Any) -> str:
    stream = io.StringIO()
    _yaml().dump(data, stream)
    return stream.getvalue()


def load_yaml(text: str, filename: str) -> tuple[Any, list[Problem]]:
    """Parse YAML text; a syntax error becomes a Problem with its line."""
    global _LOADER
    if _LOADER is None:  # one loader for every record: building one costs a quarter of a load
        _LOADER = _yaml()
    try:
        return _LOADER.load(text), []
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        message = (err.problem or err.context or "invalid YAML").strip()
        return None, [Problem(filename, f"invalid YAML: {message}", line=line)]
    except YAMLError as err:
        line = None
        position = getattr(err, "position", None)  # a ReaderError: a character YAML forbids
        if isinstance(position, int):
            line = text.count("\n", 0, position) + 1
        return None, [Problem(filename, f"invalid YAML: {err}", line=line)]
    except RecursionError:  # [[[[... hundreds deep; the loader may be left mid-parse, so a new one next time
        _LOADER = None
        return None, [Problem(filename, "invalid YAML: nested too deeply", line=_first_deep_line(text))]
    except (ValueError, TypeError, OverflowError) as err:
        # A scalar that parses but cannot be built, such as the date 2024-13-45.
        return None, [Problem(filename, f"invalid YAML value: {err}", line=_bad_scalar_line(text))]


def _first_deep_line(text: str, depth: int = 50) -> int | None:
    """The line where brackets first nest `depth` deep (where the reader gave up, near enough)."""
    level = 0
    for number, line in enumerate(text.splitlines(), 1):
        for char in line:
            level += (char in "[{") - (char in "]}")
            if level >= depth:
                return number
    return None


def _bad_scalar_line(text: str) -> int | None:
    """The line of the first date-like scalar that is not a real date."""
    try:
        node = _yaml().compose(text)
    except Exception:
        return None
    stack = [node]
    while stack:
        node = stack.pop()
        value = getattr(node, "value", None)
        if isinstance(value, list):
            for item in reversed(value):
                stack.extend(reversed(item) if isinstance(item, tuple) else [item])
        elif isinstance(value, str) and str(getattr(node, "tag", "")).endswith(":timestamp"):
            try:
                Date.fromisoformat(value[:10])
            except ValueError:
                return node.start_mark.line + 1
    return None
