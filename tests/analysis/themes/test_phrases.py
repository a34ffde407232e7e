"""The phrase language (phrases.py): its two readings agree, and check_pattern refuses what is unsafe."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.analysis.themes import Pattern, PatternError, check_pattern, phrase_forms, phrase_regex
from generator.analysis.themes.phrases import MAX_PHRASE_CHARS, MAX_PHRASE_WORDS

WORD = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9.+#']{0,7}", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(words=st.lists(WORD, min_size=1, max_size=5), sep=st.sampled_from([" ", "-", " - ", "\u2013", "/"]))
def test_every_token_form_of_a_phrase_is_matched_by_its_regex(words, sep):
    """The engine indexes `phrase_forms`; case-sensitive phrases are confirmed with
    `phrase_regex`: a form the regex does not match would be a hit silently dropped."""
    phrase = sep.join(words)
    regex = re.compile(phrase_regex(phrase), re.IGNORECASE)
    forms = phrase_forms(phrase.lower())
    assert forms, phrase
    assert len(forms) <= 2 ** (len(words) - 1)
    for form in forms:
        assert regex.fullmatch("".join(form)), (phrase, form)
        assert regex.fullmatch(" ".join(form)) or any(not t[0].isalnum() for t in form), (phrase, form)


def test_phrase_forms_keep_punctuation_inside_a_word_as_its_own_token():
    assert phrase_forms("1.58 bit*") == [("1", ".", "58", "bit*"), ("1", ".", "58bit*")]
    assert phrase_forms("c++") == [("c", "+", "+")]


def test_a_phrase_without_a_letter_or_digit_is_refused():
    with pytest.raises(PatternError, match="at least one letter or digit"):
        phrase_regex(" - / -- ")


@pytest.mark.parametrize(
    "pattern, expected",
    [
        pytest.param(Pattern("mixture of experts"), None, id="plain-phrase"),
        pytest.param(Pattern("quantiz*"), None, id="wildcard"),
        pytest.param(Pattern(" ".join(["w"] * MAX_PHRASE_WORDS)), None, id="longest-phrase"),
        pytest.param(Pattern(" ".join(["w"] * (MAX_PHRASE_WORDS + 1))), "more than 8 words", id="too-many-words"),
        pytest.param(Pattern("x" * (MAX_PHRASE_CHARS + 1)), "longer than 200 characters", id="too-long"),
        pytest.param(Pattern("--"), "at least one letter or digit", id="no-letters"),
        pytest.param(Pattern(r"\bGPT-?\d\b", regex=True), None, id="regex"),
        pytest.param(Pattern(r"(agent|tool)s?", regex=True), None, id="regex-alternation"),
        pytest.param(Pattern("(a+)+b", regex=True), "repeats a group that itself repeats", id="nested-repeat"),
        pytest.param(Pattern(r"(\w*)*x", regex=True), "repeats a group that itself repeats", id="nested-star"),
        pytest.param(Pattern("a*", regex=True), "matches empty text", id="matches-empty"),
        pytest.param(Pattern("(unclosed", regex=True), "does not compile: missing ), unterminated subpattern at position 0", id="no-compile"),
    ],
)
def test_check_pattern(pattern, expected):
    why = check_pattern(pattern)
    if expected is None:
        assert why is None
    else:
        assert why is not None and expected in why, why
