"""Citation keys: readable, safe, unique, and never changed once assigned."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.library.keys import KEY_RE, MAX_KEY_CHARS, RESERVED_KEYS, assign_key, key_candidates, short_name
from generator.library.records import load_library

ROOT = Path(__file__).resolve().parents[2]
SAFE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def assign_all(titles: list[str], taken: set[str] | None = None) -> list[str]:
    taken = set() if taken is None else taken
    keys = []
    for title in titles:
        key = assign_key(title, lambda k: k in taken)
        taken.add(key)
        keys.append(key)
    return keys


def assert_safe(key: str) -> None:
    assert SAFE.match(key), key
    assert len(key) <= MAX_KEY_CHARS, key
    assert key not in RESERVED_KEYS, key


@pytest.mark.parametrize(
    "title, key",
    [
        ("GaLore: Memory-Efficient LLM Training by Gradient Low-Rank Projection", "galore"),
        ("MegaScale: Scaling Large Language Model Training to More Than 10,000 GPUs", "megascale"),
        ("PokéChamp: an Expert-level Minimax Language Agent", "pokechamp"),
        ("SPAM: Spike-Aware Adam with Momentum Reset for Stable LLM Training", "spam"),
        ("Transcending Scaling Laws with 0.1% Extra Compute", "transcending-scaling-laws-0"),
        ("How to Synthesize Text Data without Model Collapse?", "synthesize-text-data-without"),
    ],
)
def test_readable_keys_from_titles(title, key):
    assert assign_key(title, lambda k: False) == key


def test_short_name_only_for_coined_names():
    assert short_name("GaLore: Memory-Efficient LLM Training") == "GaLore"
    assert short_name("Adapt-Pruner: Adaptive Structural Pruning") == "Adapt-Pruner"
    assert short_name("A Little Help Goes a Long Way: Efficient LLM Training") is None  # a phrase, not a name
    assert short_name("No colon in this title") is None


UNSAFE_TITLES = [
    "../../etc/passwd",
    "..",
    "/",
    "C:\\Windows\\System32\\config",
    "<script>alert(1)</script>",
    "x" * 5000,
    " ".join(["supercalifragilistic"] * 400),  # 5,000+ characters of words
    "a" * 47 + " b",
    "Attention Is All You Need",
    "ATTENTION IS ALL YOU NEED",
    "attention is all you need",
    "???",
    "!!!",
    "...",
    "—",
    "",
    "   ",
    "大型语言模型的高效训练",
    "大型语言模型的推理加速",
    "Эффективное обучение",
    "Ελληνικά μοντέλα",
    "index",
    "Index",
    "con",
    "CON: A Study",
    "nul",
    "com1",
    "LPT9",
    "aux",
    "tags",
    "papers",
    "2024",
    "Ünïcödé Äccénts",
    "emoji 🚀🚀 only words",
    "🚀",
]


def test_unsafe_titles_get_safe_unique_keys():
    keys = assign_all(UNSAFE_TITLES)
    for key in keys:
        assert_safe(key)
    assert len(set(keys)) == len(keys)
    by_title = dict(zip(UNSAFE_TITLES, keys))
    assert by_title["../../etc/passwd"] == "etc-passwd"
    assert by_title["<script>alert(1)</script>"] == "script-alert-1-script"
    assert by_title["x" * 5000] == "x" * MAX_KEY_CHARS
    assert by_title["index"] == "index-2"
    assert by_title["CON: A Study"] not in RESERVED_KEYS
    assert by_title["Ünïcödé Äccénts"] == "unicode-accents"
    # titles that differ only by case still get distinct keys once one is taken
    assert len({by_title[t] for t in ("Attention Is All You Need", "ATTENTION IS ALL YOU NEED", "attention is all you need")}) == 3


def test_titles_without_latin_letters_get_stable_hashed_keys():
    (chinese,) = key_candidates("大型语言模型的高效训练")
    assert re.fullmatch(r"paper-[0-9a-f]{8}", chinese)
    assert key_candidates("大型语言模型的高效训练") == [chinese]  # the same every time
    assert key_candidates("大型语言模型的推理加速") != [chinese]
    assert key_candidates("???") != key_candidates("!!!")


def test_numbered_fallback_never_ends_a_base_on_a_hyphen():
    # the only candidate is 48 characters with a hyphen at index 43, where the
    # old code cut the base (giving "...ccc--2")
    title = "aaaaaaaaaa bbbbbbbbbb ccccccccccccccccccccc dddd"
    (first,) = key_candidates(title)
    assert len(first) == 48 and first[43] == "-"
    key = assign_key(title, lambda k: k == first)
    assert_safe(key)
    assert key == "aaaaaaaaaa-bbbbbbbbbb-ccccccccccccccccccccc-dd-2"
    taken = {first} | {first[: 48 - len(f"-{n}")].rstrip("-") + f"-{n}" for n in range(2, 12)}
    key = assign_key(title, lambda k: k in taken)
    assert_safe(key)
    assert key.endswith("-12")


def test_numbered_fallback_long_numbers_stay_within_the_limit():
    title = "x" * 100
    taken = {"x" * MAX_KEY_CHARS} | {"x" * (MAX_KEY_CHARS - len(f"-{n}")) + f"-{n}" for n in range(2, 1000)}
    key = assign_key(title, lambda k: k in taken)
    assert key == "x" * (MAX_KEY_CHARS - 5) + "-1000"
    assert_safe(key)


@given(st.lists(st.text(max_size=300), min_size=1, max_size=30))
@settings(max_examples=100, deadline=None)
def test_any_titles_get_safe_unique_keys(titles):
    keys = assign_all(titles)
    for key in keys:
        assert_safe(key)
    assert len(set(keys)) == len(keys)


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_key_candidates_are_deterministic(title):
    assert key_candidates(title) == key_candidates(title)
    assert all(KEY_RE.match(c) for c in key_candidates(title))


def test_shipped_library_keys_are_safe_and_unique(shipped_content):
    library = load_library(shipped_content)
    assert library.problems == ()
    keys = [p.key for p in library.papers]
    assert len(keys) == len(set(keys)) >= 478
    for paper in library.papers:
        assert SAFE.match(paper.key) and len(paper.key) <= MAX_KEY_CHARS
        assert paper.path.name == f"{paper.key}.yml"


PAPERPILE_LONG_KEY = "Qizhen_Weng_Wencong_Xiao_Yinghao_Yu_Wei_Wang_Cheng_Wang_Jian_He_Yong_Li_Liping_Zhang_Wei_Lin_and_Yu_Ding2022-af"


@pytest.mark.parametrize("key, reason", [
    ("Key" + "_x" * 120, "is 243 characters long (a key here has at most 200)"),
    ("", "is empty"),
    ("Smith 2020{a}", "cannot be a key here: it has ' ', '{' and '}' (only letters, digits and _ : . + / * ? - are kept)"),
    ("_smith2020", "must start with a letter or digit"),
    ("Index", "is a name the site uses for its own pages"),
])
def test_the_reason_a_key_cannot_be_kept_is_the_real_one(key, reason):
    from generator.library.keys import is_usable_key, why_unusable

    assert not is_usable_key(key) and why_unusable(key) == reason


def test_a_usable_key_has_no_reason_against_it():
    from generator.library.keys import why_unusable

    assert why_unusable("Yan2020-cc") is None and why_unusable("DBLP:conf/nips/X17") is None
    assert why_unusable(PAPERPILE_LONG_KEY) is None  # a real key of 111 characters


@given(st.text(alphabet=st.sampled_from("aZ09_:./*?-+ {}\\é"), max_size=210) | st.sampled_from(sorted(RESERVED_KEYS)))
@settings(max_examples=300, deadline=None)
def test_a_key_has_a_reason_against_it_exactly_when_it_is_refused(key):
    from generator.library.keys import is_usable_key, why_unusable

    assert (why_unusable(key) is None) == is_usable_key(key)


@pytest.mark.parametrize("title, words", [
    ("Predicting Protein–Protein Interactions", ["predicting", "protein", "protein", "interactions"]),  # an en dash parts words
    ("Don’t Stop Pretraining", ["dont", "stop", "pretraining"]),
    ("Łukasz and the Straße", ["lukasz", "and", "the", "strasse"]),
    ("Poké Champ 大模型", ["poke", "champ"]),
])
def test_a_title_folds_to_the_ascii_words_a_reader_would_write(title, words):
    from generator.library.keys import ascii_words

    assert ascii_words(title) == words
