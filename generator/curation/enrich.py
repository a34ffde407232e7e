"""Enrich stage: fill authors, year and arXiv ids from the arXiv API.

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

import argparse
import difflib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from generator.identifiers import arxiv_id
from generator.fetch.arxiv import DEFAULT_API_URL, ArxivClient, ArxivEntry, ArxivFeed, FeedError, FetchError, id_query, title_query
from generator.library.records import did_you_mean, dump_yaml, load_library, load_yaml, record_to_paper
from generator.model import RECORD_FIELDS, Paper, Problem
from generator.textnorm import title_identity
from generator.writer import write_atomic

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


def _missing(data: CommentedMap, name: str) -> bool:
    value = data.get(name)
    return value is None or (isinstance(value, (str, list)) and not value)


def commented_gaps(data: CommentedMap, text: str) -> set[str]:
    """Top-level keys followed by a full-line comment before the next key.

    ruamel keeps such a comment with the key *before* it, so a field inserted
    right after that key would come between the comment and the field the
    curator wrote it about; we insert elsewhere instead.
    """
    lines = text.splitlines()
    starts = []
    for name in data:
        try:
            starts.append((data.lc.key(name)[0], name))
        except Exception:
            return set()
    starts.sort()
    bad = set()
    for index, (line, name) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(lines)
        if any(lines[i].startswith("#") for i in range(line + 1, min(end, len(lines)))):
            bad.add(name)
    return bad


def set_field(data: CommentedMap, name: str, value: Any, avoid_after: set[str] = frozenset(), new: set[str] | None = None) -> None:
    """Set a field: in place if the key exists, else at its place in RECORD_FIELDS order.

    `avoid_after` are keys a new field must not directly follow (a comment
    for the next field sits there); `new` collects keys added by this run so
    that they stay in order among themselves when a field has to move.
    """
    if name in data:
        data[name] = value
        return
    new = new if new is not None else set()
    order = RECORD_FIELDS.index(name)
    rank = {k: RECORD_FIELDS.index(k) if k in RECORD_FIELDS else len(RECORD_FIELDS) for k in data}
    keys = list(data)
    ideal = next((i for i, k in enumerate(keys) if rank[k] > order), len(keys))
    position = ideal
    while position < len(keys) and (keys[position - 1] in avoid_after or (keys[position] in new and rank[keys[position]] < order)):
        position += 1
    if position >= len(keys) and keys and keys[-1] in avoid_after:
        position = ideal
        while position > 1 and keys[position - 1] in avoid_after:
            position -= 1
    data.insert(position, name, value)
    new.add(name)


def fill_record(data: CommentedMap, entry: ArxivEntry, text: str = "") -> list[str]:
    """Fill the fields `data` lacks from `entry`; return the names filled.

    `text` is the record's YAML as read, used to keep comments next to the
    field they were written above.
    """
    avoid = commented_gaps(data, text) if text else set()
    new: set[str] = set()
    values: dict[str, Any] = {
        "authors": list(entry.authors) or None,
        "year": entry.year,
        "arxiv": entry.arxiv_id,
        "url": entry.abs_url,
        "primary_class": entry.primary_class,
    }
    filled = []
    for name in FILLED_FIELDS:
        value = values[name]
        if value is None or not _missing(data, name):
            continue
        if name == "authors":
            seq = CommentedSeq()
            seq.extend(value)
            value = seq
        set_field(data, name, value, avoid, new)
        filled.append(name)
    if filled:
        if not isinstance(data.get("provenance"), dict):
            set_field(data, "provenance", CommentedMap(), avoid, new)
        for name in filled:
            data["provenance"][name] = f"arxiv {entry.arxiv_id}"
    return filled


def apply_match(paper: Paper, entry: ArxivEntry) -> tuple[list[str], str | None]:
    """Re-read the record, fill it and write it atomically; (filled, error)."""
    path = paper.path
    assert path is not None
    text = path.read_text("utf-8")  # read now, not at start: the curator may have edited it
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
    write_atomic(path, dump_yaml(data))
    return filled, None


# ------------------------------------------------------------------ run


def enrich_library(
    content: Path,
    *,
    api_url: str = DEFAULT_API_URL,
    delay: float = 3.0,
    cache_dir: Path | None = None,
    limit: int | None = None,
    only: list[str] | None = None,
    client: ArxivClient | None = None,
    log: Callable[[str], None] | None = None,
    progress: bool | None = None,
) -> EnrichReport:
    """Look incomplete papers up on arXiv and fill what a confident match gives."""
    report = EnrichReport()
    library = load_library(content)
    report.problems.extend(library.problems)
    papers = list(library.papers)
    if only:
        keys = {p.key for p in papers}
        for key in only:
            if key not in keys:
                report.problems.append(Problem(str(content / "papers"), f"--only {key!r}: no such paper{did_you_mean(key, sorted(keys))}"))
        wanted = set(only)
        papers = [p for p in papers if p.key in wanted]
    if report.problems:
        return report
    todo = []
    for paper in papers:
        if is_complete(paper):
            report.skipped += 1
        else:
            todo.append(paper)
    if limit is not None and len(todo) > limit:
        report.remaining = len(todo) - limit
        todo = todo[:limit]

    if client is None:
        client = ArxivClient(api_url=api_url, delay=delay, cache_dir=cache_dir if cache_dir is not None else content / CACHE_DIR)
    from tqdm import tqdm

    bar = tqdm(todo, desc="arXiv", unit="paper", file=sys.stderr, disable=None if progress is None else not progress, leave=False)
    say = log or (lambda message: tqdm.write(message, file=sys.stderr))
    try:
        for paper in bar:
            try:
                feed = client.lookup(query_for(paper))
            except (FetchError, FeedError, OSError) as err:  # OSError: the cache folder
                report.failed.append(paper.key)
                say(f"failed: {paper.key}: {err}")
                continue
            outcome = classify(paper, feed)
            if outcome.kind == "matched":
                assert outcome.entry is not None
                try:
                    filled, error = apply_match(paper, outcome.entry)
                except OSError as err:
                    filled, error = [], f"cannot write {paper.path}: {err}"
                if error:
                    report.failed.append(paper.key)
                    say(f"failed: {paper.key}: {error}")
                    continue
                report.matched.append(paper.key)
                what = ", ".join(filled) if filled else "nothing new"
                say(f"matched: {paper.key} = arXiv {outcome.entry.arxiv_id} ({what})")
            elif outcome.kind == "ambiguous":
                report.ambiguous.append(paper.key)
                say(f"ambiguous: {paper.key}: {outcome.detail}")
            else:
                report.not_found.append(paper.key)
                say(f"not found: {paper.key}: {outcome.detail}")
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        bar.close()
        report.requests = client.requests
        report.cache_hits = client.cache_hits
    return report


def run_enrich(args: argparse.Namespace) -> int:
    """The `enrich` subcommand."""
    content: Path = args.content
    if args.delay is not None and args.delay < 0:
        print("error: --delay must be zero or more seconds", file=sys.stderr)
        return 2
    if args.limit is not None and args.limit < 0:
        print("error: --limit must be zero or more", file=sys.stderr)
        return 2
    if not (content / "papers").is_dir():
        print(f"error: {content / 'papers'}: no such folder (is --content right?)", file=sys.stderr)
        return 1
    report = enrich_library(
        content,
        api_url=args.api_url,
        delay=args.delay,
        cache_dir=args.cache,
        limit=args.limit,
        only=args.only,
    )
    for problem in report.problems:
        print(f"error: {problem}", file=sys.stderr)
    if report.problems:
        print(f"enrich: {len(report.problems)} problem(s); nothing was looked up", file=sys.stderr)
        return 1
    print(f"enrich: {report.summary()}")
    if report.interrupted:
        return 130
    return 1 if report.failed else 0
