"""Alias keys: the other citation keys a record was imported under (`extra.ids`).

When import merges a second entry of one paper into a record, that entry's
key is kept under `extra.ids`, biblatex's field for aliases. Only biber reads
it: bibtex, natbib styles and pandoc's citeproc look a key up as an entry's
own, so `\\citet{Godard2019}` would be undefined. The library's `.bib` and
CSL-JSON files therefore carry, right after a record's entry, a copy of it
under each alias key: the same entry, so a citation prints the same whichever
key it uses. An alias that is another record's key (or an earlier record's
alias) gets no copy: two entries with one key are one entry to bibtex.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from generator.export.bibfields import alias_keys
from generator.model import Paper


def citable_aliases(papers: Iterable[Paper]) -> dict[str, list[str]]:
    """Each record's aliases that may be written as entries of their own, by record key."""
    papers = list(papers)
    taken = {p.key.casefold() for p in papers}
    out: dict[str, list[str]] = {}
    for paper in papers:
        free = []
        for alias in alias_keys(paper):
            if alias.casefold() not in taken:
                taken.add(alias.casefold())
                free.append(alias)
        if free:
            out[paper.key] = free
    return out


def with_alias_copies(papers: Iterable[Paper], entries: Mapping[str, str], render: Callable[[Paper], str],
                      join: str) -> dict[str, str]:
    """Each record's entry text followed by its copies under its alias keys.

    `entries` are the records' own entries (as the build caches them);
    `render` writes one paper's entry, called only for the copies; `join` is
    what separates two entries in the library file.
    """
    papers = list(papers)
    by_key = {p.key: p for p in papers}
    out = dict(entries)
    for key, aliases in citable_aliases(papers).items():
        copies = [render(replace(by_key[key], key=alias)) for alias in aliases]
        out[key] = join.join([entries[key], *copies])
    return out
