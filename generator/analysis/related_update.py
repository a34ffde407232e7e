"""Related papers after an edit, from the last result: the same answer as
`related_papers`, without comparing every pair of papers again.

A title or abstract edit changes that paper's vector and, through document
frequencies, the vectors of the papers sharing the words it gained or lost;
every other vector stays the same to the last bit, and so does the score of
any two of them. So only the changed rows are scored against the library.
An unchanged paper keeps its last candidates that did not change, merged
with its scores against the changed ones; that is exact as long as every
candidate it keeps ranks above its last list's worst entry (any paper
outside that list ranked below it), otherwise its row is scored again. Its
related papers are explained again only when its candidates changed.

At 10,000 papers a title edit took 6.6 s here through `related_papers`, most
of it scoring all pairs (2.8 s) and spelling out the terms of every link
(2.0 s). Vectors are always made whole (document frequencies are global).
An edit moves the document frequencies of every word it adds or removes,
and so the vectors of every paper using one: words added to a title changed
1 to 355 of 10,000 rows, a whole new title 1,703, a whole new abstract
nearly all of them. When papers were added or removed, or more than half of
the rows changed, everything is computed again. Words added to a title at
10,000 papers take 1.1 to 2.6 s here instead of 5, a whole new title 3.5 s.
Changed rows are scored in blocks, as `_nearest` scores them, so memory
stays bounded whatever their number.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from generator.analysis.last_call import kept_from_last
from generator.analysis.ranking import merge_best, top_k
from generator.analysis.similarity import (
    _BLOCK_CELLS, Related, _ordered, _vectorise, candidates_for, explain, related_and_candidates,
)
from generator.model import Paper

MAX_CHANGED_SHARE = 0.5  # past this share of changed rows, computing everything again is as quick


@dataclass(frozen=True)
class RelatedState:
    """What the next update starts from: each paper's row identity and ranked candidates."""

    keys: tuple[str, ...]
    k: int
    row_ids: tuple[bytes, ...]  # a hash of each row's vector, its text and its features' flags
    best: np.ndarray  # n x m candidate rows, best first (score desc, then row)
    best_scores: np.ndarray  # their scores, rounded to 4 decimals
    related: dict[str, tuple[Related, ...]]


def related_papers_updated(
    papers: Sequence[Paper], k: int = 5, previous: RelatedState | None = None
) -> tuple[dict[str, tuple[Related, ...]], RelatedState]:
    """`related_papers(papers, k)`, reusing `previous` (the state of an earlier call) where it holds."""
    ordered, keys, k = _ordered(papers, k)
    if k == 0:
        empty = np.zeros((len(keys), 0), dtype=np.int64)
        return {key: () for key in keys}, RelatedState(tuple(keys), k, (), empty, empty.astype(float), {})
    vectors = _vectorise(ordered)
    row_ids = _row_ids(vectors, ordered)
    m = candidates_for(k, len(keys))
    if previous is None or previous.keys != tuple(keys) or previous.k != k:
        return _everything(vectors, keys, row_ids, k)
    changed = np.array([old != new for old, new in zip(previous.row_ids, row_ids)])
    if changed.sum() > MAX_CHANGED_SHARE * len(keys):
        return _everything(vectors, keys, row_ids, k)
    best, best_scores = _update_candidates(vectors[0], previous, changed, m)
    redo = changed | np.any(best != previous.best, axis=1) | np.any(best_scores != previous.best_scores, axis=1)
    redo |= np.any(changed[best], axis=1)  # a candidate's own vector changed: its terms may have
    related = dict(previous.related)
    rows = np.flatnonzero(redo)
    if rows.size:
        related.update(explain(vectors, keys, rows, best[rows], best_scores[rows], k))
    return related, RelatedState(tuple(keys), k, tuple(row_ids), best, best_scores, related)


def _everything(vectors, keys: list[str], row_ids: list[bytes], k: int):
    """All pairs scored, every paper explained: `related_papers` keeping its candidates."""
    related, best, best_scores = related_and_candidates(vectors, keys, k)
    return related, RelatedState(tuple(keys), k, tuple(row_ids), best, best_scores, related)


def _row_ids(vectors, ordered: list[Paper]) -> list[bytes]:
    """Per paper, a hash of what its related papers are made from: its weighted vector
    (values and which features), which of those are distinctive, and its text (how terms are spelled)."""
    matrix, names, _, distinctive = vectors
    name_ids = _name_ids(names)
    ids = []
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    for row, paper in enumerate(ordered):
        begin, end = indptr[row], indptr[row + 1]
        columns = indices[begin:end]
        h = hashlib.blake2b(digest_size=16)
        h.update(paper.title.encode("utf-8", "surrogatepass") + b"\0" + paper.abstract.encode("utf-8", "surrogatepass") + b"\0")
        h.update(name_ids[columns].tobytes())
        h.update(data[begin:end].tobytes())
        h.update(distinctive[columns].tobytes())
        ids.append(h.digest())
    return ids


# feature name -> 8 bytes of its hash, for the names of the last call: a title edit
# keeps nearly every name, and hashing 300,000 of them again cost more than the rows.
_NAME_IDS: dict[str, bytes] = {}


def _name_ids(names: list[str]) -> np.ndarray:
    """Each feature's hash as a fixed-size item, so that a row's names hash as one slice of bytes."""
    global _NAME_IDS
    _NAME_IDS = found = kept_from_last(
        names, lambda name: hashlib.blake2b(name.encode("utf-8", "surrogatepass"), digest_size=8).digest(), _NAME_IDS
    )
    return np.array([found[name] for name in names], dtype="S8")


def _update_candidates(matrix, previous: RelatedState, changed: np.ndarray, m: int):
    """Each row's m best candidates, scoring only the changed rows (and rows whose kept list cannot be trusted)."""
    n = len(changed)
    best, best_scores = previous.best.copy(), previous.best_scores.copy()
    moved = np.flatnonzero(changed)
    if moved.size == 0:
        return best, best_scores
    steady = np.flatnonzero(~changed)
    # the changed rows' own lists, and for each unchanged row the best changed rows against it
    against_ids, against_scores = np.full((steady.size, m), n), np.full((steady.size, m), -1.0)
    for rows, scores in _scored_blocks(matrix, moved):
        best[rows], best_scores[rows] = top_k(scores, m)
        found, found_scores = top_k(np.ascontiguousarray(scores[:, steady].T), min(m, rows.size))
        against_ids, against_scores = merge_best(against_ids, against_scores, rows[found], found_scores, m)
    # unchanged rows: their unchanged candidates (n: a placeholder below every real row) and those
    kept = ~changed[previous.best[steady]]
    kept_ids = np.where(kept, previous.best[steady], n)
    kept_scores = np.where(kept, previous.best_scores[steady], -1.0)
    merged, merged_scores = merge_best(kept_ids, kept_scores, against_ids, against_scores, m)
    # exact only where every entry ranks at or above the last list's worst entry
    floor_ids, floor_scores = previous.best[steady, -1:], previous.best_scores[steady, -1:]
    above = (merged_scores > floor_scores) | ((merged_scores == floor_scores) & (merged <= floor_ids))
    trusted = np.all(above, axis=1)
    best[steady[trusted]], best_scores[steady[trusted]] = merged[trusted], merged_scores[trusted]
    for rows, scores in _scored_blocks(matrix, steady[~trusted]):
        best[rows], best_scores[rows] = top_k(scores, m)
    return best, best_scores


def _scored_blocks(matrix, rows: np.ndarray):
    """(rows of a block, their scores against every paper), blocks sized as `_nearest` sizes them."""
    size = max(1, _BLOCK_CELLS // max(1, matrix.shape[0]))
    for start in range(0, rows.size, size):
        block = rows[start : start + size]
        yield block, _scores(matrix, block)


def _scores(matrix, rows: np.ndarray) -> np.ndarray:
    """The rounded scores of `rows` against every paper, never oneself (as `_nearest` scores them)."""
    if matrix.shape[1]:
        scores = (matrix[rows] @ matrix.T).toarray()
    else:
        scores = np.zeros((rows.size, matrix.shape[0]))
    np.round(scores, 4, out=scores)
    scores[np.arange(rows.size), rows] = -1.0
    return scores


__all__ = ["RelatedState", "related_papers_updated"]
