"""The library: one YAML record per paper under `content/papers/`.

Loading and validation only: a record file is changed by
`generator.library.edit` alone, and YAML is read and written by
`generator.library.yamlio`.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from datetime import date as Date
from pathlib import Path
from typing import Any

from generator.library.bibliographic import check_bibliographic
from generator.library.keys import BIBKEY_RE, KEY_RE, RESERVED_KEYS, file_stem, free_stem, stem_fits_key
from generator.library.review_fields import review_fields
from generator.library.yamlio import _fast_load, load_yaml
from generator.limits import paper_problems, record_text_problems
from generator.model import RECORD_FIELDS, STATUSES, Paper, Problem, SourceRef

PAPERS_DIR = "papers"
RECORD_SUFFIX = ".yml"


def line_of(mapping: Any, key: str) -> int | None:
    """1-based line of `key` in a ruamel mapping, when known."""
    try:
        return mapping.lc.key(key)[0] + 1
    except Exception:
        return None


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass(frozen=True)
class Library:
    """Every paper record of a content folder, in key order."""

    papers: tuple[Paper, ...]
    problems: tuple[Problem, ...]

    def by_key(self) -> dict[str, Paper]:
        return {p.key: p for p in self.papers}


def papers_dir(content: Path) -> Path:
    return content / PAPERS_DIR


def record_path(content: Path, key: str) -> Path:
    """Where a record of `key` is first written; a numbered name when another record has it.

    The record's `key:` field, not its file name, is the key: read
    `Paper.path` for an existing record (see `keys.file_stem`).
    """
    return papers_dir(content) / f"{file_stem(key)}{RECORD_SUFFIX}"


def new_record_path(content: Path, key: str, taken_stems: set[str]) -> Path:
    """A file for a new record of `key` whose name, case ignored, no other record has.

    `taken_stems` (lower case) gains the name chosen.
    """
    stem = free_stem(key, lambda s: s in taken_stems)
    taken_stems.add(stem.lower())
    return papers_dir(content) / f"{stem}{RECORD_SUFFIX}"


def _str_list(value: Any, name: str) -> tuple[tuple[str, ...], str | None]:
    """The strings of a list field, and what is wrong with it (or None)."""
    if value is None:
        return (), None
    if isinstance(value, str):
        # `tags: a, b` or `authors: X and Y` is one string, not a list: say so.
        return (value.strip(),) if value.strip() else (), f"'{name}' must be a list ('- ' items) of text, found the text {value!r}"
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        return (), f"'{name}' must be a list of non-empty strings"
    return tuple(v.strip() for v in value), None


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, Date):
        return f"the date {value.isoformat()}"
    return type(value).__name__


def _item_line(seq: Any, index: int) -> int | None:
    try:
        return seq.lc.item(index)[0] + 1
    except Exception:
        return None


# Fields whose text must survive exactly: unquoted, `2403.10500` is the
# number 2403.105 and `10.1000/182` happens to stay text, so they must be
# written as YAML strings.
_EXACT_TEXT_FIELDS = ("url", "code", "arxiv", "doi", "primary_class")
_FREE_TEXT_FIELDS = ("venue", "notes")


def _check_identity(data: dict, path: Path, bad: Any) -> tuple[str, Any]:
    """The required fields (key, title, abstract, added): the key and the added date."""
    for required in ("key", "title"):
        value = data.get(required)
        if value is None or (isinstance(value, str) and not value.strip()):
            bad(required, f"missing or empty required field '{required}'")
        elif not isinstance(value, str):
            bad(required, f"'{required}' must be text, found {_type_name(value)}")
    # The abstract is optional: a paper without one is a record like any other.
    if data.get("abstract") is not None and not isinstance(data.get("abstract"), str):
        bad("abstract", f"'abstract' must be text, found {_type_name(data.get('abstract'))}")
    added = data.get("added")
    if added is None or (isinstance(added, str) and not added.strip()):
        bad("added", "missing or empty required field 'added'")
    elif isinstance(added, str):
        try:
            added = Date.fromisoformat(added.strip())
        except ValueError:
            bad("added", f"'added' must be a date such as 2024-03-12, found {added!r}")
    elif not isinstance(added, Date):
        bad("added", f"'added' must be a date such as 2024-03-12, found {_type_name(added)}")
    key = data.get("key") if isinstance(data.get("key"), str) else ""
    if key and not (KEY_RE.match(key) or BIBKEY_RE.match(key)):
        bad("key", f"key {key!r} must be ASCII letters, digits and _ : . + / * ? - (starting with a letter or digit)")
    elif key.lower() in RESERVED_KEYS:
        bad("key", f"key {key!r} is reserved for a page of the site; choose another key and file name")
    elif key and not stem_fits_key(path.stem, key):
        wanted = file_stem(key)
        bad("key", f"key {key!r} does not match the file name {path.name!r} (expected {wanted}{RECORD_SUFFIX}); keys never change, rename neither")
    return key, added


def _check_sources(data: dict, name: str, bad: Any, problems: list[Problem]) -> list[SourceRef]:
    """The record's `sources`, each a {file, date} mapping."""
    sources = []
    raw_sources = data.get("sources") or []
    if not isinstance(raw_sources, list):
        bad("sources", f"'sources' must be a list of {{file, date}}, found {_type_name(raw_sources)}")
        raw_sources = []

    def bad_source(index: int, message: str) -> None:
        line = _item_line(raw_sources, index) or line_of(data, "sources")
        problems.append(Problem(name, message, line, "sources"))

    for index, item in enumerate(raw_sources):
        if not (isinstance(item, dict) and isinstance(item.get("file"), str) and item["file"].strip()):
            bad_source(index, f"sources[{index}] must be a mapping with a 'file' string")
            continue
        date = item.get("date")
        if date is not None and not isinstance(date, (str, Date)):
            bad_source(index, f"sources[{index}].date must be text such as 'Mar 12', found {_type_name(date)}")
            date = None
        sources.append(SourceRef(item["file"], None if date is None else str(date)))
    return sources


def _check_curated(data: dict, bad: Any) -> dict[str, Any]:
    """The curated fields (lists, year, status, text fields) as Paper arguments."""
    values: dict[str, Any] = {}
    for field in ("authors", "tags", "themes", "not_themes"):
        values[field], wrong = _str_list(data.get(field), field)
        if wrong:
            bad(field, wrong)
    year = data.get("year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not 1000 <= year <= 9999):
        bad("year", f"'year' must be a four-digit number, found {year!r}")
        year = None
    values["year"] = year
    status = data.get("status")
    if status is not None and (not isinstance(status, str) or status not in STATUSES):
        bad("status", f"'status' must be one of {', '.join(STATUSES)}; found {status!r}{did_you_mean(str(status), STATUSES)}")
        status = None
    values["status"] = status
    for field in _EXACT_TEXT_FIELDS + _FREE_TEXT_FIELDS:
        value = data.get(field)
        if value is None or isinstance(value, str):
            values[field] = value
        elif field in _FREE_TEXT_FIELDS and isinstance(value, int) and not isinstance(value, bool):
            values[field] = str(value)
        else:
            hint = "; put it in quotes so it stays text" if isinstance(value, (int, float)) else ""
            bad(field, f"'{field}' must be text, found {_type_name(value)}{hint}")
            values[field] = None
    stub = data.get("stub")
    if stub is not None and not isinstance(stub, bool):
        bad("stub", f"'stub' must be true or false, found {stub!r}")
    values["stub"] = stub is True
    provenance = data.get("provenance")
    if provenance is not None and not isinstance(provenance, dict):
        bad("provenance", "'provenance' must be a mapping of field: where the value came from")
    return values


def record_to_paper(data: Any, path: Path) -> tuple[Paper | None, list[Problem]]:
    """Validate one record's fields; return the Paper and every problem found."""
    name = str(path)
    if not isinstance(data, dict):
        found = "nothing (an empty file)" if data is None else _type_name(data)
        return None, [Problem(name, f"a paper record must be a mapping of fields, found {found}")]
    problems: list[Problem] = []

    # Lines are only looked up for a problem: most records have none.
    def bad(field: str, message: str) -> None:
        problems.append(Problem(name, message, line_of(data, field), field))

    for field in data:
        if field not in RECORD_FIELDS:
            bad(str(field), f"unknown field {str(field)!r}{did_you_mean(str(field), RECORD_FIELDS)}")
    key, added = _check_identity(data, path, bad)
    sources = _check_sources(data, name, bad, problems)
    curated = _check_curated(data, bad)
    curated.update(check_bibliographic(data, bad))
    review = review_fields(data, name, problems)  # references, facts, cited_by_count
    if any(p.key in ("key", "title", "abstract", "added") for p in problems):
        return None, problems
    paper = Paper(
        key=key,
        title=str(data["title"]).strip(),
        abstract=str(data.get("abstract") or "").strip(),
        added=added.isoformat(),
        sources=tuple(sources),
        path=path,
        **curated,
        **review,
    )
    return paper, problems


def load_library(content: Path, memo: Any = None) -> Library:
    """Read and validate every record under content/papers/.

    `memo` (generator/cache.py RecordMemo) hands back the Paper of a record
    whose bytes are unchanged since an earlier build, skipping its YAML parse.
    """
    from generator.library.lock import recover_if_idle

    recover_if_idle(content)  # finish or undo what a killed run left first
    folder = papers_dir(content)
    papers: list[Paper] = []
    problems: list[Problem] = []
    if not folder.is_dir():
        return Library((), ())
    # Directory entries and plain strings, not Paths: at 10,000 records pathlib's
    # own work was a third of reading them again after an edit.
    with os.scandir(folder) as found_entries:
        entries = sorted(found_entries, key=lambda e: e.name)  # the order of the Paths (POSIX), far cheaper
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if os.path.splitext(entry.name)[1] not in (".yml", ".yaml") or not entry.is_file():
            problems.append(Problem(entry.path, "not a paper record: records are <key>.yml files"))
            continue
        try:
            with open(entry.path, "rb") as handle:
                text = handle.read().decode("utf-8")
        except UnicodeDecodeError as err:
            line = err.object[: err.start].count(b"\n") + 1
            problems.append(Problem(entry.path, f"not UTF-8 text: byte 0x{err.object[err.start]:02x} cannot be decoded", line=line))
            continue
        except OSError as err:
            problems.append(Problem(entry.path, f"cannot read the record: {err.strerror or err}"))
            continue
        kept = memo.paper(entry.path, text) if memo is not None else None
        if kept is not None:  # a valid record, unchanged since it was last read
            papers.append(kept)
            continue
        path = Path(entry.path)
        found = record_text_problems(text, str(path))  # aliases, surrogates, size
        if found:
            problems.extend(found)
            continue
        try:  # the fast path, for the usual valid record
            paper, found = record_to_paper(_fast_load(text), path)
        except Exception:
            paper, found = None, []
        if paper is not None and not found:
            found = paper_problems(paper, text, str(path))  # sizes stated in generator.limits
            problems.extend(found)
            if not found:
                papers.append(paper)
                if memo is not None:
                    memo.keep(path, text, paper)
            continue
        # Something is wrong: read it again keeping lines, to say where.
        data, found = load_yaml(text, str(path))
        problems.extend(found)
        if found:
            continue
        paper, found = record_to_paper(data, path)
        problems.extend(found)
        if paper is not None:
            found = paper_problems(paper, text, str(path))
            problems.extend(found)
            if not found:
                papers.append(paper)
    seen: dict[str, Paper] = {}  # by case-folded key: bibtex reads `Same` and `same` as one entry
    for paper in papers:
        other = seen.get(paper.key.casefold())
        if other is not None and other.key == paper.key:
            problems.append(Problem(str(paper.path), f"key {paper.key!r} is also used by {other.path}; keep one record per paper", key=paper.key))
        elif other is not None:
            problems.append(Problem(str(paper.path), f"key {paper.key!r} differs only in case from {other.key!r} ({other.path}); bibtex reads them as one entry, so change one", key=paper.key))
        seen.setdefault(paper.key.casefold(), paper)
    papers.sort(key=lambda p: p.key)
    return Library(tuple(papers), tuple(problems))
