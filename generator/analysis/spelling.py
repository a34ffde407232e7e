"""How the papers of a pair write a term, so that a reader sees "GaLore", not "galore".

Kept apart from similarity.py, which decides what links two papers; this only
decides how the linking terms are shown.
"""

from __future__ import annotations


class _Spelling:
    """How one paper's abstract spells the terms it does not always write in lower case.

    Only the abstract votes, and only where a capital means something: not at
    a sentence start ("Pipeline parallelism is ...") and not in the Title Case
    of a title. Those positions only say how to show a term that has no other
    spelling ("GaLore" in a title).
    """

    __slots__ = ("tokens", "capitals", "weak_count", "weak_form")

    def __init__(self) -> None:
        self.tokens: list[str] = []  # the abstract's features, every occurrence
        self.capitals: dict[str, dict[str, int]] = {}  # term -> spelling -> count, where not all lower case
        self.weak_count: dict[str, int] = {}  # term -> occurrences at sentence starts
        self.weak_form: dict[str, str] = {}  # term -> a spelling from a title or sentence start, not all lower case

    def votes(self, term: str, into: dict[str, int]) -> None:
        """Add this abstract's votes for each spelling of a term."""
        capitals = self.capitals.get(term, {})
        for form, count in capitals.items():
            into[form] = into.get(form, 0) + count
        lower = self.tokens.count(term) - self.weak_count.get(term, 0) - sum(capitals.values())
        if lower > 0:
            into[term] = into.get(term, 0) + lower


class _Spellings:
    """Shows a term of a pair of papers as those two papers write it."""

    def __init__(self) -> None:
        self.papers: list[_Spelling] = []

    def show(self, term: str, i: int, j: int) -> str:
        first, second = self.papers[i], self.papers[j]
        if not (term in first.capitals or term in second.capitals or term in first.weak_form or term in second.weak_form):
            return term  # the common case: lower case wherever it means something
        votes: dict[str, int] = {}
        first.votes(term, votes)
        second.votes(term, votes)
        if votes:
            # the most frequent spelling; on a tie the lexicographically
            # greatest, which prefers lower case ("frontier" over "Frontier")
            return max(votes.items(), key=lambda item: (item[1], item[0]))[0]
        return first.weak_form.get(term) or second.weak_form.get(term) or term
