"""A small declared schema for curated YAML files, and a validator for it.

The schema is data (`Mapping`, `ListOf`, `Text`, ...), so the set of allowed
keys, their types and which are required is written down once, in one place,
and the validator reports *every* mismatch at once, each with its file, line
and key path (`themes[3].match[2]`), instead of stopping at the first.

It validates ruamel.yaml round-trip data, whose mappings and sequences know
the line each key or item came from.

`validate(data, spec, file)` is the entry point; the node types are `Text`,
`Flag`, `Whole`, `ListOf`, `Mapping` (with its `Field`s) and `Either`. The
schema of themes.yml, its main user, is in `generator/analysis/themes/loading.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from generator.library.records import did_you_mean, line_of
from generator.model import Problem


class Spec:
    """Base class of schema nodes."""

    description = "a value"

    def check(self, value: Any, ctx: _Context, path: str, line: int | None) -> None:  # pragma: no cover
        raise NotImplementedError


@dataclass(frozen=True)
class Field:
    spec: Spec
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class Text(Spec):
    """A string; `pattern` (with `pattern_help`) constrains it further."""

    nonempty: bool = True
    pattern: re.Pattern[str] | None = None
    pattern_help: str = ""
    description: str = "text"

    def check(self, value: Any, ctx: _Context, path: str, line: int | None) -> None:
        if not isinstance(value, str):
            ctx.problem(f"{_name(path)} must be {self.description}, found {_found(value)}", path, line)
            return
        if self.nonempty and not value.strip():
            ctx.problem(f"{_name(path)} must not be empty", path, line)
            return
        if self.pattern is not None and not self.pattern.match(value):
            ctx.problem(f"{_name(path)} {value!r} must be {self.pattern_help}", path, line)


@dataclass(frozen=True)
class Flag(Spec):
    description: str = "true or false"

    def check(self, value: Any, ctx: _Context, path: str, line: int | None) -> None:
        if not isinstance(value, bool):
            ctx.problem(f"{_name(path)} must be true or false, found {_found(value)}", path, line)


@dataclass(frozen=True)
class Whole(Spec):
    minimum: int | None = None
    maximum: int | None = None
    description: str = "a whole number"

    def check(self, value: Any, ctx: _Context, path: str, line: int | None) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            ctx.problem(f"{_name(path)} must be a whole number, found {_found(value)}", path, line)
            return
        if self.minimum is not None and value < self.minimum:
            ctx.problem(f"{_name(path)} must be at least {self.minimum}, found {value}", path, line)
        if self.maximum is not None and value > self.maximum:
            ctx.problem(f"{_name(path)} must be at most {self.maximum}, found {value}", path, line)


@dataclass(frozen=True)
class ListOf(Spec):
    item: Spec
    description: str = "a list"

    def check(self, value: Any, ctx: _Context, path: str, line: int | None) -> None:
        if not isinstance(value, list):
            ctx.problem(
                f"{_name(path)} must be a list ('- ' items) of {self.item.description}, found {_found(value)}", path, line
            )
            return
        for index, item in enumerate(value):
            self.item.check(item, ctx, f"{path}[{index}]", _item_line(value, index, line))


@dataclass(frozen=True)
class Mapping(Spec):
    """A mapping with declared keys; unknown keys are reported with a did-you-mean."""

    fields: dict[str, Field]
    description: str = "a mapping of keys"
    extra_check: Callable[[Any, _Context, str, int | None], None] | None = field(default=None, compare=False)

    def check(self, value: Any, ctx: _Context, path: str, line: int | None) -> None:
        if not isinstance(value, dict):
            ctx.problem(f"{_name(path) if path else 'the file'} must be {self.description}, found {_found(value)}", path, line)
            return
        known = tuple(self.fields)
        for key in value:
            if key not in self.fields:
                sub = _join(path, str(key))
                where = line_of(value, key) or line
                ctx.problem(f"unknown key {str(key)!r}{did_you_mean(str(key), known)}; allowed: {', '.join(known)}", sub, where)
        for key, spec in self.fields.items():
            sub = _join(path, key)
            if key not in value:
                if spec.required:
                    ctx.problem(f"missing required key '{key}'", sub, line)
                continue
            if value[key] is None:  # `key:` with nothing after it
                if spec.required:
                    ctx.problem(f"'{sub}' is empty; it must be {spec.spec.description}", sub, line_of(value, key) or line)
                continue
            spec.spec.check(value[key], ctx, sub, line_of(value, key) or line)
        if self.extra_check is not None:
            self.extra_check(value, ctx, path, line)


@dataclass(frozen=True)
class Either(Spec):
    """One of several specs, chosen by the Python type of the value."""

    options: tuple[tuple[type | tuple[type, ...], Spec], ...]
    description: str = "a value"

    def check(self, value: Any, ctx: _Context, path: str, line: int | None) -> None:
        for types, spec in self.options:
            if isinstance(value, types) and not isinstance(value, bool):
                spec.check(value, ctx, path, line)
                return
        ctx.problem(f"{_name(path)} must be {self.description}, found {_found(value)}", path, line)


@dataclass
class _Context:
    file: str
    problems: list[Problem] = field(default_factory=list)

    def problem(self, message: str, path: str, line: int | None) -> None:
        self.problems.append(Problem(self.file, message, line, path or None))


def validate(data: Any, spec: Spec, file: str, line: int | None = None) -> list[Problem]:
    """Every way `data` differs from `spec`, in document order."""
    ctx = _Context(file)
    spec.check(data, ctx, "", line)
    return sorted(ctx.problems, key=lambda p: (p.line or 0))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _name(path: str) -> str:
    """The last part of a key path, for messages (the full path is shown beside them)."""
    return f"'{path.rsplit('.', 1)[-1]}'" if path else "the value"


def _item_line(seq: Any, index: int, default: int | None) -> int | None:
    try:
        return seq.lc.item(index)[0] + 1
    except Exception:
        return default


def _found(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, str):
        return f"text {value!r}"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__
