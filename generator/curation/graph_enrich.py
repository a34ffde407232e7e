"""Enrich from a scholarly graph: OpenAlex or Semantic Scholar.

`python -m generator enrich --source openalex|semanticscholar` matches each
paper by DOI, then arXiv id, then a guarded title (the same normalised
title, years at most one apart when both are known, a family name in common
when both list authors) and fills what the record lacks: the published
venue and its year, the DOI, the references as external ids, a code link,
and a citation count with the date it was read. Curated values are never
changed. A value the graph gave before may be renewed: a count (and its
date) when the source now says another number, a year when the paper's
venue arrives and the year was only the preprint's; `provenance:` tells
which values a curator wrote (no entry, or an entry not naming a source).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date as Date
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from generator.fetch import openalex, semanticscholar
from generator.fetch.graphwork import GraphWork, family_name
from generator.fetch.http import FetchError, NotFound, PoliteClient, contact_from_mkdocs, user_agent
from generator.identifiers import arxiv_id, is_doi, strip_doi_prefix
from generator.library.edit import commented_gaps, fill_missing, set_field
from generator.library.records import record_to_paper
from generator.library.yamlio import dump_yaml, load_yaml
from generator.limits import refused_answer
from generator.model import Paper
from generator.textnorm import title_identity
from generator.writer import write_atomic

SOURCES = ("openalex", "semanticscholar")
CACHE_DIR = Path(".cache") / "http"
LABELS = {"openalex": "OpenAlex", "semanticscholar": "Semantic Scholar"}
# Provenance entries that name a machine source: such values may be renewed.
MACHINE_PREFIXES = ("arxiv ", "openalex ", "semanticscholar ", "crossref ", "openreview ", "acl ")


@dataclass(frozen=True)
class GraphLookup:
    """Where one source is and how to address it."""

    source: str
    api_url: str
    mailto: str | None = None


@dataclass(frozen=True)
class Found:
    """What one lookup gave: matched (with the work), ambiguous, not-found or failed."""

    kind: str
    work: GraphWork | None = None
    detail: str = ""
    via: str = ""  # "doi", "arxiv" or "title"


# ------------------------------------------------------------------ matching


def given_by(paper: Paper, source: str) -> set[str]:
    """The record's fields whose provenance names `source`."""
    if paper.path is None:
        return set()
    try:
        data, _problems = load_yaml(paper.path.read_text("utf-8"), str(paper.path))
    except OSError:
        return set()
    provenance = data.get("provenance") if isinstance(data, dict) else None
    if not isinstance(provenance, dict):
        return set()
    return {str(k) for k, v in provenance.items() if isinstance(v, str) and v.startswith(source + " ")}


def paper_ids(paper: Paper, source: str = "") -> list[str]:
    """The external ids to ask for, DOI first (it names the published version).

    An id this source gave earlier is not asked for: the next run then asks
    the same questions as the first, and the cache answers them all.
    """
    own = given_by(paper, source) if source else set()
    ids = []
    doi = strip_doi_prefix(paper.doi) if paper.doi and "doi" not in own else None
    if doi and is_doi(doi) and not doi.lower().startswith("10.48550/"):
        ids.append(f"doi:{doi}")
    known = arxiv_id(paper.arxiv) if "arxiv" not in own else None
    if known:
        ids.append(f"arxiv:{known}")
    return ids


def title_matches(paper: Paper, work: GraphWork) -> bool:
    """The guarded title match: same title, years within one, a family name in common."""
    if title_identity(paper.title) != title_identity(work.title):
        return False
    if paper.year and work.year and abs(paper.year - work.year) > 1:
        return False
    if paper.authors and work.authors:
        ours = {family_name(a) for a in paper.authors} - {""}
        theirs = {family_name(a) for a in work.authors} - {""}
        if ours and theirs and not ours & theirs:
            return False
    return True


def _by_title(paper: Paper, lookup: GraphLookup, client) -> list[GraphWork]:
    try:
        if lookup.source == "openalex":
            found = openalex.search_title(client, lookup.api_url, paper.title, lookup.mailto)
        else:
            found = semanticscholar.match_title(client, lookup.api_url, paper.title)
    except NotFound:
        return []
    unique = {w.source_id: w for w in found if title_matches(paper, w)}
    return [unique[k] for k in sorted(unique)]


def _by_id(ref: str, lookup: GraphLookup, client) -> GraphWork:
    if lookup.source == "openalex":
        return openalex.work_by_id(client, lookup.api_url, ref, lookup.mailto)
    return semanticscholar.paper_by_id(client, lookup.api_url, ref)


def _published_version(paper: Paper, work: GraphWork, lookup: GraphLookup, client) -> GraphWork:
    """OpenAlex keeps a preprint and its journal or conference version apart at times:
    a preprint found by id borrows venue, year and DOI from the one guarded title match that has them."""
    if lookup.source != "openalex" or work.venue:
        return work
    versions = [w for w in _by_title(paper, lookup, client) if w.venue and w.source_id != work.source_id]
    if len(versions) != 1:
        return work
    other = versions[0]  # references and count stay the id-matched work's: provenance names each source
    return replace(work, venue=other.venue, venue_year=other.venue_year, doi=work.doi or other.doi, venue_id=other.source_id)


def find(paper: Paper, lookup: GraphLookup, client) -> tuple[Found, list[str]]:
    """Look one paper up; (outcome, reference lookups that failed)."""
    label = LABELS[lookup.source]
    work, via = None, ""
    try:
        for ref in paper_ids(paper, lookup.source):
            try:
                work, via = _by_id(ref, lookup, client), ref.partition(":")[0]
                break
            except NotFound:
                continue
        if work is None:
            candidates = _by_title(paper, lookup, client)
            if len(candidates) > 1:
                listed = ", ".join(w.source_id for w in candidates)
                return Found("ambiguous", detail=f"{len(candidates)} {label} works pass the title check: {listed}"), []
            if not candidates:
                return Found("not-found", detail=f"{label} has no work with this id or title"), []
            work, via = candidates[0], "title"
        work = _published_version(paper, work, lookup, client)
        failures: list[str] = []
        if lookup.source == "openalex":
            work, failures = openalex.with_references(client, lookup.api_url, work, lookup.mailto)
    except (FetchError, OSError) as err:  # OSError: the cache folder
        return Found("failed", detail=str(err)), []
    return Found("matched", work, via=via), failures


# ------------------------------------------------------------------ records


def _machine(data: CommentedMap, name: str) -> bool:
    """Whether `name`'s value came from a source (so it may be renewed), not from a curator."""
    provenance = data.get("provenance")
    where = provenance.get(name) if isinstance(provenance, dict) else None
    return isinstance(where, str) and where.startswith(MACHINE_PREFIXES)


def _renew(data: CommentedMap, name: str, value: Any, provenance: str, avoid: set[str]) -> bool:
    """Replace a value a source gave earlier; False when it is curated or already equal."""
    if name not in data or data.get(name) is None or not _machine(data, name) or data.get(name) == value:
        return False
    set_field(data, name, value, avoid)
    data["provenance"][name] = provenance
    return True


def fill_from_work(data: CommentedMap, work: GraphWork, today: str, text: str = "") -> list[str]:
    """Edit a record with what `work` says; the names of the fields changed."""
    avoid = commented_gaps(data, text) if text else set()
    values = {"authors": list(work.authors) or None, "code": work.code, "arxiv": work.arxiv,
              "references": list(work.references) or None}
    published = {"year": work.venue_year or work.year, "doi": work.doi, "venue": work.venue}
    changed = fill_missing(data, published, provenance=work.venue_provenance, text=text)
    changed += fill_missing(data, values, provenance=work.provenance, text=text)
    if work.venue_year and ("venue" in changed or _machine(data, "venue")):
        if _renew(data, "year", work.venue_year, work.venue_provenance, avoid):
            changed.append("year")
    if work.cited_by_count is not None:
        if data.get("cited_by_count") is None:
            changed += fill_missing(data, {"cited_by_count": work.cited_by_count}, provenance=work.provenance, text=text)
        elif _renew(data, "cited_by_count", work.cited_by_count, work.provenance, avoid):
            changed.append("cited_by_count")
        if "cited_by_count" in changed:  # the date says when this number was read
            when = Date.fromisoformat(today)
            if data.get("cited_by_count_date") is None:
                changed += fill_missing(data, {"cited_by_count_date": when}, provenance=work.provenance, text=text)
            elif _renew(data, "cited_by_count_date", when, work.provenance, avoid):
                changed.append("cited_by_count_date")
    return changed


def apply_work(paper: Paper, work: GraphWork, today: str) -> tuple[list[str], str | None]:
    """Re-read the record, edit it and write it atomically; (changed, error)."""
    path: Path | None = paper.path
    assert path is not None
    text = path.read_text("utf-8")  # read now, not at start: the curator may have edited it
    data, problems = load_yaml(text, str(path))
    if problems or not isinstance(data, CommentedMap):
        return [], "; ".join(str(p) for p in problems) or "record is not a mapping"
    if data.get("key") != paper.key:
        return [], f"record key changed to {data.get('key')!r} during the run"
    changed = fill_from_work(data, work, today, text)
    if not changed:
        return [], None
    _paper, problems = record_to_paper(data, path)
    if problems:  # never write a record that `check` would reject
        return [], "; ".join(p.message for p in problems)
    write_atomic(path, dump_yaml(data))
    return changed, None


# ------------------------------------------------------------------ run


def mailto_from_mkdocs(*folders: Path) -> str | None:
    """A contact address for OpenAlex's `mailto`: `extra: contact_email:` in mkdocs.yml."""
    for folder in folders:
        try:
            text = (folder / "mkdocs.yml").read_text("utf-8")
        except OSError:
            continue
        found = re.search(r"^\s+contact_email:\s*['\"]?([^\s'\"@]+@[^\s'\"#]+)", text, re.M)
        if found:
            return found.group(1)
    return None


def make_client(content: Path, source: str, delay: float | None, cache_dir: Path | None) -> PoliteClient:
    """The polite client of one graph, paced by the source's documented limit."""
    pace = delay if delay is not None else openalex.DELAY if source == "openalex" else semanticscholar.DELAY
    contact = contact_from_mkdocs(content.parent, Path.cwd())
    return PoliteClient(user_agent=user_agent(contact), cache_dir=cache_dir if cache_dir is not None else content / CACHE_DIR,
                        delay=pace)


def enrich_one(paper: Paper, lookup: GraphLookup, client, report, today: str) -> str:
    """Look one paper up and edit its record on a match; the line to log."""
    found, failures = find(paper, lookup, client)
    label = LABELS[lookup.source]
    if found.kind in ("ambiguous", "not-found", "failed"):
        getattr(report, {"ambiguous": "ambiguous", "not-found": "not_found", "failed": "failed"}[found.kind]).append(paper.key)
        return f"{found.kind.replace('-', ' ')}: {paper.key}: {found.detail}"
    assert found.work is not None
    work = found.work
    if refused := refused_answer(lookup.api_url, work.title, "", work.authors, work.venue, work.references):
        report.failed.append(paper.key)
        return f"failed: {paper.key}: {refused}"
    try:
        changed, error = apply_work(paper, found.work, today)
    except OSError as err:
        changed, error = [], f"cannot write {paper.path}: {err}"
    if error:
        report.failed.append(paper.key)
        return f"failed: {paper.key}: {error}"
    report.matched.append(paper.key)
    what = ", ".join(changed) if changed else "nothing new"
    line = f"matched: {paper.key} = {label} {found.work.source_id} by {found.via} ({what})"
    if failures:
        line += f"; {len(failures)} reference lookup(s) failed: {failures[0]}"
    return line
