"""The k best of each row of a block of similarity scores, ties settled by column.

Kept apart from similarity.py, which decides what a score is; this only ranks.
"""

from __future__ import annotations

import numpy as np


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best columns of each row (all of them if fewer) and their scores: score desc, then column asc."""
    rows, n = scores.shape
    if k >= n:
        candidates = np.broadcast_to(np.arange(n), (rows, n))
    else:
        candidates = np.argpartition(scores, n - k, axis=1)[:, n - k :]
    values = np.take_along_axis(scores, candidates, axis=1)
    best = np.take_along_axis(candidates, np.lexsort((candidates, -values), axis=1), axis=1)
    if k < n:
        # argpartition picks arbitrarily among scores tied with the k-th best:
        # settle those rows by column, looking at every tied column
        kth = np.take_along_axis(scores, best[:, -1:], axis=1)
        for r in np.flatnonzero((scores >= kth).sum(axis=1) > k):
            pool = np.flatnonzero(scores[r] >= kth[r, 0])
            best[r] = pool[np.lexsort((pool, -scores[r, pool]))][:k]
    return best, np.take_along_axis(scores, best, axis=1)


def merge_best(
    ids: np.ndarray, scores: np.ndarray, more_ids: np.ndarray, more_scores: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """The k best of two candidate lists per row: score desc, then id asc."""
    ids, scores = np.hstack((ids, more_ids)), np.hstack((scores, more_scores))
    order = np.lexsort((ids, -scores), axis=1)[:, :k]
    return np.take_along_axis(ids, order, axis=1), np.take_along_axis(scores, order, axis=1)
