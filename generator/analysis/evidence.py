"""What may link two papers: distinctive terms weigh more, generic ones decide nothing.

A related link is only worth showing when the two papers share something
that says what they are about. Terms in more than COMMON_SHARE of the
papers are dropped altogether (`drop_common`: the library's own stop
words). Of the rest, generic evidence is of two kinds:

- words of the GENERIC_WORDS list (generator/analysis/stopwords.py): the
  ordinary vocabulary of research writing ("survey", "extreme", "handling");
- the library's own common words: a single word in more than GENERIC_SHARE
  of its papers ("reasoning", "benchmark", "memory" in a list about training
  LLMs), counted only in libraries of MIN_PAPERS or more.

A phrase of two words is generic only when both its words are generic words
or it is itself in more than twice GENERIC_SHARE of the papers ("scaling
laws" is a topic even in a list where "scaling" is everywhere).

Generic features keep a part in the score, at GENERIC_WEIGHT of their TF-IDF
weight; distinctive phrases count PHRASE_WEIGHT and coined names ("GaLore",
"ZeRO", "SPHINX", written with a capital inside or all in capitals) count
NAME_WEIGHT, so near-variants of one work ("ZeRO-Offload", "ZeRO++") find
each other before papers that merely share a topic. A link is dropped
(generator/analysis/similarity.py) when its distinctive shared features make
less than MIN_EVIDENCE of its cosine, or its leading shared features are
all generic.
"""

from __future__ import annotations

from collections import Counter
from itertools import chain

import numpy as np
from scipy import sparse

from generator.analysis.last_call import kept_by_identity, kept_from_last
from generator.analysis.stopwords import GENERIC_WORDS

# A term in more than this share of the library's papers is one of the
# library's own stop words ("training", "data", "scaling" in a list about
# training LLMs): it says nothing about what links two of them.
COMMON_SHARE = 0.2
GENERIC_SHARE = 0.08  # a word in more than this share of the papers is one of the library's common words
MIN_PAPERS = 40  # below this, document frequencies are too few to call a word common
GENERIC_WEIGHT = 0.4
PHRASE_WEIGHT = 1.5
NAME_WEIGHT = 2.0
# A link needs its distinctive shared features to make at least this much of
# its cosine: below it, the few rare words two papers share are chance
# ("cutting-edge", "showcase"). Measured on the shipped library with the
# pairs of tests/fixtures/gold/related-pairs.yml: the must-find pairs' share
# ran from 0.009 to 0.54 (three under 0.02, all three far from their papers'
# top five anyway), the must-not pairs' from 0 to 0.027.
MIN_EVIDENCE = 0.02


def common_limit(n: int) -> float:
    """How many papers a single word may appear in before it is common (infinite in small libraries)."""
    return GENERIC_SHARE * n if n >= MIN_PAPERS else float("inf")


def is_generic(term: str, df: int, n: int) -> bool:
    """True when a term (lower case) is generic evidence in a library of n papers where df papers use it."""
    words = term.split(" ")
    if len(words) > 1:
        return all(w in GENERIC_WORDS for w in words) or df > 2 * common_limit(n)
    return term in GENERIC_WORDS or df > common_limit(n)


def feature_weights(names: list[str], df: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per feature: the factor on its TF-IDF weight, and whether it is distinctive evidence
    (`is_generic`, with what depends on the name alone kept between calls)."""
    global _KINDS
    _KINDS = kinds = kept_from_last(names, _kind, _KINDS)
    kind = np.fromiter(map(kinds.__getitem__, names), dtype=np.int8, count=len(names))
    phrase, listed = (kind & _PHRASE) > 0, (kind & _LISTED) > 0
    limit = np.where(phrase, 2.0, 1.0) * common_limit(n)
    distinctive = ~listed & ~(df > limit)
    weights = np.where(distinctive, 1.0, GENERIC_WEIGHT)
    weights[distinctive & phrase] = PHRASE_WEIGHT
    return weights, distinctive


_PHRASE, _LISTED = 1, 2


def _kind(term: str) -> int:
    """What `is_generic` asks of a term's words alone, as bits: a phrase? generic by the word list?"""
    words = term.split(" ")
    listed = all(w in GENERIC_WORDS for w in words) if len(words) > 1 else term in GENERIC_WORDS
    return (_PHRASE if len(words) > 1 else 0) | (_LISTED if listed else 0)


# feature name -> its _kind, for the names of the last call (a title edit keeps nearly all of them)
_KINDS: dict[str, int] = {}


def boost_names(matrix: sparse.csr_matrix, names: list[str], coined: list[set[str]], distinctive: np.ndarray) -> sparse.csr_matrix:
    """The matrix with each paper's own coined names (distinctive ones) weighted NAME_WEIGHT.

    Per paper, not per feature: "ZeRO" in one paper does not make "decays to
    zero" in another a name.
    """
    column = {name: i for i, name in enumerate(names)}
    rows, cols = [], []
    for row, found in enumerate(coined):
        for term in sorted(found):
            col = column.get(term)
            if col is not None and distinctive[col]:
                rows.append(row)
                cols.append(col)
    if not rows:
        return matrix
    boost = sparse.csr_matrix((np.full(len(rows), NAME_WEIGHT - 1.0), (rows, cols)), shape=matrix.shape)
    return (matrix + matrix.multiply(boost)).tocsr()


def drop_common(titles: list[list[str]], abstracts: list[list[str]]) -> tuple[list[list[str]], list[list[str]]]:
    """The features without the library's own stop words: those in more than
    COMMON_SHARE of its papers (counted only in libraries of 20 papers or more)."""
    n = len(titles)
    if n < 20:
        return titles, abstracts
    df = _document_frequencies(titles, abstracts)
    common = {term for term, count in df.items() if count > COMMON_SHARE * n}
    if not common:
        return titles, abstracts
    dropped = {f for f in df if f in common or (" " in f and common.issuperset(f.split(" ")))}
    global _FILTERED
    common = frozenset(common)  # what a document's filtering depends on
    known = _FILTERED[1] if _FILTERED[0] == common else {}
    found = kept_by_identity(chain(titles, abstracts), lambda doc: [f for f in doc if f not in dropped], known)
    _FILTERED = (common, found)
    return [found[id(t)][1] for t in titles], [found[id(a)][1] for a in abstracts]


def _document_frequencies(titles: list[list[str]], abstracts: list[list[str]]) -> Counter:
    """Papers per feature (a feature of both title and abstract counted once).

    After an edit, the last call's counts are corrected for the papers whose
    feature lists are new: counting 10,000 papers again took 0.4 s.
    """
    global _DF
    last_titles, last_abstracts, last_df = _DF
    changed = None
    if len(last_titles) == len(titles):
        changed = [i for i, (t, a) in enumerate(zip(titles, abstracts)) if t is not last_titles[i] or a is not last_abstracts[i]]
    if changed is None or len(changed) > len(titles) // 8:
        df = Counter(chain.from_iterable(set(t) | set(a) for t, a in zip(titles, abstracts)))
    else:
        df = last_df.copy()
        for i in changed:
            before, now = set(last_titles[i]) | set(last_abstracts[i]), set(titles[i]) | set(abstracts[i])
            for feature in before - now:
                df[feature] -= 1
                if not df[feature]:
                    del df[feature]
            df.update(now - before)
    _DF = (list(titles), list(abstracts), df)  # the lists are held, so their ids are not reused
    return df


# The last call's document frequencies and the lists they were counted from.
_DF: tuple[list[list[str]], list[list[str]], Counter] = ([], [], Counter())

# The last call's filtered documents, by the identity of the feature lists they came
# from (features.py keeps one list per text between rebuilds): after an edit the
# same words are common, and filtering 20,000 lists again took 0.7 s.
# The filtered lists are shared between calls: nothing may change them.
_FILTERED: tuple[frozenset, dict[int, tuple[list[str], list[str]]]] = (frozenset(), {})
