"""The import stage end to end: de-duplication, stable keys, curation survival,
atomicity, the report, and named bad-input cases through the command line."""

from __future__ import annotations

import difflib
import os
import sys
from pathlib import Path

import pytest

from generator import writer
from generator.cli import main
from generator.reading.merge import import_dumps
from generator.library.keys import key_candidates
from generator.library.records import load_library, record_path
from generator.model import SourceRef

ROOT = Path(__file__).resolve().parents[2]
FIFTH = ROOT / "tests" / "fixtures" / "dumps" / "fifth_dump.txt"
DATE = "2026-01-15"

D000, D001, D002, D004 = "000_c0e08a5fb17945d4.txt", "001_29789920e2914e29.txt", "002_9d2b654849e4cba5.txt", "004_7dedc640816b7835.txt"


def titles_to_keys(content: Path) -> dict[str, str]:
    return {p.title: p.key for p in load_library(content).papers}


# ------------------------------------------------------------ seeds, merged


def test_seed_import_merges_repeats(seed_import):
    tmp_path, report = seed_import
    assert report.problems == []
    assert len(report.added) == 478 and report.merged == [] and report.unchanged == 0
    assert report.summary() == "added 478, merged 0, problems 0 (0 unchanged, 16 entries merged into another entry of this import)"
    library = load_library(tmp_path)
    assert len(library.papers) == 478 and library.problems == ()
    sources = {p.key: p.sources for p in library.papers}
    assert sum(len(s) for s in sources.values()) == 494
    assert sources["megascale"] == (SourceRef(D000, "Mar 12"), SourceRef(D001), SourceRef(D004))
    assert sources["galore"] == (SourceRef(D000, "Mar 12"),)
    assert sources["spam"] == (SourceRef(D000, "Mar 12"), SourceRef(D002, "Mar 11"))
    assert sources["adapt-pruner"] == (SourceRef(D002, "Mar 11"), SourceRef(D004))
    assert sum(1 for s in sources.values() if len(s) > 1) == 15
    # the dumps are kept for provenance
    assert sorted(p.name for p in (tmp_path / "sources").iterdir()) == [D000, D001, D002, D004]


def test_fresh_import_reproduces_the_shipped_library(seeded_content):
    """Same keys, titles, abstracts and sources as records the site shipped (tests/fixtures/shipped/papers)."""
    shipped = {p.key: p for p in load_library(ROOT / "tests" / "fixtures" / "shipped").papers}
    fresh = {p.key: p for p in load_library(seeded_content).papers}
    assert len(shipped) >= 10 and set(shipped) <= set(fresh)
    for key, paper in shipped.items():
        assert (fresh[key].title, fresh[key].abstract) == (paper.title, paper.abstract), key
        assert fresh[key].sources == paper.sources, key


def test_normalised_text_is_stored(seeded_content):
    papers = {p.key: p for p in load_library(seeded_content).papers}
    assert papers["pokechamp"].title == "PokéChamp: an Expert-level Minimax Language Agent"
    assert "PokéChamp, a minimax agent" in papers["pokechamp"].abstract
    abstracts = " ".join(p.abstract for p in papers.values())
    for kept in ("<1.5%", "A*", "QuIP#", "$100K", "~15%", "{it misaligned}", "PanGu-Σ", r"\ourdataset"):
        assert kept in abstracts + " ".join(p.title for p in papers.values()), kept
    assert "\\%" not in abstracts and "\\textit" not in abstracts


def test_near_identical_titles_merge_into_one_record(tmp_path):
    abstract = "We study the effect of things on other things in considerable depth. " * 5
    variants = [
        "PokéChamp: an Expert-level Minimax Language Agent",
        "Poke\u0301Champ: An Expert-Level Minimax Language Agent",  # NFD, case
        "pokechamp - an expert level minimax language agent.",  # punctuation, accents
    ]
    paths = []
    for n, title in enumerate(variants):
        path = tmp_path / f"d{n}.txt"
        path.write_text(f"Subscribe\nMar {n + 1}\n{title}\n{abstract}\n", "utf-8")
        paths.append(path)
    content = tmp_path / "content"
    report = import_dumps(content, paths, today=DATE)
    assert report.problems == [] and report.added == ["pokechamp"]
    (paper,) = load_library(content).papers
    assert paper.title == variants[0]
    assert [s.file for s in paper.sources] == ["d0.txt", "d1.txt", "d2.txt"]


def test_different_papers_never_merge(tmp_path):
    abstract = "We study the effect of things on other things in considerable depth. " * 5
    titles = [
        "QuIP#: Even Better LLM Quantization",
        "QuIP: Even Better LLM Quantization",
        "A* Search for Decoding",
        "A Search for Decoding",
        "1.5-Pints Technical Report",
        "15-Pints Technical Report",
        "???",
        "!!!",
        "大型语言模型的高效训练",
        "大型语言模型的推理加速",
    ]
    dump = tmp_path / "d.txt"
    dump.write_text("Subscribe\n" + "".join(f"{t}\n{abstract.replace('things', t)}\n" for t in titles), "utf-8")
    content = tmp_path / "content"
    report = import_dumps(content, [dump], today=DATE)
    assert report.problems == [] and len(report.added) == len(titles)
    assert sorted(p.title for p in load_library(content).papers) == sorted(titles)


# ------------------------------------------------------- idempotence, curation


def test_reimport_changes_no_byte_and_no_mtime(seeded_content, seed_dumps, snapshot):
    before = snapshot(seeded_content)
    report = import_dumps(seeded_content, list(seed_dumps), today="2027-01-01")
    assert report.problems == [] and report.added == [] and report.merged == []
    assert report.unchanged == 478 and report.files_written == 0
    assert snapshot(seeded_content) == before
    # the dumps already inside content/sources import the same way
    import_dumps(seeded_content, sorted((seeded_content / "sources").glob("*.txt")), today="2027-01-01")
    assert snapshot(seeded_content) == before


CURATION = {
    "key: galore\n": "# Curated by the reading group: keep this record.\nkey: galore\n",
    "    date: Mar 12\n": "    date: Mar 12  # first seen in the March dump\n",
}
CURATED_TAIL = """\
authors:
- Jiawei Zhao
- Zhenyu Zhang
-   Beidi Chen
tags: [optimizers, memory]
status: read  # discussed on 12 March
notes: |
  **Key idea:** project gradients, not weights.

  - compare with `LoRA` at 7B
  - 8-bit variant: <1.5% loss, ~15% less memory
"""


def curate(content: Path, key: str = "galore") -> Path:
    path = record_path(content, key)
    text = path.read_text("utf-8")
    for old, new in CURATION.items():
        assert old in text
        text = text.replace(old, new)
    path.write_text(text + CURATED_TAIL, "utf-8")
    return path


def only_inserted(old: str, new: str) -> list[str]:
    matcher = difflib.SequenceMatcher(a=old.splitlines(True), b=new.splitlines(True), autojunk=False)
    inserted = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        assert tag in ("equal", "insert"), (tag, old.splitlines()[i1:i2], new.splitlines()[j1:j2])
        if tag == "insert":
            inserted += new.splitlines(True)[j1:j2]
    return inserted


def test_curation_survives_a_new_dump(seeded_content, snapshot):
    path = curate(seeded_content)
    curated = path.read_text("utf-8")
    others = {k: v for k, v in snapshot(seeded_content / "papers").items() if k != path.name}
    report = import_dumps(seeded_content, [FIFTH], today="2026-04-03")
    assert report.problems == []
    assert "galore" in report.merged
    new = path.read_text("utf-8")
    assert only_inserted(curated, new) == ["  - file: fifth_dump.txt\n", "    date: Apr 3\n"]
    # inserted right after the last source, before the curated fields
    assert new.index("fifth_dump.txt") < new.index("authors:")
    paper = {p.key: p for p in load_library(seeded_content).papers}["galore"]
    assert paper.authors == ("Jiawei Zhao", "Zhenyu Zhang", "Beidi Chen")
    assert paper.tags == ("optimizers", "memory") and paper.status == "read"
    assert paper.notes.startswith("**Key idea:**") and "<1.5% loss, ~15% less memory" in paper.notes
    assert paper.sources[-1] == SourceRef("fifth_dump.txt", "Apr 3")
    # records the new dump does not mention are untouched
    after = snapshot(seeded_content / "papers")
    merged = {f"{k}.yml" for k in report.merged}
    for name, entry in others.items():
        if name not in merged:
            assert after[name] == entry, name


def test_curation_in_crlf_and_other_styles_survives(seeded_content):
    path = curate(seeded_content)
    text = path.read_text("utf-8").replace("  - file: ", "- file: ").replace("    date: ", "  date: ").replace("\n", "\r\n")
    path.write_bytes(text.encode("utf-8"))
    import_dumps(seeded_content, [FIFTH], today="2026-04-03")
    new = path.read_bytes().decode("utf-8")
    assert only_inserted(text, new) == ["- file: fifth_dump.txt\r\n", "  date: Apr 3\r\n"]


def test_edited_title_still_matches_its_paper(seeded_content):
    """The curator fixed a title; re-importing the dump must not add a duplicate."""
    path = record_path(seeded_content, "galore")
    path.write_text(path.read_text("utf-8").replace("GaLore: Memory-Efficient", "GaLore — Memory Efficient (ICML 2024)"), "utf-8")
    report = import_dumps(seeded_content, [FIFTH], today="2026-04-03")
    assert report.problems == []
    assert "galore" in report.merged
    assert not any(k.startswith("galore-") for k in report.added)


def test_record_saved_as_yaml_extension_is_merged(seeded_content):
    path = record_path(seeded_content, "galore")
    renamed = path.with_suffix(".yaml")
    path.rename(renamed)
    report = import_dumps(seeded_content, [FIFTH], today="2026-04-03")
    assert report.problems == [] and "galore" in report.merged
    assert "fifth_dump.txt" in renamed.read_text("utf-8") and not path.exists()


# ------------------------------------------------------------------ keys


def competing(titles: list[str]) -> set[str]:
    """Titles that share a candidate key with another title."""
    owners: dict[str, set[str]] = {}
    for title in titles:
        for candidate in key_candidates(title):
            owners.setdefault(candidate, set()).add(title)
    return {t for group in owners.values() if len(group) > 1 for t in group}


def test_keys_never_change_and_depend_on_order_only_where_titles_compete(tmp_path, seed_dumps, seed_import):
    """Import the seeds one dump at a time in reverse order, then the fifth:
    no import changes a key an earlier one assigned, and the final keys equal
    those of importing all four at once, except for titles that compete."""
    content = tmp_path / "content"
    seen: dict[str, str] = {}
    for dump in [*reversed(seed_dumps), FIFTH]:
        report = import_dumps(content, [dump], today=DATE)
        assert report.problems == []
        keys = titles_to_keys(content)
        for title, key in seen.items():
            assert keys[title] == key, title
        assert set(report.added) == set(keys.values()) - set(seen.values())
        seen = keys
    assert len(seen) == 478 + 6
    together = titles_to_keys(seed_import[0])
    differ = {t for t in together if together[t] != seen[t]}
    assert differ <= competing(list(together))
    assert len(differ) <= 2  # measured: two "Efficient Large-Scale Language Model..." titles compete


def test_keys_are_safe(seeded_content):
    for paper in load_library(seeded_content).papers:
        assert len(paper.key) <= 48
        assert paper.key == paper.key.lower() and paper.key.isascii()


# -------------------------------------------------------------- fifth dump

FIFTH_NEW = {
    "shardcast",
    "curriculum-compression-ordering-pretraining",
    "lora-drift",
    "schrodingers-tokens-probing-superposition",
    "quip-revisited",
    "decoding-admissible-heuristics-constrained",
}


def test_fifth_dump_adds_only_new_papers(seeded_content):
    report = import_dumps(seeded_content, [FIFTH], today="2026-04-03")
    assert report.problems == []
    assert set(report.added) == FIFTH_NEW
    assert sorted(report.merged) == ["galore", "megascale", "pokechamp", "spam"]
    assert report.unchanged == 478 - 4
    papers = {p.key: p for p in load_library(seeded_content).papers}
    assert len(papers) == 484
    assert papers["spam"].title == "SPAM: Spike-Aware Adam with Momentum Reset for Stable LLM Training"  # not the variant
    assert papers["spam"].sources[-1] == SourceRef("fifth_dump.txt", "Apr 3")
    assert papers["megascale"].sources == (SourceRef(D000, "Mar 12"), SourceRef(D001), SourceRef(D004), SourceRef("fifth_dump.txt", "Apr 3"))
    assert papers["quip-revisited"].title.startswith("QuIP# Revisited")
    assert papers["lora-drift"].added == "2026-04-03" and "an effect we call adapter drift." in papers["lora-drift"].abstract
    assert (seeded_content / "sources" / "fifth_dump.txt").read_bytes() == FIFTH.read_bytes()
    # and once more: nothing changes
    again = import_dumps(seeded_content, [FIFTH], today="2026-05-01")
    assert again.added == [] and again.merged == [] and again.files_written == 0


def test_fifth_dump_through_the_cli(seeded_content, capsys):
    status = main(["import", str(FIFTH), "--content", str(seeded_content), "--date", "2026-04-03"])
    out, err = capsys.readouterr()
    assert status == 0
    assert "import: added 6, merged 4, problems 0" in out
    assert err == ""


def test_cli_report_for_the_seeds(seeded_content, seed_dumps, seed_import, capsys):
    assert seed_import[1].summary() == "added 478, merged 0, problems 0 (0 unchanged, 16 entries merged into another entry of this import)"
    assert main(["import", *map(str, seed_dumps), "--content", str(seeded_content)]) == 0
    out, err = capsys.readouterr()
    assert out == "import: added 0, merged 0, problems 0 (478 unchanged)\n" and err == ""


def test_bad_date_option(tmp_path, capsys):
    assert main(["import", str(FIFTH), "--content", str(tmp_path / "c"), "--date", "3 April"]) == 1
    assert "expected a date such as 2024-03-12, found '3 April'" in capsys.readouterr().err
    assert not (tmp_path / "c").exists()


# ---------------------------------------------------------------- progress


class FakeTTY:
    def __init__(self, stream):
        self.stream = stream

    def isatty(self):
        return True

    def __getattr__(self, name):
        return getattr(self.stream, name)


def test_progress_bar_only_for_long_imports_on_a_tty(tmp_path, capsys, monkeypatch):
    from generator import cli

    assert cli.PROGRESS_MIN_RECORDS == 200 < 494  # the seeds are a long import
    monkeypatch.setattr(cli, "PROGRESS_MIN_RECORDS", 5)  # make the 10-record fifth dump "long"
    run = lambda folder: main(["import", str(FIFTH), "--content", str(tmp_path / folder), "--date", DATE])  # noqa: E731
    # not a terminal: no bar
    assert run("a") == 0
    assert "paper" not in capsys.readouterr().err
    monkeypatch.setattr(sys, "stderr", FakeTTY(sys.stderr))
    # a terminal and a long import: a bar
    assert run("b") == 0
    err = capsys.readouterr().err
    assert "matching" in err and "paper" in err
    # a terminal but a short import: no bar
    monkeypatch.setattr(cli, "PROGRESS_MIN_RECORDS", 200)
    assert run("c") == 0
    assert capsys.readouterr().err == ""


def test_the_stage_itself_never_writes_to_the_terminal(tmp_path, capsys):
    """Only the CLI prints: the merge reports, and shows progress only through the callback it is given."""
    seen = []
    report = import_dumps(tmp_path / "c", [FIFTH], today=DATE, progress=lambda items, label: seen.append((label, len(items))) or items)
    assert report.problems == [] and len(report.added) == 10
    assert seen == [("matching", 10), ("writing", 10)]
    assert capsys.readouterr() == ("", "")


# --------------------------------------------------------------- atomicity


def test_one_bad_dump_among_several_writes_nothing(tmp_path, seed_dumps, snapshot):
    content = tmp_path / "content"
    bad = tmp_path / "bad.txt"
    bad.write_text(FIFTH.read_text("utf-8") + "\nA Dangling Title\n", "utf-8")
    report = import_dumps(content, [*seed_dumps, bad], today=DATE)
    assert len(report.problems) == 1 and report.added == []
    assert not content.exists()


def test_failure_while_swapping_files_leaves_the_library_as_it_was(seeded_content, monkeypatch, snapshot):
    before = snapshot(seeded_content)
    real = os.replace
    calls = {"n": 0}

    def replace(src, dst):
        calls["n"] += 1
        if calls["n"] == 5:  # after four files were swapped in
            raise OSError(28, "No space left on device", str(dst))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    report = import_dumps(seeded_content, [FIFTH], today="2026-04-03")
    assert calls["n"] >= 5
    (problem,) = report.problems
    assert "could not write the library" in problem.message and "nothing was changed" in problem.message
    assert report.added == [] and report.merged == []
    assert snapshot(seeded_content) == before  # bytes, mtimes, no temp file, no new folder


def test_failure_while_staging_leaves_the_library_as_it_was(seeded_content, monkeypatch, snapshot):
    from generator.library import transaction

    before = snapshot(seeded_content)
    real = transaction._write_new  # where a transaction stages its files
    calls = {"n": 0}

    def stage(path, data, mode):
        calls["n"] += 1
        if calls["n"] == 7:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, data, mode)

    monkeypatch.setattr(transaction, "_write_new", stage)
    report = import_dumps(seeded_content, [FIFTH], today="2026-04-03")
    assert "Permission denied" in report.problems[0].message
    assert snapshot(seeded_content) == before


def test_failed_first_import_leaves_no_folders(tmp_path, monkeypatch):
    content = tmp_path / "content"
    monkeypatch.setattr(os, "replace", lambda src, dst: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    report = import_dumps(content, [FIFTH], today=DATE)
    assert report.problems
    assert not content.exists() or not any(content.rglob("*"))


def test_invalid_library_blocks_the_import(seeded_content, snapshot, capsys):
    path = record_path(seeded_content, "galore")
    path.write_text(path.read_text("utf-8") + "stauts: read\n", "utf-8")
    before = snapshot(seeded_content)
    assert main(["import", str(FIFTH), "--content", str(seeded_content)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:8 [stauts]: unknown field 'stauts' (did you mean 'status'?)" in err
    assert "nothing was written" in err
    assert snapshot(seeded_content) == before


def test_two_different_dumps_with_one_name(seeded_content, tmp_path, snapshot):
    other = tmp_path / "elsewhere" / "fifth_dump.txt"
    other.parent.mkdir()
    other.write_text(FIFTH.read_text("utf-8").replace("Apr 3", "Apr 4"), "utf-8")
    before = snapshot(seeded_content)
    report = import_dumps(seeded_content, [FIFTH, other], today=DATE)
    assert any("two different dumps named 'fifth_dump.txt'" in p.message for p in report.problems)
    assert snapshot(seeded_content) == before
    import_dumps(seeded_content, [FIFTH], today=DATE)
    report = import_dumps(seeded_content, [other], today=DATE)
    assert any("already in" in p.message for p in report.problems)


# ---------------------------------------------------------- named bad input


def _bad_empty(folder: Path) -> tuple[Path, int | None, str]:
    path = folder / "empty.txt"
    path.write_bytes(b"")
    return path, None, "empty file"


def _bad_latin1(folder: Path):
    path = folder / "latin1.txt"
    path.write_bytes("new\n\nSubscribe\n\nPokéChamp: an Expert-level Minimax Language Agent\n".encode("latin-1"))
    return path, 5, "not UTF-8 text"


def _bad_binary(folder: Path):
    path = folder / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200)
    return path, None, "binary file"


def _bad_no_abstract(folder: Path):
    path = folder / "dangling.txt"
    text = FIFTH.read_text("utf-8").rstrip("\n") + "\n\nA Title With No Abstract\n"
    path.write_text(text, "utf-8")
    return path, text.count("\n"), "has no abstract (end of file)"


def _bad_huge_line(folder: Path):
    path = folder / "huge.txt"
    path.write_text(FIFTH.read_text("utf-8") + "\n" + "y" * 5_000_000 + "\n" + "An abstract. " * 30 + "\n", "utf-8")
    return path, FIFTH.read_text("utf-8").count("\n") + 2, "title line is 5,000,000 characters"


def _bad_missing(folder: Path):
    return folder / "does-not-exist.txt", None, "no such file"


def _bad_directory(folder: Path):
    path = folder / "a-folder"
    path.mkdir()
    (path / "inside.txt").write_text("x")
    return path, None, "is a directory"


BAD_INPUTS = {
    "empty-file": _bad_empty,
    "latin-1-file": _bad_latin1,
    "binary-file": _bad_binary,
    "title-without-abstract-at-end": _bad_no_abstract,
    "line-of-5-megabytes": _bad_huge_line,
    "path-that-does-not-exist": _bad_missing,
    "directory": _bad_directory,
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_reported_and_changes_nothing(case, seeded_content, tmp_path, capsys, snapshot):
    folder = tmp_path / "incoming"
    folder.mkdir()
    path, line, fragment = BAD_INPUTS[case](folder)
    before = snapshot(seeded_content)
    status = main(["import", str(FIFTH), str(path), "--content", str(seeded_content), "--date", "2026-04-03"])
    out, err = capsys.readouterr()
    assert status != 0
    where = f"{path}:{line}" if line is not None else f"{path}:"
    assert f"error: {where}" in err, err
    assert fragment in err
    assert "import: added 0, merged 0, problems 1" in err and "nothing was written" in err
    assert out == ""
    assert snapshot(seeded_content) == before
