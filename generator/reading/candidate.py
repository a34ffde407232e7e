"""What every reader hands to the merge: candidate papers, problems and notes.

A reader (dump, BibTeX, and later formats) only reads: it turns one input
file into `Candidate`s, each carrying the file and line it came from, and
collects what it could not read as `Problem`s. Matching against the library,
choosing keys and editing records is the merge's job (`reading.merge`), the
same for every reader.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

MAX_INPUT_BYTES = 50_000_000

from generator.limits import MAX_VENUE_CHARS, size_problems
from generator.model import Name, Problem, SourceRef

# Bibliographic text fields a candidate may carry, in record order.
TEXT_FIELDS = ("volume", "number", "pages", "publisher", "institution", "edition", "isbn", "issn", "language")


@dataclass(frozen=True)
class Candidate:
    """One paper as an input gives it, not yet matched to the library."""

    file: str  # the input path as given, for messages
    line: int  # 1-based line where the paper starts
    source: SourceRef  # what the record's `sources:` gains
    title: str
    abstract: str
    bibkey: str | None = None  # a key the input gives, kept as the paper's key when free
    entry_type: str | None = None
    provenance: str | None = None  # noted for each curated field filled in an existing record
    authors: tuple[str, ...] = ()
    year: int | None = None
    doi: str | None = None
    arxiv: str | None = None
    url: str | None = None
    venue: str | None = None
    # --- the bibliographic record (see model.BIBLIOGRAPHIC_FIELDS)
    primary_class: str | None = None
    tags: tuple[str, ...] = ()  # the entry's keywords
    names: tuple[Name, ...] = ()
    more_authors: bool = False  # the author list ends in "and others"
    month: int | None = None
    volume: str | None = None
    number: str | None = None
    pages: str | None = None
    publisher: str | None = None
    institution: str | None = None
    edition: str | None = None
    isbn: str | None = None
    issn: str | None = None
    language: str | None = None
    keep_case: tuple[str, ...] = ()  # title phrases the source protected from case changes
    extra: tuple[tuple[str, str], ...] = ()  # fields kept verbatim

    def curated(self) -> dict[str, object]:
        """The curated fields this candidate can fill, in record order."""
        values: dict[str, object] = {
            "authors": list(self.authors) or None,
            "year": self.year,
            "url": self.url,
            "arxiv": self.arxiv,
            "doi": self.doi,
            "venue": self.venue,
            "primary_class": self.primary_class,
            "tags": list(self.tags) or None,
            "entry_type": self.entry_type,
            "names": [n.as_dict() for n in self.names] or None,
            "more_authors": True if self.more_authors else None,
            "month": self.month,
        }
        for name in TEXT_FIELDS:
            values[name] = getattr(self, name)
        values["keep_case"] = list(self.keep_case) or None
        values["extra"] = dict(self.extra) or None
        return {k: v for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class Reading:
    """What one input file gave."""

    path: Path
    candidates: tuple[Candidate, ...]
    problems: tuple[Problem, ...]
    notes: tuple[Problem, ...] = ()  # worth saying, not a failure
    containers: int = 0  # @proceedings/@book entries only used through crossref
    # A dump is imported whole or not at all (a problem usually means the
    # paste went wrong); a .bib file entry by entry.
    all_or_nothing: bool = False


def read_input_text(path: Path, what: str) -> tuple[str | None, list[Problem]]:
    """An export's text (UTF-8, a BOM allowed), or the Problem that stops reading it.

    `what` names the format in messages (".bib", "CSL-JSON", "RIS").
    """
    name = str(path)
    if not path.is_file():
        return None, [Problem(name, "no such file" if not path.exists() else "not a file")]
    data = path.read_bytes()
    if len(data) > MAX_INPUT_BYTES:
        return None, [Problem(name, f"file is {len(data):,} bytes; a {what} file is at most {MAX_INPUT_BYTES:,}")]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        return None, [Problem(name, f"not UTF-8 text (byte 0x{data[err.start]:02x}); export the {what} file as UTF-8", line=line)]


def fits_venue(text: str | None) -> bool:
    """Whether a container name can be the venue: one longer is kept under
    `extra` by its reader, whole, rather than costing the paper."""
    return bool(text) and len(text) <= MAX_VENUE_CHARS


def long_venue_note(file: str, line: int, label: str, name: str, size: int) -> Problem:
    """The note every reader gives for a container too long to be the venue."""
    return Problem(file, f"{label}: {name} is {size:,} characters, more than the {MAX_VENUE_CHARS:,} of a venue: "
                   "kept whole under extra, not shown as the venue", line=line)


def within_limits(candidate: Candidate, label: str) -> tuple[Candidate | None, list[Problem]]:
    """The candidate within the sizes generator.limits states for every reader,
    and the problems naming what it lost.

    A title or author list beyond them is no paper to keep (None); an
    abstract beyond them is left out alone. Readers set an over-long venue
    aside themselves (`fits_venue`), as only they know the field it came from.
    """
    where = f"{label}: " if label else ""
    too_big = dict(size_problems(candidate.title, candidate.abstract, candidate.authors, candidate.venue))
    if too_big.keys() & {"title", "authors", "venue"}:
        found = "; ".join(too_big.values())
        return None, [Problem(candidate.file, f"{where}{found}; this entry was skipped", line=candidate.line)]
    if "abstract" in too_big:
        lost = Problem(candidate.file, f"{where}{too_big['abstract']}; imported without it", line=candidate.line)
        return replace(candidate, abstract=""), [lost]
    return candidate, []
