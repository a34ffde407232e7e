"""Normalisation of dump text: LaTeX escapes become Unicode, nothing else changes."""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.reading.dumps import parse_dump
from generator.textnorm import clean_debris, clean_line, normalise_text, title_identity

SEED_DUMPS = tuple(sorted((Path(__file__).resolve().parent / "fixtures" / "seeds").glob("*.txt")))

# ----------------------------------------------------------------- examples


@pytest.mark.parametrize(
    "raw, expected",
    [
        (r"We introduce Pok\'eChamp, a minimax agent", "We introduce PokéChamp, a minimax agent"),
        (r"less than 10\% tokens", "less than 10% tokens"),
        (r"we define as the \textit{Straggler Effect}. To", "we define as the Straggler Effect. To"),
        (r"named PanGu-{\Sigma}. With", "named PanGu-Σ. With"),
        (r"from PanGu-{\alpha}, we", "from PanGu-α, we"),
        (r"privacy cost {\epsilon} = 0.67", "privacy cost ϵ = 0.67"),
        (r"fine-tuned (e.g.\ relying on GPT-4", "fine-tuned (e.g. relying on GPT-4"),
        (r"30.4 \% increase", "30.4 % increase"),
        (r"released\url{https://github.com/thunlp/UltraChat}.", "released https://github.com/thunlp/UltraChat."),
        (r"\emph{x} and \textbf{y}", "x and y"),
        (r"\v{s}\c{c}{\'e}\'{\i}\~n\'E", "šçéíñÉ"),
        (r"a \& b, \$100K, \#1, a\_b", "a & b, $100K, #1, a_b"),
        (r"x \times y \ldots{} z", "x × y … z"),
    ],
)
def test_latex_escapes_become_unicode(raw, expected):
    assert normalise_text(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        r"We construct \ourdataset, a large-scale dataset",  # unknown macro: verbatim
        r"Counting and \etc. To address this issue",
        "win rate of 64% against",
        "FLM-101B: An Open LLM and How to Train It with $100K Budget",
        "with ~15% increased encoding performance",
        "loss can be {it misaligned} with pass@N",
        "$μ$nit Scaling: Simple and Scalable FP8 LLM Training",
        "$L(s) = L_0 + Acdot S_1^{-alpha} - Ccdot S_2 Where S_1 is",
        "minimal performance loss (<1.5% on LongBench)",
        "searching algorithms, such as A*, can be",
        "quantization methods such as QuIP# and AQLM",
        "FID <= 7.9 and >4% gains",
        r"\LaTeX and \textsuperscript{2}",  # known-but-wordy or unhandled commands stay
        r"a lone backslash \ here and at the end \\",
    ],
)
def test_plain_text_is_kept_verbatim(raw):
    assert normalise_text(raw) == raw


@pytest.mark.parametrize(
    "raw, expected",
    [
        (r"\textit{10\%}", "10%"),  # escape inside a text command
        (r"\textit{PanGu-{\Sigma}}", "PanGu-Σ"),  # brace group inside a text command
        (r"\textbf{\textit{x}}", "x"),
        (r"\textit{Pok\'eChamp}", "PokéChamp"),
        (r"\textit{\ourdataset}", r"\ourdataset"),
        (r"\url{https://x.org/a\_b\%20}", "https://x.org/a_b%20"),
    ],
)
def test_nested_markup_is_removed(raw, expected):
    assert normalise_text(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        r'the \"best\" model',  # an escaped quote: \"b is no letter, \" m must not eat the space
        r"\' e",  # an accent command needs its letter right after it
        r"\url{a{b}",  # unbalanced: kept
    ],
)
def test_escaped_quotes_and_broken_markup_never_lose_text(raw):
    assert normalise_text(raw) == raw


@pytest.mark.parametrize(
    "line",
    [
        "\\textit{" + "\\abcdefghij" * 2000,  # no closing brace: used to backtrack exponentially
        "\\textit{" + "\\abcdefghij " * 2000,
        "\\textit{" + "\\ab{cd}" * 3000,
        "\\textit{" * 2500 + "x" + "}" * 2500,  # absurd nesting
        "{\\" * 10000,
        "\\'" * 10000,
        "\\url{" + "a" * 20000,
    ],
)
def test_pathological_markup_is_fast(line):
    start = time.perf_counter()
    out = normalise_text(line)
    assert time.perf_counter() - start < 1.0
    # still nothing lost: every letter outside command names is there
    assert Counter(_ascii_alnum(out)) >= Counter(_ascii_alnum(re.sub(r"\\[A-Za-z]+", "", line)))


def test_unhandled_commands_log_nothing(caplog):
    caplog.set_level(logging.DEBUG)
    normalise_text(r"\url{a{b} \textit{x \url")
    assert not caplog.records


def test_nfc_and_whitespace():
    decomposed = "Poke\u0301Champ"
    assert unicodedata.is_normalized("NFD", decomposed)
    assert normalise_text(decomposed) == "PokéChamp"
    assert normalise_text("  a \t b\u00a0 c  ") == "a b c"
    # separators str.splitlines() would break on are spaces inside a line
    assert normalise_text("one\u2028two\u2029three\x85four\x0bfive") == "one two three four five"
    # invisible characters are removed without splitting the word
    assert normalise_text("Pok\u200bemon\u2060s\ufeff") == "Pokemons"
    assert clean_line("a\x00b\x07c\x1bd") == "abcd"
    # a control character between a letter and its accent does not block NFC
    assert clean_line("e\x00\u0301") == "é"


# -------------------------------------------------- every seed record, checked

# The markup the seed dumps actually contain, written out independently of
# generator.textnorm: (pattern, replacement). Anything else must survive.
SEED_MARKUP = [
    (r"\\textit\{([^{}]*)\}", r"\1"),
    (r"(?<=[A-Za-z0-9])\\url\{([^{}]*)\}", r" \1"),
    (r"\\'e", "é"),
    (r"\{\\Sigma\}", "Σ"),
    (r"\{\\alpha\}", "α"),
    (r"\{\\epsilon\}", "ϵ"),
    (r"\\%", "%"),
    (r"\\ ", " "),
]
UNKNOWN_MACROS = {r"\ourdataset", r"\etc"}
# Debris of flattened LaTeX the seeds hold, and what it means.
SEED_DEBRIS = [
    (r"(?<=\d)times(?![A-Za-z])", "×"),  # 29times, Mixtral-8times7B
    (r"~\(", " ("),
    (r"\$μ\$", "μ"),
    (r"(https://[^\s{}]+)\{\1\}", r"\1"),  # an \href{url}{url} flattened
]


def _debris(text: str) -> str:
    for pattern, replacement in SEED_DEBRIS:
        text = re.sub(pattern, replacement, text)
    return text


def seed_raw_records() -> list[tuple[str, int, str, str, str, str]]:
    """(file, line, raw title, raw abstract, title, abstract) for every seed record."""
    out = []
    for path in SEED_DUMPS:
        lines = path.read_text("utf-8").splitlines()
        for record in parse_dump(path).records:
            raw_title = lines[record.line - 1]
            if raw_title.startswith("Subscribe") and not record.title.startswith("Subscribe"):
                raw_title = raw_title[len("Subscribe"):]
            after = [line for line in lines[record.line:] if line.strip()]
            out.append((path.name, record.line, raw_title, after[0], record.title, record.abstract))
    return out


SEED_RECORDS = seed_raw_records()


def test_seed_record_count():
    assert len(SEED_RECORDS) == 494
    with_escapes = [r for r in SEED_RECORDS if "\\" in r[2] + r[3]]
    assert len(with_escapes) == 31  # measured: 31 abstracts, no title, hold backslash markup


def _oracle(raw: str) -> str:
    text = " ".join(raw.split())
    for pattern, replacement in SEED_MARKUP:
        text = re.sub(pattern, replacement, text)
    return text


def _ascii_alnum(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded if ch.isalnum())


def _known_markup_removed(raw: str) -> str:
    """The raw text minus every LaTeX command name we convert (not the unknown ones)."""
    return re.sub(r"\\[A-Za-z]+", lambda m: m.group(0) if m.group(0) in UNKNOWN_MACROS else "", raw)


_MARKUP_BRACES = re.compile(r"\\[A-Za-z]+\{[^{}]*\}|\{\\[A-Za-z]+\}")


def _surviving_braces(raw: str) -> Counter:
    """Braces of the raw text that are not the braces of a converted command."""
    stripped = _MARKUP_BRACES.sub(lambda m: m.group(0) if m.group(0).split("{")[0] in UNKNOWN_MACROS else "", raw)
    return Counter(ch for ch in stripped if ch in "{}")


@pytest.mark.parametrize("field", ["title", "abstract"])
def test_every_seed_record_loses_nothing_but_markup(field):
    """Over all 494 records, two independent checks that only markup went.

    1. An oracle: the raw line with exactly the markup the seeds contain
       rewritten (a hand-written table, not the implementation) equals the
       normalised text, and no other backslash remains but unknown macros.
    2. A generic check: the ASCII letters and digits of the raw text, minus
       the names of converted commands, equal those of the normalised text
       with accents folded (so no letter, digit or word is lost, added or
       reordered); every punctuation character other than markup (`\\`,
       braces, the accent `'`) occurs as often before as after; every brace
       that was not a command's brace survives.
    """
    index = 2 if field == "title" else 3
    checked = 0
    for record in SEED_RECORDS:
        raw, normal = record[index], record[index + 2]
        where = f"{record[0]}:{record[1]} {field}"
        expected = _oracle(raw)
        assert normal == unicodedata.normalize("NFC", expected), where
        leftover = set(re.findall(r"\\[A-Za-z]*", expected))
        assert leftover <= UNKNOWN_MACROS, (where, leftover)

        assert _ascii_alnum(_known_markup_removed(raw)) == _ascii_alnum(normal), where
        punct = lambda s: Counter(ch for ch in s if not ch.isalnum() and not ch.isspace() and ch not in "\\{}'")  # noqa: E731
        raw_punct = punct(_known_markup_removed(raw))
        raw_punct["'"] = 0
        assert punct(normal) == raw_punct + Counter(), where
        assert Counter(ch for ch in normal if ch == "'") == Counter(
            ch for ch in re.sub(r"\\'", "", raw) if ch == "'"
        ), where
        assert Counter(ch for ch in normal if ch in "{}") == _surviving_braces(raw), where
        checked += 1
    assert checked == 494


def test_normalising_is_idempotent_on_seeds():
    for record in SEED_RECORDS:
        assert normalise_text(record[4]) == record[4]
        assert normalise_text(record[5]) == record[5]


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_normalise_never_crashes_and_is_stable(text):
    once = normalise_text(text)
    assert isinstance(once, str)
    assert unicodedata.is_normalized("NFC", once)
    assert "\n" not in once and "\r" not in once
    assert once == once.strip()


@given(st.text(alphabet=st.sampled_from(list("ab %$~#*<>{}()[]:;.,!?-_0123456789")), max_size=200))
@settings(max_examples=200, deadline=None)
def test_text_without_backslashes_only_loses_spacing(text):
    assert normalise_text(text) == " ".join(text.split())


def test_pylatexenc_on_whole_abstracts_would_lose_text():
    """Why we convert escape sequences one by one instead of running
    pylatexenc's latex_to_text over the abstract: `%` starts a comment and
    eats the rest of the line, `~` becomes a space, `$...$` is math."""
    from pylatexenc.latex2text import LatexNodes2Text

    raw = "a 64% win rate with ~15% more tokens at $100K and QuIP# on {it misaligned} data"
    converted = LatexNodes2Text().latex_to_text(raw)
    assert "win rate" not in converted  # everything after the first % is gone
    assert normalise_text(raw) == raw

    seed = next(r for r in SEED_RECORDS if "Pok\\'eChamp" in r[3] and "64%" in r[3])
    lossy = LatexNodes2Text().latex_to_text(seed[3])
    assert len(lossy.split()) < len(seed[5].split()) - 10
    assert "Elo" in seed[5] and "Elo" not in lossy


# ------------------------------------------------------------ title identity


@pytest.mark.parametrize(
    "a, b",
    [
        ("GaLore: Memory-Efficient LLM Training", "galore memory efficient llm training"),
        ("GaLore: Memory-Efficient LLM Training", "GaLore - Memory Efficient LLM Training."),
        ("PokéChamp: an Expert-level Agent", "Poke\u0301Champ: an Expert-level Agent"),  # NFC vs NFD
        ("PokéChamp: an Expert-level Agent", r"Pok\'eChamp: an Expert-level Agent"),  # escape vs Unicode
        ("Ｆｕｌｌ Width Title", "Full Width Title"),
        ("Pre-training at Scale", "Pre training  at scale"),
        ("Training on 10,000 GPUs", "Training on 10000 GPUs"),
        ("“Curly” quotes’ test", '"Curly" quotes\' test'),
    ],
)
def test_near_identical_titles_share_an_identity(a, b):
    assert title_identity(a) == title_identity(b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("QuIP#: Even Better LLM Quantization", "QuIP: Even Better LLM Quantization"),
        ("A* Search Without Expansions", "A Search Without Expansions"),
        ("C++ Code Models", "C Code Models"),
        ("1.5-Pints Technical Report", "15-Pints Technical Report"),
        ("Llama 3.1 Study", "Llama 31 Study"),
        ("MoE^2: Collaborative Inference", "MoE2: Collaborative Inference"),
        ("Q&A Models", "QA Models"),
        ("???", "!!!"),  # only punctuation: compared as written
        ("大型语言模型的高效训练", "大型语言模型的推理"),
        ("Σ-Attention", "Δ-Attention"),
    ],
)
def test_different_titles_never_share_an_identity(a, b):
    assert title_identity(a) != title_identity(b)


def test_no_two_distinct_seed_titles_collide():
    titles = {r[4] for r in SEED_RECORDS}
    assert len(titles) == 478
    identities = {title_identity(t) for t in titles}
    assert len(identities) == len(titles)
    assert all(identities)


def test_seed_title_variants_all_match():
    for title in {r[4] for r in SEED_RECORDS}:
        identity = title_identity(title)
        for variant in (
            title.upper(),
            title.lower(),
            unicodedata.normalize("NFD", title),
            title.replace(":", " -").replace("-", " "),
            "  " + title + ".  ",
        ):
            assert title_identity(variant) == identity, (title, variant)
        assert title_identity(title + " 2") != identity
        assert title_identity(title + "#") != identity


# ------------------------------------------------- debris of flattened LaTeX


def _seed_text() -> str:
    return "\n".join(p.read_text("utf-8") for p in SEED_DUMPS)


@pytest.mark.parametrize(
    "raw, expected",
    [
        # strings as the seed dumps hold them
        ("demonstrate 1.53times~20.57times throughput improvement", "demonstrate 1.53×~20.57× throughput improvement"),
        ("these spikes can be up to 1000times larger than", "these spikes can be up to 1000× larger than"),
        ("trained on Cerebras 16times CS-2 cluster", "trained on Cerebras 16× CS-2 cluster"),
        ("longer than seen during training~(e.g., 4K to 128K)", "longer than seen during training (e.g., 4K to 128K)"),
        ("we propose the Outlier Suppression+~(OS+) framework", "we propose the Outlier Suppression+ (OS+) framework"),
        ("language models~(LMs)", "language models (LMs)"),
        ("https://llm-stacking.github.io/{https://llm-stacking.github.io/}.", "https://llm-stacking.github.io/."),
        # the examples
        ("cross-lingual inference~(AfriXNLI) tasks", "cross-lingual inference (AfriXNLI) tasks"),
        ("as models grow {in size} and", "as models grow in size and"),
        ("$μ$nit Scaling: Simple and Scalable FP8 LLM Training", "μnit Scaling: Simple and Scalable FP8 LLM Training"),
        ("up to 29times faster", "up to 29× faster"),
    ],
)
def test_debris_with_a_certain_meaning_is_cleaned(raw, expected):
    assert clean_debris(normalise_text(raw)) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "our G_{stack} model converges",  # a subscript: kept
        "loss can be {it misaligned} with pass@N",  # font switch or pronoun: kept
        "with ~15% increased encoding performance",  # "about"
        "H_2O: Heavy-Hitter Oracle for Efficient Generative Inference",
        "$L(s) = L_0 + Acdot S_1^{-alpha} - Ccdot S_2 Where S_1 is",
        "less than $0.1 million, using 1.25T tokens",
        "sometimes exhibiting the behaviors",
        "GPT-{n} models, x{in size} and {in size}x",  # a group glued to a word is not a phrase
    ],
)
def test_debris_of_uncertain_meaning_is_kept(raw):
    assert clean_debris(normalise_text(raw)) == raw


def test_the_seed_dumps_hold_the_debris_and_clean_without_it():
    text = _seed_text()
    assert "1.53times~20.57times" in text and "training~(e.g.," in text and "G_{stack}" in text
    records = [r for path in SEED_DUMPS for r in parse_dump(path).records]
    joined = "\n".join(clean_debris(r.title) + "\n" + clean_debris(r.abstract) for r in records)
    assert all(_debris(r.abstract) == clean_debris(r.abstract) for r in records)  # the hand-written table agrees
    assert not re.search(r"\dtimes\b", joined) and "~(" not in joined
    assert "1.53×~20.57×" in joined and "G_{stack}" in joined and "~15%" in joined


def test_a_flattened_subscript_is_one_word_in_a_new_key():
    from generator.library.keys import key_candidates

    assert key_candidates("H_2O: Heavy-Hitter Oracle for Efficient Generative Inference")[0] == "h2o"
    assert "gstack" in key_candidates("Stacking with G_{stack}: growth")[0]
    assert key_candidates("Snake_case names in code")[0] == "snake-case-names-code"
