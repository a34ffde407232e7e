"""Records passed between pipeline stages.

Every stage takes and returns these frozen dataclasses rather than dicts, so a
stage cannot quietly mutate what an earlier stage produced, and every record
carries the file (and line) it came from for error messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

STATUSES = ("to-read", "reading", "read", "key")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    file: str
    message: str
    line: int | None = None
    key: str | None = None  # a YAML key path such as "themes[3].rules" or a paper key

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.key:
            where += f" [{self.key}]"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class SourceRef:
    """Where a paper was seen: the dump's file name and its date line, if any."""

    file: str
    date: str | None = None


@dataclass(frozen=True)
class DumpRecord:
    """One title + abstract pair parsed from a pasted dump (already normalised)."""

    title: str
    abstract: str
    source: SourceRef
    line: int  # 1-based line of the title in the dump


@dataclass(frozen=True)
class Paper:
    """One paper of the library, as loaded from content/papers/<key>.yml.

    Parsed fields come from dumps; curated fields are written by hand (or by
    `enrich`) and are never overwritten by an import.
    """

    key: str
    title: str
    abstract: str
    added: str  # ISO date the paper was first imported; never changes
    sources: tuple[SourceRef, ...] = ()
    # curated
    authors: tuple[str, ...] = ()
    year: int | None = None
    url: str | None = None
    arxiv: str | None = None
    doi: str | None = None
    venue: str | None = None
    tags: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()  # pinned in
    not_themes: tuple[str, ...] = ()  # pinned out
    status: str | None = None
    notes: str | None = None
    primary_class: str | None = None  # arXiv primary category, filled by enrich
    # literature review (filled by hand or by enrichment from a scholarly graph)
    references: tuple[str, ...] = ()  # what it cites, as external ids: "arxiv:2106.09685", "doi:10.1145/3458817"
    facts: tuple[tuple[str, str | int | float | bool], ...] = ()  # curated values for comparison columns, record order
    cited_by_count: int | None = None  # citations counted by a scholarly graph ...
    cited_by_count_date: str | None = None  # ... on this ISO date
    path: Path | None = field(default=None, compare=False)  # the record's file

    def fact(self, name: str) -> str | int | float | bool | None:
        """The curated value of one comparison column, or None."""
        return next((value for fact, value in self.facts if fact == name), None)


# Fields a record may carry, in the order they are written to a new record.
PARSED_FIELDS = ("key", "title", "abstract", "added", "sources")
CURATED_FIELDS = (
    "authors",
    "year",
    "url",
    "arxiv",
    "doi",
    "venue",
    "primary_class",
    "tags",
    "themes",
    "not_themes",
    "status",
    "notes",
    "stub",  # true: added from a link alone (not fetched yet); `add` or `enrich` completes it
    "references",
    "facts",
    "cited_by_count",
    "cited_by_count_date",
    "provenance",  # where enriched values came from: {field: "arxiv"}
)
RECORD_FIELDS = PARSED_FIELDS + CURATED_FIELDS


@dataclass(frozen=True)
class ThemeAssignment:
    """Why a paper sits in a theme: a human-readable reason."""

    theme: str
    reason: str  # e.g. "the abstract mentions 'pipeline parallelism'" or "pinned in the paper's record"


