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

from generator.identifiers import parse_ref
from generator.limits import MAX_ABSTRACT_CHARS, MAX_DUMP_BYTES, MAX_TITLE_CHARS
from generator.model import DumpRecord, Problem, SourceRef
from generator.reading.candidate import Candidate, Reading
from generator.textnorm import clean_line, normalise_text

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


_NEWLINE_RE = re.compile(r"\r\n|\r|\n")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def read_dump_text(path: Path) -> tuple[str | None, list[Problem]]:
    """Read a dump as text, rejecting what is not a UTF-8 text file."""
    name = str(path)
    if path.is_dir():
        return None, [Problem(name, "is a directory, not a dump file; pass the dump files inside it (for example DIR/*.txt)")]
    if not path.exists():
        return None, [Problem(name, "no such file")]
    if not path.is_file():
        return None, [Problem(name, "not a regular file: expected a pasted paper-search page saved as a .txt file")]
    try:
        size = path.stat().st_size
        if size > MAX_DUMP_BYTES:
            return None, [Problem(name, f"file is {size:,} bytes; a dump is at most {MAX_DUMP_BYTES:,}")]
        data = path.read_bytes()
    except OSError as err:
        return None, [Problem(name, f"cannot read the file: {err.strerror or err}")]
    if data.startswith(_UTF16_BOMS):
        return None, [Problem(name, "UTF-16 text: save the dump as UTF-8 text")]
    if b"\x00" in data[:65536]:
        return None, [Problem(name, "binary file (contains NUL bytes): expected UTF-8 text")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        return None, [Problem(
            name,
            f"not UTF-8 text: byte 0x{data[err.start]:02x} at column {column} cannot be decoded "
            "(save the dump as UTF-8)",
            line=line,
        )]
    if not text.strip():
        return None, [Problem(name, "empty file: expected a pasted paper-search page")]
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > 16:
        return None, [Problem(name, f"binary file ({controls} control characters): expected text")]
    return text, []


def _looks_like_abstract(line: str) -> bool:
    return len(line) >= 250 or (len(line) >= 80 and bool(_SENTENCE_END_RE.search(line)))


def _looks_like_title(line: str) -> bool:
    return len(line) <= 250 and not _SENTENCE_END_RE.search(line.rstrip("?"))


def _looks_like_paragraph(line: str) -> bool:
    """Too long and too sentence-like to be a title: an abstract out of place."""
    return len(line) >= 250 and bool(_SENTENCE_END_RE.search(line))


def _lone_identifier(line: str) -> str | None:
    """The paper a line names when it is only an identifier (a pasted list of
    links or ids): never a title or an abstract."""
    ref = parse_ref(line) if len(line) <= 200 else None
    return ref.label if ref is not None else None


def _is_header(line: str) -> bool:
    return any(rx.match(line) for rx in _HEADER_RES)


def _short(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:77] + "...")


def split_lines(text: str) -> list[tuple[int, str]]:
    """Non-blank lines, cleaned, with their 1-based line numbers.

    Only CR, LF and CRLF end a line (as in an editor); other separators such
    as U+2028 inside a pasted abstract become spaces.
    """
    lines = []
    for number, raw in enumerate(_NEWLINE_RE.split(text), start=1):
        cleaned = clean_line(raw)
        if cleaned:
            lines.append((number, cleaned))
    return lines


def parse_dump_text(text: str, path: Path) -> ParsedDump:
    """Pair title and abstract lines; collect a Problem for every oddity.

    Page-header lines (`new`, `Subscribe`, a date ...) are skipped wherever a
    title is expected, so two pages pasted one after the other parse too; the
    first date line is the dump's date. `Subscribe` glued to the first title
    of a header block is cut off only when the block had no `Subscribe` line
    of its own (a paper may be called `SubscribeNet`).
    """
    name = str(path)
    problems: list[Problem] = []
    lines = split_lines(text)
    date: str | None = None
    records: list[tuple[str, str, int]] = []
    in_header = True  # the start of a file counts as a header block
    saw_subscribe = False
    i = 0
    while i < len(lines):
        number, title = lines[i]
        if _is_header(title) or (_DATE_RE.match(title) and len(title) <= 20):
            if _DATE_RE.match(title):
                date = date or title
            saw_subscribe = saw_subscribe or title.lower() == "subscribe"
            in_header = True
            i += 1
            continue
        if in_header and not saw_subscribe:
            glued = _GLUED_SUBSCRIBE_RE.match(title)
            if glued:
                title = title[glued.end():]
        in_header = saw_subscribe = False
        identifier = _lone_identifier(title)
        if identifier:
            problems.append(Problem(name, f"expected a title, found only a paper identifier ({identifier}): "
                                    "a list of links or ids is not a pasted dump", line=number))
            i += 1
            continue
        has_next = i + 1 < len(lines)
        if len(title) > MAX_TITLE_CHARS or _looks_like_paragraph(title):
            if not has_next or _looks_like_title(lines[i + 1][1]):
                problems.append(Problem(name, f"expected a title, found a paragraph of {len(title):,} characters (an abstract with no title, or an abstract split over two lines?)", line=number))
                i += 1
            else:
                problems.append(Problem(name, f"title line is {len(title):,} characters; at most {MAX_TITLE_CHARS} expected", line=number))
                i += 2  # skip its abstract too, so one bad line gives one problem
            continue
        if not has_next:
            problems.append(Problem(name, f"title {_short(title)} has no abstract (end of file)", line=number))
            break
        next_number, abstract = lines[i + 1]
        orphan = (
            _looks_like_title(abstract)
            and not _looks_like_abstract(abstract)
            and i + 2 < len(lines)
            and _looks_like_abstract(lines[i + 2][1])
        )
        if orphan or _is_header(abstract):
            problems.append(Problem(name, f"title {_short(title)} has no abstract (next line is another title)", line=number))
            i += 1
            continue
        if _lone_identifier(abstract):
            problems.append(Problem(name, f"title {_short(title)} has no abstract (next line is a paper identifier)", line=number))
            i += 1
            continue
        if len(abstract) > MAX_ABSTRACT_CHARS:
            problems.append(Problem(name, f"abstract line is {len(abstract):,} characters; at most {MAX_ABSTRACT_CHARS:,} expected", line=next_number))
            i += 2
            continue
        records.append((title, abstract, number))
        i += 2
    source = SourceRef(file=path.name, date=date)
    parsed = tuple(DumpRecord(normalise_text(t), normalise_text(a), source, n) for t, a, n in records)
    if not parsed and not problems:
        problems.append(Problem(name, "no paper records found after the page header"))
    return ParsedDump(path, parsed, date, tuple(problems))


def parse_dump(path: Path) -> ParsedDump:
    """Read and parse one dump file."""
    text, problems = read_dump_text(path)
    if text is None:
        return ParsedDump(path, (), None, tuple(problems))
    return parse_dump_text(text, path)


def read_dump(path: Path) -> Reading:
    """One dump as candidates for the merge; it is imported whole or not at all."""
    parsed = parse_dump(path)
    name = str(path)
    candidates = tuple(Candidate(name, r.line, r.source, r.title, r.abstract) for r in parsed.records)
    return Reading(path, candidates, parsed.problems, all_or_nothing=True)
