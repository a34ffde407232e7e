"""The library: one YAML record per paper under `content/papers/`.

Records are read and written with ruamel.yaml in round-trip mode so that a
curator's comments, field order and formatting survive every import and
enrichment. A record is only rewritten when its data changes, and then only
by adding to it: parsed fields already present are never replaced.
"""

from __future__ import annotations

import difflib
import io
from dataclasses import dataclass
from datetime import date as Date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .keys import KEY_RE
from .model import RECORD_FIELDS, STATUSES, Paper, Problem, SourceRef

PAPERS_DIR = "papers"
RECORD_SUFFIX = ".yml"


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 1_000_000  # one line per field: clean diffs, no trailing spaces
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = False
    return yaml


def dump_yaml(data: Any) -> str:
    stream = io.StringIO()
    _yaml().dump(data, stream)
    return stream.getvalue()


def load_yaml(text: str, filename: str) -> tuple[Any, list[Problem]]:
    """Parse YAML text; a syntax error becomes a Problem with its line."""
    try:
        return _yaml().load(text), []
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        message = (err.problem or err.context or "invalid YAML").strip()
        return None, [Problem(filename, f"invalid YAML: {message}", line=line)]
    except YAMLError as err:
        return None, [Problem(filename, f"invalid YAML: {err}")]


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
    return papers_dir(content) / f"{key}{RECORD_SUFFIX}"


def _str_list(value: Any, name: str, where: Problem) -> tuple[tuple[str, ...], list[Problem]]:
    if value is None:
        return (), []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        return (), [Problem(where.file, f"'{name}' must be a list of non-empty strings", where.line, name)]
    return tuple(v.strip() for v in value), []


def record_to_paper(data: Any, path: Path) -> tuple[Paper | None, list[Problem]]:
    """Validate one record's fields; return the Paper and every problem found."""
    name = str(path)
    if not isinstance(data, dict):
        return None, [Problem(name, f"a paper record must be a mapping of fields, found {type(data).__name__}")]
    problems: list[Problem] = []

    def here(field: str) -> Problem:
        return Problem(name, "", line_of(data, field), field)

    def bad(field: str, message: str) -> None:
        problems.append(Problem(name, message, line_of(data, field), field))

    for field in data:
        if field not in RECORD_FIELDS:
            bad(str(field), f"unknown field {field!r}{did_you_mean(str(field), RECORD_FIELDS)}")
    for required in ("key", "title", "abstract", "added"):
        value = data.get(required)
        if not isinstance(value, (str, Date)) or not str(value).strip():
            problems.append(Problem(name, f"missing or empty required field '{required}'", line_of(data, required), required))
    key = str(data.get("key") or "")
    if key and not KEY_RE.match(key):
        bad("key", f"key {key!r} must be lower-case ASCII letters, digits and single hyphens")
    if key and path.stem != key:
        bad("key", f"key {key!r} does not match the file name {path.name!r}; keys never change, rename neither")
    sources = []
    raw_sources = data.get("sources") or []
    if not isinstance(raw_sources, list):
        bad("sources", "'sources' must be a list of {file, date}")
        raw_sources = []
    for index, item in enumerate(raw_sources):
        if isinstance(item, dict) and isinstance(item.get("file"), str):
            date = item.get("date")
            sources.append(SourceRef(item["file"], None if date is None else str(date)))
        else:
            bad("sources", f"sources[{index}] must be a mapping with a 'file' string")
    lists = {}
    for field in ("authors", "tags", "themes", "not_themes"):
        lists[field], found = _str_list(data.get(field), field, here(field))
        problems.extend(found)
    year = data.get("year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not 1000 <= year <= 9999):
        bad("year", f"'year' must be a four-digit number, found {year!r}")
        year = None
    status = data.get("status")
    if status is not None and status not in STATUSES:
        bad("status", f"'status' must be one of {', '.join(STATUSES)}; found {status!r}{did_you_mean(str(status), STATUSES)}")
        status = None
    strings = {}
    for field in ("url", "arxiv", "doi", "venue", "notes", "primary_class"):
        value = data.get(field)
        if value is not None and not isinstance(value, (str, int, float)):
            bad(field, f"'{field}' must be text")
            value = None
        strings[field] = None if value is None else str(value)
    provenance = data.get("provenance")
    if provenance is not None and not isinstance(provenance, dict):
        bad("provenance", "'provenance' must be a mapping of field: where the value came from")
    if any(p.key in ("key", "title", "abstract", "added") for p in problems):
        return None, problems
    added = data["added"]
    paper = Paper(
        key=key,
        title=str(data["title"]).strip(),
        abstract=str(data["abstract"]).strip(),
        added=added.isoformat() if isinstance(added, Date) else str(added),
        sources=tuple(sources),
        authors=lists["authors"],
        year=year,
        tags=lists["tags"],
        themes=lists["themes"],
        not_themes=lists["not_themes"],
        status=status,
        path=path,
        **strings,
    )
    return paper, problems


def load_library(content: Path) -> Library:
    """Read and validate every record under content/papers/."""
    folder = papers_dir(content)
    papers: list[Paper] = []
    problems: list[Problem] = []
    if not folder.is_dir():
        return Library((), ())
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.suffix not in (".yml", ".yaml"):
            problems.append(Problem(str(path), "not a paper record: records are <key>.yml files"))
            continue
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(str(path), "not UTF-8 text"))
            continue
        data, found = load_yaml(text, str(path))
        problems.extend(found)
        if found:
            continue
        paper, found = record_to_paper(data, path)
        problems.extend(found)
        if paper is not None:
            papers.append(paper)
    papers.sort(key=lambda p: p.key)
    return Library(tuple(papers), tuple(problems))


def new_record(key: str, title: str, abstract: str, added: str, sources: list[SourceRef]) -> CommentedMap:
    """A fresh record with parsed fields only; curated fields are added by hand."""
    record = CommentedMap()
    record["key"] = key
    record["title"] = title
    record["abstract"] = abstract
    record["added"] = Date.fromisoformat(added)  # written as a plain YAML date
    seq = CommentedSeq()
    for source in sources:
        seq.append(source_map(source))
    record["sources"] = seq
    return record


def source_map(source: SourceRef) -> CommentedMap:
    item = CommentedMap()
    item["file"] = source.file
    if source.date:
        item["date"] = source.date
    return item
