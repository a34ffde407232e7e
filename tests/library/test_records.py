"""The YAML library: record validation, loading, and curation-preserving edits."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from generator.library.edit import append_sources, new_record
from generator.library.records import did_you_mean, line_of, load_library, record_path, record_to_paper
from generator.library.yamlio import dump_yaml, load_yaml
from generator.model import SourceRef

ROOT = Path(__file__).resolve().parents[2]

GOOD = """\
key: galore
title: 'GaLore: Memory-Efficient LLM Training by Gradient Low-Rank Projection'
abstract: Training Large Language Models presents significant memory challenges.
added: 2026-01-15
sources:
  - file: 000_c0e08a5fb17945d4.txt
    date: Mar 12
"""


def validate(text: str, name: str = "galore.yml"):
    data, problems = load_yaml(text, name)
    assert problems == []
    return record_to_paper(data, Path("content/papers") / name)


def messages(problems) -> list[str]:
    return [p.message for p in problems]


def test_good_record():
    paper, problems = validate(GOOD + "authors: [Jiawei Zhao]\nyear: 2024\nstatus: read\narxiv: '2403.03507'\nnotes: |\n  Good.\n")
    assert problems == []
    assert paper.key == "galore" and paper.added == "2026-01-15"
    assert paper.sources == (SourceRef("000_c0e08a5fb17945d4.txt", "Mar 12"),)
    assert paper.authors == ("Jiawei Zhao",) and paper.year == 2024 and paper.status == "read"
    assert paper.arxiv == "2403.03507" and paper.notes == "Good.\n"


@pytest.mark.parametrize(
    "extra, field, expected",
    [
        ("tittle: x\n", "tittle", "unknown field 'tittle' (did you mean 'title'?)"),
        ("auhtors: [A]\n", "auhtors", "unknown field 'auhtors' (did you mean 'authors'?)"),
        ("stauts: read\n", "stauts", "unknown field 'stauts' (did you mean 'status'?)"),
        ("zzz: 1\n", "zzz", "unknown field 'zzz'"),
    ],
)
def test_unknown_field_with_did_you_mean(extra, field, expected):
    paper, problems = validate(GOOD + extra)
    assert paper is not None
    (problem,) = problems
    assert problem.message == expected and problem.key == field
    assert problem.line == GOOD.count("\n") + 1


@pytest.mark.parametrize(
    "extra, field, fragment",
    [
        ("year: '2024'\n", "year", "'year' must be a four-digit number, found '2024'"),
        ("year: 24\n", "year", "four-digit"),
        ("year: true\n", "year", "four-digit"),
        ("authors: {name: A}\n", "authors", "'authors' must be a list of non-empty strings"),
        ("tags: [1, 2]\n", "tags", "'tags' must be a list of non-empty strings"),
        ("themes: ['']\n", "themes", "'themes' must be a list of non-empty strings"),
        ("arxiv: 2403.10500\n", "arxiv", "'arxiv' must be text, found the number 2403.105; put it in quotes"),
        ("doi: [a]\n", "doi", "'doi' must be text, found a list"),
        ("url: 12\n", "url", "'url' must be text, found the number 12; put it in quotes"),
        ("venue: {a: 1}\n", "venue", "'venue' must be text, found a mapping"),
        ("provenance: [a]\n", "provenance", "'provenance' must be a mapping"),
    ],
)
def test_wrong_types(extra, field, fragment):
    paper, problems = validate(GOOD + extra)
    (problem,) = problems
    assert fragment in problem.message
    assert problem.key == field and problem.line == GOOD.count("\n") + 1
    assert paper is not None  # a curated field's problem does not hide the paper


@pytest.mark.parametrize(
    "old, new, fragment",
    [
        ("title: 'GaLore: Memory-Efficient LLM Training by Gradient Low-Rank Projection'", "title: [a, b]", "'title' must be text, found a list"),
        ("title: 'GaLore: Memory-Efficient LLM Training by Gradient Low-Rank Projection'", "title: ''", "missing or empty required field 'title'"),
        ("abstract: Training Large Language Models presents significant memory challenges.", "abstract: 42", "'abstract' must be text, found the number 42"),
        ("added: 2026-01-15", "added: yesterday", "'added' must be a date such as 2024-03-12, found 'yesterday'"),
        ("added: 2026-01-15", "added: '2026-13-45'", "'added' must be a date"),
        ("added: 2026-01-15\n", "", "missing or empty required field 'added'"),
        ("key: galore", "key: 12", "'key' must be text, found the number 12"),
    ],
)
def test_required_fields(old, new, fragment):
    paper, problems = validate(GOOD.replace(old, new))
    assert paper is None
    assert any(fragment in m for m in messages(problems)), messages(problems)


def test_key_not_matching_file_name():
    paper, problems = validate(GOOD, name="lora.yml")
    (problem,) = problems
    assert problem.key == "key" and problem.line == 1
    assert problem.message == "key 'galore' does not match the file name 'lora.yml' (expected galore.yml); keys never change, rename neither"


@pytest.mark.parametrize("key, name", [("GaLore", "galore"), ("Abawi:2004ks", "abawi-2004ks"), ("vaswaniAttentionAllYou2017", "vaswaniattentionallyou2017"),
                                       ("DBLP:conf/nips/X17", "dblp-conf-nips-x17"), ("GaLore", "galore-2"), ("galore", "galore-2")])
def test_a_kept_bibtex_key_lives_in_a_lower_case_file(key, name):
    """The key is the record's `key:`, exactly; the file is a lower-case form, numbered when taken."""
    paper, problems = validate(GOOD.replace("key: galore", f"key: '{key}'"), name=f"{name}.yml")
    assert problems == [] and paper is not None and paper.key == key


@pytest.mark.parametrize("key", ["galore 2", "-galore", "galore{2}", "ga%lore", "galore,2", "Gal\\ore"])
def test_key_with_unsafe_characters(key):
    _paper, problems = validate(GOOD.replace("key: galore", f"key: '{key}'"), name="galore.yml")
    assert any("must be ASCII letters, digits and _ : . + / * ? -" in m for m in messages(problems))


def test_reserved_key():
    _paper, problems = validate(GOOD.replace("key: galore", "key: index"), name="index.yml")
    assert any("reserved" in m for m in messages(problems))


@pytest.mark.parametrize(
    "value, hint",
    [("raed", " (did you mean 'read'?)"), ("Reading", " (did you mean 'reading'?)"), ("done", ""), ("[read]", "")],
)
def test_status_not_in_the_list(value, hint):
    _paper, problems = validate(GOOD + f"status: {value}\n")
    (problem,) = problems
    assert problem.key == "status" and problem.line == GOOD.count("\n") + 1
    assert problem.message.startswith("'status' must be one of to-read, reading, read, key; found ")
    assert problem.message.endswith(hint)


def test_bad_sources_items_are_located():
    text = GOOD + "  - date: Mar 3\n  - file: x.txt\n    date: [1]\n"
    _paper, problems = validate(text)
    assert [(p.line, p.message) for p in problems] == [
        (8, "sources[1] must be a mapping with a 'file' string"),
        (9, "sources[2].date must be text such as 'Mar 12', found a list"),
    ]


def test_record_that_is_not_a_mapping():
    for text, found in (("- a\n- b\n", "a list"), ("", "nothing (an empty file)"), ("just text\n", "str")):
        data, _ = load_yaml(text, "x.yml")
        paper, problems = record_to_paper(data, Path("x.yml"))
        assert paper is None and found in problems[0].message


def test_every_problem_is_collected_at_once():
    text = GOOD + "tittle: x\nyear: '2024'\nstatus: raed\ntags: [1]\n"
    _paper, problems = validate(text, name="other.yml")
    assert len(problems) == 5


# ------------------------------------------------------------------ loading


def write_record(content: Path, name: str, text: str | bytes) -> Path:
    path = content / "papers" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    return path


def test_broken_yaml_is_reported_with_its_line(tmp_path):
    path = write_record(tmp_path, "galore.yml", GOOD + "notes: [unclosed\nstatus: read\n")
    library = load_library(tmp_path)
    assert library.papers == ()
    (problem,) = library.problems
    assert problem.file == str(path) and problem.line in (9, 10)
    assert problem.message.startswith("invalid YAML")


def test_duplicate_yaml_key_is_reported_with_its_line(tmp_path):
    write_record(tmp_path, "galore.yml", GOOD + "title: again\n")
    (problem,) = load_library(tmp_path).problems
    assert problem.line == 8 and "duplicate key" in problem.message


def test_bad_tab_indentation_and_control_characters(tmp_path):
    write_record(tmp_path, "galore.yml", GOOD + "notes:\n\t- tab\n")
    write_record(tmp_path, "other.yml", GOOD.replace("galore", "other") + "notes: a\x07b\n")
    problems = load_library(tmp_path).problems
    assert len(problems) == 2
    assert all(p.line is not None for p in problems)


def test_not_utf8_record(tmp_path):
    write_record(tmp_path, "galore.yml", (GOOD + "notes: café\n").encode("latin-1"))
    (problem,) = load_library(tmp_path).problems
    assert problem.line == 8 and "not UTF-8" in problem.message


def test_stray_files_and_folders(tmp_path):
    write_record(tmp_path, "galore.yml", GOOD)
    write_record(tmp_path, "README.md", "hello")
    write_record(tmp_path, ".galore.yml.abc.tmp", "temp files are ignored")
    (tmp_path / "papers" / "folder.yml").mkdir()
    library = load_library(tmp_path)
    assert [p.key for p in library.papers] == ["galore"]
    assert sorted(Path(p.file).name for p in library.problems) == ["README.md", "folder.yml"]


def test_same_key_in_yml_and_yaml(tmp_path):
    write_record(tmp_path, "galore.yml", GOOD)
    write_record(tmp_path, "galore.yaml", GOOD)
    problems = load_library(tmp_path).problems
    assert any("is also used by" in p.message for p in problems)


def test_missing_papers_folder_is_an_empty_library(tmp_path):
    library = load_library(tmp_path)
    assert library.papers == () and library.problems == ()


def test_shipped_library_is_valid(shipped_content):
    library = load_library(shipped_content)
    assert library.problems == ()
    assert len(library.papers) >= 478
    assert record_path(shipped_content, "galore").exists()


def test_impossible_date_is_a_problem_not_a_crash(tmp_path):
    path = write_record(tmp_path, "galore.yml", GOOD.replace("added: 2026-01-15", "added: 2026-13-45"))
    (problem,) = load_library(tmp_path).problems
    assert problem.file == str(path) and problem.line == 4
    assert "month must be in 1..12" in problem.message


def test_fast_and_round_trip_loading_agree_on_every_record(shipped_content):
    from generator.library.yamlio import _fast_load

    for path in sorted((shipped_content / "papers").glob("*.yml"))[::5]:
        text = path.read_text("utf-8")
        fast, fast_problems = record_to_paper(_fast_load(text), path)
        data, _ = load_yaml(text, str(path))
        slow, slow_problems = record_to_paper(data, path)
        assert fast == slow and fast_problems == slow_problems == [], path


@pytest.mark.parametrize(
    "text",
    [
        "a: 010\nb: 0o10\nc: 0x1F\nd: 1_000\ne: +12\nf: 2403.10500\ng: 10.1000/182\n",
        "a: yes\nb: No\nc: on\nd: OFF\ne: y\nf: true\ng: FALSE\n",
        "a: 1e3\nb: 1.5E-3\nc: .inf\nd: -.Inf\ne: .nan\nf: !!float 1e3\ng: !!float 1:20\nh: 1:20\n",
        "a: ~\nb: null\nc: Null\nd:\ne: ''\n",
        "added: 2024-03-12\nat: 2024-03-12T10:00:00Z\nloose: 2024-3-2 1:02:03\nbad: 2024-13-45\n",
        "%YAML 1.1\n---\na: 010\nb: yes\nc: 1e3\n",
        "base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\nblob: !!binary aGVsbG8=\nset: !!set {a, b}\nomap: !!omap [a: 1]\n",
        "title: |\n  block\n  text\nabstract: >-\n  folded\n  text\n'q': \"\\u00e9\\t\"\n",
        "a: 1\na: 2\n",
        "a: [\n",
        "--- 1\n--- 2\n",
        "x: !foo bar\n",
    ],
)
def test_fast_loader_reads_yaml_like_the_safe_api(text):
    """`_fast_load` builds ruamel's C safe loader itself; it must read exactly as the public API does."""
    import warnings

    from ruamel.yaml import YAML

    from generator.library.yamlio import _fast_load

    def outcome(load):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a YAML 1.1 warning would mean another code path
            try:
                return "ok", repr(load(text))
            except Exception as err:
                return "error", type(err).__name__, str(err)

    api = YAML(typ="safe", pure=False)
    api.allow_duplicate_keys = False
    assert outcome(_fast_load) == outcome(api.load)


def test_loader_recovers_after_an_error():
    assert load_yaml("a: [", "bad.yml")[1]
    data, problems = load_yaml("a: 1\n", "good.yml")
    assert problems == [] and data == {"a": 1}


def test_line_of_and_did_you_mean():
    data, _ = load_yaml("a: 1\nb: 2\n", "x.yml")
    assert line_of(data, "b") == 2 and line_of(data, "zz") is None and line_of({}, "a") is None
    assert did_you_mean("tittle", ["title", "tags"]) == " (did you mean 'title'?)"
    assert did_you_mean("qqq", ["title"]) == ""


def test_new_record_round_trips():
    record = new_record("galore", "GaLore: x", "Abstract with 10% and $100K and ~15% and {it x}.", "2026-01-15", [SourceRef("a.txt", "Mar 12"), SourceRef("b.txt")])
    text = dump_yaml(record)
    data, problems = load_yaml(text, "galore.yml")
    paper, problems = record_to_paper(data, Path("galore.yml"))
    assert problems == []
    assert paper.abstract == "Abstract with 10% and $100K and ~15% and {it x}."
    assert paper.sources == (SourceRef("a.txt", "Mar 12"), SourceRef("b.txt"))
    assert text.splitlines()[:4] == ["key: galore", "title: 'GaLore: x'", "abstract: Abstract with 10% and $100K and ~15% and {it x}.", "added: 2026-01-15"]
    assert text.splitlines()[4:] == ["sources:", "  - file: a.txt", "    date: Mar 12", "  - file: b.txt"]


# ------------------------------------------------------------ append_sources

CURATED = """\
# Curated by the reading group; do not remove.
key: galore
title: 'GaLore: Memory-Efficient LLM Training by Gradient Low-Rank Projection'
abstract: Training Large Language Models presents significant memory challenges.
added: 2026-01-15
sources:
  - file: 000_c0e08a5fb17945d4.txt
    date: Mar 12   # first seen here
# what we think
authors:
- Jiawei Zhao
-   Zhenyu Zhang
tags: [optimizers, memory]
status: read  # finished in March
notes: |
  **Great** paper.

  - check the 8-bit variant
  - compare with `LoRA`
"""


def inserted_lines(old: str, new: str) -> list[str]:
    """The lines `new` adds to `old`, asserting it removes or changes none."""
    matcher = difflib.SequenceMatcher(a=old.splitlines(keepends=True), b=new.splitlines(keepends=True), autojunk=False)
    added = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        assert tag in ("equal", "insert"), (tag, old.splitlines()[i1:i2], new.splitlines()[j1:j2])
        if tag == "insert":
            added.extend(new.splitlines(keepends=True)[j1:j2])
    return added


def test_append_sources_changes_nothing_else():
    new = append_sources(CURATED, [SourceRef("fifth_dump.txt", "Apr 3"), SourceRef("sixth: odd name.txt")])
    assert inserted_lines(CURATED, new) == [
        "  - file: fifth_dump.txt\n",
        "    date: Apr 3\n",
        "  - file: 'sixth: odd name.txt'\n",
    ]
    assert new.index("sixth") < new.index("# what we think")
    data, _ = load_yaml(new, "galore.yml")
    paper, problems = record_to_paper(data, Path("galore.yml"))
    assert problems == [] and [s.file for s in paper.sources] == ["000_c0e08a5fb17945d4.txt", "fifth_dump.txt", "sixth: odd name.txt"]


def test_append_sources_keeps_crlf_and_other_indentation():
    text = CURATED.replace("  - file: 000", "- file: 000").replace("    date: Mar 12", "  date: Mar 12").replace("\n", "\r\n")
    new = append_sources(text, [SourceRef("b.txt", "Apr 3")])
    assert inserted_lines(text, new) == ["- file: b.txt\r\n", "  date: Apr 3\r\n"]


def test_append_sources_without_a_final_newline_or_sources_field():
    text = "key: a\ntitle: T\nabstract: A\nadded: 2026-01-15\nsources:\n  - file: x.txt"
    assert append_sources(text, [SourceRef("y.txt")]) == text + "\n  - file: y.txt\n"
    bare = "key: a\ntitle: T  # note\nabstract: A\nadded: 2026-01-15"
    assert append_sources(bare, [SourceRef("y.txt", "Apr 3")]) == bare + "\nsources:\n  - file: y.txt\n    date: Apr 3\n"


@pytest.mark.parametrize("sources", ["sources: [{file: x.txt}]\n", "sources: []\n", "sources:\n"])
def test_append_sources_unusual_layouts_fall_back_to_round_trip(sources):
    text = "# keep me\nkey: a\ntitle: T\nabstract: A\nadded: 2026-01-15\n" + sources + "status: read  # keep me too\n"
    new = append_sources(text, [SourceRef("y.txt", "Apr 3")])
    assert "# keep me\n" in new and "# keep me too" in new
    data, _ = load_yaml(new, "a.yml")
    assert [s["file"] for s in data["sources"]][-1] == "y.txt"
    assert data["status"] == "read"


def test_a_record_without_an_abstract_is_a_paper():
    paper, problems = validate(GOOD.replace("abstract: Training Large Language Models presents significant memory challenges.\n", ""))
    assert problems == [] and paper is not None and paper.abstract == ""


@pytest.mark.parametrize(
    "field, value, expected",
    [
        ("tags", "a, b", "'tags' must be a list ('- ' items) of text, found the text 'a, b'"),
        ("authors", "'X and Y'", "'authors' must be a list ('- ' items) of text, found the text 'X and Y'"),
        ("month", "13", "'month' must be a number from 1 to 12, found the number 13"),
        ("entry_type", "'In Proceedings'", "'entry_type' must be a BibTeX entry type such as article or inproceedings"),
        ("names", "[Smith]", "names[0] must be a mapping such as {family: Curie, given: Marie}"),
        ("extra", "[a]", "'extra' must be a mapping of field: text"),
        ("pages", "[1, 2]", "'pages' must be text, found a list"),
    ],
)
def test_check_validates_the_types_of_list_and_bibliographic_fields(field, value, expected):
    _paper, problems = validate(GOOD + f"{field}: {value}\n")
    (problem,) = problems
    assert problem.key == field and problem.line == 8 and problem.message.startswith(expected)


def test_bibliographic_fields_load_into_the_paper():
    text = GOOD + (
        "entry_type: inproceedings\nnames:\n  - {family: Berg, given: Jan, particle: van der}\n  - {literal: The LLM Consortium}\n"
        "month: 4\nvolume: 12\npages: 1-4\nextra:\n  mendeley-groups: thesis\n"
    )
    paper, problems = validate(text)
    assert problems == []
    assert paper.entry_type == "inproceedings" and paper.month == 4 and paper.volume == "12" and paper.pages == "1-4"
    assert [n.display() for n in paper.names] == ["Jan van der Berg", "The LLM Consortium"]
    assert paper.extra == (("mendeley-groups", "thesis"),)
