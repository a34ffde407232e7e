"""Theme templates compiled once per process, not once per build.

MkDocs makes a new Jinja environment for every build, so under `mkdocs serve`
each rebuild compiled Material's templates again: about 40 of them, 0.4 s of
every rebuild here. Jinja's bytecode cache keeps the compiled code under the
template's name and the checksum of its source, so an edited template in
overrides/ is compiled again and an unchanged one is not.
"""

from __future__ import annotations

from jinja2 import BytecodeCache


class ProcessBytecodeCache(BytecodeCache):
    """Compiled templates kept in this process's memory."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        found = self.code.get(bucket.key)
        if found is not None:
            bucket.bytecode_from_string(found)  # refused by the bucket when the source changed

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


COMPILED = ProcessBytecodeCache()

__all__ = ["COMPILED", "ProcessBytecodeCache"]
