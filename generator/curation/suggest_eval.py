"""How often `suggest --apply` pins rightly, measured on papers not in the library.

The gold sample (tests/fixtures/gold/themes-sample.yml, a curator's labels)
is imported into a temporary copy of the library, as a new user's dump
would be; the papers the rules leave unsorted get suggestions, `--apply`
pins the confident ones, and each pin is compared with the gold themes.
A pin is right when its theme is one of the paper's gold themes.

Run `python -m generator suggest --evaluate [--content DIR] [--min-score S] [--pins]`;
nothing is written to the library itself.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from generator.analysis.evaluate import GOLD_DIR, load_sample


@dataclass(frozen=True)
class PinScores:
    imported: int  # gold papers added to the library
    unsorted: int  # of those, the ones the rules leave unsorted
    pinned: int  # pins --apply wrote
    right: int  # pins whose theme is gold

    @property
    def precision(self) -> float:
        return self.right / self.pinned if self.pinned else 1.0

    def line(self, name: str) -> str:
        return (
            f"{name:<12} {self.imported} gold papers, {self.unsorted} unsorted, pinned {self.pinned}"
            f" ({self.right} right, precision {self.precision:.1%})"
        )


def _record(key: str, item: dict) -> str:
    """A minimal record for a gold paper (JSON strings are valid YAML scalars)."""
    return f"key: {key}\ntitle: {json.dumps(item['title'])}\nabstract: {json.dumps(item.get('abstract') or '')}\nadded: 2026-01-01\n"


def score_pins(
    content: Path, sample: list[dict], min_score: float | None = None, curve: list | None = None
) -> tuple[PinScores, list[str]]:
    """Pin precision of `suggest --apply` (defaults unless `min_score`), and a line per pin.

    `curve`, when given, receives (best score, right) for every unsorted gold
    paper with a proposal, for the trade-off of other thresholds.
    """
    from generator.curation.suggest import suggest_library

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "content"
        shutil.copytree(content, root, ignore=shutil.ignore_patterns(".txn", ".lock"))
        gold = {}
        for i, item in enumerate(sample):
            key = f"gold-{i:03d}"
            (root / "papers" / f"{key}.yml").write_text(_record(key, item), "utf-8")
            gold[key] = set(item.get("themes") or ())
        options = {} if min_score is None else {"min_score": min_score}
        report = suggest_library(root, apply=True, **options)
        assert not report.problems, [str(p) for p in report.problems]
        unsorted = sum(1 for s in report.suggestions.unsorted if s.key in gold)
        if curve is not None:
            curve.extend(
                (s.proposals[0].score, s.proposals[0].theme in gold[s.key])
                for s in report.suggestions.unsorted
                if s.key in gold and s.proposals
            )
    lines, right, pinned = [], 0, 0
    for key, theme in report.pins:
        if key not in gold:
            continue
        pinned += 1
        ok = theme in gold[key]
        right += ok
        lines.append(f"{'ok ' if ok else 'BAD'} {key} {sample[int(key[5:])]['title'][:60]!r} -> {theme} (gold: {', '.join(sorted(gold[key])) or 'none'})")
    return PinScores(len(sample), unsorted, pinned, right), lines


BINS = (0.0, 0.2, 0.5, 0.8, 1.01)
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def trade_off(best: list[tuple[float, bool]], papers: int) -> list[tuple[float, int, int, float]]:
    """Per threshold: (threshold, pins, right, share of the papers pinned) for these best proposals."""
    out = []
    for threshold in THRESHOLDS:
        pinned = [right for score, right in best if score >= threshold]
        out.append((threshold, len(pinned), sum(pinned), len(pinned) / papers if papers else 0.0))
    return out


def reliability(content: Path, sample: list[dict], curve: list | None = None) -> list[tuple[float, float, int, int]]:
    """Every gold paper scored as if no rule placed it: per score bin, (low, high, top proposals, right).

    A calibrated score is honest when the share right in each bin lies in it.
    `curve`, when given, receives (best score, right) for each of those papers.
    """
    from generator.analysis.evaluate import sample_papers
    from generator.analysis.themes import assign_themes
    from generator.build import load_content
    from generator.curation.suggest import suggest

    loaded, problems = load_content(content)
    assert not problems, [str(p) for p in problems]
    gold_papers = sample_papers(sample)
    papers = list(loaded.papers) + gold_papers
    assignments = dict(assign_themes(loaded.papers, loaded.themes))
    assignments.update({p.key: () for p in gold_papers})
    result = suggest(papers, loaded.themes, assignments, top=1)
    gold = {p.key: set(item.get("themes") or ()) for p, item in zip(gold_papers, sample)}
    counts = [[0, 0] for _ in BINS[:-1]]
    for item in result.unsorted:
        if item.key not in gold or not item.proposals:
            continue
        best = item.proposals[0]
        n = next(i for i in range(len(BINS) - 1) if best.score < BINS[i + 1])
        counts[n][0] += 1
        counts[n][1] += best.theme in gold[item.key]
        if curve is not None:
            curve.append((best.score, best.theme in gold[item.key]))
    return [(BINS[i], min(BINS[i + 1], 1.0), c[0], c[1]) for i, c in enumerate(counts)]


def report(content: Path, gold_dir: Path = GOLD_DIR, min_score: float | None = None, pins: bool = False) -> list[str]:
    """The measurement as lines for the CLI to print: pin precision, reliability, and each pin if asked."""
    sample = load_sample(gold_dir / "themes-sample.yml")
    unsorted_best: list[tuple[float, bool]] = []
    scores, lines = score_pins(content, sample, min_score, unsorted_best)
    out = [scores.line("suggest"), "reliability: every gold paper scored as if unsorted; best proposal right, per calibrated score"]
    every_best: list[tuple[float, bool]] = []
    for low, high, n, right in reliability(content, sample, every_best):
        out.append(f"  score {low:.1f}-{high:.1f}: {n:>3} papers, {right:>3} right ({right / n if n else 0:.0%})")
    for name, best, papers in (
        ("the unsorted gold papers", unsorted_best, scores.unsorted),
        ("every gold paper as if unsorted", every_best, len(every_best)),
    ):
        out.append(f"trade-off, {name}: --min-score -> pins, right, share pinned")
        for threshold, pinned, right, share in trade_off(best, papers):
            precision = f"{right / pinned:.0%}" if pinned else "-"
            out.append(f"  {threshold:.1f}: {pinned:>3} pins, {right:>3} right ({precision}), {share:.0%} of {papers} pinned")
    return out + (lines if pins else [])
