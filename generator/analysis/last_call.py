"""What the last call of a step made per text (or name), for the next call to reuse.

Under `mkdocs serve` the whole library goes through the same steps after
every edit, and nearly every text is the one of the build before. A step
keeps `kept_from_last`'s answer as its `last`: only the keys of the current
call stay in memory, so what a deleted or edited paper had is forgotten.
"""

from __future__ import annotations

from typing import Callable, Hashable, Iterable, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def kept_from_last(keys: Iterable[K], make: Callable[[K], V], last: dict[K, V]) -> dict[K, V]:
    """`make(key)` for each distinct key, taken from `last` where it is there already."""
    found: dict[K, V] = {}
    for key in keys:
        if key not in found:
            value = last.get(key)
            found[key] = value if value is not None else make(key)
    return found


def kept_by_identity(objects: Iterable[object], make: Callable[[object], V], last: dict[int, tuple[object, V]]
                     ) -> dict[int, tuple[object, V]]:
    """id(object) -> (object, `make(object)`) for each object, taken from `last` where it
    holds that very object: for lists, unhashable but handed back unchanged between calls.
    An entry holds its object, so its id is not reused while the entry lives."""
    found: dict[int, tuple[object, V]] = {}
    for obj in objects:
        entry = last.get(id(obj))
        if entry is None or entry[0] is not obj:
            entry = (obj, make(obj))
        found[id(obj)] = entry
    return found


__all__ = ["kept_by_identity", "kept_from_last"]
