"""The shipped themes and related papers, measured on the labelled samples of tests/fixtures/gold.

The floors below are the numbers measured when the rules were reworked (see
the README's theme-writing guide), a little under them so that a rule change
that makes the themes worse fails here, and one that makes them better does not.
"""

from __future__ import annotations

import pytest
import yaml

from generator.analysis.evaluate import GOLD_DIR, label_agreement, library_scores, load_sample, score_pairs, score_themes
from generator.analysis.themes import Pattern, Rules, load_themes, rule_reason
from generator.library.records import load_library



@pytest.fixture(scope="module")
def themes(shipped_content):
    found, problems = load_themes(shipped_content / "themes.yml")
    assert not problems
    return found


@pytest.fixture(scope="module")
def sample():
    return load_sample(GOLD_DIR / "themes-sample.yml")


def test_the_sample_is_large_labelled_and_split(sample, themes):
    ids = {t.id for t in themes}
    assert len(sample) >= 60
    assert {p["half"] for p in sample} == {"dev", "held-out", "new"}
    for p in sample:
        assert p["title"] and p["abstract"] and p["origin"]
        assert set(p["themes"]) <= ids, p["title"]


def test_the_second_labelling_covers_the_held_out_half_and_agrees_as_stated(sample, themes):
    """The second labelling names each held-out paper once, with theme ids of the list,
    and agrees with the first as its header says (93.3% of its themes at 86.7% precision)."""
    second = load_sample(GOLD_DIR / "themes-second-labels.yml")
    assert sorted(p["title"] for p in second) == sorted(p["title"] for p in sample if p["half"] == "held-out")
    ids = {t.id for t in themes}
    assert all(set(p["themes"]) <= ids for p in second)
    agreed = label_agreement(sample, second)
    assert (agreed.found, agreed.gold, agreed.given) == (111, 119, 128)
    assert round(agreed.hit_rate, 3) == 0.933 and round(agreed.precision, 3) == 0.867


# Measured on the frozen rules (tests/fixtures/shipped/themes.yml) after 140 papers
# drawn later joined the dev and held-out halves (70 each; harder than the first
# 140: the rules of the time found 65% of their gold themes), dev / held-out / new:
# precision 79.5% / 79.3% / 81.6%, hit rate 73.2% / 77.3% / 83.8%,
# themes per paper 1.06 / 1.05 / 1.27; all 280: hit 77.2%, unsorted 15.4%.
# (content/themes.yml as shipped now: precision 82.5% / 79.7% / 81.8%, hit rate
# 81.9% / 79.0% / 85.1%; `python -m generator.analysis.evaluate --final`.)
FLOORS = {"dev": (0.77, 0.71), "held-out": (0.77, 0.75), "new": (0.79, 0.81)}


@pytest.mark.parametrize("half", ["dev", "held-out", "new"])
def test_themes_on_papers_outside_the_library_are_precise(sample, themes, half):
    precision, hit_rate = FLOORS[half]
    scores = score_themes(sample, themes, half)
    assert scores.precision >= precision, scores.line(half)
    assert scores.hit_rate >= hit_rate, scores.line(half)
    assert scores.per_paper <= 1.35, scores.line(half)


def test_themes_on_papers_outside_the_library_find_most_gold_themes(sample, themes):
    scores = score_themes(sample, themes)
    assert scores.hit_rate >= 0.75, scores.line("all")
    assert scores.unsorted_share <= 0.17, scores.line("all")


def test_the_library_is_sorted_without_crowding(themes, shipped_content):
    papers = load_library(shipped_content).papers
    per_paper, unsorted = library_scores(papers, themes)
    assert per_paper <= 1.55  # measured 1.53
    assert unsorted <= 0.08  # measured 7.7%


@pytest.mark.parametrize(
    ("word", "title", "abstract", "placed"),
    [
        ("GPUs", "FlashDecoding++: Faster Inference on GPUs", "We speed up decoding.", False),
        ("GPUs", "Training on Thousands of GPUs", "We study communication between nodes.", True),
        ("architecture", "Archon: An Architecture Search Framework", "We search prompts.", False),
        ("private", "Private Evaluation of Code", "Problems are kept private.", False),
    ],
)
def test_a_broad_word_needs_a_second_different_hint(word, title, abstract, placed):
    rules = Rules(match_title=(Pattern(word),), hints=(Pattern("communication"), Pattern(word)))
    assert (rule_reason(rules, title, abstract) is not None) is placed


def test_a_specific_word_decides_alone():
    rules = Rules(match_title=(Pattern("quantiz*", specific=True),))
    assert rule_reason(rules, "Quantized Training", "") == "the title mentions 'Quantized'"
    assert rule_reason(Rules(match_title=(Pattern("quantiz*"),)), "Quantized Training", "") is None


def test_related_pairs(shipped_content):
    pairs = yaml.safe_load((GOLD_DIR / "related-pairs.yml").read_text("utf-8"))
    papers = load_library(shipped_content).papers
    missed, wrong = score_pairs(papers, pairs)
    assert wrong == []  # no pair that shares only generic words is linked
    # Measured: 5 of 30 missed, all same-topic pairs written in different words
    # (Kaplan ~ Chinchilla, Ulysses ~ Megatron-LM, ...); every near-variant pair is found.
    assert len(missed) <= 5, missed
    named = ("zero-offload ~ zero", "galore ~ natural-galore", "spam ~ stable-spam")
    assert not [m for m in missed if m in named], missed


def themes_of(themes, title: str, abstract: str) -> set[str]:
    from generator.analysis.themes import assign_themes
    from generator.model import Paper

    paper = Paper(key="p", title=title, abstract=abstract, added="2026-01-01")
    return {a.theme for a in assign_themes([paper], themes)["p"]}


@pytest.mark.parametrize(
    ("title", "abstract", "theme", "placed"),
    [
        # whole phrases that name a topic decide, in the title or the abstract
        ("Spiking Transformers on Analog Hardware", "Spiking networks promise energy-efficient LLM inference.", "inference-efficiency", True),
        ("Proactive Phone Assistants", "Multimodal large language models (MLLMs) now drive phone assistants.", "multimodal", True),
        ("A Gated Activation Function for Faster Pre-Training", "Most of the compute is in matrix products.", "architectures", True),
        ("Does LLM Alignment Need Diverse Answers?", "We compare training recipes on moral questions.", "alignment-safety", True),
        ("Cheap Guardrails for Chat Assistants", "We classify unsafe requests before answering.", "alignment-safety", True),
        ("Reasoning Over Tables", "Each reasoning step is checked against the table.", "reasoning", True),
        # ... and a field named in passing does not
        ("Layer Norm Placement in Deep Transformers", "Unlike model compression, we keep every layer.", "inference-efficiency", False),
        ("Compressing Optimizer States for FP8 Training", "We also train a vision-language model.", "multimodal", False),
        ("Reasoning About When to Help: Phone Agents", "Agents decide when to intervene.", "reasoning", False),
        ("Analyzing and Quantifying Format Bias", "Models prefer some formats.", "evaluation", True),
        ("Probing Quantifier Scope", "Models fail on the quantifier 'most'.", "evaluation", False),  # not 'quantify'
        ("Probing Quantifier Comprehension", "Models fail on the quantifier 'most'.", "evaluation", True),  # two title words of the theme
    ],
)
def test_the_shipped_rules_read_whole_phrases_not_passing_words(themes, title, abstract, theme, placed):
    assert (theme in themes_of(themes, title, abstract)) is placed
