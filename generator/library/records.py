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

from generator.library.keys import KEY_RE, RESERVED_KEYS
from generator.library.review_fields import review_fields
from generator.model import RECORD_FIELDS, STATUSES, Paper, Problem, SourceRef

PAPERS_DIR = "papers"
RECORD_SUFFIX = ".yml"


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
        paths, hence the pin. tests/test_library.py holds the two equal.
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
    except (ValueError, TypeError, OverflowError) as err:
        # A scalar that parses but cannot be built, such as the date 2024-13-45.
        return None, [Problem(filename, f"invalid YAML value: {err}", line=_bad_scalar_line(text))]


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


def _str_list(value: Any, name: str) -> tuple[tuple[str, ...], str | None]:
    """The strings of a list field, and what is wrong with it (or None)."""
    if value is None:
        return (), None
    if isinstance(value, str):
        value = [value]
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
_EXACT_TEXT_FIELDS = ("url", "arxiv", "doi", "primary_class")
_FREE_TEXT_FIELDS = ("venue", "notes")


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
    for required in ("key", "title", "abstract"):
        value = data.get(required)
        if value is None or (isinstance(value, str) and not value.strip()):
            bad(required, f"missing or empty required field '{required}'")
        elif not isinstance(value, str):
            bad(required, f"'{required}' must be text, found {_type_name(value)}")
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
    if key and not KEY_RE.match(key):
        bad("key", f"key {key!r} must be lower-case ASCII letters, digits and single hyphens")
    elif key in RESERVED_KEYS:
        bad("key", f"key {key!r} is reserved for a page of the site; choose another key and file name")
    if key and path.stem != key:
        bad("key", f"key {key!r} does not match the file name {path.name!r}; keys never change, rename neither")
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
    lists = {}
    for field in ("authors", "tags", "themes", "not_themes"):
        lists[field], wrong = _str_list(data.get(field), field)
        if wrong:
            bad(field, wrong)
    year = data.get("year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not 1000 <= year <= 9999):
        bad("year", f"'year' must be a four-digit number, found {year!r}")
        year = None
    status = data.get("status")
    if status is not None and (not isinstance(status, str) or status not in STATUSES):
        bad("status", f"'status' must be one of {', '.join(STATUSES)}; found {status!r}{did_you_mean(str(status), STATUSES)}")
        status = None
    strings = {}
    for field in _EXACT_TEXT_FIELDS + _FREE_TEXT_FIELDS:
        value = data.get(field)
        if value is None:
            strings[field] = None
        elif isinstance(value, str):
            strings[field] = value
        elif field in _FREE_TEXT_FIELDS and isinstance(value, int) and not isinstance(value, bool):
            strings[field] = str(value)
        else:
            hint = "; put it in quotes so it stays text" if isinstance(value, (int, float)) else ""
            bad(field, f"'{field}' must be text, found {_type_name(value)}{hint}")
            strings[field] = None
    provenance = data.get("provenance")
    if provenance is not None and not isinstance(provenance, dict):
        bad("provenance", "'provenance' must be a mapping of field: where the value came from")
    review = review_fields(data, name, problems)  # references, facts, cited_by_count
    if any(p.key in ("key", "title", "abstract", "added") for p in problems):
        return None, problems
    paper = Paper(
        key=key,
        title=str(data["title"]).strip(),
        abstract=str(data["abstract"]).strip(),
        added=added.isoformat(),
        sources=tuple(sources),
        authors=lists["authors"],
        year=year,
        tags=lists["tags"],
        themes=lists["themes"],
        not_themes=lists["not_themes"],
        status=status,
        path=path,
        **strings,
        **review,
    )
    return paper, problems


def load_library(content: Path) -> Library:
    """Read and validate every record under content/papers/."""
    folder = papers_dir(content)
    papers: list[Paper] = []
    problems: list[Problem] = []
    if not folder.is_dir():
        return Library((), ())
    for path in sorted(folder.iterdir(), key=lambda p: p.name):  # the order of the Paths (POSIX), far cheaper
        if path.name.startswith("."):
            continue
        if path.suffix not in (".yml", ".yaml") or not path.is_file():
            problems.append(Problem(str(path), "not a paper record: records are <key>.yml files"))
            continue
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as err:
            line = err.object[: err.start].count(b"\n") + 1
            problems.append(Problem(str(path), f"not UTF-8 text: byte 0x{err.object[err.start]:02x} cannot be decoded", line=line))
            continue
        except OSError as err:
            problems.append(Problem(str(path), f"cannot read the record: {err.strerror or err}"))
            continue
        try:  # the fast path, for the usual valid record
            paper, found = record_to_paper(_fast_load(text), path)
        except Exception:
            paper, found = None, []
        if paper is not None and not found:
            papers.append(paper)
            continue
        # Something is wrong: read it again keeping lines, to say where.
        data, found = load_yaml(text, str(path))
        problems.extend(found)
        if found:
            continue
        paper, found = record_to_paper(data, path)
        problems.extend(found)
        if paper is not None:
            papers.append(paper)
    seen: dict[str, Paper] = {}
    for paper in papers:
        if paper.key in seen:
            problems.append(Problem(str(paper.path), f"key {paper.key!r} is also used by {seen[paper.key].path}; keep one record per paper", key=paper.key))
        seen.setdefault(paper.key, paper)
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


def _plain(value: Any) -> Any:
    """A ruamel structure as plain dicts, lists and scalars, for comparison."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Date):
        return value.isoformat()
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    return str(value)


def _render_source_items(sources: list[SourceRef], dash_col: int, content_col: int, newline: str) -> str:
    out = []
    for source in sources:
        body = dump_yaml(source_map(source)).splitlines()
        out.append(" " * dash_col + "-" + " " * max(1, content_col - dash_col - 1) + body[0] + newline)
        out.extend(" " * content_col + line + newline for line in body[1:])
    return "".join(out)


def _insert_sources_text(text: str, data: Any, sources: list[SourceRef]) -> str | None:
    """`text` with `sources` added as lines at the end of its `sources` list.

    Every other byte of the record stays where it was: the curator's
    comments, quoting, indentation and line endings. None when the record's
    shape does not allow a plain insertion (a flow-style or empty list).
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    if "sources" not in data:
        head = text if not text or text.endswith("\n") else text + newline
        return head + "sources:" + newline + _render_source_items(sources, 2, 4, newline)
    seq = data["sources"]
    if not isinstance(seq, CommentedSeq) or not seq or seq.fa.flow_style():
        return None
    try:
        dash_line, dash_col = data.lc.value("sources")
        content_col = seq.lc.item(0)[1]
        last = dash_line
        for index, item in enumerate(seq):
            last = max(last, seq.lc.item(index)[0])
            if isinstance(item, CommentedMap):
                for field in item:
                    last = max(last, item.lc.key(field)[0], item.lc.value(field)[0])
            elif isinstance(item, (dict, list)):
                return None
    except Exception:
        return None
    lines = text.splitlines(keepends=True)
    if last >= len(lines):
        return None
    if not lines[last].endswith(("\n", "\r")):
        lines[last] += newline
    lines.insert(last + 1, _render_source_items(sources, dash_col, content_col, newline))
    return "".join(lines)


def append_sources(text: str, sources: list[SourceRef], filename: str = "<record>") -> str:
    """A record's text with `sources` appended to its `sources` list.

    Nothing else changes: the new items are inserted as text and the result is
    checked by parsing it again; only when that is impossible (an unusual
    layout) is the record re-dumped through ruamel's round-trip writer, which
    still keeps every field and comment.
    """
    data, problems = load_yaml(text, filename)
    if problems or not isinstance(data, CommentedMap):
        raise ValueError(f"{filename}: not a paper record: {'; '.join(str(p) for p in problems)}")
    expected = _plain(data)
    expected["sources"] = list(expected.get("sources") or []) + [_plain(source_map(s)) for s in sources]
    inserted = _insert_sources_text(text, data, sources)
    if inserted is not None:
        check, problems = load_yaml(inserted, filename)
        if not problems and _plain(check) == expected:
            return inserted
    if not isinstance(data.get("sources"), list):
        data["sources"] = CommentedSeq()
    for source in sources:
        data["sources"].append(source_map(source))
    return dump_yaml(data)
