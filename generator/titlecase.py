"""Which words of a title keep their capitals in every bibliography style.

Styles such as `plain` or APA lower-case a title (sentence case), so the
exports protect some words: braces in BibTeX (`{GaLore}`), `nocase` spans in
CSL-JSON. Two things decide which: words that are plainly names (a capital
after the first letter, a capital and a digit), and the phrases the source
itself protected (`keep_case` in a record: `{{Frontier Models}}` in a Zotero
Better BibTeX export, `<span class="nocase">` in CSL-JSON), which no rule
could guess ("English", "Bayesian", "Transformer").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A word: letters and digits, any script.
WORD_RE = re.compile(r"[^\W_]+")


def needs_case_protection(word: str, *, followed_by_space: bool = True) -> bool:
    """Whether a title word must keep its capitals in every bibliography style.

    Yes for a capital after the first letter (GaLore, MoE, LLM, QuIP), a
    capitalised word with a digit (GPT4, 70B), and a single capital letter
    other than the article "A" (the pronoun I, the R of R&B, the A of A*).
    Plain capitalised words are left to the style's sentence casing.
    """
    if len(word) == 1:
        return word.isupper() and (word != "A" or not followed_by_space)
    # A capital after the first letter, or a capital first letter and a digit.
    # The str methods settle the usual words without a loop over characters.
    rest = word[1:]
    if not rest.islower() and any(c.isupper() for c in rest):
        return True
    return word[0].isupper() and not word.isalpha() and any(c.isdigit() for c in word)


def adds_protection(phrase: str) -> bool:
    """Whether protecting `phrase` keeps a capital the word rule would not (so a
    source's `{GaLore}` need not be stored, but `{Frontier Models}` must)."""
    for match in WORD_RE.finditer(phrase):
        end = match.end()
        word = match.group()
        if any(c.isupper() for c in word) and not needs_case_protection(word, followed_by_space=end >= len(phrase) or phrase[end].isspace()):
            return True
    return False


def case_spans(title: str, keep: Iterable[str] = (), also=None) -> list[tuple[int, int]]:
    """(start, end) spans of `title` to protect, in order and apart.

    Each whole-word occurrence of a `keep` phrase is one span; so is every
    word the word rule (or `also(word)`) protects outside them.
    """
    kept: list[tuple[int, int]] = []
    for phrase in sorted(keep, key=len, reverse=True):  # "Megatron-Turing" before "Megatron"
        for match in re.finditer(r"(?<![^\W_])" + re.escape(phrase) + r"(?![^\W_])", title) if phrase else ():
            if not any(s < match.end() and match.start() < e for s, e in kept):
                kept.append(match.span())
    spans = list(kept)
    for match in WORD_RE.finditer(title):
        start, end = match.span()
        if kept and any(s < end and start < e for s, e in kept):
            continue
        spaced = end >= len(title) or title[end].isspace()
        if needs_case_protection(match.group(), followed_by_space=spaced) or (also is not None and also(match.group())):
            spans.append((start, end))
    return sorted(spans)
