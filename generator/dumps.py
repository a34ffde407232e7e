"""Parse stage: pasted paper-search dumps -> DumpRecords + Problems.

A dump is a saved Hugging Face "papers" search page: a header block
(`new`, `Get trending papers...`, `Subscribe`, `byAK and the research
community`, a date such as `Mar 12`), then records, each a title line followed
by an abstract line. Two layouts occur: blank lines between everything, or no
blank lines at all with the first title glued to `Subscribe`. Blank lines are
therefore never significant; records are paired line by line.

Nothing here raises on bad input: problems are collected with file and line so
that `import` and `check` can report all of them at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .model import DumpRecord, Problem, SourceRef
from .textnorm import clean_line, normalise_text

MAX_TITLE_CHARS = 600
MAX_ABSTRACT_CHARS = 20_000
MAX_DUMP_BYTES = 50_000_000

_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
_DATE_RE = re.compile(
    rf"^(?:(?:{_MONTHS})[a-z]*\.? \d{{1,2}}(?:, ?\d{{4}})?|\d{{1,2}} (?:{_MONTHS})[a-z]*(?: \d{{4}})?|\d{{4}}-\d{{2}}-\d{{2}})$",
    re.IGNORECASE,
)
_HEADER_RES = [
    re.compile(r"^new$", re.IGNORECASE),
    re.compile(r"^get trending papers in your email inbox.*$", re.IGNORECASE),
    re.compile(r"^subscribe$", re.IGNORECASE),
    re.compile(r"^by\s*AK and the research community$", re.IGNORECASE),
    re.compile(r"^daily papers$", re.IGNORECASE),
]
_GLUED_SUBSCRIBE_RE = re.compile(r"^Subscribe(?=\S)")
_SENTENCE_END_RE = re.compile(r"[.!?)\]]\s*$")


@dataclass(frozen=True)
class ParsedDump:
    """What one dump gave: its records, its date line and its problems."""

    path: Path
    records: tuple[DumpRecord, ...]
    date: str | None
    problems: tuple[Problem, ...]


def read_dump_text(path: Path) -> tuple[str | None, list[Problem]]:
    """Read a dump as text, rejecting what is not a UTF-8 text file."""
    name = str(path)
    if not path.exists():
        return None, [Problem(name, "no such file")]
    if not path.is_file():
        return None, [Problem(name, "not a file (is it a directory?)")]
    size = path.stat().st_size
    if size > MAX_DUMP_BYTES:
        return None, [Problem(name, f"file is {size:,} bytes; a dump is at most {MAX_DUMP_BYTES:,}")]
    data = path.read_bytes()
    if not data.strip():
        return None, [Problem(name, "empty file: expected a pasted paper-search page")]
    if b"\x00" in data[:65536]:
        return None, [Problem(name, "binary file (contains NUL bytes): expected UTF-8 text")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        return None, [Problem(name, f"not UTF-8 text: byte 0x{data[err.start]:02x} cannot be decoded", line=line)]
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > 16:
        return None, [Problem(name, f"binary file ({controls} control characters): expected text")]
    return text, []


def _looks_like_abstract(line: str) -> bool:
    return len(line) >= 250 or (len(line) >= 80 and bool(_SENTENCE_END_RE.search(line)))


def _looks_like_title(line: str) -> bool:
    return len(line) <= 250 and not _SENTENCE_END_RE.search(line.rstrip("?"))


def _strip_header(lines: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], str | None]:
    """Drop the page header before the first record; return the date line if any."""
    date = None
    index = 0
    while index < len(lines):
        number, text = lines[index]
        if any(rx.match(text) for rx in _HEADER_RES):
            index += 1
            continue
        if _DATE_RE.match(text):
            date = date or text
            index += 1
            continue
        glued = _GLUED_SUBSCRIBE_RE.match(text)
        if glued:
            lines = [(number, text[glued.end():])] + lines[index + 1 :]
            return lines, date
        break
    return lines[index:], date


def parse_dump_text(text: str, path: Path) -> ParsedDump:
    """Pair title and abstract lines; collect a Problem for every oddity."""
    name = str(path)
    problems: list[Problem] = []
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        cleaned = clean_line(raw)
        if cleaned:
            lines.append((number, cleaned))
    lines, date = _strip_header(lines)
    source = SourceRef(file=path.name, date=date)
    records: list[DumpRecord] = []
    i = 0
    while i < len(lines):
        number, title = lines[i]
        if len(title) > MAX_TITLE_CHARS:
            if i + 1 < len(lines) and _looks_like_title(lines[i + 1][1]):
                problems.append(Problem(name, f"expected a title, found a paragraph of {len(title):,} characters (an abstract with no title?)", line=number))
            else:
                problems.append(Problem(name, f"title line is {len(title):,} characters; at most {MAX_TITLE_CHARS} expected", line=number))
            i += 1
            continue
        if i + 1 >= len(lines):
            problems.append(Problem(name, f"title {title[:80]!r} has no abstract (end of file)", line=number))
            break
        next_number, abstract = lines[i + 1]
        orphan = (
            _looks_like_title(abstract)
            and not _looks_like_abstract(abstract)
            and i + 2 < len(lines)
            and _looks_like_abstract(lines[i + 2][1])
        )
        if orphan:
            problems.append(Problem(name, f"title {title[:80]!r} has no abstract (next line is another title)", line=number))
            i += 1
            continue
        if len(abstract) > MAX_ABSTRACT_CHARS:
            problems.append(Problem(name, f"abstract line is {len(abstract):,} characters; at most {MAX_ABSTRACT_CHARS:,} expected", line=next_number))
            i += 2
            continue
        records.append(DumpRecord(normalise_text(title), normalise_text(abstract), source, number))
        i += 2
    if not records and not problems:
        problems.append(Problem(name, "no paper records found after the page header"))
    return ParsedDump(path, tuple(records), date, tuple(problems))


def parse_dump(path: Path) -> ParsedDump:
    """Read and parse one dump file."""
    text, problems = read_dump_text(path)
    if text is None:
        return ParsedDump(path, (), None, tuple(problems))
    return parse_dump_text(text, path)
