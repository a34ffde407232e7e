"""Enrich stage: fill authors, year and arXiv ids from the arXiv API.

(`--source openalex` or `--source semanticscholar` fills venues, references,
citation counts and code links from a scholarly graph instead: see
`generator.curation.graph_enrich`.)

`python -m generator enrich` looks every incomplete paper up on arXiv by its
exact title (or by its arXiv id when the curator already wrote one) and, on a
confident match, fills only the fields the record does not have yet:
`authors`, `year` (of the first version), `arxiv`, `url` and
`primary_class`, noting in `provenance:` where each value came from. It never
replaces a value, never changes a key, and keeps comments and field order
(ruamel round trip).

It is a separate, explicit step: the build never touches the network. It is
polite (one request per `--delay` seconds, retries with back-off, a
descriptive User-Agent) and resumable: every record is written atomically as
soon as it is enriched, and every raw response is cached on disk, so an
interrupted run loses nothing and a second run sends no request for a paper
already looked up.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from generator.curation import graph_enrich as graph
from generator.fetch import openalex, semanticscholar
from generator.identifiers import arxiv_id
from generator.fetch.arxiv import DEFAULT_API_URL, ArxivClient, ArxivEntry, ArxivFeed, FeedError, FetchError, id_query, title_query
from generator.library.edit import fill_missing
from generator.limits import refused_answer
from generator.library.records import did_you_mean, load_library, record_to_paper
from generator.library.yamlio import dump_yaml, load_yaml
from generator.model import Paper, Problem
from generator.textnorm import title_identity
from generator.writer import ChangedOnDisk, write_all_or_nothing

CACHE_DIR = Path(".cache") / "arxiv"
FILLED_FIELDS = ("authors", "year", "arxiv", "url", "primary_class")
NEAR_RATIO = 0.85  # titles this similar (but not equal) make a lookup ambiguous


@dataclass(frozen=True)
class Outcome:
    """What one lookup found: matched, ambiguous or not-found."""

    kind: str
    entry: ArxivEntry | None = None
    detail: str = ""


@dataclass
class EnrichReport:
    matched: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: int = 0  # already had arxiv, authors and year: no request
    remaining: int = 0  # left for a later run by --limit
    requests: int = 0
    cache_hits: int = 0
    interrupted: bool = False
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"matched {len(self.matched)}, ambiguous {len(self.ambiguous)}, not found {len(self.not_found)}, "
            f"failed {len(self.failed)}, skipped (already complete) {self.skipped}"
        )
        if self.remaining:
            text += f", left for a later run {self.remaining}"
        text += f"; {self.requests} request(s) sent, {self.cache_hits} answered from the cache"
        if self.interrupted:
            text += "; interrupted (what was matched is saved)"
        return text


# ------------------------------------------------------------------ matching


def is_complete(paper: Paper) -> bool:
    return bool(paper.arxiv and paper.authors and paper.year)


def known_arxiv_id(paper: Paper) -> str | None:
    """The curator's arXiv id without its version, when it looks like one."""
    return arxiv_id(paper.arxiv)


def query_for(paper: Paper) -> str:
    known = known_arxiv_id(paper)
    return id_query(known) if known else title_query(paper.title)


def _near(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= NEAR_RATIO


def classify(paper: Paper, feed: ArxivFeed) -> Outcome:
    """Decide whether `feed` holds exactly one paper that is `paper`."""
    known = known_arxiv_id(paper)
    if known:
        hits = [e for e in feed.entries if e.arxiv_id == known]
        if hits:
            return Outcome("matched", hits[0])
        return Outcome("not-found", detail=f"arXiv has no paper {known}")
    identity = title_identity(paper.title)
    equal: dict[str, ArxivEntry] = {}
    for entry in feed.entries:
        if title_identity(entry.title) == identity:
            equal.setdefault(entry.arxiv_id, entry)
    if len(equal) == 1:
        return Outcome("matched", next(iter(equal.values())))
    if len(equal) > 1:
        return Outcome("ambiguous", detail=f"{len(equal)} arXiv papers have this exact title: {', '.join(equal)}")
    near = [e for e in feed.entries if _near(identity, title_identity(e.title))]
    if near:
        listed = "; ".join(f"{e.arxiv_id} {e.title!r}" for e in near)
        return Outcome("ambiguous", detail=f"no exact title match; {len(near)} near: {listed}")
    if feed.total_results == 0 or not feed.entries:
        return Outcome("not-found", detail="no arXiv paper with this title")
    return Outcome("not-found", detail=f"{len(feed.entries)} result(s), none with this title")


# ------------------------------------------------------------------ records


def fill_record(data: CommentedMap, entry: ArxivEntry, text: str = "") -> list[str]:
    """Fill the fields `data` lacks from `entry`; return the names filled.

    `text` is the record's YAML as read, used to keep comments next to the
    field they were written above.
    """
    values: dict[str, Any] = {
        "authors": list(entry.authors) or None,
        "year": entry.year,
        "arxiv": entry.arxiv_id,
        "url": entry.abs_url,
        "primary_class": entry.primary_class,
    }
    ordered = {name: values[name] for name in FILLED_FIELDS}
    return fill_missing(data, ordered, provenance=f"arxiv {entry.arxiv_id}", text=text)


def apply_match(paper: Paper, entry: ArxivEntry, pending: dict[Path, tuple[str, bytes]] | None = None) -> tuple[list[str], str | None]:
    """Re-read the record and fill it; (filled, error).

    With `pending`, the new text (and the bytes it was made from) is kept
    there for the run's single transaction; without, it is written now.
    """
    path = paper.path
    assert path is not None
    raw = path.read_bytes()  # read now, not at start: the curator may have edited it
    text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    data, problems = load_yaml(text, str(path))
    if problems or not isinstance(data, CommentedMap):
        return [], "; ".join(str(p) for p in problems) or "record is not a mapping"
    if data.get("key") != paper.key:
        return [], f"record key changed to {data.get('key')!r} during the run"
    filled = fill_record(data, entry, text)
    if not filled:
        return [], None
    _paper, problems = record_to_paper(data, path)
    if problems:  # never write a record that `check` would reject
        return [], "; ".join(p.message for p in problems)
    if pending is None:
        write_all_or_nothing({path: dump_yaml(data)}, expected={path: raw})
    else:
        pending[path] = (dump_yaml(data), raw)
    return filled, None


def save_matches(pending: dict[Path, tuple[str, bytes]], report: EnrichReport, say: Callable[[str], None]) -> None:
    """Write every filled record in one transaction: the run lands whole.

    A record edited by hand since it was read is left as it is (and its
    paper counted as failed); the others are still written together.
    """
    while pending:
        try:
            write_all_or_nothing({p: new for p, (new, _raw) in pending.items()}, expected={p: raw for p, (_new, raw) in pending.items()})
            return
        except ChangedOnDisk as err:
            changed = next(p for p in pending if os.path.abspath(p) == os.path.abspath(str(err.filename)))
            del pending[changed]
            key = changed.stem
            if key in report.matched:
                report.matched.remove(key)
            report.failed.append(key)
            say(f"failed: {key}: {err}")
        except OSError as err:
            report.failed.extend(p.stem for p in pending if p.stem not in report.failed)
            report.matched[:] = [k for k in report.matched if k not in report.failed]
            say(f"failed: cannot write the enriched records ({err}); none was changed")
            return


# ------------------------------------------------------------------ run


@dataclass(frozen=True)
class EnrichOptions:
    """What `enrich` is asked to do (the command's options, typed)."""

    api_url: str = DEFAULT_API_URL
    delay: float | None = None  # default: the source's own rule (arXiv asks for 3 s)
    cache_dir: Path | None = None  # default: <content>/.cache/arxiv, or .cache/http for a graph
    limit: int | None = None
    only: tuple[str, ...] = ()
    source: str = "arxiv"  # or "openalex", "semanticscholar"
    openalex_api: str = openalex.DEFAULT_API_URL
    s2_api: str = semanticscholar.DEFAULT_API_URL
    mailto: str | None = None  # OpenAlex's contact parameter; default: mkdocs.yml extra.contact_email
    today: str | None = None  # ISO date a citation count is read on (tests); default: today


def check_options(content: Path, options: EnrichOptions) -> tuple[str, int] | None:
    """What is wrong with the options before any lookup: (message, exit status), or None."""
    if options.delay is not None and options.delay < 0:
        return "--delay must be zero or more seconds", 2
    if options.source not in ("arxiv",) + graph.SOURCES:
        return f"--source must be one of arxiv, {', '.join(graph.SOURCES)}", 2
    if options.limit is not None and options.limit < 0:
        return "--limit must be zero or more", 2
    if not (content / "papers").is_dir():
        return f"{content / 'papers'}: no such folder (is --content right?)", 1
    return None


def _todo(content: Path, options: EnrichOptions, report: EnrichReport) -> list[Paper]:
    """The papers to look up, in key order; problems for unknown `--only` keys."""
    library = load_library(content)
    report.problems.extend(library.problems)
    papers = list(library.papers)
    if options.only:
        keys = {p.key for p in papers}
        for key in options.only:
            if key not in keys:
                report.problems.append(Problem(str(content / "papers"), f"--only {key!r}: no such paper{did_you_mean(key, sorted(keys))}"))
        wanted = set(options.only)
        papers = [p for p in papers if p.key in wanted]
    if report.problems:
        return []
    todo = []
    for paper in papers:
        if options.source == "arxiv" and is_complete(paper):
            report.skipped += 1
        else:
            todo.append(paper)
    if options.limit is not None and len(todo) > options.limit:
        report.remaining = len(todo) - options.limit
        todo = todo[: options.limit]
    return todo


def _enrich_one(paper: Paper, client: ArxivClient, report: EnrichReport, pending: dict[Path, tuple[str, bytes]] | None = None) -> str:
    """Look one paper up and fill its record on a confident match; the line to log."""
    try:
        feed = client.lookup(query_for(paper))
    except (FetchError, FeedError, OSError) as err:  # OSError: the cache folder
        report.failed.append(paper.key)
        return f"failed: {paper.key}: {err}"
    outcome = classify(paper, feed)
    if outcome.kind == "ambiguous":
        report.ambiguous.append(paper.key)
        return f"ambiguous: {paper.key}: {outcome.detail}"
    if outcome.kind != "matched":
        report.not_found.append(paper.key)
        return f"not found: {paper.key}: {outcome.detail}"
    assert outcome.entry is not None
    entry = outcome.entry
    if refused := refused_answer(client.api_url, entry.title, entry.summary, entry.authors, entry.journal_ref):
        report.failed.append(paper.key)
        return f"failed: {paper.key}: {refused}"
    try:
        filled, error = apply_match(paper, outcome.entry, pending)
    except OSError as err:
        filled, error = [], f"cannot write {paper.path}: {err}"
    if error:
        report.failed.append(paper.key)
        return f"failed: {paper.key}: {error}"
    report.matched.append(paper.key)
    what = ", ".join(filled) if filled else "nothing new"
    return f"matched: {paper.key} = arXiv {outcome.entry.arxiv_id} ({what})"


def enrich_library(
    content: Path,
    options: EnrichOptions = EnrichOptions(),
    *,
    client: ArxivClient | None = None,
    log: Callable[[str], None] | None = None,
    progress: Callable[[list[Paper], str], Iterable[Paper]] | None = None,
) -> EnrichReport:
    """Look incomplete papers up on arXiv and fill what a confident match gives.

    Each outcome is passed to `log` as it happens (a run can take minutes);
    `progress` may wrap the papers to show how far the run is.
    """
    report = EnrichReport()
    todo = _todo(content, options, report)
    if report.problems:
        return report
    if options.source != "arxiv":
        return _enrich_graph(content, options, todo, report, log, progress)
    if client is None:
        cache_dir = options.cache_dir if options.cache_dir is not None else content / CACHE_DIR
        client = ArxivClient(api_url=options.api_url, delay=3.0 if options.delay is None else options.delay, cache_dir=cache_dir)
    say = log or (lambda message: None)
    pending: dict[Path, tuple[str, bytes]] = {}  # one transaction for the whole run
    try:
        for paper in (progress or (lambda items, label: items))(todo, "arXiv"):
            say(_enrich_one(paper, client, report, pending))
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        save_matches(pending, report, say)
        report.requests = client.requests
        report.cache_hits = client.cache_hits
    return report


def _enrich_graph(content: Path, options: EnrichOptions, todo: list[Paper], report: EnrichReport, log, progress) -> EnrichReport:
    """The same run against OpenAlex or Semantic Scholar (see `graph_enrich`)."""
    client = graph.make_client(content, options.source, options.delay, options.cache_dir)
    api = options.openalex_api if options.source == "openalex" else options.s2_api
    mailto = options.mailto or graph.mailto_from_mkdocs(content.parent, Path.cwd())
    lookup = graph.GraphLookup(options.source, api, mailto if options.source == "openalex" else None)
    today = options.today or date.today().isoformat()
    say = log or (lambda message: None)
    try:
        for paper in (progress or (lambda items, label: items))(todo, graph.LABELS[options.source]):
            say(graph.enrich_one(paper, lookup, client, report, today))
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        report.requests = client.requests
        report.cache_hits = client.cache_hits
    return report
