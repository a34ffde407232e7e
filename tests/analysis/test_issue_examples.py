"""The shipped rules on the papers that showed them over-eager or blind (issue 17).

Titles are the papers' own; the abstracts are the sentences of theirs that
misled the old rules, shortened. These are not in the library, so the rules
were not written from them.
"""

from __future__ import annotations

import pytest

from generator.analysis.themes import assign_themes, load_themes
from generator.model import Paper



@pytest.fixture(scope="module")
def themes(shipped_content):
    return load_themes(shipped_content / "themes.yml")[0]


def themes_of(themes, title: str, abstract: str) -> set[str]:
    paper = Paper(key="p", title=title, abstract=abstract, added="2026-01-01")
    return {a.theme for a in assign_themes([paper], themes)["p"]}


@pytest.mark.parametrize(
    ("title", "abstract", "wrong"),
    [
        (
            "FlashDecoding++: Faster Large Language Model Inference on GPUs",
            "We present a fast LLM inference engine with asynchronized softmax and flat GEMM optimization.",
            "distributed-training",
        ),
        (
            "ReMax: A Simple, Effective, and Efficient Reinforcement Learning Method for Aligning Large Language Models",
            "Reinforcement learning from human feedback (RLHF) is key to aligning LLMs. ReMax saves GPU memory "
            "compared with PPO and trains a 7B model without the memory-saving offloading of ZeRO.",
            "agents",
        ),
        (
            "ReMax: A Simple, Effective, and Efficient Reinforcement Learning Method for Aligning Large Language Models",
            "Reinforcement learning from human feedback (RLHF) is key to aligning LLMs. ReMax saves GPU memory "
            "compared with PPO and trains a 7B model without the memory-saving offloading of ZeRO.",
            "distributed-training",
        ),
        (
            "CodeElo: Benchmarking Competition-level Code Generation of LLMs with Human-comparable Elo Ratings",
            "Existing benchmarks lack private test cases and have misaligned execution environments.",
            "alignment-safety",
        ),
        (
            "Archon: An Architecture Search Framework for Inference-Time Techniques",
            "Archon combines inference-time techniques such as ensembling, ranking and fusion of candidate answers.",
            "architectures",
        ),
        (
            "Few-shot Evaluation of Biomedical Question Answering",
            "Each question and its documents fit within the context window of the model.",
            "long-context",
        ),
    ],
)
def test_a_word_in_passing_does_not_place_a_paper(themes, title, abstract, wrong):
    assert wrong not in themes_of(themes, title, abstract)


@pytest.mark.parametrize(
    ("title", "abstract", "right"),
    [
        ("Komodo: A Linguistic Expedition into Indonesia's Regional Languages", "", "multilingual"),
        ("TL-Training: A Task-Feature-Based Framework for Training Large Language Models in Tool Use", "", "agents"),
        ("A Survey of Resource-efficient LLM and Multimodal Foundation Models", "", "inference-efficiency"),
        ("ReMax: A Simple, Effective, and Efficient Reinforcement Learning Method for Aligning Large Language Models",
         "Reinforcement learning from human feedback (RLHF) is key to aligning LLMs.", "alignment-safety"),
    ],
)
def test_a_paper_about_a_topic_is_placed(themes, title, abstract, right):
    assert right in themes_of(themes, title, abstract)
