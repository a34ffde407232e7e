"""Ask each REF's own source for its metadata: arXiv, Crossref, OpenReview, ACL.

One polite client serves every source, so the per-host pacing, the cache and
the deadline hold across the whole run. arXiv ids are looked up in batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from generator.fetch import acl, arxiv, crossref, openreview
from generator.fetch.http import FetchError, NotFound, PoliteClient, contact_from_mkdocs, user_agent
from generator.fetch.metadata import FetchedPaper
from generator.limits import refused_answer
from generator.identifiers import Ref

CACHE_DIR = Path(".cache") / "http"


@dataclass(frozen=True)
class Apis:
    """Where each source is asked; each can point at a mirror or a test server."""

    arxiv: str = arxiv.DEFAULT_API_URL
    crossref: str = crossref.DEFAULT_API_URL
    openreview: str = openreview.DEFAULT_API_URL
    acl: str = acl.DEFAULT_API_URL


@dataclass
class Resolution:
    """What the sources said: a paper per REF found, a reason per REF not."""

    found: dict[Ref, FetchedPaper] = field(default_factory=dict)
    not_found: dict[Ref, str] = field(default_factory=dict)
    failed: dict[Ref, str] = field(default_factory=dict)  # offline, refused, malformed: try again later


def make_client(content: Path, *, delay: float | None = None, deadline: float | None = 600.0,
                cache_dir: Path | None = None) -> PoliteClient:
    """A client caching under `content/.cache/http`, with the site's repo as contact."""
    contact = contact_from_mkdocs(content.resolve().parent, Path.cwd())
    return PoliteClient(user_agent=user_agent(contact), cache_dir=cache_dir or content / CACHE_DIR,
                        delay=delay, deadline=deadline)


Progress = Callable[[list, str], Iterable]  # (items, label) -> the items, shown as they pass


def _no_progress(items: list, label: str) -> Iterable:
    return items


def resolve(refs: list[Ref], client: PoliteClient, apis: Apis = Apis(),
            log: Callable[[str], None] | None = None, progress: Progress | None = None) -> Resolution:
    """Fetch every REF (each once) from the source that owns it."""
    out = Resolution()
    unique = list(dict.fromkeys(refs))
    arxiv_ids = [r.value for r in unique if r.kind == "arxiv"]
    if arxiv_ids:
        found, missing = arxiv.fetch_ids(client, apis.arxiv, arxiv_ids)
        for ref in (r for r in unique if r.kind == "arxiv"):
            if ref.value in found:
                out.found[ref] = found[ref.value]
            elif missing.get(ref.value, "").startswith("arXiv has no paper"):
                out.not_found[ref] = missing[ref.value]
            else:
                out.failed[ref] = missing.get(ref.value, "no answer")
    fetchers = {
        "doi": lambda r: crossref.fetch_doi(client, apis.crossref, r.value),
        "openreview": lambda r: openreview.fetch_forum(client, apis.openreview, r.value),
        "acl": lambda r: acl.fetch_acl(client, apis.acl, r.value),
    }
    for ref in (progress or _no_progress)([r for r in unique if r.kind in fetchers], "fetching"):
        try:
            out.found[ref] = fetchers[ref.kind](ref)
        except NotFound as err:
            out.not_found[ref] = str(err)
        except (FetchError, OSError) as err:  # OSError: the cache folder
            out.failed[ref] = str(err)
        if log and ref in out.failed:
            log(f"failed: {ref.label}: {out.failed[ref]}")
    _refuse_oversized(out, apis, log)
    return out


def _refuse_oversized(out: Resolution, apis: Apis, log: Callable[[str], None] | None) -> None:
    """An answer above the sizes of generator.limits (20,001 authors, a 1 MB
    name) is refused, naming the server, as every reader refuses it."""
    servers = {"arxiv": apis.arxiv, "doi": apis.crossref, "openreview": apis.openreview, "acl": apis.acl}
    for ref, paper in list(out.found.items()):
        refused = refused_answer(servers.get(ref.kind, "the server"), paper.title, paper.abstract, paper.authors, paper.venue)
        if refused:
            del out.found[ref]
            out.failed[ref] = refused
            if log:
                log(f"failed: {ref.label}: {out.failed[ref]}")
