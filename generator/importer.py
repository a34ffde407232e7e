"""Import stage: dumps -> new or merged records in content/papers/.

The whole import is planned in memory first (parse every dump, match every
record to the library, render every changed file) and only written when no
dump had a problem, all files staged before any is swapped in. So an import
that fails leaves the library exactly as it was, and re-importing the same
dumps changes no byte.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path

from .dumps import parse_dump
from .keys import assign_key
from .library import dump_yaml, load_library, load_yaml, new_record, record_path, source_map
from .model import DumpRecord, Problem
from .textnorm import title_identity
from .writer import write_all_or_nothing

SOURCES_DIR = "sources"


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)  # existing papers that gained a source
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    files_written: int = 0

    def summary(self) -> str:
        return (
            f"added {len(self.added)}, merged {len(self.merged)}, unchanged {self.unchanged}, "
            f"problems {len(self.problems)}"
        )


def _progress(items: list, label: str) -> Iterable:
    if len(items) > 200 and sys.stderr.isatty():
        try:
            from tqdm import tqdm

            return tqdm(items, desc=label, unit="paper", leave=False)
        except ImportError:  # pragma: no cover
            pass
    return items


def plan_sources(content: Path, dumps: list[Path]) -> tuple[dict[Path, bytes], list[Problem]]:
    """Copy dumps from elsewhere into content/sources/ (kept for provenance)."""
    target_dir = content / SOURCES_DIR
    files: dict[Path, bytes] = {}
    problems: list[Problem] = []
    for dump in dumps:
        target = target_dir / dump.name
        if not dump.is_file():
            continue
        try:
            if target.resolve() == dump.resolve():
                continue
        except OSError:
            pass
        data = dump.read_bytes()
        if target.exists() and target.read_bytes() != data:
            problems.append(Problem(str(dump), f"a different dump named {dump.name!r} is already in {target_dir}; rename the new one"))
            continue
        files[target] = data
    return files, problems


def import_dumps(
    content: Path,
    dumps: list[Path],
    *,
    today: str | None = None,
    write: bool = True,
) -> ImportReport:
    """Parse `dumps` and add their papers to the library in `content`."""
    report = ImportReport()
    today = today or Date.today().isoformat()
    library = load_library(content)
    report.problems.extend(library.problems)
    parsed = [parse_dump(path) for path in dumps]
    for dump in parsed:
        report.problems.extend(dump.problems)
    if report.problems:
        return report

    # identity -> key, for the library as it is and as it grows during this import
    identities = {title_identity(p.title): p.key for p in library.papers}
    taken = {p.key for p in library.papers}
    if (content / "papers").is_dir():
        taken |= {p.stem for p in (content / "papers").glob("*.y*ml")}
    pending: dict[str, list[DumpRecord]] = {}  # key -> records seen in this import
    new_keys: list[str] = []
    records = [r for dump in parsed for r in dump.records]
    for record in _progress(records, "matching"):
        identity = title_identity(record.title)
        key = identities.get(identity)
        if key is None:
            key = assign_key(record.title, lambda k: k in taken)
            taken.add(key)
            identities[identity] = key
            new_keys.append(key)
        pending.setdefault(key, []).append(record)

    files: dict[Path, bytes | str] = {}
    new_set = set(new_keys)
    for key, seen in _progress(sorted(pending.items()), "writing"):
        path = record_path(content, key)
        if key in new_set:
            first = seen[0]
            sources = []
            for record in seen:
                if record.source not in sources:
                    sources.append(record.source)
            files[path] = dump_yaml(new_record(key, first.title, first.abstract, today, sources))
            report.added.append(key)
            continue
        text = path.read_text("utf-8")
        data, problems = load_yaml(text, str(path))
        if problems:  # pragma: no cover - load_library already validated it
            report.problems.extend(problems)
            continue
        known = {str(item.get("file")) for item in (data.get("sources") or []) if isinstance(item, dict)}
        changed = False
        if data.get("sources") is None:
            data["sources"] = []
        for record in seen:
            if record.source.file not in known:
                data["sources"].append(source_map(record.source))
                known.add(record.source.file)
                changed = True
        if changed:
            files[path] = dump_yaml(data)
            report.merged.append(key)
        else:
            report.unchanged += 1
    untouched = len({p.key for p in library.papers} - set(pending))
    report.unchanged += untouched
    source_files, problems = plan_sources(content, dumps)
    report.problems.extend(problems)
    if report.problems:
        report.added.clear()
        report.merged.clear()
        return report
    files.update(source_files)
    if write:
        report.files_written = len(write_all_or_nothing(files))
    return report
