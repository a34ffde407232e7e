"""The dump parser: both seed layouts, their variants, bad input, and properties."""

from __future__ import annotations

import codecs
import functools
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.reading.dumps import MAX_ABSTRACT_CHARS, MAX_TITLE_CHARS, parse_dump, parse_dump_text

ROOT = Path(__file__).resolve().parents[2]
SEEDS = {p.name: p for p in sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt"))}
FIFTH = ROOT / "tests" / "fixtures" / "dumps" / "fifth_dump.txt"

BLANK_HEADER = ["new", "", "Get trending papers in your email inbox!", "", "Subscribe", "", "byAK and the research community", ""]
COMPACT_HEADER = ["Get trending papers in your email inbox once a day!", "Get trending papers in your email inbox!"]


def records_of(parsed):
    return [(r.title, r.abstract, r.source) for r in parsed.records]


def parse_text(text: str, name: str = "dump.txt"):
    return parse_dump_text(text, Path(name))


# -------------------------------------------------------------- the seeds


@pytest.mark.parametrize(
    "name, count, date, layout",
    [
        ("000_c0e08a5fb17945d4.txt", 93, "Mar 12", "blank"),
        ("001_29789920e2914e29.txt", 125, None, "compact"),
        ("002_9d2b654849e4cba5.txt", 101, "Mar 11", "blank"),
        ("004_7dedc640816b7835.txt", 175, None, "compact"),
    ],
)
def test_seed_dumps_parse_completely(name, count, date, layout):
    parsed = parse_dump(SEEDS[name])
    assert parsed.problems == ()
    assert len(parsed.records) == count
    assert parsed.date == date
    text = SEEDS[name].read_text("utf-8")
    assert ("\n\n" in text) == (layout == "blank")
    for record in parsed.records:
        assert record.title and record.abstract
        assert record.source.file == name and record.source.date == date
        assert len(record.abstract) > 500 and len(record.title) < 200


def test_seed_total():
    assert sum(len(parse_dump(p).records) for p in SEEDS.values()) == 494


def test_compact_layout_first_title_is_cut_from_subscribe():
    parsed = parse_dump(SEEDS["001_29789920e2914e29.txt"])
    first = parsed.records[0]
    assert first.title == "Scaling Language Models: Methods, Analysis & Insights from Training Gopher"
    assert first.line == 3
    assert first.abstract.startswith("Language modelling provides a step towards intelligent")
    assert parsed.records[1].title.startswith("LongAgent: Scaling Language Models to 128k Context")
    assert parsed.records[1].line == 5


def test_blank_layout_lines_and_date():
    parsed = parse_dump(SEEDS["000_c0e08a5fb17945d4.txt"])
    first = parsed.records[0]
    assert first.title == "Dataset Decomposition: Faster LLM Training with Variable Sequence Length Curriculum"
    assert first.line == 11
    assert parsed.records[1].line == 15


# ------------------------------------------------------------- variants

VARIANTS = {
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "cr-only": lambda t: t.replace("\n", "\r"),
    "bom": lambda t: "\ufeff" + t,
    "bom-crlf": lambda t: "\ufeff" + t.replace("\n", "\r\n"),
    "trailing-spaces": lambda t: "\n".join(line + "  \t" for line in t.split("\n")),
    "leading-spaces": lambda t: "\n".join("  " + line for line in t.split("\n")),
    "extra-blank-lines": lambda t: "\n\n\n" + t.replace("\n", "\n\n\n") + "\n\n\n",
    "no-final-newline": lambda t: t.rstrip("\n"),
    "nbsp-and-tabs": lambda t: t.replace(" ", "\u00a0", 50).replace(" ", "\t", 50),
}


@functools.lru_cache(maxsize=None)
def parsed_seed(name: str):
    return parse_text(SEEDS[name].read_text("utf-8"), name)


# one seed of each layout gets every variant; all four get the combined one
@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("name", ["000_c0e08a5fb17945d4.txt", "001_29789920e2914e29.txt"])
def test_format_variants_give_identical_records(name, variant):
    expected = parsed_seed(name)
    changed = parse_text(VARIANTS[variant](SEEDS[name].read_text("utf-8")), name)
    assert changed.problems == ()
    assert changed.date == expected.date
    assert records_of(changed) == records_of(expected)
    if variant in ("crlf", "cr-only", "bom", "bom-crlf", "trailing-spaces", "no-final-newline"):
        assert [r.line for r in changed.records] == [r.line for r in expected.records]


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_all_variants_at_once(name):
    text = SEEDS[name].read_text("utf-8")
    for variant in ("trailing-spaces", "extra-blank-lines", "crlf", "bom"):
        text = VARIANTS[variant](text)
    changed = parse_text(text, name)
    assert changed.problems == () and changed.date == parsed_seed(name).date
    assert records_of(changed) == records_of(parsed_seed(name))


def test_variant_files_on_disk(tmp_path):
    """The same through the file reader (BOM decoding, CRLF) rather than text."""
    name = "000_c0e08a5fb17945d4.txt"
    data = SEEDS[name].read_bytes()
    path = tmp_path / name
    path.write_bytes(codecs.BOM_UTF8 + data.replace(b"\n", b"\r\n"))
    assert records_of(parse_dump(path)) == records_of(parse_dump(SEEDS[name]))


def _to_compact(text: str) -> str:
    lines = [line for line in text.split("\n") if line.strip()]
    body = lines[5:]  # drop new / Get trending / Subscribe / byAK / date
    return "\n".join(COMPACT_HEADER + ["Subscribe" + body[0]] + body[1:]) + "\n"


def _to_blank(text: str) -> str:
    lines = [line for line in text.split("\n") if line.strip()]
    body = lines[2:]
    body[0] = body[0][len("Subscribe"):]
    return "\n\n".join(BLANK_HEADER[::2] + ["Mar 12"] + body) + "\n"


def test_layouts_convert_into_each_other():
    blank = SEEDS["000_c0e08a5fb17945d4.txt"].read_text("utf-8")
    compact = SEEDS["001_29789920e2914e29.txt"].read_text("utf-8")
    as_compact = parse_text(_to_compact(blank))
    assert as_compact.problems == () and as_compact.date is None
    assert [(r.title, r.abstract) for r in as_compact.records] == [(r.title, r.abstract) for r in parse_text(blank).records]
    as_blank = parse_text(_to_blank(compact))
    assert as_blank.problems == () and as_blank.date == "Mar 12"
    assert [(r.title, r.abstract) for r in as_blank.records] == [(r.title, r.abstract) for r in parse_text(compact).records]


def test_two_pages_pasted_one_after_the_other():
    blank = SEEDS["000_c0e08a5fb17945d4.txt"].read_text("utf-8")
    compact = SEEDS["001_29789920e2914e29.txt"].read_text("utf-8")
    both = parse_text(blank + "\n" + compact)
    assert both.problems == ()
    assert len(both.records) == 93 + 125
    assert both.date == "Mar 12"
    assert both.records[93].title.startswith("Scaling Language Models: Methods")


def test_subscribe_is_only_cut_when_glued():
    """A paper named `SubscribeNet` after a standalone `Subscribe` keeps its name."""
    abstract = "We study things. " * 20
    text = "\n".join(["new", "Subscribe", "byAK and the research community", "Mar 12", "SubscribeNet: Routing Newsletters with LLMs", abstract])
    parsed = parse_text(text)
    assert parsed.problems == ()
    assert parsed.records[0].title == "SubscribeNet: Routing Newsletters with LLMs"
    glued = parse_text("\n".join(COMPACT_HEADER + ["SubscribeSubscribeNet: Routing", abstract]))
    assert glued.records[0].title == "SubscribeNet: Routing"


def test_unicode_line_separator_inside_an_abstract_is_a_space():
    abstract = "First half of the abstract." + "\u2028" + "Second half. " * 30
    parsed = parse_text("\n".join(["Subscribe", "A Title", abstract, "Another Title", "More text. " * 30]))
    assert parsed.problems == ()
    assert len(parsed.records) == 2
    assert parsed.records[0].abstract.startswith("First half of the abstract. Second half.")
    assert parsed.records[1].line == 4


# ------------------------------------------------------------- bad input


def _problem_texts(parsed):
    return [str(p) for p in parsed.problems]


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    parsed = parse_dump(path)
    assert parsed.records == ()
    assert _problem_texts(parsed) == [f"{path}: empty file: expected a pasted paper-search page"]


@pytest.mark.parametrize("content", [b"   \n\n \r\n", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\n\n"])
def test_blank_or_bom_only_file_is_empty(tmp_path, content):
    path = tmp_path / "blank.txt"
    path.write_bytes(content)
    assert "empty file" in _problem_texts(parse_dump(path))[0]


def test_header_only_file(tmp_path):
    path = tmp_path / "header.txt"
    path.write_text("\n".join(BLANK_HEADER + ["Mar 12"]))
    parsed = parse_dump(path)
    assert parsed.records == ()
    assert "no paper records found after the page header" in _problem_texts(parsed)[0]


def test_latin1_file(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("new\nSubscribe\nPokéChamp: an Expert-level Agent\n".encode("latin-1"))
    parsed = parse_dump(path)
    (problem,) = parsed.problems
    assert problem.file == str(path) and problem.line == 3
    assert "not UTF-8" in problem.message and "0xe9" in problem.message and "column 4" in problem.message


def test_utf16_file(tmp_path):
    path = tmp_path / "utf16.txt"
    path.write_bytes("new\nSubscribe\nA Title\n".encode("utf-16"))
    (problem,) = parse_dump(path).problems
    assert "UTF-16" in problem.message


def test_binary_file(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64 + bytes(range(256)))
    (problem,) = parse_dump(path).problems
    assert problem.file == str(path) and "binary file" in problem.message


def test_control_character_noise_is_binary(tmp_path):
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes(range(1, 32)) * 4)
    assert "binary file" in parse_dump(path).problems[0].message


def test_title_without_abstract_at_end_of_file():
    text = SEEDS["000_c0e08a5fb17945d4.txt"].read_text("utf-8").rstrip("\n") + "\n\nA Dangling Title With No Abstract\n"
    parsed = parse_text(text, "dangling.txt")
    assert len(parsed.records) == 93
    (problem,) = parsed.problems
    assert problem.line == text.count("\n")
    assert "'A Dangling Title With No Abstract' has no abstract (end of file)" in problem.message


def test_title_without_abstract_in_the_middle():
    abstract = "We study things in depth. " * 15
    parsed = parse_text("\n".join(["Subscribe", "First Title", abstract, "Orphan Title", "Third Title", abstract]))
    assert [r.title for r in parsed.records] == ["First Title", "Third Title"]
    (problem,) = parsed.problems
    assert problem.line == 4 and "'Orphan Title' has no abstract (next line is another title)" in problem.message


def test_a_line_that_is_only_an_identifier_is_never_a_title_or_abstract():
    parsed = parse_text("Papers for Friday\nhttps://arxiv.org/abs/2403.03507\n2106.09685v2\n10.1038/nature14539\n")
    assert parsed.records == ()
    assert [(p.line, "identifier" in p.message) for p in parsed.problems] == [(1, True), (2, True), (3, True), (4, True)]
    assert "found only a paper identifier (arXiv 2403.03507)" in parsed.problems[1].message


def test_abstract_without_title():
    abstract = "We study things in depth. " * 15
    parsed = parse_text("\n".join(["Subscribe", "First Title", abstract, abstract, "Third Title", abstract]))
    assert [r.title for r in parsed.records] == ["First Title", "Third Title"]
    (problem,) = parsed.problems
    assert problem.line == 4 and "expected a title, found a paragraph" in problem.message


@pytest.mark.parametrize("where", ["title", "abstract"])
def test_line_of_several_megabytes(tmp_path, where):
    huge = "x" * 5_000_000
    abstract = "We study things in depth. " * 15
    lines = ["Subscribe", "Good Title", abstract]
    lines += [huge, abstract] if where == "title" else ["Title Before Huge", huge]
    lines += ["Last Title", abstract]
    path = tmp_path / "huge.txt"
    path.write_text("\n".join(lines))
    parsed = parse_dump(path)
    assert [r.title for r in parsed.records] == ["Good Title", "Last Title"]
    (problem,) = parsed.problems
    assert problem.file == str(path)
    if where == "title":
        assert problem.line == 4 and f"title line is 5,000,000 characters; at most {MAX_TITLE_CHARS}" in problem.message
    else:
        assert problem.line == 5 and f"abstract line is 5,000,000 characters; at most {MAX_ABSTRACT_CHARS:,}" in problem.message


def test_missing_path(tmp_path):
    path = tmp_path / "nope.txt"
    parsed = parse_dump(path)
    assert _problem_texts(parsed) == [f"{path}: no such file"]


def test_directory(tmp_path):
    parsed = parse_dump(tmp_path)
    (problem,) = parsed.problems
    assert problem.file == str(tmp_path) and "is a directory" in problem.message


# ------------------------------------------------------------- properties


@given(st.text(max_size=2000))
@settings(max_examples=300, deadline=None)
def test_parser_never_crashes_on_arbitrary_text(text):
    parsed = parse_text(text)
    assert parsed.records or parsed.problems
    for record in parsed.records:
        assert record.title and record.abstract
        assert "\n" not in record.title + record.abstract
        assert record.line >= 1


@given(st.binary(max_size=3000))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_reader_never_crashes_on_arbitrary_bytes(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.txt"
        path.write_bytes(data)
        parsed = parse_dump(path)
    assert parsed.records or parsed.problems
    assert all(p.file == str(path) for p in parsed.problems)


_VOCABULARY = (
    "training scaling laws language models efficient memory GPU sparse mixture experts tokens data "
    "quantization 4-bit LoRA attention long-context reasoning agents alignment RLHF benchmark "
    "PokéChamp Schrödinger Straße PanGu-Σ γ-MoD μP 大模型 LLaMA-2 GPT-4o 10,000 1.5B 128k"
).split()
_WORD = st.sampled_from(_VOCABULARY)
_ODD_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789éüΣ", min_size=1, max_size=10)
_TITLE_WORD = st.one_of(
    _WORD,
    _ODD_WORD,
    _WORD.map(lambda w: w + ":"),
    st.sampled_from(["A*", "QuIP#", "$100K", "~15%", "<1.5%", "(LLMs)", "&", "2.0", "{it misaligned}"]),
)
_TITLE = st.lists(_TITLE_WORD, min_size=3, max_size=20).map(" ".join).filter(lambda t: len(t) <= 200)
_SENTENCE = st.lists(
    st.one_of(_WORD, st.sampled_from(["10%", "$L(s) = L_0$", "{it misaligned}", "e.g.,", "A*", "~15%", "<1.5%", "$100K"])),
    min_size=5,
    max_size=25,
).map(lambda words: " ".join(words) + ".")
_FILLER = " We report results on standard benchmarks and release our code."
_ABSTRACT = st.lists(_SENTENCE, min_size=1, max_size=5).map(" ".join).map(
    lambda a: a + _FILLER * max(0, -(-(250 - len(a)) // len(_FILLER)))
)
_RECORDS = st.lists(st.tuples(_TITLE, _ABSTRACT), min_size=1, max_size=8)


def render(records: list[tuple[str, str]], layout: str, date: str = "Apr 3") -> str:
    if layout == "blank":
        lines = BLANK_HEADER + [date, ""]
        for title, abstract in records:
            lines += [title, "", abstract, ""]
        return "\n".join(lines)
    lines = list(COMPACT_HEADER)
    for index, (title, abstract) in enumerate(records):
        lines += [("Subscribe" if index == 0 else "") + title, abstract]
    return "\n".join(lines) + "\n"


@given(_RECORDS, st.sampled_from(["blank", "compact"]), st.sampled_from(["\n", "\r\n"]))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_well_formed_records_always_come_back(records, layout, newline):
    text = render(records, layout).replace("\n", newline)
    parsed = parse_text(text)
    assert parsed.problems == ()
    assert all(len(a) >= 250 and a.endswith(".") for _, a in records)
    assert [(r.title, r.abstract) for r in parsed.records] == records
    assert parsed.date == ("Apr 3" if layout == "blank" else None)


# ------------------------------------------------------------- fifth dump


def test_fifth_dump_fixture_parses():
    parsed = parse_dump(FIFTH)
    assert parsed.problems == ()
    assert parsed.date == "Apr 3"
    assert len(parsed.records) == 10
    titles = [r.title for r in parsed.records]
    assert "QuIP# Revisited: Lattice Codebooks for 2-bit Weights on Consumer GPUs" in titles
    assert "A* Decoding: Admissible Heuristics for Constrained Generation with Language Models" in titles
    assert "Schrödinger's Tokens: Probing Superposition in the Embedding Space of Small Language Models" in titles
    abstracts = " ".join(r.abstract for r in parsed.records)
    assert "\\" not in abstracts  # every escape it holds is a known one
    assert "Schrödinger's thought experiment" in abstracts and "an effect we call adapter drift." in abstracts
    assert "<2% additional" in abstracts and "~12% fewer" in abstracts and "under $300 of CPU" in abstracts
    assert re.search(r"from 41\.2% to 53\.8%", abstracts)
