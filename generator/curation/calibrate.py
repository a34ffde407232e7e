"""Scores a curator can act on: raw cosines mapped to "how often a curator agreed".

A raw cosine between a paper and a theme's centroid (0.06 to 0.3 in a real
library) says little by itself. The library's own papers are the evidence:
leave each one out of its themes' centroids, rank the themes by cosine, and
record for each proposal (best, second, ...) its closeness (the cosine plus
its lead over the next theme's cosine: a paper close to one theme and far
from the rest is a clearer case) and whether the theme is one of the
paper's (pinned or placed by a rule). An unsorted paper's proposals
all count as wrong: the curator has seen it and placed it nowhere, and a
paper that reaches `suggest` may well belong nowhere. An isotonic
(monotone, step-wise) fit per rank from closeness to that yes/no gives the
calibrated score: 0.5 means that half of the library's proposals at that
rank and closeness were right. scikit-learn's IsotonicRegression has no
randomness, so the same library gives the same mapping.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_EXAMPLES = 2  # positives and negatives each, below which nothing is calibrated
LEAD_WEIGHT = 1.0  # how much a proposal's lead over the next theme adds to its cosine


def closeness(cosine: float | np.ndarray, next_cosine: float | np.ndarray):
    """What is calibrated: the cosine plus the lead over the next theme's cosine.

    A paper close to one theme and far from the others is a clearer case than
    one equally close to three: the lead is evidence of its own.
    """
    return cosine + LEAD_WEIGHT * (cosine - next_cosine)


@dataclass(frozen=True)
class Steps:
    """One monotone map from raw cosine to calibrated score."""

    xs: tuple[float, ...]  # cosine thresholds, increasing
    ys: tuple[float, ...]  # calibrated score at each threshold (non-decreasing)

    def __call__(self, cosine: float) -> float:
        return float(np.interp(cosine, self.xs, self.ys)) if self.xs else 0.0


@dataclass(frozen=True)
class Calibration:
    """Per rank of a proposal (best, second, ...), the map from its cosine to a calibrated score.

    The best theme of a paper is right more often than another theme at the
    same cosine (being ahead of fifteen others is evidence too), so each rank
    has its own map, fitted on the placed papers' proposals at that rank.
    """

    ranks: tuple[Steps, ...]
    positives: int  # proposals of placed papers that were one of their themes
    negatives: int  # proposals that were not

    def __call__(self, cosine: float, rank: int = 0, next_cosine: float | None = None) -> float:
        """The calibrated score of a proposal (0 when nothing could be calibrated);
        `next_cosine` is the next theme's (the proposal's own when not given: no lead)."""
        if not self.ranks:
            return 0.0
        x = closeness(cosine, cosine if next_cosine is None else next_cosine)
        return self.ranks[min(rank, len(self.ranks) - 1)](float(x))


UNCALIBRATED = Calibration((), 0, 0)


def leave_one_out(matrix, membership: np.ndarray) -> np.ndarray:
    """Cosine of each paper to each theme's centroid, without the paper itself in it.

    `matrix` has L2-normalised rows; `membership` is papers x themes (0/1).
    For a member, the centroid is the theme's sum minus its own row, so
    cos = (x.S - 1) / |S - x|, with |S - x|^2 = |S|^2 - 2 x.S + 1.
    """
    sums = np.asarray(matrix.T @ membership.astype(np.float64)).T  # themes x terms
    dots = np.asarray(matrix @ sums.T)  # papers x themes
    norms2 = np.einsum("ij,ij->i", sums, sums)  # |S_t|^2
    own = membership.astype(bool)
    numerator = np.where(own, dots - 1.0, dots)
    denominator2 = np.where(own, norms2[None, :] - 2.0 * dots + 1.0, np.broadcast_to(norms2, dots.shape))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(denominator2 > 1e-12, numerator / np.sqrt(np.maximum(denominator2, 1e-12)), 0.0)
    return np.clip(out, 0.0, 1.0)


def fit(cosines: np.ndarray, labels: np.ndarray) -> Steps | None:
    """The isotonic map from these cosines to these 0/1 labels (None if too few of either)."""
    positives = int(labels.sum())
    if positives < MIN_EXAMPLES or labels.size - positives < MIN_EXAMPLES:
        return None
    from sklearn.isotonic import IsotonicRegression

    order = np.lexsort((labels, cosines))  # a fixed order for ties
    model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip", increasing=True)
    model.fit(cosines[order], labels[order].astype(np.float64))
    return Steps(tuple(round(float(x), 6) for x in model.X_thresholds_), tuple(round(float(y), 6) for y in model.y_thresholds_))


def calibrate(matrix, membership: np.ndarray, placed: np.ndarray, ranks: int = 3) -> Calibration:
    """Fit, per rank, on every paper's leave-one-out proposals (themes with two members or more).

    `placed` says which papers have a theme; without any there is nothing to learn from.
    """
    usable = membership.sum(axis=0) >= 2  # a theme of one has no centroid without its member
    if not placed.any() or not usable.any():
        return UNCALIBRATED
    cosines = np.round(leave_one_out(matrix, membership)[:, usable], 6)
    labels = membership[:, usable]
    order = np.lexsort((np.broadcast_to(np.arange(cosines.shape[1]), cosines.shape), -cosines), axis=1)
    fitted: list[Steps] = []
    positives = negatives = 0
    rows = np.arange(cosines.shape[0])
    for rank in range(min(ranks, cosines.shape[1])):
        at = order[:, rank]
        after = cosines[rows, order[:, rank + 1]] if rank + 1 < cosines.shape[1] else np.zeros(len(at))
        x = np.round(closeness(cosines[rows, at], after), 6)
        y = labels[np.arange(len(at)), at]
        steps = fit(x, y)
        if steps is None:
            break
        fitted.append(steps)
        positives += int(y.sum())
        negatives += int(y.size - y.sum())
    return Calibration(tuple(fitted), positives, negatives)
