"""What every reader hands to the merge: candidate papers, problems and notes.

A reader (dump, BibTeX, and later formats) only reads: it turns one input
file into `Candidate`s, each carrying the file and line it came from, and
collects what it could not read as `Problem`s. Matching against the library,
choosing keys and editing records is the merge's job (`reading.merge`), the
same for every reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.model import Problem, SourceRef


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

    def curated(self) -> dict[str, object]:
        """The curated fields this candidate can fill, in record order."""
        values = {
            "authors": list(self.authors) or None,
            "year": self.year,
            "url": self.url,
            "arxiv": self.arxiv,
            "doi": self.doi,
            "venue": self.venue,
        }
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
