"""What a metadata source answers for one paper, whichever source it is."""

from __future__ import annotations

import html.parser
from dataclasses import dataclass

from generator.textnorm import normalise_text


@dataclass(frozen=True)
class FetchedPaper:
    """One paper as a source describes it; text already normalised, never markup."""

    source: str  # "arxiv", "crossref", "openreview" or "acl": where the values came from
    title: str
    abstract: str = ""
    authors: tuple[str, ...] = ()
    year: int | None = None
    venue: str | None = None
    url: str | None = None
    arxiv: str | None = None
    doi: str | None = None
    primary_class: str | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        """The fields a complete record has and this answer lacks."""
        wanted = {"title": self.title, "abstract": self.abstract, "authors": self.authors,
                  "year": self.year, "venue": self.venue, "url": self.url}
        return tuple(name for name, value in wanted.items() if not value)


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag, attrs) -> None:
        if tag.split(":")[-1] in ("p", "br", "sec", "title", "div"):
            self.parts.append(" ")


def markup_to_text(value: str) -> str:
    """The text of a JATS or HTML fragment (a Crossref abstract): tags dropped,
    entities decoded, so that it is stored as plain text and escaped on output."""
    parser = _Text()
    parser.feed(value)
    parser.close()
    return normalise_text(" ".join("".join(parser.parts).split()))
