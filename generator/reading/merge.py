"""Import stage: what the readers found -> new or merged records in content/papers/.

One merge for every reader. The whole import is planned in memory first
(match every candidate to the library, choose keys, render every changed
record) and only then written, all files staged before any is swapped in.
So an import that fails leaves the library exactly as it was, and
re-importing the same inputs changes no byte. Which paper a candidate is,
and which key it gets, is decided in `reading.match`; how a record file
changes, in `library.edit`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path
from typing import Any

from generator.library.edit import add_key_aliases, add_to_record, fill_missing, new_record
from generator.library.records import Library, load_library, new_record_path, papers_dir
from generator.library.yamlio import dump_yaml
from generator.model import RECORD_FIELDS, Problem, SourceRef
from generator.reading.bibfile import read_bib, read_bib_set
from generator.reading.candidate import Candidate, Reading, within_limits
from generator.reading.csljson import read_csl_json
from generator.reading.risfile import read_ris
from generator.reading.dumps import read_dump
from generator.reading.match import Matcher, choose_key
from generator.writer import write_all_or_nothing

SOURCES_DIR = "sources"

# Wraps a list being worked through (with a label such as "matching") to show progress.
Progress = Callable[[Sequence[Any], str], Iterable[Any]]


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)  # existing papers that gained a source or field
    unchanged: int = 0
    repeats: int = 0  # entries that are the same paper as another entry of this import, added once
    containers: int = 0  # .bib containers only used through crossref
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)  # worth saying, not a failure
    merges: list[Problem] = field(default_factory=list)  # each entry merged into a record, and by what
    conflicts: list[Problem] = field(default_factory=list)  # values an input gives that the record does not take
    files_written: int = 0

    def summary(self) -> str:
        text = f"added {len(self.added)}, merged {len(self.merged)}, problems {len(self.problems)} ({self.unchanged} unchanged"
        if self.repeats:  # without it, an input's entries would not add up to what was added
            text += f", {self.repeats} {'entry' if self.repeats == 1 else 'entries'} merged into another entry of this import"
        if self.containers:
            text += f", {self.containers} crossref container(s) skipped"
        return text + ")"

    def nothing_written(self) -> None:
        self.added.clear()
        self.merged.clear()
        self.repeats = 0


def plan_sources(content: Path, inputs: list[Path]) -> tuple[dict[Path, bytes], list[Problem]]:
    """Copy inputs from elsewhere into content/sources/ (kept for provenance)."""
    target_dir = content / SOURCES_DIR
    files: dict[Path, bytes] = {}
    origin: dict[Path, Path] = {}
    problems: list[Problem] = []
    for dump in inputs:
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


def _no_progress(items: Sequence[Any], label: str) -> Iterable[Any]:
    return items


@dataclass
class _Plan:
    """Each paper this import touches: its key -> the candidates that are it."""

    new: dict[str, list[Candidate]] = field(default_factory=dict)
    existing: dict[str, list[Candidate]] = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)  # every record's key after this import, case-folded

    def may_alias(self, alias: str, key: str) -> bool:
        """Whether an entry's own key may be kept as an alias of `key`'s record: never
        when it is another record's key (biber: 'Citekey alias is also a real entry key')."""
        return alias.casefold() == key.casefold() or alias.casefold() not in self.keys


def _match_all(library: Library, candidates: list[Candidate], taken: set[str], report: ImportReport, progress: Progress) -> _Plan:
    """Match every candidate; a new paper's key is chosen when it is first seen.

    Keys are handed out in the order papers first appear (so a fresh import
    of the seed dumps reproduces the shipped keys). Candidates with an
    abstract go first, so that the record of a paper found in several
    inputs starts from the one with an abstract.
    """
    matcher = Matcher(library.papers)
    plan = _Plan(keys=taken)  # `taken` gains each new key as it is chosen
    ordered = [c for c in candidates if c.abstract] + [c for c in candidates if not c.abstract]
    merges: list[tuple[Candidate, str, str, bool]] = []
    for candidate in progress(ordered, "matching"):
        found, note = matcher.match(candidate)
        if note is not None:
            report.notes.append(note)
        key = found.key if found is not None else None
        if found is None or key is None:
            key, note = choose_key(candidate, taken)
            if note is not None:
                report.notes.append(note)
            taken.add(key.casefold())
            plan.new[key] = [candidate]
            matcher.remember(candidate, key)
            continue
        matcher.remember(candidate, key)
        is_new = key in plan.new
        (plan.new if is_new else plan.existing).setdefault(key, []).append(candidate)
        if is_new:
            report.repeats += 1
            _note_dropped_abstract(plan.new[key][0], candidate, report)
        # A keyless entry found by its title in the library is a re-import, not news;
        # one found in this import is a repeat the user may not know of.
        if is_new or candidate.bibkey is not None or found.by != "title":
            merges.append((candidate, key, found.by, is_new))
    for candidate, key, by, is_new in merges:  # once every key is known: an alias may not be one
        report.merges.append(_merge_note(candidate, key, by, is_new, plan))
    return plan


def _merge_note(candidate: Candidate, key: str, by: str, is_new: bool, plan: _Plan) -> Problem:
    """Which record an entry was merged into, by what, and what became of its own key."""
    where = "another entry of this import" if is_new else "the library's record"
    cite = ""
    if candidate.bibkey is not None and candidate.bibkey != key:
        cite = (f" (its key {candidate.bibkey!r} is kept as an alias under extra.ids)" if plan.may_alias(candidate.bibkey, key)
                else f" (its key {candidate.bibkey!r} is another paper's key, so cite this one as {key!r})")
    label = candidate.bibkey if candidate.bibkey is not None else repr(candidate.title[:60])
    return Problem(candidate.file, f"{label}: merged into {where} {key!r} by the same {by}{cite}", line=candidate.line)


def _note_dropped_abstract(first: Candidate, twin: Candidate, report: ImportReport) -> None:
    """A second entry of one file for the same new paper (its title differing in
    case or Unicode form) loses its abstract to the first's: say so."""
    if twin is first or twin.file != first.file or not twin.abstract or twin.abstract == first.abstract:
        return
    report.notes.append(Problem(
        twin.file,
        f"{twin.title[:80]!r}: the same paper as line {first.line} ({first.title[:80]!r}); "
        "that entry's abstract is kept and this one's, which differs, is not",
        line=twin.line,
    ))


def _comparable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_comparable(v) for v in value]
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if isinstance(value, str):
        return " ".join(value.split()).casefold()
    return value


def _conflicts(kept: dict[str, Any], candidate: Candidate, key: str, report: ImportReport) -> None:
    """Note each value `candidate` gives that differs from the one the record keeps."""
    for name, value in candidate.curated().items():
        current = kept.get(name)
        if name in ("extra", "keep_case") or current in (None, "", (), []):
            continue
        if _comparable(current) != _comparable(value):
            shown = value if not isinstance(value, list) else "; ".join(str(v) for v in value)
            report.conflicts.append(Problem(candidate.file, f"{_label(candidate)}: {name} {str(shown)[:80]!r} differs from the {name} of {key!r}; kept the record's", line=candidate.line))


def _label(candidate: Candidate) -> str:
    return candidate.bibkey if candidate.bibkey is not None else repr(candidate.title[:60])


def _render_new(key: str, seen: list[Candidate], today: str, report: ImportReport, plan: _Plan) -> str:
    """A new record: text of its first candidate, every source, fields filled in order."""
    sources: list[SourceRef] = []
    for candidate in seen:
        if all(candidate.source.file != s.file for s in sources):
            sources.append(candidate.source)
    first = seen[0]
    data = new_record(key, first.title, first.abstract, today, sources)
    for candidate in seen:
        if candidate is not first:
            _conflicts(dict(data), candidate, key, report)
        fill_missing(data, candidate.curated(), provenance=None)
        add_key_aliases(data, _alias(candidate, key, plan).get("ids", []))
    return dump_yaml(data)


def _alias(candidate: Candidate, key: str, plan: _Plan) -> dict[str, list[str]]:
    """The entry's own key as an alias for the record `key`, when it may be one."""
    return {"ids": [candidate.bibkey]} if candidate.bibkey and plan.may_alias(candidate.bibkey, key) else {}


def _render(content: Path, library: Library, plan: _Plan, today: str, report: ImportReport, progress: Progress) -> dict[Path, bytes | str]:
    """Every record file this import changes, and the keys added or merged."""
    files: dict[Path, bytes | str] = {}
    paths = {p.key: p.path for p in library.papers}
    papers = library.by_key()
    folder = papers_dir(content)
    stems = {p.stem.lower() for p in folder.iterdir()} if folder.is_dir() else set()
    planned = sorted([(key, True, seen) for key, seen in plan.new.items()] + [(key, False, seen) for key, seen in plan.existing.items()])
    for key, is_new, seen in progress(planned, "writing"):
        if is_new:
            files[new_record_path(content, key, stems)] = _render_new(key, seen, today, report, plan)
            report.added.append(key)
            continue
        path = paths[key]
        assert path is not None
        paper = papers[key]
        kept = {name: getattr(paper, name, None) for name in RECORD_FIELDS}
        kept["names"] = [n.as_dict() for n in paper.names]
        kept["more_authors"] = paper.more_authors or None  # as the record holds it: unset, or true
        for candidate in seen:
            _conflicts(kept, candidate, key, report)
        text = path.read_bytes().decode("utf-8")
        additions = [(c.source, {**c.curated(), **_alias(c, key, plan)}, c.provenance) for c in seen]
        changed = add_to_record(text, str(path), additions)
        if changed is None:
            continue
        files[path] = changed
        report.merged.append(key)
    report.unchanged = len(library.papers) - len(report.merged)
    return files


def _valid_date(today: str | None, report: ImportReport) -> str | None:
    if today is None:
        return Date.today().isoformat()
    try:
        return Date.fromisoformat(today).isoformat()
    except ValueError:
        report.problems.append(Problem("--date", f"expected a date such as 2024-03-12, found {today!r}"))
        return None


def _within_limits(candidates: list[Candidate], report: ImportReport) -> list[Candidate]:
    """The candidates within the sizes of generator.limits, whatever reader made them
    (CSL-JSON, RIS, pages of links...), each loss a problem with its line."""
    kept = []
    for candidate in candidates:
        fitted, problems = within_limits(candidate, "")
        report.problems.extend(problems)
        if fitted is not None:
            kept.append(fitted)
    return kept


def merge_readings(
    content: Path,
    readings: list[Reading],
    *,
    today: str | None = None,
    write: bool = True,
    progress: Progress | None = None,
) -> ImportReport:
    """Add what `readings` found to the library in `content`, all at once or not at all.

    Nothing is written when the library is invalid or a reading that is
    imported whole (a dump) had a problem; otherwise every good candidate is
    merged and every changed file written in one all-or-nothing step.
    """
    report = ImportReport()
    progress = progress or _no_progress
    today = _valid_date(today, report)
    if today is None:
        return report
    library = load_library(content)
    report.problems.extend(library.problems)
    for reading in readings:
        report.problems.extend(reading.problems)
        report.notes.extend(reading.notes)
        report.containers += reading.containers
    if library.problems or any(r.problems and r.all_or_nothing for r in readings):
        return report
    taken = {p.key.casefold() for p in library.papers}  # bibtex compares keys without case
    candidates = _within_limits([c for reading in readings for c in reading.candidates], report)
    plan = _match_all(library, candidates, taken, report, progress)
    files = _render(content, library, plan, today, report, progress)
    report.notes.extend(report.merges + report.conflicts)
    source_files, problems = plan_sources(content, [r.path for r in readings])
    report.problems.extend(problems)
    if problems:  # an input cannot be kept for provenance: write nothing
        report.nothing_written()
        return report
    if not files and not candidates:
        return report  # nothing imported: do not keep a copy of an unusable file
    files.update(source_files)
    if write:
        try:
            report.files_written = len(write_all_or_nothing(files))
        except OSError as err:
            where = getattr(err, "filename", None) or str(content)
            report.problems.append(Problem(str(where), f"could not write the library ({err.strerror or err}); nothing was changed"))
            report.nothing_written()
    return report


def import_dumps(content: Path, dumps: list[Path], *, today: str | None = None, write: bool = True, progress: Progress | None = None) -> ImportReport:
    """Parse `dumps` and add their papers to the library in `content`."""
    return merge_readings(content, [read_dump(path) for path in dumps], today=today, write=write, progress=progress)


# Reference-manager exports, by file suffix; any other file is read as a dump.
REFERENCE_READERS: dict[str, Callable[[Path], Reading]] = {".bib": read_bib, ".json": read_csl_json, ".ris": read_ris}


def read_references(path: Path) -> Reading:
    """A .bib, CSL-JSON (.json) or RIS (.ris) file, by its suffix."""
    return REFERENCE_READERS[path.suffix.lower()](path)


def import_bibtex(content: Path, paths: list[Path], *, today: str | None = None, write: bool = True, progress: Progress | None = None) -> ImportReport:
    """Read the reference files `paths` (.bib, .json, .ris) and add their good entries to the library."""
    return merge_readings(content, read_reference_files(paths), today=today, write=write, progress=progress)


def read_reference_files(paths: list[Path]) -> list[Reading]:
    """One Reading per path, in order; the .bib files among them are read together,
    sharing their @string macros and crossref parents as bibtex does."""
    bibs = iter(read_bib_set([path for path in paths if path.suffix.lower() == ".bib"]))
    return [next(bibs) if path.suffix.lower() == ".bib" else read_references(path) for path in paths]
