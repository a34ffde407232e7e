"""Feature numbers that stay the same between calls, so that counting after an
edit looks up the words of the edited documents only.

`similarity._count` numbers the library's features by first use and lays them
out in name order. Doing that from the strings took 0.9 s at 10,000 papers
(three passes of Python over three million features) on every title or
abstract edit under `mkdocs serve`. Here each feature gets a number once, and
each document's numbers are kept by the identity of its feature list
(features.py and evidence.drop_common hand the same list object back while a
text is unchanged), so the passes over the whole library are numpy's.

The numbers only grow while a server runs; once most of them name features
the library no longer has, the table starts over (`retire_if_stale`).
"""

from __future__ import annotations

import numpy as np

from generator.analysis.last_call import kept_by_identity

_STALE_SHARE = 0.5  # start over when fewer than this share of the numbered features are in use


class Vocabulary:
    """Every feature seen so far -> its number, and each document's numbers."""

    def __init__(self) -> None:
        self.number: dict[str, int] = {}
        self.names: list[str] = []
        self._documents: dict[int, tuple[list[str], np.ndarray]] = {}
        self._in_name_order: list[str] = []
        self._name_rank = np.zeros(0, dtype=np.int64)

    def documents(self, docs: list[list[str]]) -> list[np.ndarray]:
        """Each document's feature numbers, in its order; kept only for the documents of this call."""
        self._documents = kept = kept_by_identity(docs, self._numbers, self._documents)
        return [kept[id(doc)][1] for doc in docs]

    def _numbers(self, doc: list[str]) -> np.ndarray:
        number, names = self.number, self.names
        for feature in doc:
            if feature not in number:
                number[feature] = len(names)
                names.append(feature)
        return np.fromiter(map(number.__getitem__, doc), dtype=np.int64, count=len(doc))

    def name_ranks(self) -> np.ndarray:
        """Each number's place among all numbered features in name order."""
        if len(self._name_rank) != len(self.names):
            new = self.names[len(self._in_name_order) :]
            self._in_name_order = sorted(self._in_name_order + new)  # a merge of two runs: quick
            ranks = np.empty(len(self.names), dtype=np.int64)
            ranks[np.fromiter(map(self.number.__getitem__, self._in_name_order), dtype=np.int64, count=len(ranks))] = (
                np.arange(len(ranks))
            )
            self._name_rank = ranks
        return self._name_rank


_VOCABULARY = Vocabulary()


def current_vocabulary() -> Vocabulary:
    """The vocabulary kept from the last call."""
    return _VOCABULARY


def retire_if_stale(in_use: int) -> None:
    """Start the next call with a new vocabulary when most numbered features are no
    longer among the `in_use` features of the library (a long served session)."""
    global _VOCABULARY
    if len(_VOCABULARY.names) > 1000 and in_use < _STALE_SHARE * len(_VOCABULARY.names):
        _VOCABULARY = Vocabulary()


__all__ = ["Vocabulary", "current_vocabulary", "retire_if_stale"]
