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
from dataclasses import dataclass
from typing import Any

from generator.identifiers import arxiv_id as parse_arxiv_id, strip_doi_prefix
from generator.library.keys import assign_key, is_usable_key, is_valid_key, why_unusable
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


def doi_identity(doi: str | None) -> str | None:
    """A DOI as compared: resolver prefix (`https://doi.org/`, `doi:`) gone, case folded."""
    if not doi:
        return None
    return strip_doi_prefix(doi).strip().lower() or None


def _families(authors: Iterable[str], names: Iterable[Any] = ()) -> frozenset[str]:
    """The family names of a paper, folded, for the title rule."""
    found = {normalise_text(n.family or n.literal).casefold() for n in names if (n.family or n.literal)}
    if not found:
        found = {normalise_text(a.split()[-1]).casefold() for a in authors if a.split()}
    return frozenset(found)


@dataclass(frozen=True)
class _Known:
    """What a known paper is compared on when only its title matches."""

    key: str
    year: int | None
    families: frozenset[str]
    doi: str | None
    # set for an entry of the current import: its own citation key and entry type
    bibkey: str | None = None
    entry_type: str | None = None
    cites: frozenset[str] = frozenset()  # the keys (own and aliases, case-folded) that cite it


@dataclass(frozen=True)
class Match:
    """The paper a candidate is, and by which rule."""

    key: str
    by: str  # "DOI", "arXiv id", "title", "abstract"


def _other_version(known: _Known, candidate: Candidate) -> bool:
    """Two entries of one import, each with its own key, whose year or entry type differ:
    a preprint and its published version, say. The user cites each by its key, and
    one record could carry only one year, venue and type, so they stay two records."""
    if known.bibkey is None or candidate.bibkey is None or known.bibkey.casefold() == candidate.bibkey.casefold():
        return False
    years_differ = known.year is not None and candidate.year is not None and known.year != candidate.year
    types_differ = bool(known.entry_type and candidate.entry_type and known.entry_type.casefold() != candidate.entry_type.casefold())
    return years_differ or types_differ


def _title_fits(known: _Known, year: int | None, families: frozenset[str], doi: str | None) -> bool:
    """Zotero's rule: years within one, a family name in common, never two different DOIs."""
    if known.doi and doi and known.doi != doi:
        return False
    if known.year is not None and year is not None and abs(known.year - year) > 1:
        return False
    if known.families and families and not (known.families & families):
        return False
    return True


class Matcher:
    """The papers known so far, by each identity a candidate can be matched on.

    As Zotero's duplicate detection: the same DOI or arXiv id (normalised)
    first; then the same title, only when the years are within one, at
    least one family name agrees (when both give them) and the DOIs do not
    differ; then, only when nothing else matches, the same long abstract.
    Among papers of one title, the one the candidate's own key cites comes
    first, so re-importing two versions of a work finds each its own record.
    """

    def __init__(self, papers: Iterable[Paper]) -> None:
        self.by_doi: dict[str, str] = {}
        self.by_arxiv: dict[str, str] = {}
        self.by_title: dict[str, list[_Known]] = {}
        self.by_abstract: dict[str, str] = {}
        for p in papers:
            cites = {p.key, *(a.strip() for a in str(dict(p.extra).get("ids", "")).split(","))}
            self._add(p.key, p.doi, p.arxiv, p.title, p.abstract, p.year, _families(p.authors, p.names), cites=cites)

    def _add(self, key: str, doi: str | None, arxiv: str | None, title: str, abstract: str, year: int | None,
             families: frozenset[str], entry: Candidate | None = None, cites: Iterable[str] = ()) -> None:
        if (found := doi_identity(doi)) is not None:
            self.by_doi.setdefault(found, key)
        if (found := parse_arxiv_id(arxiv)) is not None:
            self.by_arxiv.setdefault(found, key)
        known = self.by_title.setdefault(title_identity(title), [])
        if all(k.key != key for k in known):
            known.append(_Known(key, year, families, doi_identity(doi), entry.bibkey if entry else None,
                                entry.entry_type if entry else None, frozenset(c.casefold() for c in cites if c)))
        if (text := abstract_identity(abstract)) is not None:
            self.by_abstract.setdefault(text, key)

    def match(self, candidate: Candidate) -> tuple[Match | None, Problem | None]:
        """The paper `candidate` is (or None), and a note when several fit or when
        it is kept apart from another version of itself (`_other_version`)."""
        found: list[Match] = []
        doi = doi_identity(candidate.doi)
        if doi and doi in self.by_doi:
            found.append(Match(self.by_doi[doi], "DOI"))
        arxiv = parse_arxiv_id(candidate.arxiv)
        if arxiv and arxiv in self.by_arxiv:
            found.append(Match(self.by_arxiv[arxiv], "arXiv id"))
        families = _families(candidate.authors, candidate.names)
        note = None
        same_title = self.by_title.get(title_identity(candidate.title), [])
        if candidate.bibkey:  # the record the entry's own key cites first (a stable sort keeps the rest in order)
            same_title = sorted(same_title, key=lambda k: candidate.bibkey.casefold() not in k.cites)
        for known in same_title:
            if _title_fits(known, candidate.year, families, doi):
                if not found and _other_version(known, candidate):
                    note = Problem(candidate.file, f"{candidate.bibkey}: the same title as {known.bibkey!r} of this import but another "
                                   f"year or entry type; kept as a record of its own, so both keys cite", line=candidate.line)
                    continue
                found.append(Match(known.key, "title"))
                break
        abstract = abstract_identity(candidate.abstract)
        if not found and note is None and abstract in self.by_abstract:
            found.append(Match(self.by_abstract[abstract], "abstract"))
        distinct = list(dict.fromkeys(m.key for m in found))
        if len(distinct) > 1:
            note = Problem(candidate.file, f"{_label(candidate)}: matches several papers ({', '.join(distinct)}); merged into {distinct[0]}", line=candidate.line)
        return (found[0] if found else None), note

    def remember(self, candidate: Candidate, key: str) -> None:
        """Let later candidates of this import match `key` by what `candidate` says."""
        self._add(key, candidate.doi, candidate.arxiv, candidate.title, candidate.abstract, candidate.year,
                  _families(candidate.authors, candidate.names), candidate, cites=(key, candidate.bibkey or ""))


def _label(candidate: Candidate) -> str:
    return candidate.bibkey if candidate.bibkey is not None else repr(candidate.title[:60])


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
    """A free key for a new paper: the input's own key exactly, when it is free and usable.

    `taken` holds the library's keys case-folded: bibtex reads `Same` and
    `same` as one entry ("Repeated entry"), so a key differing only in case is taken.

    Only when another paper has it, or it cannot be a key (spaces, braces,
    a name the site uses), is another chosen, and the note says so: a reader
    citing the old key must then cite the new one.
    """
    if candidate.bibkey is None:
        return assign_key(candidate.title, lambda k: k.casefold() in taken), None
    if is_usable_key(candidate.bibkey) and candidate.bibkey.casefold() not in taken:
        return candidate.bibkey, None
    wanted = key_from_bibkey(candidate.bibkey)
    why = why_unusable(candidate.bibkey) or "is taken by another paper"
    key = wanted if wanted is not None and wanted.casefold() not in taken and why != "is taken by another paper" else None
    key = key or assign_key(candidate.title, lambda k: k.casefold() in taken)
    note = Problem(candidate.file, f"{candidate.bibkey or repr(candidate.bibkey)}: the BibTeX key {why}; this paper's key is {key!r} (cite it as that)", line=candidate.line)
    return key, note
