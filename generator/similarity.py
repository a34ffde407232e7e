"""Related papers: the most similar papers by text, with the terms that link them.

Each paper becomes a TF-IDF vector (scikit-learn, sublinear term frequency,
smoothed IDF, L2-normalised) over the unigrams and bigrams of its title and
abstract. Title and abstract are weighted separately and combined, the
title at half the abstract's weight, so that the few words of a title
(which name the work: "GaLore", "Frontier") are not drowned by a long
abstract. Similarity is the cosine of two vectors.

Tokens and terms
    Text is split into word tokens that keep digits and inner hyphens, so
    coined names survive as single tokens ("galore", "stable-spam",
    "sphinx-x", "fp8", "4-bit"). Tokens are lower-cased; pure numbers,
    one-letter tokens, sizes ("7B", "100K", "2x"), English stop words and a short list of words that
    every abstract in an LLM reading list uses ("model", "llms", "propose",
    "results", ...) are dropped. A bigram is two kept tokens that stand next
    to each other in the text with only white space between them, so bigrams
    never span punctuation or a dropped word ("low-rank projection",
    "optimizer states", never "states techniques").

Explaining a link
    The terms shown for a pair are the features with the largest product of
    the two papers' TF-IDF weights (the features that contribute most to the
    cosine), most important first, ties by term. A bigram is preferred to
    its own words: when a shared bigram appears among the leading terms it
    takes the place of the words it is made of. Terms are shown as the two
    papers' abstracts write them most often, not counting the capitals of
    title words and sentence starts ("GaLore", "Adam", "Frontier", "low-rank
    projection").

Determinism and scale
    Papers are processed in key order whatever the input order, scores are
    rounded to 4 decimals before ranking, and ties are broken by key. The
    similarity matrix is never built whole: rows are multiplied against the
    whole matrix in blocks sized to keep each dense block small, and the top
    k of each row is found with `numpy.argpartition`, so time and memory grow
    linearly with the number of papers times the block (about a second for
    ten thousand papers' top-k on a laptop core).

A paper always gets min(k, n - 1) related papers, never itself: when fewer
than k papers share any term with it, the rest are filled with score-0
papers in key order (with no terms). Consumers that want only real links can
keep those with `score > 0`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize

from .model import Paper

TITLE_WEIGHT = 0.5  # weight of the title's vector next to the abstract's (both unit length)
MAX_TERMS = 3
_BLOCK_CELLS = 4_000_000  # dense cells per block of the similarity matrix (32 MB of float64)
_TERM_CANDIDATES = 12  # leading shared features examined when choosing the terms to show

# Words that nearly every abstract in this field uses; they only add noise to
# similarity and to the explanation ("large language", "language models").
# Domain words ("training", "memory", "attention", "data") are kept: they matter.
RESEARCH_STOP_WORDS = frozenset(
    """
    model models modeling modelling large language llm llms lm lms paper papers
    propose proposed proposes proposing present presents presented introduce
    introduces introduced introducing approach approaches method methods
    result results show shows shown showing demonstrate demonstrates demonstrated
    achieve achieves achieved achieving performance performances existing novel
    new work works study studies studied use uses used using based significant
    significantly furthermore moreover however additionally specifically
    respectively et al code available github https http www com org various
    compared compare comparable state-of-the-art sota effective effectively
    improve improves improved improving improvement improvements including
    recent recently key task tasks experiment experiments experimental extensive
    conduct conducted evaluate evaluated find findings
    finding paradigm framework frameworks outperforms outperform outperforming
    address addresses challenge challenges problem problems issue issues
    abstract release released open-source publicly
    """.split()
)
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | RESEARCH_STOP_WORDS

# A word (letters and digits with inner hyphens: "low-rank", "sphinx-x", "fp8"),
# or any other visible character, which stops a bigram.
_PIECE_RE = re.compile(r"[^\W_]+(?:-[^\W_]+)*|\S")
_HAS_LETTER_RE = re.compile(r"[^\W\d_]")
# Sizes and factors say nothing about a topic: "7b", "100k", "2x" (but "3d", "fp8" stay).
_QUANTITY_RE = re.compile(r"\d+(?:\.\d+)?[kmbtx]")


@dataclass(frozen=True)
class Related:
    key: str  # the related paper's key
    score: float  # cosine similarity, rounded to 4 decimals for determinism
    terms: tuple[str, ...]  # up to 3 shared terms that explain the link, most important first


class _Spelling:
    """How one paper's abstract spells the terms it does not always write in lower case.

    Only the abstract votes, and only where a capital means something: not at
    a sentence start ("Pipeline parallelism is ...") and not in the Title Case
    of a title. Those positions only say how to show a term that has no other
    spelling ("GaLore" in a title).
    """

    __slots__ = ("tokens", "capitals", "weak_count", "weak_form")

    def __init__(self) -> None:
        self.tokens: list[str] = []  # the abstract's features, every occurrence
        self.capitals: dict[str, dict[str, int]] = {}  # term -> spelling -> count, where not all lower case
        self.weak_count: dict[str, int] = {}  # term -> occurrences at sentence starts
        self.weak_form: dict[str, str] = {}  # term -> a spelling from a title or sentence start, not all lower case

    def votes(self, term: str, into: dict[str, int]) -> None:
        """Add this abstract's votes for each spelling of a term."""
        capitals = self.capitals.get(term, {})
        for form, count in capitals.items():
            into[form] = into.get(form, 0) + count
        lower = self.tokens.count(term) - self.weak_count.get(term, 0) - sum(capitals.values())
        if lower > 0:
            into[term] = into.get(term, 0) + lower


class _Spellings:
    """Shows a term of a pair of papers as those two papers write it."""

    def __init__(self) -> None:
        self.papers: list[_Spelling] = []

    def show(self, term: str, i: int, j: int) -> str:
        first, second = self.papers[i], self.papers[j]
        if not (term in first.capitals or term in second.capitals or term in first.weak_form or term in second.weak_form):
            return term  # the common case: lower case wherever it means something
        votes: dict[str, int] = {}
        first.votes(term, votes)
        second.votes(term, votes)
        if votes:
            # the most frequent spelling; on a tie the lexicographically
            # greatest, which prefers lower case ("frontier" over "Frontier")
            return max(votes.items(), key=lambda item: (item[1], item[0]))[0]
        return first.weak_form.get(term) or second.weak_form.get(term) or term


class _Tokenizer:
    """Turns a text into its unigram and adjacent-bigram features, lower-cased."""

    def __init__(self) -> None:
        self._kept: dict[str, str | None] = {}  # raw word -> feature, or None when dropped

    def _keep(self, raw: str) -> str | None:
        token = raw.lower()
        if (
            len(token) > 1
            and token not in STOP_WORDS
            and _HAS_LETTER_RE.search(token) is not None
            and _QUANTITY_RE.fullmatch(token) is None
        ):
            return token
        return None

    def __call__(self, text: str, spelling: _Spelling, title: bool = False) -> list[str]:
        """Features of a text, noting how it spells them; a title is all Title Case."""
        out: list[str] = []
        kept = self._kept
        prev: str | None = None  # previous kept token, when nothing but space lies between
        prev_form = ""
        prev_weak = False
        sentence_start = True
        for raw in _PIECE_RE.findall(text):
            token = kept.get(raw, "")
            if token == "":
                token = kept[raw] = self._keep(raw)
            if token is None:  # a dropped word or a punctuation mark: no bigram across it
                prev = None
                sentence_start = raw in ".!?" or (sentence_start and not raw[0].isalnum())
                continue
            weak = title or sentence_start
            sentence_start = False
            form = _plain_case(raw) if weak else raw
            out.append(token)
            self._note(spelling, token, form, weak, title)
            if prev is not None:
                bigram = f"{prev} {token}"
                out.append(bigram)
                self._note(spelling, bigram, f"{prev_form} {form}", prev_weak or weak, title)
            prev, prev_form, prev_weak = token, form, weak
        if not title:
            spelling.tokens = out  # shared with the vectoriser, never changed
        return out

    @staticmethod
    def _note(spelling: _Spelling, term: str, form: str, weak: bool, title: bool) -> None:
        if weak:
            if not title:
                spelling.weak_count[term] = spelling.weak_count.get(term, 0) + 1
            if form != term:
                spelling.weak_form.setdefault(term, form)
            return
        if form != term:
            counts = spelling.capitals.setdefault(term, {})
            counts[form] = counts.get(form, 0) + 1


def _plain_case(raw: str) -> str:
    """ "Pipeline" and "Low-Rank" -> lower case; "GaLore", "LLM", "FP8" stay."""
    if all(part[:1].isupper() and part[1:] == part[1:].lower() for part in raw.split("-") if part):
        return raw.lower()
    return raw


def _identity(doc: list[str]) -> list[str]:
    return doc


def _vectorise(papers: Sequence[Paper]) -> tuple[sparse.csr_matrix, list[str], _Spellings]:
    """TF-IDF matrix (rows in the given order, L2-normalised), feature names, spellings.

    Title and abstract are weighted separately (sublinear tf, shared idf, each
    L2-normalised), then combined as TITLE_WEIGHT * title + abstract and
    normalised again, so a short title keeps its weight next to a long abstract.
    """
    spellings = _Spellings()
    features = _Tokenizer()
    titles, abstracts = [], []
    for paper in papers:
        spelling = _Spelling()
        spellings.papers.append(spelling)
        titles.append(features(paper.title, spelling, title=True))
        abstracts.append(features(paper.abstract, spelling))
    counter = CountVectorizer(analyzer=_identity, lowercase=False, dtype=np.float64)
    try:
        counts = counter.fit_transform(titles + abstracts).tocsr()  # one pass: titles, then abstracts
    except ValueError:  # no paper has a single usable word
        return sparse.csr_matrix((len(papers), 0)), [], spellings
    title_counts, abstract_counts = counts[: len(papers)], counts[len(papers) :]
    tfidf = TfidfTransformer(sublinear_tf=True, smooth_idf=True, norm="l2")
    tfidf.fit(title_counts + abstract_counts)  # document frequency over title and abstract
    combined = TITLE_WEIGHT * tfidf.transform(title_counts) + tfidf.transform(abstract_counts)
    matrix = sparse.csr_matrix(normalize(combined, norm="l2"), dtype=np.float64)
    matrix.sort_indices()
    names = list(counter.get_feature_names_out())
    return matrix, names, spellings


def _top_k(scores: np.ndarray, first: int, k: int) -> np.ndarray:
    """The k best columns of each row of a block: score desc, then column (= key) asc.

    Row r of the block is paper `first + r`; its own column is excluded.
    """
    rows, n = scores.shape
    row_ids = np.arange(rows)
    scores[row_ids, first + row_ids] = -1.0  # never oneself (real scores are >= 0)
    if k >= n - 1:
        candidates = np.broadcast_to(np.arange(n), (rows, n))
    else:
        candidates = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    values = np.take_along_axis(scores, candidates, axis=1)
    order = np.lexsort((candidates, -values), axis=1)
    best = np.take_along_axis(candidates, order, axis=1)[:, :k]
    if k < n - 1:
        # argpartition picks arbitrarily among scores tied with the k-th best:
        # settle those rows by key, looking at every tied column
        kth = np.take_along_axis(scores, best[:, -1:], axis=1)
        tied_rows = np.flatnonzero((scores >= kth).sum(axis=1) > k)
        for r in tied_rows:
            pool = np.flatnonzero(scores[r] >= kth[r, 0])
            best[r] = pool[np.lexsort((pool, -scores[r, pool]))][:k]
    return best


def _shared_terms(
    matrix: sparse.csr_matrix, left: np.ndarray, right: np.ndarray, names: list[str], spellings: _Spellings
) -> list[tuple[str, ...]]:
    """The terms that explain each pair (left[p], right[p])."""
    if left.size == 0:
        return []
    products = matrix[left].multiply(matrix[right]).tocsr()
    products.eliminate_zeros()
    products.sort_indices()
    counts = np.diff(products.indptr)
    pair_of = np.repeat(np.arange(left.size), counts)
    # within each pair: product desc, then feature asc (feature ids are in name order)
    order = np.lexsort((products.indices, -np.round(products.data, 12), pair_of))
    features = products.indices[order]
    out = []
    for p in range(left.size):
        begin = products.indptr[p]
        ranked = features[begin : begin + min(counts[p], _TERM_CANDIDATES)]
        out.append(_readable([names[f] for f in ranked], spellings, int(left[p]), int(right[p])))
    return out


def _readable(ranked: list[str], spellings: _Spellings, i: int, j: int) -> tuple[str, ...]:
    """Pick up to MAX_TERMS terms, a bigram standing in for its own words.

    A word is replaced by the best-ranked shared bigram (among the ranked
    candidates) that contains it; a term already picked is not repeated.
    """
    bigram_of: dict[str, str] = {}
    for term in ranked:
        if " " in term:
            for part in term.split(" "):
                bigram_of.setdefault(part, term)
    picked: list[str] = []
    for term in ranked:
        term = bigram_of.get(term, term)
        if term not in picked:
            picked.append(term)
            if len(picked) == MAX_TERMS:
                break
    return tuple(spellings.show(t, i, j) for t in picked)


def related_papers(papers: Sequence[Paper], k: int = 5) -> dict[str, tuple[Related, ...]]:
    """Every paper key -> up to k related papers, best first.

    The result does not depend on the order of `papers`. Keys must be unique.
    """
    ordered = sorted(papers, key=lambda p: p.key)
    keys = [p.key for p in ordered]
    if len(set(keys)) != len(keys):
        dupes = sorted(key for key, count in Counter(keys).items() if count > 1)
        raise ValueError(f"duplicate paper keys: {', '.join(dupes)}")
    n = len(ordered)
    k = max(0, min(k, n - 1))
    if k == 0:
        return {key: () for key in keys}
    matrix, names, spellings = _vectorise(ordered)
    transposed = matrix.T.tocsr()
    block = max(1, _BLOCK_CELLS // n)
    result: dict[str, tuple[Related, ...]] = {}
    for start in range(0, n, block):
        stop = min(start + block, n)
        if matrix.shape[1]:
            scores = (matrix[start:stop] @ transposed).toarray()
        else:
            scores = np.zeros((stop - start, n))
        np.round(scores, 4, out=scores)
        best = _top_k(scores, start, k)
        best_scores = np.take_along_axis(scores, best, axis=1)
        linked = best_scores > 0  # a score-0 filler shares no term
        rows, cols = np.nonzero(linked)
        terms = iter(_shared_terms(matrix, rows + start, best[rows, cols], names, spellings))
        for row in range(stop - start):
            result[keys[start + row]] = tuple(
                Related(keys[j], round(score, 4), next(terms) if has_terms else ())
                for j, score, has_terms in zip(best[row].tolist(), best_scores[row].tolist(), linked[row].tolist())
            )
    return result
