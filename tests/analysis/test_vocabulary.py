"""Counting with feature numbers kept between calls (generator/analysis/vocabulary.py)
gives exactly what counting from nothing gives, after edits of every kind."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from generator.analysis import similarity, vocabulary
from generator.analysis.vocabulary import Vocabulary


def _tf_idf(papers):
    matrix, names, _, df, _ = similarity._tf_idf_vectors(papers)
    return matrix.indptr.tobytes(), matrix.indices.tobytes(), matrix.data.tobytes(), tuple(names), df.tobytes()


def _fresh(papers, monkeypatch):
    with monkeypatch.context() as scoped:
        scoped.setattr(vocabulary, "_VOCABULARY", Vocabulary())
        return _tf_idf(papers)


def test_counts_after_edits_are_those_of_a_fresh_count(library, monkeypatch):
    monkeypatch.setattr(vocabulary, "_VOCABULARY", Vocabulary())
    papers = sorted(library, key=lambda p: p.key)
    library_titles = {p.key: p.title for p in papers}
    _tf_idf(papers)
    edits = [
        (5, lambda p: dataclasses.replace(p, title="Zyxwv Quorble: " + p.title)),  # words no paper had: new numbers
        (0, lambda p: dataclasses.replace(p, title=papers[-1].title)),  # the first paper now first uses other words
        (7, lambda p: dataclasses.replace(p, abstract="")),  # words lost: some leave the library
        (9, lambda p: dataclasses.replace(p, abstract=papers[3].abstract + " Zyxwv again.")),
        (5, lambda p: dataclasses.replace(p, title=library_titles[p.key])),  # the new words leave again
    ]
    for index, edit in edits:
        papers[index] = edit(papers[index])
        assert _tf_idf(papers) == _fresh(papers, monkeypatch)
    names = _tf_idf(papers)[3]
    assert "quorble" not in names and "zyxwv" in names  # a word gone is no column, though it keeps its number


def test_documents_are_looked_up_once_while_unchanged():
    words = Vocabulary()
    first, second = ["low-rank", "projection"], ["projection", "states"]
    numbers = words.documents([first, second])
    assert [n.tolist() for n in numbers] == [[0, 1], [1, 2]]
    again = words.documents([first, ["states", "galore"]])
    assert again[0] is numbers[0]  # the same list: its numbers are not made again
    assert again[1].tolist() == [2, 3]
    assert words.names == ["low-rank", "projection", "states", "galore"]
    assert words.name_ranks().tolist() == [1, 2, 3, 0]  # galore, low-rank, projection, states


def test_a_long_session_starts_a_new_vocabulary_when_most_numbers_are_stale(monkeypatch):
    old = Vocabulary()
    old.documents([[f"w{i}" for i in range(3000)]])
    monkeypatch.setattr(vocabulary, "_VOCABULARY", old)
    vocabulary.retire_if_stale(2000)
    assert vocabulary.current_vocabulary() is old
    vocabulary.retire_if_stale(1000)
    assert vocabulary.current_vocabulary() is not old and not vocabulary.current_vocabulary().names


@pytest.mark.parametrize("docs", [[[], []], [["only"], []]])
def test_empty_and_single_feature_libraries(docs):
    matrix, df, names = similarity._count(docs[:1], docs[1:])
    assert matrix.shape[0] == 2 and len(names) == matrix.shape[1] == len(df)
    assert np.array_equal(df, np.ones(len(names)))
