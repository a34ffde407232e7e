"""Candidate new themes: groups of unsorted papers that really share a topic.

Unsorted papers are clustered (average-linkage agglomerative clustering on
cosine distance between TF-IDF vectors, which needs no random seed; k-means
with a fixed seed for very large backlogs). A group is offered only when
it is coherent and nameable:

    coherence  the mean cosine between its members' pairs, as a multiple of
               the same mean over all pairs of the library (the baseline);
               a group below COHERENCE_RATIO times the baseline is noise
    phrases    two-word phrases that several members write (at least
               MIN_PHRASE_SHARE of them, and two), found in their text as
               written; a group with no such phrase has no rule to offer

Single words are never offered as rules: the theme engine lets a plain word
decide nothing alone, so a rule of words would place no paper.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

MIN_CLUSTER_SIZE = 3
CLUSTER_DISTANCE = 0.9  # cosine distance at which agglomerative clustering stops merging
AGGLOMERATIVE_LIMIT = 3000
COHERENCE_RATIO = 4.0  # a group's mean pairwise cosine, over the library's
MIN_PHRASE_SHARE = 0.5  # share of a group's members that must write a phrase
PHRASES_PER_CANDIDATE = 5
RANDOM_STATE = 0


@dataclass(frozen=True)
class CandidateTheme:
    id: str
    title: str
    phrases: tuple[str, ...]  # two-word phrases several members write, most distinctive first
    members: tuple[str, ...]  # paper keys, in key order
    coherence: float  # mean pairwise cosine of the members, over the library's baseline


def baseline_cosine(matrix) -> float:
    """The mean cosine over all pairs of distinct rows (rows L2-normalised)."""
    n = matrix.shape[0]
    if n < 2:
        return 0.0
    total = np.asarray(matrix.sum(axis=0)).ravel()
    return float((total @ total - n) / (n * (n - 1)))


def coherence(matrix, rows: list[int]) -> float:
    """The mean cosine over the pairs of these rows."""
    return baseline_cosine(matrix[rows])


def cluster_labels(matrix, max_clusters: int) -> list[int]:
    """Cluster labels for the rows of an L2-normalised TF-IDF matrix (deterministic).

    Up to AGGLOMERATIVE_LIMIT papers: average linkage cut at CLUSTER_DISTANCE,
    so no number of groups is forced. Beyond that (a quadratic distance
    matrix gets large): k-means with a fixed seed on one thread.
    """
    n = matrix.shape[0]
    if n < 2:
        return list(range(n))
    if n <= AGGLOMERATIVE_LIMIT:
        from sklearn.cluster import AgglomerativeClustering

        similarity = (matrix @ matrix.T).toarray()
        distance = np.clip(1.0 - similarity, 0.0, 2.0)
        np.fill_diagonal(distance, 0.0)
        model = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average", distance_threshold=CLUSTER_DISTANCE)
        return [int(x) for x in model.fit_predict(distance)]
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    k = max(2, min(max_clusters, round(math.sqrt(n / 2))))
    with threadpool_limits(limits=1):  # one thread: the same sums in the same order, every run
        return [int(x) for x in KMeans(n_clusters=k, n_init=10, random_state=RANDOM_STATE).fit_predict(matrix)]


def _writes(text: str, phrase: str) -> bool:
    """Whether the text writes the phrase, its words next to each other (space or hyphen)."""
    words = phrase.split()
    return re.search(r"\b" + r"[\s\-]+".join(re.escape(w) for w in words) + r"\b", text, re.IGNORECASE) is not None


def _phrases(matrix, rows: list[int], texts: list[str], terms, overall: np.ndarray) -> tuple[str, ...]:
    """Two-word phrases that several of these members write, most distinctive first."""
    mean = np.asarray(matrix[rows].mean(axis=0)).ravel()
    need = max(2, math.ceil(MIN_PHRASE_SHARE * len(rows)))
    weight = mean * np.log((mean + 1e-9) / (overall + 1e-9))
    candidates = sorted((i for i in np.flatnonzero(weight > 0) if " " in terms[i]), key=lambda i: (-round(float(weight[i]), 9), terms[i]))
    kept: list[str] = []
    for i in candidates:
        phrase = str(terms[i])
        if sum(_writes(texts[r], phrase) for r in rows) < need:
            continue
        kept.append(phrase)
        if len(kept) >= PHRASES_PER_CANDIDATE:
            break
    return tuple(kept)


def candidate_themes(matrix, terms, keys: list[str], texts: list[str], taken: set[str], baseline: float, max_clusters: int) -> tuple[CandidateTheme, ...]:
    """Coherent, nameable groups of the unsorted papers (rows of `matrix`), largest first."""
    if len(keys) < MIN_CLUSTER_SIZE or baseline <= 0:
        return ()
    labels = cluster_labels(matrix, max_clusters)
    overall = np.asarray(matrix.mean(axis=0)).ravel()
    found = []
    for label in sorted(set(labels)):
        rows = [i for i, x in enumerate(labels) if x == label]
        if len(rows) < MIN_CLUSTER_SIZE:
            continue
        ratio = coherence(matrix, rows) / baseline
        if ratio < COHERENCE_RATIO:
            continue
        phrases = _phrases(matrix, rows, texts, terms, overall)
        if not phrases:
            continue
        found.append((tuple(sorted(keys[i] for i in rows)), phrases, round(ratio, 1)))
    found.sort(key=lambda item: (-len(item[0]), item[0]))
    out = []
    used = set(taken)
    for members, phrases, ratio in found[:max_clusters]:
        theme_id = _unique_id(_slug(phrases[0]) or "new-theme", used)
        used.add(theme_id)
        out.append(CandidateTheme(theme_id, phrases[0][:1].upper() + phrases[0][1:], phrases, members, ratio))
    return tuple(out)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _unique_id(base: str, used: set[str]) -> str:
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    return candidate
