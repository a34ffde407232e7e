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
    severity: str = "error"  # or "warning": reported by `check`, but the content is usable

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
class Name:
    """One author as reference managers hold it: family, given, particle, suffix, or a literal.

    `literal` is an institution or any name that must not be split
    (`{The LLM Consortium}`); then the other parts are empty.
    """

    family: str = ""
    given: str = ""
    particle: str = ""  # von, van der, de la
    suffix: str = ""  # Jr., III
    literal: str = ""

    def display(self) -> str:
        """`Ludwig van Beethoven Jr.`: the form kept in `authors:`."""
        if self.literal:
            return self.literal
        return " ".join(p for p in (self.given, self.particle, self.family, self.suffix) if p)

    def as_dict(self) -> dict[str, str]:
        fields = ("literal",) if self.literal else ("family", "given", "particle", "suffix")
        return {f: getattr(self, f) for f in fields if getattr(self, f)}


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
    code: str | None = None  # the paper's code repository (a URL), filled by enrich from a scholarly graph
    arxiv: str | None = None
    doi: str | None = None
    venue: str | None = None
    tags: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()  # pinned in
    not_themes: tuple[str, ...] = ()  # pinned out
    status: str | None = None
    notes: str | None = None
    primary_class: str | None = None  # arXiv primary category, filled by enrich
    # --- bibliographic record: what reference managers hold (see BIBLIOGRAPHIC_FIELDS)
    entry_type: str | None = None  # BibTeX entry type: article, inproceedings, book, ...
    names: tuple[Name, ...] = ()  # structured authors; `authors` keeps their display form
    more_authors: bool = False  # the list went on ("and others"): exports and the page say so
    month: int | None = None
    volume: str | None = None
    number: str | None = None
    pages: str | None = None
    publisher: str | None = None
    institution: str | None = None  # institution or school
    edition: str | None = None
    isbn: str | None = None
    issn: str | None = None
    language: str | None = None
    keep_case: tuple[str, ...] = ()  # title phrases whose capitals every style keeps (generator/titlecase.py)
    extra: tuple[tuple[str, str], ...] = ()  # fields of an imported entry kept verbatim
    # --- end of the bibliographic record
    # literature review (filled by hand or by enrichment from a scholarly graph)
    references: tuple[str, ...] = ()  # what it cites, as external ids: "arxiv:2106.09685", "doi:10.1145/3458817"
    facts: tuple[tuple[str, str | int | float | bool], ...] = ()  # curated values for comparison columns, record order
    cited_by_count: int | None = None  # citations counted by a scholarly graph ...
    cited_by_count_date: str | None = None  # ... on this ISO date
    stub: bool = False  # added from a link alone: not fetched yet, so no abstract, its title a placeholder
    path: Path | None = field(default=None, compare=False)  # the record's file

    @property
    def slug(self) -> str:
        """A lower-case, URL- and file-safe name for the paper: its record's file name.

        The key is kept exactly as a .bib gave it (`Abawi:2004ks`); pages and
        per-paper files should be named by this instead.
        """
        if self.path is not None:
            return self.path.stem
        from generator.library.keys import file_stem

        return file_stem(self.key)

    def fact(self, name: str) -> str | int | float | bool | None:
        """The curated value of one comparison column, or None."""
        return next((value for fact, value in self.facts if fact == name), None)


# Fields a record may carry, in the order they are written to a new record.
PARSED_FIELDS = ("key", "title", "abstract", "added", "sources")
CURATED_FIELDS = (
    "authors",
    "year",
    "url",
    "code",
    "arxiv",
    "doi",
    "venue",
    "primary_class",
    "tags",
    "themes",
    "not_themes",
    "status",
    "notes",
    "references",
    "facts",
    "cited_by_count",
    "cited_by_count_date",
    "stub",  # true: added from a link alone (not fetched yet); `add` or `enrich` completes it
    "references",
    "facts",
    "cited_by_count",
    "cited_by_count_date",
    "provenance",  # where enriched values came from: {field: "arxiv"}
)
# The bibliographic record an import fills (a curator may edit it like any
# curated field; an import never replaces a value). Kept apart from the
# fields above so that each list reads as one concern.
BIBLIOGRAPHIC_FIELDS = (
    "entry_type",
    "names",
    "more_authors",
    "month",
    "volume",
    "number",
    "pages",
    "publisher",
    "institution",
    "edition",
    "isbn",
    "issn",
    "language",
    "keep_case",
    "extra",
)
RECORD_FIELDS = PARSED_FIELDS + CURATED_FIELDS + BIBLIOGRAPHIC_FIELDS


@dataclass(frozen=True)
class ThemeAssignment:
    """Why a paper sits in a theme: a human-readable reason."""

    theme: str
    reason: str  # e.g. "the abstract mentions 'pipeline parallelism'" or "pinned in the paper's record"


