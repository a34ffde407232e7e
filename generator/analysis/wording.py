"""Why two papers are related, in words a reader understands.

The shared terms of a link ("GaLore", "optimizer states", "memory") are told
as what both papers are about, the names both use, and other words both
mention: "both are about optimizer states; both name GaLore; both mention
memory", rather than a bare list of terms.
"""

from __future__ import annotations


def group_terms(terms: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(verb, terms) groups: what both are about, the names both use, other words.

    A phrase of two words or a lower-case compound is a topic ("optimizer
    states", "cross-lingual"); one word with a capital inside or all in
    capitals is a name ("GaLore", "ZeRO", "PTQ"); any other word is only
    something both mention. A part of a compound shown beside it ("modal"
    next to "multi-modal") is not said twice.
    """
    parts = {piece.lower() for term in terms if "-" in term for piece in term.split("-")}
    groups: dict[str, list[str]] = {"are about": [], "name": [], "mention": []}
    for term in terms:
        if "-" not in term and " " not in term and term.lower() in parts:
            continue
        if " " in term or ("-" in term and term == term.lower()):
            groups["are about"].append(term)
        elif any(c.isupper() for c in term[1:]) or (term.isupper() and len(term) > 1):
            groups["name"].append(term)
        else:
            groups["mention"].append(term)
    return tuple((verb, tuple(found)) for verb, found in groups.items() if found)
