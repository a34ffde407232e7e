"""Mentions: short names in abstracts link to the papers they name (generator/mentions.py)."""

from __future__ import annotations

import random
import re
import time

import pytest

from generator.analysis.mentions import Mention, find_mentions, short_name_of
from generator.model import Paper


def paper(key: str, title: str, abstract: str = "") -> Paper:
    return Paper(key=key, title=title, abstract=abstract, added="2024-01-01")


def names(mentions, key: str) -> list[tuple[str, str]]:
    return [(m.name, m.target) for m in mentions.outgoing[key]]


# -- short names ------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("GaLore: Memory-Efficient LLM Training by Gradient Low-Rank Projection", "GaLore"),
        ("MegaScale: Scaling Large Language Model Training to More Than 10,000 GPUs", "MegaScale"),
        ("Stable-SPAM: How to Train in 4-Bit More Stably than 16-Bit Adam", "Stable-SPAM"),
        ("D-CPT Law: Domain-specific Continual Pre-Training Scaling Law", "D-CPT Law"),
        ("SmallToLarge (S2L): Scalable Data Selection", "SmallToLarge"),
        ("ZeRO++: Extremely Efficient Collective Communication", "ZeRO++"),
        ("QuIP#: Even Better LLM Quantization", "QuIP#"),
        ("GLM-130B: An Open Bilingual Pre-trained Model", "GLM-130B"),
        ("wav2vec: Unsupervised Pre-training for Speech Recognition", "wav2vec"),
        ("mBLIP: Efficient Bootstrapping of Multilingual Vision-LLMs", "mBLIP"),
        ("Natural GaLore: Accelerating GaLore", "Natural GaLore"),
        ("LLaMA Beyond English: An Empirical Study", "LLaMA Beyond English"),
        ("FILTER: An Enhanced Fusion Method", "FILTER"),  # an ordinary word, but all capitals
        ("Fira: Can We Achieve Full-rank Training of LLMs?", "Fira"),  # not an ordinary word
        ("Data-Juicer: A One-Stop Data Processing System", "Data-Juicer"),
        ("Explore-And-Match: Bridging Proposal-Based and Proposal-Free", "Explore-And-Match"),
        ("Mix-LN: Unleashing the Power of Deeper Layers", "Mix-LN"),
        ("Griffon v2: Advancing Multimodal Perception", "Griffon v2"),
        ("Outlier Suppression+: Accurate quantization", "Outlier Suppression+"),
    ],
)
def test_short_names(title, name):
    assert short_name_of(title) == name


@pytest.mark.parametrize(
    "title",
    [
        "Training Compute-Optimal Large Language Models",  # no colon
        "Scaling Language Models: Methods, Analysis & Insights",  # a phrase of ordinary words
        "Bridging the Gap: Addressing Discrepancies",
        "Beyond Human Data: Scaling Self-Training",
        "Understanding LLMs: A Comprehensive Overview",  # ordinary word + generic acronym
        "Green AI: Do Deep Learning Frameworks Have Different Costs?",
        "Vary: Scaling up the Vision Vocabulary",  # a single ordinary word
        "Data: the new oil",
        "Tracking: what we learned",
        "Rethinking Data Synthesis: A Teacher Model Training Recipe",
        "The Journey Matters: Average Parameter Count",
        "White-Box: a compound of ordinary words",
        "LLM: a generic acronym",
        "CO2: Efficient Distributed Training",  # names a gas, not a paper
        "IT: a two-letter word in capitals",
        "Physics of Language Models: Part 3.3",  # four words
        "Differentially Private Synthetic Data via Foundation Model APIs 2: Text",  # too long
        ": nothing before the colon",
    ],
)
def test_not_short_names(title):
    assert short_name_of(title) is None


# -- the real library -------------------------------------------------------


@pytest.fixture(scope="module")
def mentions(library):
    return find_mentions(library)


def key_of(library, pattern: str) -> str:
    found = [p.key for p in library if re.search(pattern, p.title)]
    assert len(found) == 1, (pattern, found)
    return found[0]


def test_natural_galore_mentions_galore(library, mentions):
    galore, natural = key_of(library, r"^GaLore:"), key_of(library, r"^Natural GaLore")
    abstract = next(p.abstract for p in library if p.key == natural)
    found = [m for m in mentions.outgoing[natural] if m.target == galore]
    assert found and all(m.name == "GaLore" for m in found)
    assert natural in mentions.incoming[galore]
    # "Natural GaLore" in its own abstract is a self-mention: neither it nor the
    # "GaLore" inside it links anywhere
    own = [m.start() for m in re.finditer(r"Natural GaLore", abstract)]
    assert own
    for m in mentions.outgoing[natural]:
        assert all(not (start <= m.start < start + len("Natural GaLore")) for start in own)
    assert natural not in mentions.incoming[natural]


@pytest.mark.parametrize(("source", "target", "name"), [(r"^Stable-SPAM", r"^SPAM:", "SPAM"), (r"^SPHINX-X", r"^SPHINX:", "SPHINX")])
def test_variants_mention_their_original(library, mentions, source, target, name):
    source, target = key_of(library, source), key_of(library, target)
    assert (name, target) in names(mentions, source)
    assert source in mentions.incoming[target]


def test_every_mention_is_exact_ordered_and_mirrored(library, mentions):
    by_key = {p.key: p for p in library}
    assert set(mentions.outgoing) == set(mentions.incoming) == set(by_key)
    assert sum(len(v) for v in mentions.outgoing.values()) >= 10
    for key, found in mentions.outgoing.items():
        abstract = by_key[key].abstract
        for m in found:
            assert abstract[m.start : m.end] == m.name
            assert m.target != key and m.target in by_key
            assert key in mentions.incoming[m.target]
        assert all(a.end <= b.start for a, b in zip(found, found[1:]))  # text order, no overlap
    for key, sources in mentions.incoming.items():
        assert list(sources) == sorted(set(sources))
        assert all(any(m.target == key for m in mentions.outgoing[s]) for s in sources)


def test_a_gas_is_not_a_paper(library, mentions):
    """Green AI's abstract writes "CO2 emissions"; the CO2 paper is not meant."""
    co2 = key_of(library, r"^CO2:")
    assert mentions.incoming[co2] == ()


def test_independent_of_input_order(library, mentions):
    shuffled = list(library)
    random.Random(5).shuffle(shuffled)
    assert find_mentions(shuffled) == mentions


# -- rules, on small fixtures -----------------------------------------------


def test_offsets_and_back_links():
    papers = [
        paper("galore", "GaLore: Memory-Efficient Training", "We propose GaLore."),
        paper("user-b", "Something else entirely", "Unlike GaLore, we do X. GaLore's memory is low (see GaLore)."),
        paper("user-a", "Another one", "Compared with GaLore and LoRA."),
    ]
    result = find_mentions(papers)
    text = papers[1].abstract
    assert result.outgoing["user-b"] == tuple(
        Mention("GaLore", "galore", m.start(), m.end()) for m in re.finditer("GaLore", text)
    )
    assert len(result.outgoing["user-b"]) == 3
    assert result.incoming["galore"] == ("user-a", "user-b")  # sorted
    assert result.outgoing["galore"] == ()  # never itself
    assert result.incoming["user-a"] == ()


def test_case_and_whole_words():
    papers = [
        paper("galore", "GaLore: Low-Rank Projection"),
        paper("spam", "SPAM: Spike-Aware Adam"),
        paper("stable-spam", "Stable-SPAM: Training in 4-Bit", "Stable-SPAM improves on SPAM."),
        paper(
            "text",
            "Some text",
            "galore and Galore are not names; Natural-GaLore, GaLore-style and XGaLore neither; "
            "spam, Spam and SPAMs are not SPAM-like; Stable-SPAM is, and so is (SPAM).",
        ),
    ]
    result = find_mentions(papers)
    assert names(result, "stable-spam") == [("SPAM", "spam")]  # not the SPAM inside its own name
    assert names(result, "text") == [("Stable-SPAM", "stable-spam"), ("SPAM", "spam")]
    assert result.incoming["spam"] == ("stable-spam", "text")
    assert result.incoming["galore"] == ()


def test_common_words_do_not_link():
    papers = [
        paper("vary", "Vary: Scaling up the Vision Vocabulary"),  # an ordinary word: never a name
        paper("optima", "Optima: Optimizing Multi-Agent Systems"),  # rare, but the library writes it in lower case
        paper("infini", "Infini-gram: Scaling n-grams", "We build the infini-gram engine."),  # only in its own abstract
        paper("filter", "FILTER: Fusion Method"),  # an ordinary word in capitals is a name
        paper(
            "user",
            "A survey",
            "Vary the batch size. Optima and local optima differ. Infini-gram counts; FILTER can filter data.",
        ),
    ]
    result = find_mentions(papers)
    assert names(result, "user") == [("Infini-gram", "infini"), ("FILTER", "filter")]
    assert short_name_of(papers[1].title) == "Optima"  # from the title alone it looks like a name


def test_self_mentions_are_excluded():
    papers = [
        paper("megascale", "MegaScale: Scaling Training", "MegaScale trains on MegaScale clusters."),
        paper("other", "Other", "MegaScale is fast."),
    ]
    result = find_mentions(papers)
    assert result.outgoing["megascale"] == ()
    assert result.incoming["megascale"] == ("other",)


def test_a_shared_name_links_to_neither():
    papers = [
        paper("hydra-a", "Hydra: Heads for Speculative Decoding"),
        paper("hydra-b", "Hydra: Multi-head Low-rank Adaptation"),
        paper("hydranet", "HydraNet v2: More Heads"),
        paper("hydranet-b", "HydraNet v2: Fewer Heads"),
        paper("hydranet-one", "HydraNet: Heads"),
        paper("user", "A user", "Hydra beats HydraNet v2, and HydraNet."),
    ]
    result = find_mentions(papers)
    # "Hydra" and "HydraNet v2" are ambiguous; "HydraNet" inside "HydraNet v2" does not link either
    assert names(result, "user") == [("HydraNet", "hydranet-one")]
    assert result.outgoing["user"][0].start == papers[-1].abstract.rindex("HydraNet")
    assert result.incoming["hydra-a"] == result.incoming["hydra-b"] == ()


def test_longest_name_wins_and_spaces_match_any_white_space():
    papers = [
        paper("galore", "GaLore: Projection"),
        paper("natural", "Natural GaLore: Faster"),
        paper("user", "User", "Natural GaLore beats GaLore; Natural\nGaLore again; natural GaLore."),
    ]
    result = find_mentions(papers)
    assert names(result, "user") == [
        ("Natural GaLore", "natural"),
        ("GaLore", "galore"),
        ("Natural\nGaLore", "natural"),
        ("GaLore", "galore"),  # "natural" in lower case is not part of the name
    ]


def test_a_name_inside_a_word_is_not_one_but_the_search_goes_on():
    papers = [
        paper("galore", "GaLore: Projection"),
        paper("natural", "Natural GaLore: Faster"),
        paper("user", "User", "XNatural GaLore, Pre-GaLore, GaLore-2 and _GaLore; then GaLore."),
    ]
    result = find_mentions(papers)
    text = papers[-1].abstract
    # "Natural GaLore" starts inside "XNatural": not a name there, but the "GaLore" after it is
    assert [(m.name, m.target, m.start) for m in result.outgoing["user"]] == [
        ("GaLore", "galore", text.index("GaLore")),
        ("GaLore", "galore", text.rindex("GaLore")),
    ]


def test_special_characters_match_literally():
    papers = [
        paper("cpp", "C++: A Language"),
        paper("quip", "QuIP#: Better Quantization"),
        paper("astar", "A*: Search"),
        paper("zero", "ZeRO++: Communication"),
        paper("solar", "SOLAR 10.7B: Depth Up-Scaling"),
        paper("rb", "R&B: Regrouping"),
        paper(
            "user",
            "A user",
            "C++ and QuIP# and A* search, ZeRO++ and R&B; not C, QuIP, A, ZeRO, RB, SOLAR 10x7B; SOLAR 10.7B.",
        ),
    ]
    result = find_mentions(papers)
    assert [n for n, _ in names(result, "user")] == ["C++", "QuIP#", "A*", "ZeRO++", "R&B", "SOLAR 10.7B"]


def test_no_papers_and_no_names():
    empty = find_mentions([])
    assert empty.outgoing == {} and empty.incoming == {}
    result = find_mentions([paper("a", "No colon here", "Text."), paper("b", "Data: plain", "Data.")])
    assert result.outgoing == {"a": (), "b": ()}
    assert result.incoming == {"a": (), "b": ()}


def test_duplicate_keys_are_refused():
    with pytest.raises(ValueError, match="duplicate paper keys: a"):
        find_mentions([paper("a", "X1: One"), paper("a", "X2: Two")])


def test_scales_linearly_with_many_names():
    """5,000 names and abstracts: the trie-shaped pattern keeps this well under a second or two."""
    rng = random.Random(2)
    syllables = [c + v for c in "BDFGKLMNPRSTVZ" for v in "aeiou"]
    made = [f"{rng.choice(syllables)}{rng.choice(syllables)}Net-{i}" for i in range(5000)]
    filler = "We study training of sparse models with data parallelism and careful tuning. " * 8
    papers = [
        paper(f"p{i:05d}", f"{made[i]}: A Paper", f"{filler} We compare with {made[(i * 7 + 1) % 5000]} and {made[(i * 13 + 2) % 5000]}.")
        for i in range(5000)
    ]
    start = time.perf_counter()
    result = find_mentions(papers)
    elapsed = time.perf_counter() - start
    assert sum(len(v) for v in result.outgoing.values()) == 10000
    assert elapsed < 20  # about a second here; a plain alternation of 5,000 names takes minutes


def _fresh_mentions(papers):
    """find_mentions with nothing kept from an earlier call."""
    from generator.analysis import mentions as module

    module._LOWER_WORDS, module._PATTERN, module._FOUND = {}, ((), None), (None, {})
    module._TITLE_NAMES, module._JUDGED = {}, {}
    return find_mentions(papers)


def test_a_call_after_edits_finds_what_a_fresh_one_finds(library):
    """What the last call kept (per text) never stands in for a changed text or name."""
    from dataclasses import replace

    papers = sorted(library, key=lambda p: p.key)
    galore = key_of(library, r"^GaLore:")
    named = next(i for i, p in enumerate(papers) if p.key == galore)
    other = next(i for i, p in enumerate(papers) if "GaLore" not in p.abstract and p.abstract)
    third = next(i for i, p in enumerate(papers) if i not in (named, other) and p.abstract)
    edits = [
        lambda ps: ps,  # nothing changed
        lambda ps: ps[:other] + [replace(ps[other], abstract=ps[other].abstract + " We compare with GaLore.")] + ps[other + 1 :],
        lambda ps: ps[:named] + [replace(ps[named], title="Gradient Low-Rank Projection for training")] + ps[named + 1 :],  # a name gone
        lambda ps: ps[:third] + [replace(ps[third], abstract=ps[third].abstract + " Unlike Frobnitz-7, it scales.")] + ps[third + 1 :],
        lambda ps: ps[:other] + [replace(ps[other], title="Frobnitz-7: " + ps[other].title)] + ps[other + 1 :],  # a name new
        lambda ps: ps + [paper("zz-frobnitz-copy", "Frobnitz-7: another paper of that name")],  # a name now ambiguous
    ]
    _fresh_mentions(papers)
    found = []
    for edit in edits:
        papers = edit(papers)
        kept = find_mentions(papers)
        assert kept == _fresh_mentions(papers)
        found.append(sum(m.name == "Frobnitz-7" for ms in kept.outgoing.values() for m in ms))
    assert found[-3:] == [0, 1, 0]  # the unchanged abstract links once the name exists, not while it is ambiguous


@pytest.mark.parametrize("removed, remaining, text, found", [
    ("Stable SPAM", "SPAM", "We compare with Stable SPAM here.", "SPAM"),  # a remaining name starts it
    ("ZorpNet QuxaNet", "QuxaNet Blemish", "Unlike ZorpNet QuxaNet Blemish does.", "QuxaNet Blemish"),  # one starts inside it
])
def test_a_removed_name_that_hid_another_gives_way_to_it(removed, remaining, text, found):
    from dataclasses import replace

    papers = [paper("a", f"{removed}: one"), paper("b", f"{remaining}: two"), paper("c", "Three", text)]
    assert [m.name for m in _fresh_mentions(papers).outgoing["c"]] == [removed]
    papers[0] = replace(papers[0], title="One without a name")
    kept = find_mentions(papers)
    assert kept == _fresh_mentions(papers)
    assert [m.name for m in kept.outgoing["c"]] == [found]
