"""Command line: `python -m generator import|build|check|suggest|enrich`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_CONTENT = Path("content")
DEFAULT_DOCS = Path("generated")


def _print_problems(problems) -> None:
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)


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


def cmd_import(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths]
    references = (".bib", ".json", ".ris")  # reference-manager exports; anything else is a dump
    bib_files = [p for p in paths if p.suffix.lower() in references]
    text_dumps = [p for p in paths if p.suffix.lower() not in references]
    status = 0
    if text_dumps:
        status = _import_dumps(args, text_dumps)
    if bib_files and status == 0:
        status = _import_bibtex(args, bib_files)
    return status


def cmd_build(args: argparse.Namespace) -> int:
    from generator.build import ContentError, build

    try:
        report = build(args.content, args.docs)
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
    from generator.curation.check import check_content

    report = check_content(args.content)
    if not report.ok:
        _print_problems(report.problems)
        print(report.summary(), file=sys.stderr)
        return 1
    print(report.summary())
    return 0


def cmd_suggest(args: argparse.Namespace) -> int:
    from generator.curation.suggest import suggest_library

    report = suggest_library(args.content, top=args.top, apply=args.apply, min_score=args.min_score)
    if report.problems:
        _print_problems(report.problems)
        print(f"suggest: {len(report.problems)} problem(s) in {args.content}; run `python -m generator check`", file=sys.stderr)
        return 1
    sys.stdout.write(report.yaml)
    for line in report.pinned:
        print(f"pinned {line}", file=sys.stderr)
    print(report.summary(args.apply, args.min_score), file=sys.stderr)
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

    options = EnrichOptions(api_url=args.api_url, delay=args.delay, cache_dir=args.cache, limit=args.limit, only=tuple(args.only or ()))
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

    p = with_content(sub.add_parser("import", help="add papers from pasted dumps or .bib files"))
    p.add_argument("paths", nargs="+", help="dump files (.txt) or BibTeX files (.bib)")
    p.add_argument("--date", help="date recorded as 'added' for new papers (default: today)")
    p.set_defaults(func=cmd_import)

    p = with_content(sub.add_parser("build", help="generate the Markdown, .bib and data files"))
    p.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="output folder (default: generated)")
    p.set_defaults(func=cmd_build)

    p = with_content(sub.add_parser("check", help="validate the content and list every problem"))
    p.set_defaults(func=cmd_check)

    p = with_content(sub.add_parser("suggest", help="propose themes for unsorted papers"))
    p.add_argument("--apply", action="store_true", help="write the proposed pins into the paper records")
    p.add_argument("--top", type=int, default=3, help="themes proposed per paper")
    p.add_argument("--min-score", type=float, default=0.0, help="with --apply, pin only proposals scoring at least this")
    p.set_defaults(func=cmd_suggest)

    p = with_content(sub.add_parser("enrich", help="fill authors, year and arXiv ids from the arXiv API"))
    p.add_argument("--api-url", default="https://export.arxiv.org/api/query", help="arXiv API endpoint")
    p.add_argument("--limit", type=int, help="look up at most N papers")
    p.add_argument("--only", action="append", metavar="KEY", help="look up only this paper (repeatable)")
    p.add_argument("--delay", type=float, default=3.0, help="seconds between requests (arXiv asks for 3)")
    p.add_argument("--cache", type=Path, help="folder for cached responses (default: <content>/.cache/arxiv)")
    p.set_defaults(func=cmd_enrich)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)
