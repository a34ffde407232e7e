"""Import stage: dumps -> new or merged records in content/papers/.

The whole import is planned in memory first (parse every dump, match every
record to the library, render every changed file) and only written when no
dump had a problem, all files staged before any is swapped in. So an import
that fails leaves the library exactly as it was, and re-importing the same
dumps changes no byte.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path

from generator.reading.dumps import parse_dump
from generator.library.keys import assign_key
from generator.library.records import append_sources, dump_yaml, load_library, new_record, papers_dir, record_path
from generator.model import DumpRecord, Problem, SourceRef
from generator.textnorm import normalise_text, title_identity
from generator.writer import write_all_or_nothing

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
            f"added {len(self.added)}, merged {len(self.merged)}, problems {len(self.problems)} "
            f"({self.unchanged} unchanged)"
        )


PROGRESS_MIN_RECORDS = 200  # below this an import is instant: no progress bar


def _progress(items: list, label: str) -> Iterable:
    """A progress bar, only for long imports and only on a terminal."""
    if len(items) > PROGRESS_MIN_RECORDS and sys.stderr.isatty():
        try:
            from tqdm import tqdm

            return tqdm(items, desc=label, unit="paper", leave=False, file=sys.stderr)
        except ImportError:  # pragma: no cover
            pass
    return items


def plan_sources(content: Path, dumps: list[Path]) -> tuple[dict[Path, bytes], list[Problem]]:
    """Copy dumps from elsewhere into content/sources/ (kept for provenance)."""
    target_dir = content / SOURCES_DIR
    files: dict[Path, bytes] = {}
    origin: dict[Path, Path] = {}
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
        if target in files and files[target] != data:
            problems.append(Problem(str(dump), f"two different dumps named {dump.name!r} ({origin[target]} and {dump}); rename one"))
            continue
        if target.exists() and target.read_bytes() != data:
            problems.append(Problem(str(dump), f"a different dump named {dump.name!r} is already in {target_dir}; rename the new one"))
            continue
        files[target] = data
        origin[target] = dump
    return files, problems


# An abstract this long identifies its paper even when the curator has since
# edited the title in the record.
ABSTRACT_MATCH_MIN_CHARS = 200


def _abstract_identity(abstract: str) -> str | None:
    if len(abstract) < ABSTRACT_MATCH_MIN_CHARS:
        return None
    return " ".join(normalise_text(abstract).casefold().split())


def import_dumps(
    content: Path,
    dumps: list[Path],
    *,
    today: str | None = None,
    write: bool = True,
) -> ImportReport:
    """Parse `dumps` and add their papers to the library in `content`.

    Nothing is written unless every dump parsed cleanly and the library is
    valid; then every changed file is written in one all-or-nothing step.
    """
    report = ImportReport()
    if today is None:
        today = Date.today().isoformat()
    else:
        try:
            today = Date.fromisoformat(today).isoformat()
        except ValueError:
            report.problems.append(Problem("--date", f"expected a date such as 2024-03-12, found {today!r}"))
            return report
    library = load_library(content)
    report.problems.extend(library.problems)
    parsed = [parse_dump(path) for path in dumps]
    for dump in parsed:
        report.problems.extend(dump.problems)
    if report.problems:
        return report

    # Existing papers, by title identity and (for long abstracts) by abstract,
    # so a record whose title the curator has since edited still matches.
    identities = {title_identity(p.title): p.key for p in library.papers}
    by_abstract: dict[str, str] = {}
    for paper in library.papers:
        abstract = _abstract_identity(paper.abstract)
        if abstract is not None:
            by_abstract.setdefault(abstract, paper.key)
    paths = {p.key: p.path for p in library.papers}
    known_sources = {p.key: {s.file for s in p.sources} for p in library.papers}
    taken = set(paths)
    if papers_dir(content).is_dir():
        taken |= {p.stem.lower() for p in papers_dir(content).iterdir()}
    pending: dict[str, list[DumpRecord]] = {}  # key -> records seen in this import
    groups: dict[str, list[DumpRecord]] = {}  # new papers: title identity -> records
    group_of_abstract: dict[str, str] = {}
    records = [r for dump in parsed for r in dump.records]
    for record in _progress(records, "matching"):
        identity = title_identity(record.title)
        abstract = _abstract_identity(record.abstract)
        key = identities.get(identity)
        if key is None and abstract is not None:
            key = by_abstract.get(abstract)
        if key is not None:
            pending.setdefault(key, []).append(record)
            continue
        group = identity
        if identity not in groups and abstract is not None:
            group = group_of_abstract.get(abstract, identity)
        groups.setdefault(group, []).append(record)
        if abstract is not None:
            group_of_abstract.setdefault(abstract, group)
    # Keys are handed out in the order papers first appear (so a fresh import
    # of the seed dumps reproduces the shipped keys); a key depends on the
    # order only where two titles compete for the same candidate. A new
    # paper's text is that of its first record.
    new_keys: list[str] = []
    for identity in groups:
        seen = groups[identity]
        key = assign_key(seen[0].title, lambda k: k in taken)
        taken.add(key)
        new_keys.append(key)
        pending[key] = seen

    files: dict[Path, bytes | str] = {}
    new_set = set(new_keys)
    for key, seen in _progress(sorted(pending.items()), "writing"):
        if key in new_set:
            first = seen[0]
            sources: list[SourceRef] = []
            for record in seen:
                if all(record.source.file != s.file for s in sources):
                    sources.append(record.source)
            files[record_path(content, key)] = dump_yaml(new_record(key, first.title, first.abstract, today, sources))
            report.added.append(key)
            continue
        known = set(known_sources[key])
        extra: list[SourceRef] = []
        for record in seen:
            if record.source.file not in known:
                extra.append(record.source)
                known.add(record.source.file)
        if not extra:
            report.unchanged += 1
            continue
        path = paths[key]
        assert path is not None
        files[path] = append_sources(path.read_bytes().decode("utf-8"), extra, str(path))
        report.merged.append(key)
    report.unchanged += len(set(paths) - set(pending))
    source_files, problems = plan_sources(content, dumps)
    report.problems.extend(problems)
    if report.problems:
        report.added.clear()
        report.merged.clear()
        return report
    files.update(source_files)
    if write:
        try:
            report.files_written = len(write_all_or_nothing(files))
        except OSError as err:
            where = getattr(err, "filename", None) or str(content)
            report.problems.append(Problem(str(where), f"could not write the library ({err.strerror or err}); nothing was changed"))
            report.added.clear()
            report.merged.clear()
    return report
