"""ACL Anthology papers, from the Anthology's own BibTeX export (`/{id}.bib`).

The export is one `@inproceedings` (or `@article`) entry with title, authors,
booktitle, year, url, doi and usually the abstract; it is read with the same
BibTeX decoding as an imported `.bib` file.
"""

from __future__ import annotations

from generator.fetch.metadata import FetchedPaper
from generator.identifiers import web_url

DEFAULT_API_URL = "https://aclanthology.org"


def parse_acl_bib(data: bytes) -> FetchedPaper:
    """The first entry of an Anthology .bib export; ValueError when there is none."""
    from generator.reading.bibfile import entry_to_candidate, parse_quietly
    from generator.reading.bibvalues import evaluate

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError(f"not UTF-8: {err}") from None
    library = parse_quietly(text)
    if not library.entries:
        raise ValueError("no BibTeX entry in the answer")
    entry = library.entries[0]
    fields = {f.key.lower(): evaluate(str(f.value), {}) for f in entry.fields}
    record = entry_to_candidate(fields, file="acl", source="acl", line=1, bibkey=entry.key, entry_type=entry.entry_type.lower())
    if not record.title:
        raise ValueError(f"@{entry.entry_type}{{{entry.key}: no title")
    return FetchedPaper(
        source="acl",
        title=record.title,
        abstract=record.abstract,
        authors=record.authors,
        year=record.year,
        venue=record.venue,
        url=web_url(record.url),
        arxiv=record.arxiv,
        doi=record.doi or None,
    )


def fetch_acl(client, api_url: str, acl_id: str) -> FetchedPaper:
    """The paper with Anthology id `acl_id`; raises NotFound or FetchError."""
    return client.get(f"{api_url.rstrip('/')}/{acl_id}.bib", "", parse_acl_bib, accept="application/x-bibtex, text/plain")
