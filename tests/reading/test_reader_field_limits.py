"""An over-long venue costs that field, not the paper, whatever the reader."""

from __future__ import annotations

import json
from pathlib import Path

from generator.cli import main
from generator.library.records import load_library
from generator.limits import MAX_VENUE_CHARS

VENUE = "Proceedings of the " + "Very " * 200 + "Long Workshop"


def _import(path: Path, content: Path, capsys) -> str:
    main(["import", str(path), "--content", str(content)])
    return capsys.readouterr().err


def test_an_over_long_csl_container_keeps_the_paper_and_the_whole_container(tmp_path, capsys):
    assert len(VENUE) > MAX_VENUE_CHARS
    items = [{"id": "longct", "type": "paper-conference", "title": "A Paper", "container-title": VENUE, "page": "1-9"}]
    path = tmp_path / "long.json"
    path.write_text(json.dumps(items, indent=1), "utf-8")
    content = tmp_path / "content"
    err = _import(path, content, capsys)
    assert f"{path}:2:" in err and "longct" in err and "container-title is" in err and "not shown as the venue" in err
    paper = load_library(content).by_key()["longct"]
    assert paper.venue is None and dict(paper.extra)["container-title"] == VENUE and paper.pages == "1-9"


def test_an_over_long_ris_journal_keeps_the_paper_and_the_whole_journal(tmp_path, capsys):
    path = tmp_path / "long.ris"
    path.write_text("TY  - JOUR\nID  - longjo\nTI  - A Paper\nT2  - " + VENUE + "\nVL  - 3\nER  - \n", "utf-8")
    content = tmp_path / "content"
    err = _import(path, content, capsys)
    assert f"{path}:1:" in err and "T2 (secondary_title) is" in err and "not shown as the venue" in err
    paper = load_library(content).by_key()["longjo"]
    assert paper.venue is None and dict(paper.extra)["secondary_title"] == VENUE and paper.volume == "3"


def test_an_over_long_title_or_author_list_still_skips_the_entry(tmp_path, capsys):
    items = [
        {"id": "long", "type": "article", "title": "t" * 1_000},
        {"id": "many", "type": "article", "title": "Many", "author": [{"family": f"A{i}"} for i in range(5_001)]},
        {"id": "ok", "type": "article", "title": "Ok"},
    ]
    path = tmp_path / "t.json"
    path.write_text(json.dumps(items), "utf-8")
    content = tmp_path / "content"
    err = _import(path, content, capsys)
    assert "title is 1,000 characters; at most 600 expected; this entry was skipped" in err
    assert "5,001 authors; at most 5,000 expected; this entry was skipped" in err
    assert sorted(load_library(content).by_key()) == ["ok"]
