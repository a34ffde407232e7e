"""Related papers say why in words a reader understands: topics, names, other words."""

from __future__ import annotations

from generator.analysis.similarity import Related


def test_shared_terms_are_grouped_as_topics_names_and_words():
    related = Related("zero", 0.3, ("GaLore", "optimizer states", "memory"))
    assert related.wording() == (("are about", ("optimizer states",)), ("name", ("GaLore",)), ("mention", ("memory",)))


def test_acronyms_and_inner_capitals_are_names_but_a_capitalised_word_is_not():
    related = Related("x", 0.2, ("PTQ", "ZeRO", "Chinchilla"))
    assert related.wording() == (("name", ("PTQ", "ZeRO")), ("mention", ("Chinchilla",)))


def test_no_terms_no_words():
    assert Related("x", 0.0, ()).wording() == ()


def test_a_compound_is_a_topic_and_its_parts_are_not_repeated():
    related = Related("x", 0.2, ("cross-lingual", "lingual", "cross"))
    assert related.wording() == (("are about", ("cross-lingual",)),)
    assert Related("x", 0.2, ("SPHINX", "multi-modal", "modal")).wording() == (("are about", ("multi-modal",)), ("name", ("SPHINX",)))
