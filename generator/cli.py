"""Command line: `python -m generator import|add|build|check|suggest|enrich`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_CONTENT = Path("content")
DEFAULT_DOCS = Path("generated")


def _print_problems(problems) -> None:
    for problem in problems:
        print(f"{problem.severity}: {problem}", file=sys.stderr)


# Below this many papers an import is instant: no progress bar.
PROGRESS_MIN_RECORDS = 200


def _progress(items, label: str):
    """A progress bar, only for long imports and only on a terminal."""
    if len(items) > PROGRESS_MIN_RECORDS and sys.stderr.isatty():
        try:
            from tqdm import tqdm

            return tqdm(items, desc=label, unit="paper", leave=False, file=sys.stderr)
        except ImportError:  # pragma: no cover
            pass
    return items


def _import_dumps(args: argparse.Namespace, dumps: list[Path]) -> int:
    from generator.reading.merge import import_dumps

    report = import_dumps(args.content, dumps, today=args.date, progress=_progress)
    _print_problems(report.problems)
    if report.problems:
        print(f"import: {report.summary()}; nothing was written", file=sys.stderr)
        return 1
    print(f"import: {report.summary()}")
    return 0


def _import_bibtex(args: argparse.Namespace, paths: list[Path]) -> int:
    """Import .bib files: notes and problems in file and line order, then a summary."""
    from generator.reading.merge import import_bibtex

    report = import_bibtex(args.content, paths, today=args.date, progress=_progress)
    order = {str(p): i for i, p in enumerate(paths)}
    where = lambda p: (order.get(p.file, len(order)), p.file, p.line or 0)  # noqa: E731
    for note in sorted(report.notes, key=where):
        print(f"note: {note}", file=sys.stderr)
    _print_problems(sorted(report.problems, key=where))
    written = "" if report.added or report.merged else "; nothing was written"
    if report.problems:
        print(f"import: {report.summary()}{written}", file=sys.stderr)
        return 1
    print(f"import: {report.summary()}")
    return 0


def _link_texts(paths: list[Path]) -> list[Path]:
    """The files that are pages of links (a README, a syllabus), not dumps."""
    from generator.reading.dumps import read_dump_text
    from generator.reading.links import is_link_text

    out = []
    for path in paths:
        text, _problems = read_dump_text(path)  # unreadable: the dump import reports it
        if text is not None and is_link_text(path, text):
            out.append(path)
    return out


def _print_add_report(command: str, report, unknown: list[str] = ()) -> None:
    """What `add` (or a link import) did: problems and misses on stderr, the rest on stdout."""
    for text in unknown:
        print(f"error: {text}", file=sys.stderr)
    _print_problems(report.problems)
    for what, items in (("not found", report.not_found), ("failed", report.failed)):
        for text in items:
            print(f"{what}: {text}", file=sys.stderr)
    for key in report.stubs:
        print(f"note: {key} is a stub (not fetched yet); `python -m generator add --stubs` completes it later")
    for text in report.incomplete + report.notes:
        print(f"note: {text}")
    for name, keys in (("added", report.added), ("merged", report.merged)):
        for key in keys:
            print(f"{name}: {key}")
    print(f"{command}: {report.summary()}" + ("; nothing was written" if report.problems else ""))


def _fetching(args: argparse.Namespace):
    """The client, endpoints and terminal of a run that fetches metadata."""
    from generator.curation.add import Apis, make_client

    client = make_client(args.content, delay=args.delay, deadline=args.deadline)
    apis = Apis(arxiv=args.arxiv_api, crossref=args.crossref_api, openreview=args.openreview_api, acl=args.acl_api)
    return client, apis, _TerminalProgress()


def _import_link_texts(args: argparse.Namespace, paths: list[Path]) -> int:
    from generator.curation.add import import_link_texts

    client, apis, terminal = _fetching(args)
    try:
        report, notes = import_link_texts(args.content, paths, apis=apis, client=client, today=args.date,
                                          log=terminal.log, progress=terminal)
    finally:
        terminal.close()
    for note in notes:
        print(f"note: {note}")
    _print_add_report("import", report)
    return 1 if report.problems else 0


def cmd_add(args: argparse.Namespace) -> int:
    """Exit 1 when a REF is not understood or not found; stubs (offline) are a note."""
    from generator.curation.add import add_refs, stubs

    if args.delay is not None and args.delay < 0:
        print("error: --delay must be zero or more seconds", file=sys.stderr)
        return 2
    refs = list(args.refs) + ([url for url in stubs(args.content).values() if url] if args.stubs else [])
    if not refs:
        print("error: give at least one REF (or --stubs to complete the stubs of the library)", file=sys.stderr)
        return 2
    client, apis, terminal = _fetching(args)
    try:
        report, unknown = add_refs(args.content, refs, apis=apis, client=client, today=args.date,
                                   log=terminal.log, progress=terminal)
    finally:
        terminal.close()
    _print_add_report("add", report, unknown)
    return 1 if unknown or report.problems or report.not_found else 0


def cmd_import(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths]
    references = (".bib", ".json", ".ris")  # reference-manager exports; other text is a dump or a page of links
    bib_files = [p for p in paths if p.suffix.lower() in references]
    text_dumps = [p for p in paths if p.suffix.lower() not in references]
    link_texts = _link_texts(text_dumps)
    text_dumps = [p for p in text_dumps if p not in link_texts]
    status = 0
    if link_texts:
        status = _import_link_texts(args, link_texts)
    if text_dumps and status == 0:
        status = _import_dumps(args, text_dumps)
    if bib_files and status == 0:
        status = _import_bibtex(args, bib_files)
    return status


def cmd_build(args: argparse.Namespace) -> int:
    from generator.build import ContentError, build
    from generator.cache import SITE_CACHE_DIR, open_cache

    # The build cache `mkdocs build` and `mkdocs serve` keep beside mkdocs.yml (the
    # content folder's parent): a rebuild after an edit redoes only what it touched.
    cache = None if args.no_cache else open_cache(Path(args.content).resolve().parent / SITE_CACHE_DIR)
    try:
        report = build(args.content, args.docs, cache=cache)
    except ContentError as err:
        _print_problems(err.problems)
        print(f"build: {len(err.problems)} problem(s) in {args.content}; nothing was generated", file=sys.stderr)
        return 1
    print(
        f"build: {len(report.written)} file(s) written, {report.unchanged} unchanged, "
        f"{len(report.removed)} removed, in {args.docs}"
    )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from generator.curation.add import stub_notes
    from generator.curation.check import check_content

    report = check_content(args.content)
    for note in stub_notes(args.content):
        print(f"note: {note}")
    _print_problems(report.problems + report.warnings)  # warnings do not fail the check
    if not report.ok:
        print(report.summary(), file=sys.stderr)
        return 1
    print(report.summary())
    return 0


def cmd_suggest(args: argparse.Namespace) -> int:
    from generator.curation.suggest import DEFAULT_MIN_SCORE, suggest_library

    if args.evaluate:
        from generator.curation.suggest_eval import report as evaluation

        print("\n".join(evaluation(args.content, min_score=args.min_score, pins=args.pins)))
        return 0
    min_score = DEFAULT_MIN_SCORE if args.min_score is None else args.min_score
    report = suggest_library(args.content, top=args.top, apply=args.apply, min_score=min_score)
    if report.problems:
        _print_problems(report.problems)
        print(f"suggest: {len(report.problems)} problem(s) in {args.content}; run `python -m generator check`", file=sys.stderr)
        return 1
    sys.stdout.write(report.yaml)
    for line in report.pinned:
        print(f"pinned {line}", file=sys.stderr)
    print(report.summary(args.apply, min_score), file=sys.stderr)
    return 0


class _TerminalProgress:
    """Progress bars and log lines on stderr that do not tear each other (tqdm)."""

    def __init__(self) -> None:
        self.bars: list = []

    def __call__(self, items, label: str):
        from tqdm import tqdm

        bar = tqdm(items, desc=label, unit="paper", file=sys.stderr, disable=None, leave=False)
        self.bars.append(bar)
        return bar

    def log(self, message: str) -> None:
        from tqdm import tqdm

        tqdm.write(message, file=sys.stderr)

    def close(self) -> None:
        for bar in self.bars:
            bar.close()


def cmd_enrich(args: argparse.Namespace) -> int:
    from generator.curation.enrich import EnrichOptions, check_options, enrich_library

    options = EnrichOptions(
        api_url=args.api_url, delay=args.delay, cache_dir=args.cache, limit=args.limit, only=tuple(args.only or ()),
        source=args.source, openalex_api=args.openalex_api, s2_api=args.s2_api, mailto=args.mailto,
    )
    wrong = check_options(args.content, options)
    if wrong is not None:
        message, status = wrong
        print(f"error: {message}", file=sys.stderr)
        return status
    terminal = _TerminalProgress()
    try:
        report = enrich_library(args.content, options, log=terminal.log, progress=terminal)
    finally:
        terminal.close()
    _print_problems(report.problems)
    if report.problems:
        print(f"enrich: {len(report.problems)} problem(s); nothing was looked up", file=sys.stderr)
        return 1
    print(f"enrich: {report.summary()}")
    if report.interrupted:
        return 130
    return 1 if report.failed else 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m generator", description="Reading-list site generator.")
    sub = top.add_subparsers(dest="command", required=True)

    def with_content(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--content", type=Path, default=DEFAULT_CONTENT, help="content folder (default: content)")
        return p

    def with_apis(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        """Where `add` and a link import fetch metadata, and how politely."""
        p.add_argument("--arxiv-api", default="https://export.arxiv.org/api/query", help="arXiv API endpoint")
        p.add_argument("--crossref-api", default="https://api.crossref.org", help="Crossref REST API base URL")
        p.add_argument("--openreview-api", default="https://api2.openreview.net", help="OpenReview API base URL")
        p.add_argument("--acl-api", default="https://aclanthology.org", help="ACL Anthology base URL (its .bib export)")
        p.add_argument("--delay", type=float, help="seconds between requests to one host (default: each host's own rule)")
        p.add_argument("--deadline", type=float, default=600.0, help="give up requests after this many seconds in all")
        return p

    p = with_apis(with_content(sub.add_parser("import", help="add papers from pasted dumps, .bib files or any text with paper links")))
    p.add_argument("paths", nargs="+", help="dump files (.txt), BibTeX files (.bib), or texts holding paper links (.md, .html, .txt)")
    p.add_argument("--date", help="date recorded as 'added' for new papers (default: today)")
    p.set_defaults(func=cmd_import)

    p = with_apis(with_content(sub.add_parser("add", help="add papers by arXiv id or link, DOI, OpenReview or ACL Anthology link")))
    p.add_argument("refs", nargs="*", metavar="REF", help="arXiv id/URL, DOI/doi.org URL, hf.co/papers URL, OpenReview or ACL Anthology id/URL")
    p.add_argument("--stubs", action="store_true", help="also fetch every stub of the library (records added from a link alone)")
    p.add_argument("--date", help="date recorded as 'added' for new papers (default: today)")
    p.set_defaults(func=cmd_add)

    p = with_content(sub.add_parser("build", help="generate the Markdown, .bib and data files"))
    p.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="output folder (default: generated)")
    p.add_argument("--no-cache", action="store_true",
                   help="build from nothing, without reading or writing the build cache (.cache/build beside the content folder)")
    p.set_defaults(func=cmd_build)

    p = with_content(sub.add_parser("check", help="validate the content and list every problem"))
    p.set_defaults(func=cmd_check)

    p = with_content(sub.add_parser("suggest", help="propose themes for unsorted papers"))
    p.add_argument("--apply", action="store_true", help="write the proposed pins into the paper records")
    p.add_argument("--top", type=int, default=3, help="themes proposed per paper")
    p.add_argument("--min-score", type=float, default=None, help="with --apply, pin only proposals whose calibrated score is at least this (default 0.8: confident ones only)")
    p.add_argument("--evaluate", action="store_true", help="measure how often --apply pins rightly on the gold sample (in a copy; writes nothing)")
    p.add_argument("--pins", action="store_true", help="with --evaluate, list every pin and whether it is right")
    p.set_defaults(func=cmd_suggest)

    p = with_content(sub.add_parser("enrich", help="fill authors, year and arXiv ids from the arXiv API"))
    p.add_argument("--api-url", default="https://export.arxiv.org/api/query", help="arXiv API endpoint")
    p.add_argument("--limit", type=int, help="look up at most N papers")
    p.add_argument("--only", action="append", metavar="KEY", help="look up only this paper (repeatable)")
    p.add_argument("--delay", type=float, help="seconds between requests (default: the source's rule; arXiv asks for 3)")
    p.add_argument("--cache", type=Path, help="folder for cached responses (default: <content>/.cache/arxiv or .cache/http)")
    p.add_argument("--source", choices=("arxiv", "openalex", "semanticscholar"), default="arxiv",
                   help="where to look papers up (default: arxiv); a scholarly graph fills venues, references and counts")
    p.add_argument("--openalex-api", default="https://api.openalex.org", help="OpenAlex API base URL")
    p.add_argument("--s2-api", default="https://api.semanticscholar.org/graph/v1", help="Semantic Scholar Graph API base URL")
    p.add_argument("--mailto", help="contact address sent to OpenAlex (default: extra.contact_email in mkdocs.yml)")
    p.set_defaults(func=cmd_enrich)
    return top


def _changes_library(args: argparse.Namespace) -> bool:
    return args.command in ("import", "add", "enrich") or (args.command == "suggest" and args.apply)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not _changes_library(args):
        return args.func(args)
    from generator.library.lock import LibraryLocked, library_lock
    from generator.writer import ChangedOnDisk

    command = "python -m generator " + " ".join(sys.argv[1:] if argv is None else argv)
    try:
        with library_lock(args.content, command=command) as notes:
            for note in notes:  # what the recovery from a killed run did
                print(f"note: {note}", file=sys.stderr)
            return args.func(args)
    except LibraryLocked as err:
        print(f"error: {err}", file=sys.stderr)
        return 75  # EX_TEMPFAIL: try again later
    except ChangedOnDisk as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
