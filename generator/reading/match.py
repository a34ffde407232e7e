"""The merge rules: which library paper a candidate is, and which key a new one gets.

Every reader's candidates are matched here, against the library and against
the papers the same import has already added, so that one paper found in
several inputs becomes one record. Rules, in order: the same DOI or arXiv id,
the same title (compared by `title_identity`), and only when none of these
matches, the same long abstract (the curator may have edited the title).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from generator.identifiers import arxiv_id as parse_arxiv_id
from generator.library.keys import assign_key, is_valid_key
from generator.model import Paper, Problem
from generator.reading.candidate import Candidate
from generator.textnorm import normalise_text, title_identity

# An abstract this long identifies its paper even when the curator has since
# edited the title in the record.
ABSTRACT_MATCH_MIN_CHARS = 200


def abstract_identity(abstract: str) -> str | None:
    """The comparison form of a long abstract; None for one too short to identify a paper."""
    if len(abstract) < ABSTRACT_MATCH_MIN_CHARS:
        return None
    return " ".join(normalise_text(abstract).casefold().split())


class Matcher:
    """The papers known so far, by each identity a candidate can be matched on."""

    def __init__(self, papers: Iterable[Paper]) -> None:
        papers = list(papers)
        self.by_doi = {p.doi.strip().lower(): p.key for p in papers if p.doi}
        self.by_arxiv = {found: p.key for p in papers if (found := parse_arxiv_id(p.arxiv))}
        self.by_title = {title_identity(p.title): p.key for p in papers}
        self.by_abstract: dict[str, str] = {}
        for paper in papers:
            if (abstract := abstract_identity(paper.abstract)) is not None:
                self.by_abstract.setdefault(abstract, paper.key)

    def match(self, candidate: Candidate) -> tuple[str | None, Problem | None]:
        """The key of the paper `candidate` is (or None), and a note when several fit."""
        found = []
        if candidate.doi and candidate.doi.lower() in self.by_doi:
            found.append(self.by_doi[candidate.doi.lower()])
        if candidate.arxiv and candidate.arxiv in self.by_arxiv:
            found.append(self.by_arxiv[candidate.arxiv])
        identity = title_identity(candidate.title)
        if identity in self.by_title:
            found.append(self.by_title[identity])
        abstract = abstract_identity(candidate.abstract)
        if not found and abstract in self.by_abstract:
            found.append(self.by_abstract[abstract])
        distinct = list(dict.fromkeys(found))
        note = None
        if len(distinct) > 1:
            note = Problem(candidate.file, f"{candidate.bibkey}: matches several papers ({', '.join(distinct)}); merged into {distinct[0]}", line=candidate.line)
        return (distinct[0] if distinct else None), note

    def remember(self, candidate: Candidate, key: str) -> None:
        """Let later candidates of this import match `key` by what `candidate` says."""
        if candidate.doi:
            self.by_doi.setdefault(candidate.doi.lower(), key)
        if candidate.arxiv:
            self.by_arxiv.setdefault(candidate.arxiv, key)
        self.by_title.setdefault(title_identity(candidate.title), key)
        if abstract := abstract_identity(candidate.abstract):
            self.by_abstract.setdefault(abstract, key)


def key_from_bibkey(bibkey: str) -> str | None:
    """`Zhao:2024:GaLore` -> `zhao-2024-galore`; None when no faithful key exists.

    Accents fold (`Müller2020` -> `muller2020`); a key with characters that
    have no ASCII form (`王2020`) or no letter at all gets a title-derived key.
    """
    decomposed = unicodedata.normalize("NFKD", bibkey)
    kept = []
    for ch in decomposed:
        if ch.isascii():
            kept.append(ch)
        elif unicodedata.category(ch).startswith("M"):
            continue
        else:
            return None
    key = re.sub(r"[^a-z0-9]+", "-", "".join(kept).lower()).strip("-")
    if not re.search(r"[a-z]", key) or not is_valid_key(key):
        return None
    return key


def choose_key(candidate: Candidate, taken: set[str]) -> tuple[str, Problem | None]:
    """A free key for a new paper: the input's own key when it can be one, else one from the title.

    The note says so when an input's key could not be kept, since a reader
    citing it must then cite the new key.
    """
    if candidate.bibkey is None:
        return assign_key(candidate.title, lambda k: k in taken), None
    wanted = key_from_bibkey(candidate.bibkey)
    if wanted is not None and wanted not in taken:
        return wanted, None
    key = assign_key(candidate.title, lambda k: k in taken)
    why = "is taken by another paper" if wanted is not None else "cannot be a key here"
    note = Problem(candidate.file, f"{candidate.bibkey}: the BibTeX key {why}; this paper's key is {key!r} (cite it as that)", line=candidate.line)
    return key, note
