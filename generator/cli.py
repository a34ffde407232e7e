"""Command line: `python -m generator import|build|check|suggest|enrich`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_CONTENT = Path("content")
DEFAULT_DOCS = Path("generated")


def _print_problems(problems) -> None:
    for problem in problems:
        print(f"{problem.severity}: {problem}", file=sys.stderr)


def cmd_import(args: argparse.Namespace) -> int:
    from generator.reading.merge import import_dumps

    dumps = [Path(p) for p in args.paths]
    bib_files = [p for p in dumps if p.suffix.lower() == ".bib"]
    text_dumps = [p for p in dumps if p.suffix.lower() != ".bib"]
    status = 0
    if text_dumps:
        report = import_dumps(args.content, text_dumps, today=args.date)
        _print_problems(report.problems)
        if report.problems:
            print(f"import: {report.summary()}; nothing was written", file=sys.stderr)
            status = 1
        else:
            print(f"import: {report.summary()}")
    if bib_files and status == 0:
        from generator.reading.bibfile import import_bibtex_files

        status = import_bibtex_files(args.content, bib_files, today=args.date)
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
    from generator.build import load_content

    from generator.analysis.themes import crowded_papers

    content, problems = load_content(args.content)
    warnings = crowded_papers(content.papers, content.themes, args.content / "themes.yml")
    _print_problems(problems + warnings)
    if problems:
        print(f"check: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"check: {args.content} is valid" + (f"; {len(warnings)} warning(s)" if warnings else ""))
    return 0


def cmd_suggest(args: argparse.Namespace) -> int:
    from generator.curation.suggest import run_suggest

    return run_suggest(args)


def cmd_enrich(args: argparse.Namespace) -> int:
    from generator.curation.enrich import run_enrich

    return run_enrich(args)


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
