"""Related papers: the most similar papers by text, with the terms that link them.

Each paper becomes a TF-IDF vector (sublinear term frequency, smoothed IDF,
L2-normalised: scikit-learn's TfidfTransformer, reproduced to the last bit
with numpy so that the build need not import scikit-learn) over the unigrams
and bigrams of its title and abstract. Title and abstract are weighted
separately and combined, the title at half the abstract's weight, so that
the few words of a title (which name the work: "GaLore", "Frontier") are not
drowned by a long abstract. Each feature's weight is then scaled by how
much it says (generator/analysis/evidence.py): generic words and the
library's common words count less, phrases and each paper's own coined names
("GaLore", "ZeRO") count more. Similarity is the cosine of two vectors.

Tokens and terms
    Text is split into word tokens that keep digits and inner hyphens, so
    coined names survive as single tokens ("galore", "stable-spam",
    "sphinx-x", "fp8", "4-bit"). Tokens are lower-cased; pure numbers,
    one-letter tokens, sizes ("7B", "100K", "2x"), English stop words and a short list of words that
    every abstract in an LLM reading list uses ("model", "llms", "propose",
    "results", "need", "simple", ...) are dropped, and so are the library's
    own stop words: terms in more than a fifth of its papers ("training",
    "data" in a list about training), found from its document frequencies,
    so that no link rests on them. A coined name with a hyphen also counts
    as its parts ("ZeRO-Offload" is "zero-offload" and "zero"), so variants
    of one work share its name. A bigram is two kept tokens that stand next
    to each other in the text with only white space between them, so bigrams
    never span punctuation or a dropped word ("low-rank projection",
    "optimizer states", never "states techniques").

Evidence
    The k + EXTRA_CANDIDATES most similar papers are examined, best first; a
    link is kept only when its distinctive shared features make at least
    MIN_EVIDENCE of its cosine and one of them is among its leading terms.
    A link that rests only on generic words ("need", "survey", "extreme")
    is passed over, even when that leaves a paper fewer real links.

Explaining a link
    The terms shown for a pair are the features with the largest product of
    the two papers' TF-IDF weights (the features that contribute most to the
    cosine), most important first, ties by term. A bigram is preferred to
    its own words: when a shared bigram appears among the leading terms it
    takes the place of the words it is made of. Terms are shown as the two
    papers' abstracts write them most often, not counting the capitals of
    title words and sentence starts ("GaLore", "Adam", "Frontier", "low-rank
    projection"). At least one of them is distinctive: when the leading
    ones are all generic, the best distinctive term takes the last place.

Determinism and scale
    Papers are processed in key order whatever the input order, scores are
    rounded to 4 decimals before ranking, and ties are broken by key. The
    similarity matrix is never built whole: a block of rows (sized to keep
    its dense scores small) is multiplied with itself and the rows after it
    only, since a score is the same both ways; what it says about the later
    rows is carried to them as their k best so far. The top k of a row is
    found with `numpy.argpartition`, so memory grows linearly with the number
    of papers times the block (a few seconds for ten thousand papers on a
    laptop core).

A paper always gets min(k, n - 1) related papers, never itself: when fewer
than k papers share distinctive evidence with it, the rest are filled with score-0
papers in key order (with no terms). Consumers that want only real links can
keep those with `score > 0`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import chain, islice
from typing import Iterator, Sequence

import numpy as np
from scipy import sparse

from generator.model import Paper
from generator.analysis.evidence import MIN_EVIDENCE, boost_names, drop_common, feature_weights
from generator.analysis.ranking import merge_best as _merge
from generator.analysis.ranking import top_k as _top_k
from generator.analysis.features import STOP_WORDS, _paper_features, _Tokenizer  # noqa: F401 (tests reach them here)
from generator.analysis.spelling import _Spelling, _Spellings  # noqa: F401
from generator.analysis.vocabulary import current_vocabulary, retire_if_stale

TITLE_WEIGHT = 0.5  # weight of the title's vector next to the abstract's (both unit length)
MAX_TERMS = 3
_BLOCK_CELLS = 4_000_000  # dense cells per block of the similarity matrix (32 MB of float64)
_TERM_CANDIDATES = 12  # leading shared features examined when choosing the terms to show
DF_SIGNIFICANT_BITS = 4  # document frequencies above 16 move the idf in bands (steady_df)
EXTRA_CANDIDATES = 5  # more similar papers examined than kept, for links that rest only on generic words


@dataclass(frozen=True)
class Related:
    key: str  # the related paper's key
    score: float  # cosine similarity, rounded to 4 decimals for determinism
    terms: tuple[str, ...]  # up to 3 shared terms that explain the link, most important first

    def wording(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The terms grouped as a reader is told them (generator/analysis/wording.py)."""
        from generator.analysis.wording import group_terms

        return group_terms(self.terms)


def _vectorise(papers: Sequence[Paper]) -> tuple[sparse.csr_matrix, list[str], _Spellings, np.ndarray]:
    """Weighted TF-IDF matrix (rows in the given order, L2-normalised), feature
    names, spellings, and which features are distinctive evidence.

    The plain TF-IDF vectors (`_tf_idf_vectors`) are reweighted per feature
    (generator/analysis/evidence.py: generic words count less, phrases and
    coined names more) and normalised again.
    """
    matrix, names, spellings, df, coined = _tf_idf_vectors(papers)
    weights, distinctive = feature_weights(names, df, len(papers))
    if names:
        matrix.data *= weights[matrix.indices]
        matrix = boost_names(matrix, names, coined, distinctive)
        _normalise(matrix)
        matrix.sort_indices()
    return matrix, names, spellings, distinctive


def _tf_idf_vectors(papers: Sequence[Paper]) -> tuple[sparse.csr_matrix, list[str], _Spellings, np.ndarray, list[set[str]]]:
    """TF-IDF matrix (scikit-learn's, to the last bit), feature names, spellings,
    document frequencies and, per paper, the features it writes as coined names.

    Title and abstract are weighted separately (sublinear tf, shared idf, each
    L2-normalised), then combined as TITLE_WEIGHT * title + abstract and
    normalised again, so a short title keeps its weight next to a long abstract.
    """
    spellings = _Spellings()
    titles, abstracts = [], []
    coined: list[set[str]] = []
    for title, abstract, spelling, names in _paper_features(papers):
        spellings.papers.append(spelling)
        titles.append(title)
        abstracts.append(abstract)
        coined.append(names)
    titles, abstracts = drop_common(titles, abstracts)
    counts, df, names = _count(titles, abstracts)
    if not names:  # no paper has a single usable word
        return sparse.csr_matrix((len(papers), 0)), [], spellings, df, coined
    n = len(papers)
    idf = np.log((n + 1) / (steady_df(df) + 1.0)) + 1.0  # smoothed: as if one more paper had every term
    title, abstract = _tf_idf(counts[:n], idf), _tf_idf(counts[n:], idf)
    matrix = TITLE_WEIGHT * title + abstract
    _normalise(matrix)
    matrix.sort_indices()
    return matrix, names, spellings, df, coined


def _count(titles: list[list[str]], abstracts: list[list[str]]) -> tuple[sparse.csr_matrix, np.ndarray, list[str]]:
    """Term counts of the titles, then of the abstracts; document frequencies; feature names.

    A paper's document frequency counts a feature of its title and abstract
    once. Columns are the features in name order; within a row, entries are
    kept in the order in which the corpus first used each feature
    (scikit-learn's layout, which decides the order of the sums in `_normalise`).
    Features are looked up as numbers kept between calls (vocabulary.py).
    """
    docs = titles + abstracts
    vocabulary = current_vocabulary()
    numbered = vocabulary.documents(docs)
    total = sum(map(len, numbered))
    if not total:
        return sparse.csr_matrix((len(docs), 0)), np.zeros(0), []
    stream = np.concatenate(numbered)
    first = np.full(len(vocabulary.names), total, dtype=np.int64)
    np.minimum.at(first, stream, np.arange(total, dtype=np.int64))
    used = np.flatnonzero(first < total)
    by_first_use = used[np.argsort(first[used])]  # the numbers of the features in order of first use
    size = by_first_use.size
    first_use_id = np.empty(len(vocabulary.names), dtype=np.int64)
    first_use_id[by_first_use] = np.arange(size, dtype=np.int64)
    ids = first_use_id[stream]
    in_name_order = np.argsort(vocabulary.name_ranks()[by_first_use])  # first-use ids in name order
    names = [vocabulary.names[number] for number in by_first_use[in_name_order].tolist()]
    retire_if_stale(size)
    doc_of = np.repeat(np.arange(len(docs), dtype=np.int64), [len(doc) for doc in numbered])
    cells, counts = np.unique(doc_of * size + ids, return_counts=True)  # by document, then first use
    rows, first_use = np.divmod(cells, size)
    column = np.empty(size, dtype=np.int32)  # first-use id -> column (name order)
    column[in_name_order] = np.arange(size, dtype=np.int32)
    indptr = np.zeros(len(docs) + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=len(docs)), out=indptr[1:])
    matrix = sparse.csr_matrix((counts.astype(np.float64), column[first_use], indptr), shape=(len(docs), size))
    # a feature in both the title and the abstract of a paper counts once
    abstracts_from = len(titles) * size  # the abstracts' cells
    split = np.searchsorted(cells, abstracts_from)
    in_both = np.intersect1d(cells[:split], cells[split:] - abstracts_from, assume_unique=True) % size
    df = np.bincount(column[first_use], minlength=size) - np.bincount(column[in_both], minlength=size)
    return matrix, df.astype(np.float64), names


def steady_df(df: np.ndarray) -> np.ndarray:
    """Document frequencies kept to DF_SIGNIFICANT_BITS binary digits (the middle of their band),
    so that one paper gaining or losing a word seldom moves the idf of a common one.

    An idf that moves changes the vector of every paper using the word, and
    each changed vector must be scored against the library again
    (related_update.py): replacing one title at 10,000 papers moved 1,703
    rows with exact frequencies. Below 2**DF_SIGNIFICANT_BITS the
    frequencies are exact; above, the band is 1/16 to 1/8 of the frequency
    wide, so an idf is at most about 0.06 off (idf is 1 to 10 here).
    """
    exact = df.astype(np.int64)
    shift = np.maximum(np.frexp(df)[1].astype(np.int64) - DF_SIGNIFICANT_BITS, 0)
    return ((exact >> shift) << shift) + ((1 << shift) - 1) / 2.0


def _tf_idf(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear tf (1 + log count) times idf, each row L2-normalised."""
    data = np.log(counts.data)
    data += 1.0
    data *= idf[counts.indices]
    matrix = sparse.csr_matrix((data, counts.indices, counts.indptr), shape=counts.shape)
    _normalise(matrix)
    return matrix


def _normalise(matrix: sparse.csr_matrix) -> None:
    """Scale each non-empty row to unit L2 length, in place.

    The squares are added one after the other in storage order (a sparse
    product with a vector of ones), exactly as scikit-learn did, so that the
    vectors and every score stay the same to the last bit.
    """
    squares = sparse.csr_matrix((matrix.data * matrix.data, matrix.indices, matrix.indptr), shape=matrix.shape)
    norms = np.sqrt(squares @ np.ones(matrix.shape[1]))
    norms[norms == 0.0] = 1.0
    matrix.data /= np.repeat(norms, np.diff(matrix.indptr))


def _nearest(matrix: sparse.csr_matrix, k: int) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Per block of rows: its first row, each row's k best other rows and their scores.

    Best is score desc (rounded to 4 decimals), then row asc. A score is the
    same both ways to the last bit (the same products, added in feature
    order), so a block is multiplied only with itself and the rows after it,
    half the work: what it says about a later row is carried to that row,
    which so holds the k best of the rows before its own block.
    """
    n = matrix.shape[0]
    carried_ids = np.full((n, k), n)  # placeholders, below any real score
    carried_scores = np.full((n, k), -1.0)
    block = max(1, _BLOCK_CELLS // n)
    for start in range(0, n, block):
        stop = min(start + block, n)
        rows = stop - start
        if matrix.shape[1]:
            scores = (matrix[start:stop] @ matrix[start:].T).toarray()  # columns: rows start..n-1
        else:
            scores = np.zeros((rows, n - start))
        np.round(scores, 4, out=scores)
        scores[np.arange(rows), np.arange(rows)] = -1.0  # never oneself (real scores are >= 0)
        if stop < n:
            later, later_scores = _top_k(np.ascontiguousarray(scores[:, rows:].T), k)
            carried_ids[stop:], carried_scores[stop:] = _merge(
                carried_ids[stop:], carried_scores[stop:], later + start, later_scores, k
            )
        own, own_scores = _top_k(scores, k)
        best, best_scores = _merge(carried_ids[start:stop], carried_scores[start:stop], own + start, own_scores, k)
        yield start, best, best_scores


def _shared_terms(
    matrix: sparse.csr_matrix, left: np.ndarray, right: np.ndarray, names: list[str], spellings: _Spellings,
    distinctive: np.ndarray, keep: int | None = None,
) -> list[tuple[str, ...] | None]:
    """The terms that explain each pair (left[p], right[p]); None when the
    pair's distinctive features make less than MIN_EVIDENCE of its score, or
    its leading shared features are all generic (the link rests on nothing).

    With `keep`, pairs come in runs of one left row, best first, and only the
    first `keep` accepted pairs of a run are explained (the rest get (): the
    caller has enough), which saves spelling out links nobody is shown.
    """
    if left.size == 0:
        return []
    products = matrix[left].multiply(matrix[right]).tocsr()
    products.eliminate_zeros()
    products.sort_indices()
    pair_of = np.repeat(np.arange(left.size, dtype=np.int64), np.diff(products.indptr))
    # within each pair: product desc (to 12 decimals: last-bit noise never decides), then
    # feature asc (feature ids are in name order; the entries already are, and the sort is
    # stable). One integer key per entry, faster than a lexsort: the pair above 2**40, the
    # product below (in units of 1e-12, as np.round(data, 12) rounds it; products are <= 1).
    rounded = np.rint(products.data * 1e12).astype(np.int64)
    ranked = products.indices[np.argsort((pair_of << 40) - rounded, kind="stable")]
    # accepted: distinctive features make MIN_EVIDENCE of the score, one of them among the leading ones
    evidence = np.bincount(pair_of, weights=products.data * distinctive[products.indices], minlength=left.size)
    leading = (np.arange(ranked.size) - products.indptr[pair_of]) < _TERM_CANDIDATES
    clue = np.bincount(pair_of[leading & distinctive[ranked]], minlength=left.size) > 0
    accepted = ((evidence >= MIN_EVIDENCE) & clue).tolist()
    features, bounds, flags = ranked.tolist(), products.indptr.tolist(), distinctive.tolist()
    out: list[tuple[str, ...] | None] = []
    run_of, taken = -1, 0
    for i, j, begin, end, ok in zip(left.tolist(), right.tolist(), bounds, bounds[1:], accepted):
        if i != run_of:
            run_of, taken = i, 0
        if not ok:
            out.append(None)
        elif keep is not None and taken >= keep:
            out.append(())
        else:
            taken += 1
            out.append(_readable(features[begin : min(end, begin + _TERM_CANDIDATES)], names, flags, spellings, i, j))
    return out


def _readable(
    ranked: list[int], names: list[str], flags: list[bool], spellings: _Spellings, i: int, j: int
) -> tuple[str, ...] | None:
    """Pick up to MAX_TERMS terms, a bigram standing in for its own words, at
    least one of them distinctive; None when no candidate is.

    A word is replaced by the best-ranked shared bigram (among the ranked
    candidates) that contains it; a term already picked is not repeated. When
    the leading terms are all generic, the best distinctive one takes the
    last place, so that the reason a reader sees is never only generic words.
    """
    clues = [names[f] for f in ranked if flags[f]]
    if not clues:
        return None
    terms = [names[f] for f in ranked]
    # word -> the best-ranked bigram containing it (built from the worst up: the best one is set last)
    bigram_of = {part: term for term in reversed(terms) if " " in term for part in term.split(" ")}
    picked = list(dict.fromkeys(map(bigram_of.get, terms, terms)))[:MAX_TERMS]
    if not any(flags[f] and bigram_of.get(names[f], names[f]) in picked for f in ranked):
        picked[-1] = bigram_of.get(clues[0], clues[0])
    return tuple(spellings.show(t, i, j) for t in picked)


def related_papers(papers: Sequence[Paper], k: int = 5) -> dict[str, tuple[Related, ...]]:
    """Every paper key -> up to k related papers, best first.

    The k + EXTRA_CANDIDATES most similar papers are examined; those whose
    link rests only on generic evidence are passed over. The result does not
    depend on the order of `papers`. Keys must be unique.
    (related_update.py gives the same result after an edit, reusing the last one.)
    """
    ordered, keys, k = _ordered(papers, k)
    if k == 0:
        return {key: () for key in keys}
    return related_and_candidates(_vectorise(ordered), keys, k)[0]


def related_and_candidates(vectors, keys: list[str], k: int) -> tuple[dict[str, tuple[Related, ...]], np.ndarray, np.ndarray]:
    """Every paper's related papers, and the candidates they were chosen from
    (n x m rows and scores, best first), scored and explained a block of rows at a time."""
    result: dict[str, tuple[Related, ...]] = {}
    blocks = []
    for start, best, best_scores in _nearest(vectors[0], candidates_for(k, len(keys))):
        result.update(explain(vectors, keys, np.arange(start, start + len(best)), best, best_scores, k))
        blocks.append((best, best_scores))
    return result, np.vstack([b for b, _ in blocks]), np.vstack([s for _, s in blocks])


def _ordered(papers: Sequence[Paper], k: int) -> tuple[list[Paper], list[str], int]:
    """The papers in key order, their keys, and k as far as the library allows."""
    ordered = sorted(papers, key=lambda p: p.key)
    keys = [p.key for p in ordered]
    if len(set(keys)) != len(keys):
        dupes = sorted(key for key, count in Counter(keys).items() if count > 1)
        raise ValueError(f"duplicate paper keys: {', '.join(dupes)}")
    return ordered, keys, max(0, min(k, len(ordered) - 1))


def candidates_for(k: int, n: int) -> int:
    """How many of the most similar papers are examined for k links."""
    return min(n - 1, k + EXTRA_CANDIDATES)


def explain(vectors, keys: list[str], rows: np.ndarray, best: np.ndarray, best_scores: np.ndarray, k: int
            ) -> dict[str, tuple[Related, ...]]:
    """The related papers of `rows` (paper indices), from each one's candidates
    (`best`, `best_scores`: one row each, best first): the first k whose
    link has distinctive evidence, then score-0 fillers."""
    matrix, names, spellings, distinctive = vectors
    linked = best_scores > 0  # a score-0 filler shares no term
    at, cols = np.nonzero(linked)
    terms = iter(_shared_terms(matrix, rows[at], best[at, cols], names, spellings, distinctive, keep=k))
    result: dict[str, tuple[Related, ...]] = {}
    for row, own in enumerate(rows.tolist()):
        links = []
        for j, score, has_terms in zip(best[row].tolist(), best_scores[row].tolist(), linked[row].tolist()):
            found = next(terms) if has_terms else None  # every linked entry has its terms, in order
            if found is not None and len(links) < k:
                links.append(Related(keys[j], round(score, 4), found))
        result[keys[own]] = tuple(links) + _fillers(keys, own, links, k - len(links))
    return result


def _fillers(keys: list[str], own: int, links: list[Related], count: int) -> tuple[Related, ...]:
    """`count` score-0 papers in key order (not the paper itself nor one it links to)."""
    if count <= 0:
        return ()
    linked = {r.key for r in links} | {keys[own]}
    return tuple(Related(key, 0.0, ()) for key in islice((key for key in keys if key not in linked), count))
