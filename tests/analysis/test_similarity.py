"""Related papers: TF-IDF similarity with explaining terms (generator/similarity.py)."""

from __future__ import annotations

import math
from collections import Counter
from itertools import chain
import os
import random
import re
import time

import numpy as np
import pytest

from generator.analysis import features, similarity
from generator.model import Paper
from generator.analysis.similarity import Related, related_papers


def paper(key: str, title: str, abstract: str = "") -> Paper:
    return Paper(key=key, title=title, abstract=abstract, added="2024-01-01")


@pytest.fixture(scope="module")
def related(library) -> dict[str, tuple[Related, ...]]:
    return related_papers(library)


def key_of(library, pattern: str) -> str:
    found = [p.key for p in library if re.search(pattern, p.title)]
    assert len(found) == 1, (pattern, found)
    return found[0]


NEAR_VARIANTS = [
    (r"^GaLore:", r"^Natural GaLore"),
    (r"^SPAM:", r"^Stable-SPAM"),
    (r"^SPHINX:", r"^SPHINX-X"),
    (r"^ZeRO-Offload", r"^ZeRO\+\+"),
    (r"^LLaMA-MoE", r"^Llama 3 Meets MoE"),
]


@pytest.mark.parametrize(("first", "second"), NEAR_VARIANTS)
def test_near_variants_find_each_other(library, related, first, second):
    a, b = key_of(library, first), key_of(library, second)
    assert b in [r.key for r in related[a]]
    assert a in [r.key for r in related[b]]


def test_the_two_frontier_training_papers_find_each_other(library, related):
    frontier = [p.key for p in library if "Frontier" in p.title and "Training" in p.title]
    assert len(frontier) == 2
    a, b = frontier
    assert b in [r.key for r in related[a]]
    assert a in [r.key for r in related[b]]


def test_near_variants_are_explained_by_their_name(library, related):
    galore, natural = key_of(library, r"^GaLore:"), key_of(library, r"^Natural GaLore")
    link = next(r for r in related[galore] if r.key == natural)
    assert "GaLore" in link.terms  # shown as the library spells it, not "galore"
    spam, stable = key_of(library, r"^SPAM:"), key_of(library, r"^Stable-SPAM")
    link = next(r for r in related[spam] if r.key == stable)
    assert "SPAM" in link.terms


def test_every_paper_gets_five_others_best_first(library, related):
    keys = {p.key for p in library}
    assert set(related) == keys
    for key, links in related.items():
        assert len(links) == 5
        assert key not in [r.key for r in links]
        assert len({r.key for r in links}) == 5
        assert all(r.key in keys for r in links)
        real = [r for r in links if r.score > 0]
        order = [(-r.score, r.key) for r in real]
        assert order == sorted(order)
        fillers = links[len(real) :]  # after the real links: score 0, no terms, key order
        assert all(r.score == 0 and r.terms == () for r in fillers)
        assert [r.key for r in fillers] == sorted(r.key for r in fillers)
        for r in real:
            assert r.score == round(r.score, 4)
            assert 0 < r.score <= 1
            assert 1 <= len(r.terms) <= 3  # every real link is explained
            assert len(set(r.terms)) == len(r.terms)
    assert sum(r.score > 0 for links in related.values() for r in links) > 0.9 * 5 * len(keys)


def test_scores_match_a_brute_force_computation(library, related):
    ordered = sorted(library, key=lambda p: p.key)
    matrix, names, spellings, distinctive = similarity._vectorise(ordered)
    full = np.round((matrix @ matrix.T).toarray(), 4)
    np.fill_diagonal(full, -1)
    index = {p.key: i for i, p in enumerate(ordered)}
    passed_over = 0
    for key, links in related.items():
        row = full[index[key]]
        real = [r for r in links if r.score > 0]
        for r in real:
            assert r.score == row[index[r.key]]
        # nothing left out is better than the worst one kept, but for a tie settled
        # by key or a link that rests only on generic evidence
        kept = {index[r.key] for r in real} | {index[key]}
        worst = real[-1] if len(real) == 5 else Related("", 0.0, ())
        better = [j for j in np.flatnonzero(row >= max(worst.score, 1e-4)) if j not in kept]
        refused = similarity._shared_terms(
            matrix, np.full(len(better), index[key]), np.array(better, dtype=np.int64), names, spellings, distinctive
        )
        for j, terms in zip(better, refused):
            assert terms is None or (row[j] == worst.score and ordered[j].key > worst.key)
            passed_over += terms is None
    assert passed_over > 0  # the evidence rule is at work on the shipped library


def test_blocks_do_not_change_the_result(library, related, monkeypatch):
    monkeypatch.setattr(similarity, "_BLOCK_CELLS", 7 * len(library))  # blocks of 7 rows
    assert related_papers(library) == related


def test_deterministic_and_independent_of_input_order(library, related):
    assert related_papers(library) == related
    shuffled = list(library)
    random.Random(7).shuffle(shuffled)
    assert related_papers(shuffled) == related


def test_stop_words_are_scikit_learns():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    assert features.ENGLISH_STOP_WORDS == ENGLISH_STOP_WORDS


def test_tf_idf_matches_a_hand_computed_example():
    # commas keep bigrams out, so the features are three words
    papers = [
        paper("a", "Pruning", "pruning, pruning, kernels"),
        paper("b", "Kernels", "kernels, sparsity"),
    ]
    matrix, names, _, _, _ = similarity._tf_idf_vectors(papers)
    assert names == ["kernels", "pruning", "sparsity"]
    n = 2
    idf = {term: math.log((n + 1) / (df + 1)) + 1 for term, df in {"kernels": 2, "pruning": 1, "sparsity": 1}.items()}

    def unit(v):
        return v / np.linalg.norm(v)

    def weights(counts):  # sublinear tf times idf, L2-normalised
        return unit(np.array([(1 + math.log(counts[t])) * idf[t] if counts.get(t) else 0.0 for t in names]))

    expected = [
        unit(0.5 * weights({"pruning": 1}) + weights({"pruning": 2, "kernels": 1})),
        unit(0.5 * weights({"kernels": 1}) + weights({"kernels": 1, "sparsity": 1})),
    ]
    assert np.allclose(matrix.toarray(), expected, rtol=0, atol=1e-15)


def test_tf_idf_is_scikit_learns_to_the_last_bit(library):
    """Same vectors, bit for bit, as the scikit-learn pipeline the module used to run."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
    from sklearn.preprocessing import normalize

    ordered = sorted(library, key=lambda p: p.key)
    matrix, names, _, _, _ = similarity._tf_idf_vectors(ordered)
    tokenise = similarity._Tokenizer()
    docs = [tokenise(p.title, similarity._Spelling(), title=True) for p in ordered]
    docs += [tokenise(p.abstract, similarity._Spelling()) for p in ordered]
    docs = sum(similarity.drop_common(docs[: len(ordered)], docs[len(ordered) :]), [])
    counter = CountVectorizer(analyzer=lambda doc: doc, lowercase=False, dtype=np.float64)
    counts = counter.fit_transform(docs).tocsr()
    titles, abstracts = counts[: len(ordered)], counts[len(ordered) :]
    tfidf = TfidfTransformer(sublinear_tf=True, smooth_idf=True, norm="l2").fit(titles + abstracts)
    # scikit-learn's smoothed idf, from the document frequencies kept in bands (steady_df)
    df = np.asarray(((titles + abstracts) > 0).sum(axis=0), dtype=np.float64).ravel()
    tfidf.idf_ = np.log((len(ordered) + 1) / (similarity.steady_df(df) + 1.0)) + 1.0
    reference = normalize(similarity.TITLE_WEIGHT * tfidf.transform(titles) + tfidf.transform(abstracts))
    reference.sort_indices()
    assert names == list(counter.get_feature_names_out())
    assert np.array_equal(matrix.indptr, reference.indptr) and np.array_equal(matrix.indices, reference.indices)
    assert matrix.data.tobytes() == reference.data.tobytes()


def test_document_frequencies_are_exact_below_16_and_banded_above():
    df = np.arange(0, 5000, dtype=np.float64)
    steady = similarity.steady_df(df)
    assert np.array_equal(steady[:16], df[:16])
    assert np.all(np.abs(steady - df) <= df / 16 + 0.5)  # within the band: the idf moves by at most ~0.06
    # a word gaining or losing one paper moves its idf only where a band ends: between
    # `low` and `2 * low` papers one change in low / 8, so about 8 to 16 vectors move, not df
    moves = steady[1:] != steady[:-1]  # moves[i]: df i -> i + 1
    assert moves[:15].all()
    for low in (16, 256, 2048):
        assert moves[low : 2 * low].mean() == 8 / low, low
    assert np.all(np.diff(steady) >= 0)  # more papers never means a rarer word


def test_white_space_of_any_kind_separates_words_as_a_space_does():
    odd = "GaLore\u2009trains\xa0low-rank\tprojection\u3000states.\x1cSPAM\n\nFP8"
    plain = "GaLore trains low-rank projection states. SPAM FP8"
    tokenise = similarity._Tokenizer()
    assert tokenise(odd, similarity._Spelling()) == tokenise(plain, similarity._Spelling())
    assert "galore trains" in tokenise(odd, similarity._Spelling())


def test_ties_across_blocks_break_by_key(monkeypatch):
    text = "Pipeline parallelism with activation recomputation for trillion parameter training."
    papers = [paper(f"p{i}", "Pipeline parallelism at scale", text) for i in range(8)]
    papers.append(paper("z", "Different things", "Image segmentation of cells."))
    one_block = related_papers(papers, k=5)
    for rows in (1, 2, 3):
        monkeypatch.setattr(similarity, "_BLOCK_CELLS", rows * len(papers))
        assert related_papers(papers, k=5) == one_block
    assert [r.key for r in one_block["p7"]] == ["p0", "p1", "p2", "p3", "p4"]


def test_shared_bigram_replaces_its_words():
    papers = [
        paper("a", "Gradient low-rank projection", "We train with low-rank projection of gradients to save optimizer states."),
        paper("b", "Projection again", "A low-rank projection method keeps optimizer states small."),
        paper("c", "Unrelated", "Cats and dogs play in the garden."),
    ]
    link = related_papers(papers, k=1)["a"][0]
    assert link.key == "b"
    assert "low-rank projection" in link.terms
    assert "optimizer states" in link.terms
    assert "projection" not in link.terms and "low-rank" not in link.terms


def test_bigrams_never_span_punctuation_or_dropped_words():
    tokens = similarity._Tokenizer()("Optimizer states. Techniques of memory, the GPU memory 7B", similarity._Spelling())
    assert "optimizer states" in tokens
    assert "states techniques" not in tokens
    assert "techniques memory" not in tokens
    assert "memory gpu" not in tokens
    assert "gpu memory" in tokens
    assert "7b" not in tokens


def test_terms_keep_names_with_digits_and_hyphens():
    tokens = similarity._Tokenizer()("Stable-SPAM trains in FP8 with 4-bit Adam; SPHINX-X too.", similarity._Spelling())
    for token in ("stable-spam", "fp8", "4-bit", "adam", "sphinx-x"):
        assert token in tokens


def test_terms_are_shown_as_the_two_abstracts_write_them():
    papers = [
        paper("a", "Training on Frontier", "Pipeline parallelism on Frontier."),
        paper("b", "Scaling on Frontier", "Pipeline parallelism helps. It runs on Frontier."),
        paper("c", "Pareto frontier of costs", "We trace the frontier of costs."),
        paper("d", "Pareto frontier of risks", "We trace the frontier of risks."),
    ]
    result = related_papers(papers, k=1)
    assert result["a"][0].key == "b"
    # mid-sentence capitals win; a sentence start's or a title's capital is not a spelling
    assert set(result["a"][0].terms) == {"Frontier", "pipeline parallelism"}
    assert result["c"][0].key == "d"
    assert "pareto frontier" in result["c"][0].terms  # lower case: its capital only comes from titles


def test_no_papers():
    assert related_papers([]) == {}


def test_one_paper():
    assert related_papers([paper("only", "A title", "An abstract.")]) == {"only": ()}


def test_two_papers_relate_to_each_other():
    papers = [paper("b", "Sparse attention kernels", "Fast sparse attention."), paper("a", "Attention sparsity", "Sparse attention at scale.")]
    result = related_papers(papers)
    assert [r.key for r in result["a"]] == ["b"]
    assert [r.key for r in result["b"]] == ["a"]
    assert result["a"][0].score == result["b"][0].score > 0
    assert result["a"][0].terms


def test_empty_abstracts_and_texts_without_words():
    papers = [
        paper("a", "Mixture of experts routing"),
        paper("b", "Expert routing for mixture models"),
        paper("c", "The and of", ""),  # nothing but stop words
        paper("d", "Quantization", "4-bit quantization of weights"),
    ]
    result = related_papers(papers)
    assert result["a"][0].key == "b" and result["a"][0].terms
    assert all(len(links) == 3 for links in result.values())
    # a paper that shares no word with anyone still gets its neighbours, at score 0, in key order, unexplained
    assert [(r.key, r.score, r.terms) for r in result["c"]] == [("a", 0.0, ()), ("b", 0.0, ()), ("d", 0.0, ())]


def test_no_usable_word_anywhere():
    papers = [paper("a", "The"), paper("b", "Of"), paper("c", "And")]
    result = related_papers(papers)
    assert [r.key for r in result["b"]] == ["a", "c"]
    assert all(r.score == 0.0 and r.terms == () for links in result.values() for r in links)


def test_identical_texts_tie_and_ties_break_by_key():
    text = "Pipeline parallelism with activation recomputation for trillion parameter training."
    papers = [paper(f"p{i}", "Pipeline parallelism at scale", text) for i in range(8)]
    papers.append(paper("z", "Different things", "Image segmentation of cells."))
    random.Random(3).shuffle(papers)
    result = related_papers(papers, k=5)
    assert [r.key for r in result["p0"]] == ["p1", "p2", "p3", "p4", "p5"]
    assert [r.key for r in result["p3"]] == ["p0", "p1", "p2", "p4", "p5"]
    assert all(r.score == 1.0 for r in result["p0"])
    assert "pipeline parallelism" in result["p0"][0].terms


def test_k_is_respected():
    papers = [paper(f"k{i}", f"Topic {i} of sparse training", "Sparse training of networks.") for i in range(6)]
    assert all(len(v) == 2 for v in related_papers(papers, k=2).values())
    assert all(v == () for v in related_papers(papers, k=0).values())
    assert all(len(v) == 5 for v in related_papers(papers, k=50).values())


def test_duplicate_keys_are_refused():
    with pytest.raises(ValueError, match="duplicate paper keys: a"):
        related_papers([paper("a", "One"), paper("a", "Two")])


def synthetic_corpus(library, n: int, seed: int = 0) -> list[Paper]:
    """n papers made by recombining the real abstracts' sentences."""
    rng = random.Random(seed)
    sentences = [s for p in library for s in re.split(r"(?<=[.!?])\s+", p.abstract) if s]
    titles = [p.title for p in library]
    return [
        paper(f"syn-{i:05d}", rng.choice(titles), " ".join(rng.choice(sentences) for _ in range(rng.randint(5, 9))))
        for i in range(n)
    ]


def test_scales_linearly(library):
    """2,000 papers by default; SIMILARITY_BENCH_N=10000 for the full benchmark."""
    n = int(os.environ.get("SIMILARITY_BENCH_N", "2000"))
    corpus = synthetic_corpus(library, n)
    start = time.perf_counter()
    result = related_papers(corpus)
    elapsed = time.perf_counter() - start
    print(f"related_papers: {n} papers in {elapsed:.2f}s")
    assert len(result) == n and all(len(v) == 5 for v in result.values())
    assert elapsed < 30 * n / 2000  # generous: about 1.5 s per 2,000 papers here


def test_features_kept_from_an_earlier_call_give_the_same_links(library):
    """Under `mkdocs serve` a paper's words are kept between rebuilds
    (`features._FEATURES`): after an edit the links must be those of a
    computation from nothing, and only the current texts stay kept."""
    from dataclasses import replace

    papers = list(library)
    related_papers(papers)
    papers[3] = replace(papers[3], title="Edited: " + papers[3].title)
    papers[7] = replace(papers[7], abstract=papers[7].abstract + " We also study GaLore and ZeRO.")
    kept = related_papers(papers)
    assert set(features._FEATURES) == {(p.title, p.abstract) for p in papers}
    features._FEATURES.clear()
    assert kept == related_papers(papers)


def test_features_warmed_ahead_are_those_computed_from_nothing(library, monkeypatch):
    """`warm_features` (a served site's head start) keeps what is known, pauses between
    steps, and hands `_paper_features` exactly what it would have made itself."""
    papers = list(library)
    monkeypatch.setattr(features, "_FEATURES", {})
    fresh = features._paper_features(papers)
    features._FEATURES.clear()
    kept = features._FEATURES[(papers[0].title, papers[0].abstract)] = fresh[0]
    pauses = []
    features.warm_features(papers, pause=lambda: pauses.append(len(features._FEATURES)), every=100)
    assert len(pauses) == -(-len(papers) // 100) and pauses[0] == 1  # before each step of 100
    assert features._FEATURES[(papers[0].title, papers[0].abstract)] is kept
    split = []
    real = features._Tokenizer.__call__
    monkeypatch.setattr(features._Tokenizer, "__call__", lambda self, text, *a, **k: split.append(text) or real(self, text, *a, **k))
    warmed = features._paper_features(papers)
    assert split == []  # nothing split again
    slots = lambda found: [(t, a, [getattr(s, n) for n in s.__slots__], c) for t, a, s, c in found]  # noqa: E731
    assert slots(warmed) == slots(fresh)


def test_the_common_word_filter_kept_between_calls_gives_a_fresh_answer():
    """drop_common keeps its filtered lists between calls (by list identity); changed lists,
    and every list once the common words change, are filtered again."""
    from generator.analysis import evidence

    def fresh(titles, abstracts):
        evidence._FILTERED = (frozenset(), {})
        evidence._DF = ([], [], Counter())
        return evidence.drop_common(titles, abstracts)

    rng = np.random.default_rng(7)
    words = [f"w{i}" for i in range(400)]
    titles = [[str(w) for w in rng.choice(words, 4)] for _ in range(30)]
    abstracts = [[str(w) for w in rng.choice(words, 12)] + ["common"] * (i % 2) for i in range(30)]
    expected = fresh(titles, abstracts)
    assert any("common" not in a for a in expected[1]) and not any("common" in a for a in expected[1])
    abstracts[3] = ["fresh", "words", "only"]  # one document changed: a new list
    kept = evidence.drop_common(titles, abstracts)
    assert kept[1][0] is expected[1][0]  # an unchanged list's filtering was kept
    assert kept == fresh(titles, abstracts)
    abstracts = [a + ["w1", "w1 w2"] for a in abstracts]  # every list new; "w1" now common in all
    kept = evidence.drop_common(titles, abstracts)
    assert kept == fresh(titles, abstracts) and not any("w1" in a or "w1 w2" in a for a in kept[1])
    rare = next(w for w in words if sum(w in a for a in abstracts) == 1)
    evidence.drop_common(titles, abstracts)
    titles, abstracts = titles + [["x"]] * 10, abstracts + [[rare]] * 10  # the same lists, and `rare` now common
    kept = evidence.drop_common(titles, abstracts)
    assert kept == fresh(titles, abstracts) and not any(rare in a for a in kept[1])


def test_document_frequencies_corrected_after_an_edit_equal_a_fresh_count():
    """The last call's counts, corrected for the papers whose lists are new, are the
    counts made from nothing: a word that leaves its last paper is gone, a new one
    counts once per paper, a word in both title and abstract counts once."""
    from generator.analysis import evidence

    def fresh(titles, abstracts):
        return Counter(chain.from_iterable(set(t) | set(a) for t, a in zip(titles, abstracts)))

    rng = np.random.default_rng(11)
    words = [f"w{i}" for i in range(300)]
    titles = [[str(w) for w in rng.choice(words, 5)] for _ in range(40)]
    abstracts = [[str(w) for w in rng.choice(words, 15)] for _ in range(40)]
    evidence._DF = ([], [], Counter())
    assert evidence._document_frequencies(titles, abstracts) == fresh(titles, abstracts)
    lone = next(w for w in words if fresh(titles, abstracts)[w] == 1)
    holder = next(i for i in range(40) if lone in titles[i] or lone in abstracts[i])
    titles[holder] = ["brand", "new", "brand"]
    abstracts[holder] = ["new", "words"]
    abstracts[5] = abstracts[5] + ["extra"]
    counted = evidence._document_frequencies(titles, abstracts)
    assert counted == fresh(titles, abstracts)
    assert lone not in counted and counted["new"] == 1 and counted["brand"] == 1
    titles[7] = list(titles[7])  # the same words in a new list: nothing moves
    assert evidence._document_frequencies(titles, abstracts) == fresh(titles, abstracts)
    assert evidence._document_frequencies(titles[:-1], abstracts[:-1]) == fresh(titles[:-1], abstracts[:-1])
