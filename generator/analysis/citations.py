"""Citations inside the list: stored references -> edges between papers of the library.

A record's `references:` are external ids (arXiv ids, DOIs) of whatever the
paper cites, most of it outside the list. An edge A -> B exists when one of
A's references is an id of B (its `arxiv`, its `doi`, or an arXiv or doi.org
`url`), compared in the one canonical form of `generator.identifiers`. So an
edge appears by itself when the cited paper is added later, and adding or
removing a paper changes only the edges that touch it: every paper holding an
id receives the edge (two records of one paper both do), and no paper's
edges depend on any third paper.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from generator.identifiers import external_id
from generator.model import Paper


def paper_ids(paper: Paper) -> set[str]:
    """The canonical external ids a reference may name this paper by."""
    return {found for found in (external_id(paper.arxiv), external_id(paper.doi), external_id(paper.url)) if found}


@dataclass(frozen=True)
class CitationGraph:
    """Who cites whom inside the library; both directions, keys sorted."""

    cites: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    cited_by: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def cites_of(self, key: str) -> tuple[str, ...]:
        return tuple(self.cites.get(key, ()))

    def cited_by_of(self, key: str) -> tuple[str, ...]:
        return tuple(self.cited_by.get(key, ()))

    def edges(self) -> set[tuple[str, str]]:
        """Every (citing, cited) pair."""
        return {(a, b) for a, targets in self.cites.items() for b in targets}

    def within(self, keys: Iterable[str]) -> CitationGraph:
        """Only the citations between papers of `keys` (a theme's members)."""
        inside = set(keys)
        return _graph((a, b) for a in inside for b in self.cites.get(a, ()) if b in inside)


def _graph(edges: Iterable[tuple[str, str]]) -> CitationGraph:
    cites: dict[str, set[str]] = {}
    cited_by: dict[str, set[str]] = {}
    for a, b in edges:
        cites.setdefault(a, set()).add(b)
        cited_by.setdefault(b, set()).add(a)
    return CitationGraph(
        {k: tuple(sorted(v)) for k, v in sorted(cites.items())},
        {k: tuple(sorted(v)) for k, v in sorted(cited_by.items())},
    )


def citation_graph(papers: Iterable[Paper]) -> CitationGraph:
    """The edges among `papers` that their stored references give; self-citations left out."""
    papers = tuple(papers)
    holders: dict[str, list[str]] = {}
    for paper in papers:
        for found in paper_ids(paper):
            holders.setdefault(found, []).append(paper.key)
    edges = []
    for paper in papers:
        for ref in paper.references:
            edges.extend((paper.key, cited) for cited in holders.get(ref, ()) if cited != paper.key)
    return _graph(edges)


def foundations(graph: CitationGraph, limit: int = 5) -> list[tuple[str, int]]:
    """The most cited papers of `graph` (a theme's own citations): (key, count), most cited first.

    Only papers cited at least twice count as foundations when any is; in a
    sparse theme one citation is enough.
    """
    counts = sorted(((len(citing), key) for key, citing in graph.cited_by.items()), key=lambda c: (-c[0], c[1]))
    floor = 2 if counts and counts[0][0] >= 2 else 1
    return [(key, count) for count, key in counts if count >= floor][:limit]


__all__ = ["CitationGraph", "citation_graph", "foundations", "paper_ids"]
