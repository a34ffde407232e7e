"""Related papers updated after an edit are exactly what computing them again gives
(generator/analysis/related_update.py), on the seed library with edits of every kind."""

from __future__ import annotations

import dataclasses
import random

import pytest

from generator.analysis import related_update
from generator.analysis.related_update import related_papers_updated
from generator.analysis.similarity import related_papers
from generator.model import Paper


@pytest.fixture
def calls(monkeypatch):
    """How often everything was computed again, and how many rows were scored one by one."""
    seen = {"everything": 0, "scored_rows": 0}
    everything, scores = related_update._everything, related_update._scores

    def counting_everything(*args):
        seen["everything"] += 1
        return everything(*args)

    def counting_scores(matrix, rows):
        seen["scored_rows"] += len(rows)
        return scores(matrix, rows)

    monkeypatch.setattr(related_update, "_everything", counting_everything)
    monkeypatch.setattr(related_update, "_scores", counting_scores)
    return seen


def _edits(papers: list[Paper], rng: random.Random):
    """(what, index, new paper): title and abstract edits a curator makes, and some that move links."""
    other = lambda: papers[rng.randrange(len(papers))]  # noqa: E731
    yield "word added to a title", 3, lambda p: dataclasses.replace(p, title=p.title + " Revisited")
    yield "title of another paper", 40, lambda p: dataclasses.replace(p, title=other().title)
    yield "abstract of another paper", 41, lambda p: dataclasses.replace(p, abstract=other().abstract)
    yield "capitals only (how terms are spelled)", 42, lambda p: dataclasses.replace(p, abstract=p.abstract.upper())
    yield "a coined name from another paper", 43, lambda p: dataclasses.replace(p, title=p.title + " with " + other().title.split(":")[0])
    yield "text emptied", 44, lambda p: dataclasses.replace(p, title="Untitled", abstract="")
    yield "sentence dropped", 45, lambda p: dataclasses.replace(p, abstract=". ".join(p.abstract.split(". ")[1:]))
    yield "nothing in the text", 46, lambda p: dataclasses.replace(p, notes="a note")
    for _ in range(4):
        yield "two words of another abstract", rng.randrange(len(papers)), lambda p: dataclasses.replace(
            p, title=p.title + " " + " ".join(other().abstract.split()[5:7]))


@pytest.mark.parametrize("rows_per_block", [None, 3])
def test_every_update_is_what_computing_again_gives(library, calls, monkeypatch, rows_per_block):
    papers = sorted(library, key=lambda p: p.key)
    if rows_per_block:  # changed rows scored a few at a time, as a large library scores them
        monkeypatch.setattr(related_update, "_BLOCK_CELLS", rows_per_block * len(papers))
    related, state = related_papers_updated(papers, 5, None)
    assert related == related_papers(papers)
    assert calls["everything"] == 1
    rng = random.Random(7)
    edits = list(_edits(papers, rng))
    for what, index, edit in edits:
        papers[index] = edit(papers[index])
        related, state = related_papers_updated(papers, 5, state)
        assert related == related_papers(papers), what
    # a new abstract moves the weights of most papers' words: those edits compute everything again
    updates = len(edits) + 1 - calls["everything"]
    assert updates >= len(edits) // 2, "most edits are updates, not a new computation"
    assert 0 < calls["scored_rows"] < updates * len(papers) // 2  # only changed rows and a few untrusted ones


def test_papers_added_or_removed_compute_everything_again(library, calls):
    papers = sorted(library, key=lambda p: p.key)
    _, state = related_papers_updated(papers, 5, None)
    fewer = papers[:-1]
    related, state = related_papers_updated(fewer, 5, state)
    assert related == related_papers(fewer)
    more = fewer + [Paper(key="zz-new", title="Low-Rank Gradient Projection for Memory-Efficient Training", abstract="", added="2025-01-01")]
    related, _ = related_papers_updated(more, 5, state)
    assert related == related_papers(more)
    assert calls["everything"] == 3


def test_many_changed_rows_compute_everything_again(library, calls):
    papers = sorted(library, key=lambda p: p.key)
    _, state = related_papers_updated(papers, 5, None)
    changed = [dataclasses.replace(p, title=p.title + " Revisited") if i % 3 else p for i, p in enumerate(papers)]  # two thirds
    related, _ = related_papers_updated(changed, 5, state)
    assert related == related_papers(changed)
    assert calls["everything"] == 2
