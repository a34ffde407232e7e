"""Reader for BibTeX files: `python -m generator import refs.bib`.

Entries of a .bib file (as Zotero, Better BibTeX, Mendeley, Google Scholar
or DBLP export them) become candidate papers with every field a reference
manager holds (`reading.bibrecord`), LaTeX decoded to Unicode
(`reading.bibvalues`). A child entry inherits what its `crossref` parent
gives; a container used only through `crossref` is no paper. The .bib
files of one import are read as one database, in the order given, as
bibtex reads several: macros hold for the files after their own, crossref
parents come from any of them. Two entries
with one key are both read (the merge gives the second another key), as is
an entry giving a field twice (the first value counts). Only a block that
cannot be parsed, or has no title (or one past the limits), is skipped as a
Problem with its line; a field past the limits costs that field alone, named
with its key. The others go to the merge (`reading.merge`), which keeps the
BibTeX key when it can.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import bibtexparser
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, String

from generator.limits import MAX_BIB_VALUE_CHARS
from generator.model import Problem
from generator.reading.bibnames import NAME_LIST_FIELDS, empty_names, has_more_authors, name_options
from generator.reading.bibrecord import entry_to_candidate
from generator.reading.bibvalues import VENUE_FIELDS, decode_latex, evaluate
from generator.reading.candidate import Candidate, Reading, fits_venue, long_venue_note, read_input_text, within_limits

# Containers other entries point at with `crossref`: not papers themselves.
CONTAINER_TYPES = frozenset({"proceedings", "mvproceedings", "book", "mvbook", "collection", "mvcollection", "periodical"})
# Fields a crossref child does not inherit from its parent (they describe the parent itself).
_NOT_INHERITED = frozenset({"title", "author", "abstract", "doi", "url", "eprint", "archiveprefix", "eprinttype",
                            "primaryclass", "note", "keywords", "file", "crossref", "ids", "pages"})


@dataclass
class _Collected:
    candidates: list[Candidate] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    containers: int = 0


def _duplicate_message(block) -> str:
    head = re.match(r"\s*@\s*(\w+)\s*[{(]\s*([^,\s]*)", block.raw or "")
    what = f"@{head.group(1)}{{{head.group(2)}" if head else "this entry"
    if isinstance(block, DuplicateBlockKeyBlock):
        return f"{what}: the key {block.key!r} is used by an earlier entry too; both are imported, this one under another key"
    fields = ", ".join(sorted(block.duplicate_keys))
    return f"{what}: field(s) {fields} given twice; the first value is kept"


def _failure_message(block) -> str:
    head = re.match(r"\s*@\s*(\w+)\s*[{(]\s*([^,\s]*)", block.raw or "")
    what = f"@{head.group(1)}{{{head.group(2)}" if head else "this block"
    if isinstance(block, DuplicateBlockKeyBlock):
        return f"{what}: the key {block.key!r} is used by an earlier entry too; this entry was skipped"
    if isinstance(block, DuplicateFieldKeyBlock):
        fields = ", ".join(sorted(block.duplicate_keys))
        return f"{what}: field(s) {fields} given twice; this entry was skipped"
    err = getattr(block, "error", None)
    error = str(getattr(err, "abort_reason", None) or getattr(err, "message", None) or err or "")
    reason = " ".join(error.split()) or "syntax error"
    return f"{what}: cannot be parsed ({reason}); this entry was skipped"


def _name_notes(entry: Entry, fields: dict[str, str], file: str) -> list[Problem]:
    """What reading the entry's name lists left out: empty names (`A and and B`)
    and the biblatex per-name options of authors (a record holds only their
    parts; other name lists are kept verbatim)."""
    notes = []
    for field_name in ("author", *NAME_LIST_FIELDS):
        if count := empty_names(fields.get(field_name, "")):
            names = "1 empty name" if count == 1 else f"{count} empty names"
            notes.append(f"{names} in {field_name} (two 'and' in a row, or one at an end) {'was' if count == 1 else 'were'} left out")
    if options := name_options(fields.get("author", "")):
        notes.append(f"biblatex name options in author not kept: {', '.join(options)}")
    return [Problem(file, f"@{entry.entry_type}{{{entry.key}: {note}", line=entry.start_line + 1) for note in notes]


def _strings(blocks, name: str, out: _Collected, earlier: dict[str, str], later: list[_File]) -> dict[str, str]:
    """The macros the file's entries see: those of the files read before it
    (`earlier`), then the file's own `@string`s expanded in order; one that
    grows past the limit (macros chained to double each time) is a problem
    and reads as empty. An undefined macro inside one is noted there, once:
    the entries using it see only a defined macro."""
    strings = dict(earlier)
    for block in blocks:
        if isinstance(block, String):
            unknown: list[str] = []
            value = evaluate(str(block.value), strings, unknown)
            line = block.start_line + 1
            for macro in _once(unknown):
                out.notes.append(Problem(name, f"@string{{{block.key}: undefined @string {macro!r} read as empty text{_defined_later(macro, later)}", line=line))
            if len(value) > MAX_BIB_VALUE_CHARS:
                out.problems.append(Problem(name, f"@string{{{block.key}: expands past {MAX_BIB_VALUE_CHARS:,} characters; read as empty text", line=line))
                value = ""
            strings[block.key.lower()] = value
    return strings


def _once(names: list[str]) -> list[str]:
    """Each name once (case-blind, as macros are), in order, as first written."""
    first: dict[str, str] = {}
    for name in names:
        first.setdefault(name.lower(), name)
    return list(first.values())


def parse_quietly(text: str) -> bibtexparser.Library:
    """Parse with no middleware, so values stay raw and macros and `#` are evaluated
    here, once; bibtexparser's own log of failed blocks is silenced, since callers
    report them with their lines."""
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        return bibtexparser.parse_string(text, parse_stack=[])
    finally:
        logger.setLevel(level)


@dataclass
class _File:
    """One .bib file of an import: its parsed blocks, then its entries with their
    fields evaluated, and what reading it found so far."""

    path: Path
    library: bibtexparser.Library | None  # None: the file could not be read
    out: _Collected = field(default_factory=_Collected)
    macros: frozenset[str] = frozenset()  # the names its own @strings define
    entries: list[tuple[Entry, dict[str, str]]] = field(default_factory=list)


def _parse(path: Path) -> _File:
    """The file's blocks; an unreadable file or a block that cannot be parsed is a problem."""
    text, problems = read_input_text(path, ".bib")
    if text is None:
        return _File(path, None, _Collected(problems=problems))
    library = parse_quietly(text)
    macros = frozenset(block.key.lower() for block in library.blocks if isinstance(block, String))
    return _File(path, library, macros=macros)


def read_bib(path: Path) -> Reading:
    """Entries of one .bib file as candidates, and a Problem per bad entry."""
    return read_bib_set([path])[0]


def read_bib_set(paths: list[Path]) -> list[Reading]:
    """The .bib files of one import read as bibtex reads `\\bibliography{a,b,c}`:
    a file's entries see the @string macros of the files before it (macro
    files usually come apart from the entries), and a crossref parent may be
    in any of them (proceedings often are kept in a file of their own).
    One Reading per path, in order, each naming its own file and lines."""
    files = [_parse(path) for path in paths]
    strings: dict[str, str] = {}
    for index, file in enumerate(files):
        if file.library is not None:
            strings = _read_entries(file, strings, files[index + 1:])
    parents: dict[str, dict[str, str]] = {}
    for file in files:
        for entry, fields in file.entries:
            parents.setdefault(entry.key.lower(), fields)
    referenced = {fields["crossref"].strip().lower() for file in files for _, fields in file.entries if fields.get("crossref", "").strip()}
    missing = "not in this file" if len(paths) == 1 else f"in none of the {len(paths)} .bib files of this import"
    for file in files:
        _make_candidates(file, parents, referenced, missing)
    return [Reading(f.path, tuple(f.out.candidates), tuple(f.out.problems), tuple(f.out.notes), f.out.containers) for f in files]


def _read_entries(file: _File, earlier: dict[str, str], later: list[_File]) -> dict[str, str]:
    """Evaluate each readable entry's fields with the macros known so far, noting
    what reading them left out; the macros known after this file."""
    out, name, library = file.out, str(file.path), file.library
    assert library is not None
    readable = list(library.entries)
    for block in library.failed_blocks:
        entry = getattr(block, "ignore_error_block", None)
        if isinstance(block, (DuplicateBlockKeyBlock, DuplicateFieldKeyBlock)) and isinstance(entry, Entry):
            readable.append(entry)
            out.notes.append(Problem(name, _duplicate_message(block), line=block.start_line + 1))
            continue
        out.problems.append(Problem(name, _failure_message(block), line=block.start_line + 1))
    readable.sort(key=lambda e: e.start_line)
    strings = _strings(library.blocks, name, out, earlier, later)
    for entry in readable:
        unknown: list[str] = []
        fields: dict[str, str] = {}
        for f in entry.fields:  # a field given twice: the first value counts
            fields.setdefault(f.key.lower(), evaluate(str(f.value), strings, unknown))
        if not _drop_oversized(fields, f"@{entry.entry_type}{{{entry.key}", Problem(name, "", line=entry.start_line + 1), out):
            continue
        if has_more_authors(fields.get("author", "")):
            out.notes.append(Problem(name, f"@{entry.entry_type}{{{entry.key}: the author list ends in 'and others'; the names given are kept, with more_authors: true (exports end the list with 'and others', the page with 'et al.')", line=entry.start_line + 1))
        out.notes.extend(_name_notes(entry, fields, name))
        for macro in unknown:
            message = f"@{entry.entry_type}{{{entry.key}: undefined @string {macro!r} read as empty text{_defined_later(macro, later)}"
            out.notes.append(Problem(name, message, line=entry.start_line + 1))
        file.entries.append((entry, fields))
    return strings


def _defined_later(macro: str, later: list[_File]) -> str:
    """Where an undefined macro is defined after all, to say that the order of
    the files is what to change (bibtex, too, reads them in the order given)."""
    for file in later:
        if macro.lower() in file.macros:
            return f" ({file.path.name} defines it, but is read after this file: give it first)"
    return ""


def _make_candidates(file: _File, parents: dict[str, dict[str, str]], referenced: set[str], missing: str) -> None:
    """The file's entries as candidates, each child filled from its crossref parent;
    a container only cited through crossref is counted, not made a paper."""
    out, name = file.out, str(file.path)
    for entry, fields in file.entries:
        line = entry.start_line + 1
        if entry.key.lower() in referenced and entry.entry_type.lower() in CONTAINER_TYPES:
            out.containers += 1
            continue
        parent_key = fields.get("crossref", "").strip()
        if parent_key:
            parent = parents.get(parent_key.lower())
            if parent is None:
                out.notes.append(Problem(name, f"@{entry.entry_type}{{{entry.key}: crossref {parent_key!r} is {missing}; imported without it", line=line))
            else:
                for field_name, value in parent.items():
                    if field_name not in _NOT_INHERITED and field_name not in fields:
                        fields[field_name] = value
                if "booktitle" not in fields and parent.get("title"):
                    fields["booktitle"] = parent["title"]
        record = entry_to_candidate(fields, file=name, source=file.path.name, line=line, bibkey=entry.key, entry_type=entry.entry_type.lower())
        if not record.title:
            out.problems.append(Problem(name, f"@{entry.entry_type}{{{entry.key}: no title; this entry was skipped", line=line))
            continue
        record = _within_limits(record, fields, f"@{entry.entry_type}{{{entry.key}", out)
        if record is not None:
            out.candidates.append(record)


def _drop_oversized(fields: dict[str, str], label: str, where: Problem, out: _Collected) -> bool:
    """Remove each field past the value limit, naming it: the entry loses that
    field, not itself. False when the title is one of them (no paper then)."""
    oversized = sorted(k for k, v in fields.items() if len(v) > MAX_BIB_VALUE_CHARS)
    if "title" in oversized:
        out.problems.append(replace(where, message=f"{label}: field(s) {', '.join(oversized)} longer than {MAX_BIB_VALUE_CHARS:,} characters; this entry was skipped"))
        return False
    for name in oversized:
        del fields[name]
        out.problems.append(replace(where, message=f"{label}: field {name} is longer than {MAX_BIB_VALUE_CHARS:,} characters; imported without it"))
    return True


def _within_limits(record: Candidate, fields: dict[str, str], label: str, out: _Collected) -> Candidate | None:
    """The record within the sizes every reader keeps to (`candidate.within_limits`),
    each venue field too long to be a venue noted: the reader kept it under `extra`."""
    record, problems = within_limits(record, label)
    out.problems.extend(problems)
    if record is None:
        return None
    for name in VENUE_FIELDS:
        text = decode_latex(fields.get(name, ""))
        if text and not fits_venue(text):
            out.notes.append(long_venue_note(record.file, record.line, label, name, len(text)))
    return record
