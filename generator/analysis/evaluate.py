"""How well the theme rules and related papers do, measured against labelled samples.

Theme rules are judged on papers that are not in the library (a curator's
labels, tests/fixtures/gold/themes-sample.yml), because the library's own
papers are what the rules were written from. Four numbers say whether a
reader can trust the themes:

    hit rate    share of the gold themes the rules find
    precision   share of the themes the rules give that are gold
    unsorted    share of the papers with at least one gold theme that get none
    per paper   themes given per paper (a list is more useful when this is low)

A second, independent labelling of the held-out half
(tests/fixtures/gold/themes-second-labels.yml) scored the same way says how
far two curators agree: the ceiling for rules judged by one curator.

For the shipped library there are no labels, so only themes per paper and the
unsorted share are reported. Related papers are judged on pairs that must
find each other and pairs that must not (tests/fixtures/gold/related-pairs.yml).

Run `python -m generator.analysis.evaluate [--content DIR] [--gold DIR]`.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import yaml

from generator.analysis.similarity import related_papers
from generator.analysis.themes import Theme, assign_themes, load_themes
from generator.model import Paper

GOLD_DIR = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "gold"


@dataclass(frozen=True)
class ThemeScores:
    papers: int
    gold: int  # gold themes in all
    given: int  # themes the rules gave in all
    found: int  # given themes that are gold
    unsorted: int  # papers with a gold theme that got none
    sorted_gold: int  # papers with at least one gold theme

    @property
    def hit_rate(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.found / self.given if self.given else 1.0

    @property
    def unsorted_share(self) -> float:
        return self.unsorted / self.sorted_gold if self.sorted_gold else 0.0

    @property
    def per_paper(self) -> float:
        return self.given / self.papers if self.papers else 0.0

    def line(self, name: str) -> str:
        return (
            f"{name:<10} {self.papers:>3} papers  hit rate {self.hit_rate:6.1%}  precision {self.precision:6.1%}"
            f"  unsorted {self.unsorted_share:5.1%}  themes/paper {self.per_paper:.2f}"
        )


def load_sample(path: Path) -> list[dict]:
    """The labelled papers of a gold file (title, abstract, themes, half)."""
    return list(yaml.safe_load(path.read_text("utf-8"))["papers"])


def sample_papers(sample: list[dict]) -> list[Paper]:
    return [Paper(key=f"gold-{i:03d}", title=p["title"], abstract=p.get("abstract") or "", added="2026-01-01") for i, p in enumerate(sample)]


def score_themes(sample: list[dict], themes: tuple[Theme, ...], half: str | None = None) -> ThemeScores:
    """Compare the rules' themes with the gold ones, on one half of the sample or all of it."""
    papers = sample_papers(sample)
    assigned = assign_themes(papers, themes)
    return _scores(
        (set(item.get("themes") or ()), {a.theme for a in assigned[paper.key]})
        for paper, item in zip(papers, sample)
        if half is None or item.get("half") == half
    )


def label_agreement(sample: list[dict], second: list[dict]) -> ThemeScores:
    """A second labelling (tests/fixtures/gold/themes-second-labels.yml, by title) scored
    against the sample's labels as if it were the rules: how far two curators agree."""
    by_title = {item["title"]: set(item.get("themes") or ()) for item in sample}
    return _scores((by_title[item["title"]], set(item.get("themes") or ())) for item in second)


def _scores(papers: Iterable[tuple[set[str], set[str]]]) -> ThemeScores:
    """The counts of ThemeScores from each paper's (gold themes, themes given)."""
    n = gold = given = found = unsorted = with_gold = 0
    for want, got in papers:
        n += 1
        gold += len(want)
        given += len(got)
        found += len(want & got)
        if want:
            with_gold += 1
            unsorted += not got
    return ThemeScores(n, gold, given, found, unsorted, with_gold)


def mistakes(sample: list[dict], themes: tuple[Theme, ...], half: str | None = "dev") -> list[str]:
    """One line per paper whose themes differ from gold: what was missed, what was extra, and why."""
    papers = sample_papers(sample)
    assigned = assign_themes(papers, themes)
    out = []
    for paper, item in zip(papers, sample):
        if half is not None and item.get("half") != half:
            continue
        want = set(item.get("themes") or ())
        got = {a.theme: a.reason for a in assigned[paper.key]}
        if want == set(got):
            continue
        extra = "; ".join(f"+{t} ({got[t]})" for t in sorted(set(got) - want))
        missed = " ".join(f"-{t}" for t in sorted(want - set(got)))
        out.append(f"{paper.title[:70]}: {missed} {extra}".strip())
    return out


def library_scores(papers: tuple[Paper, ...], themes: tuple[Theme, ...]) -> tuple[float, float]:
    """(themes per paper, unsorted share) of the library as the site shows it."""
    assigned = assign_themes(papers, themes)
    if not assigned:
        return 0.0, 0.0
    given = sum(len(a) for a in assigned.values())
    empty = sum(1 for a in assigned.values() if not a)
    return given / len(assigned), empty / len(assigned)


def score_pairs(papers: tuple[Paper, ...], pairs: dict, k: int = 5) -> tuple[list[str], list[str]]:
    """(must-find pairs that are not within each other's k related, must-not pairs that are linked)."""
    related = related_papers(papers, k=k)

    def linked(a: str, b: str) -> bool:
        return any(r.key == b and r.score > 0 for r in related.get(a, ())) or any(r.key == a and r.score > 0 for r in related.get(b, ()))

    missed = [f"{a} ~ {b}" for a, b in pairs.get("must_find", ()) if not linked(a, b)]
    wrong = [f"{a} ~ {b}" for a, b in pairs.get("must_not", ()) if linked(a, b)]
    return missed, wrong


def main(argv: list[str] | None = None) -> int:
    from generator.library.records import load_library

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--content", type=Path, default=Path("content"))
    parser.add_argument("--gold", type=Path, default=GOLD_DIR)
    parser.add_argument("--mistakes", action="store_true", help="list the dev half's differences from gold")
    parser.add_argument("--final", action="store_true", help="also score the held-out and new papers (not for tuning rules)")
    args = parser.parse_args(argv)
    themes, _problems = load_themes(args.content / "themes.yml")
    sample = load_sample(args.gold / "themes-sample.yml")
    for half in ("dev", "held-out", "new", None) if args.final else ("dev",):
        print(score_themes(sample, themes, half).line(half or "all"))
    second_file = args.gold / "themes-second-labels.yml"
    if second_file.exists():  # the ceiling: one curator's labels scored against the other's
        print(label_agreement(sample, load_sample(second_file)).line("2nd label"))
    papers = load_library(args.content).papers
    per_paper, unsorted = library_scores(papers, themes)
    print(f"library    {len(papers):>3} papers  themes/paper {per_paper:.2f}  unsorted {unsorted:.1%}")
    pairs_file = args.gold / "related-pairs.yml"
    if pairs_file.exists():
        pairs = yaml.safe_load(pairs_file.read_text("utf-8"))
        missed, wrong = score_pairs(papers, pairs)
        print(f"related    must find: {len(pairs['must_find']) - len(missed)}/{len(pairs['must_find'])}"
              f"  must not: {len(pairs['must_not']) - len(wrong)}/{len(pairs['must_not'])} kept apart")
        for line in missed + wrong:
            print("  ", line)
    if args.mistakes:
        print("\n".join(mistakes(sample, themes)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
