"""What a scholarly graph (OpenAlex, Semantic Scholar) says about one paper.

Both sources are read into one frozen shape so that matching and record
edits in `generator.curation.graph_enrich` do not care which graph answered.
Every value is data from outside: text is normalised, ids are canonical
external ids (`arxiv:2106.09685`, `doi:10.1145/3458817`), links are web
URLs or nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from generator.identifiers import web_url
from generator.textnorm import normalise_text

# A venue that only says "this is a preprint" is not a publication venue.
_PREPRINT_VENUE_RE = re.compile(r"^\s*(arxiv|arxiv\.org|corr|biorxiv|medrxiv|ssrn|research square|openreview)\b", re.I)
_CODE_HOST_RE = re.compile(r"^https?://(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org)/[^/\s]+/[^/\s?#]+", re.I)


@dataclass(frozen=True)
class GraphWork:
    """One work as a graph describes it; `venue` only when published beyond a preprint server."""

    source: str  # "openalex" or "semanticscholar"
    source_id: str  # W2741809807, or a Semantic Scholar paperId
    title: str
    year: int | None = None
    authors: tuple[str, ...] = ()
    doi: str | None = None  # lower case, no prefix
    arxiv: str | None = None  # without version
    venue: str | None = None
    venue_year: int | None = None
    references: tuple[str, ...] = ()  # external ids, in the source's order, no repeats
    unresolved: tuple[str, ...] = ()  # OpenAlex W ids still to turn into external ids
    cited_by_count: int | None = None
    code: str | None = None
    venue_id: str | None = None  # the other version of the work the venue (and its year, DOI) came from

    @property
    def provenance(self) -> str:
        return f"{self.source} {self.source_id}"

    @property
    def venue_provenance(self) -> str:
        return f"{self.source} {self.venue_id or self.source_id}"


def is_preprint_venue(name: str | None) -> bool:
    return not name or bool(_PREPRINT_VENUE_RE.match(name))


def code_link(url: str | None) -> str | None:
    """`url` when it is a repository page on a code host, trimmed to owner/name."""
    found = _CODE_HOST_RE.match(web_url(url) or "")
    return found.group(0) if found else None


def family_name(name: str) -> str:
    """The last word of a personal name, lower-cased, for a loose author check."""
    text = unicodedata.normalize("NFKD", normalise_text(name))
    words = "".join(ch for ch in text if not unicodedata.category(ch).startswith("M")).lower().replace(".", " ").split()
    return words[-1] if words else ""


def as_count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def as_year(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999 else None
