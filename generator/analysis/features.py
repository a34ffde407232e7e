"""A paper's words for related papers (similarity.py): unigrams and adjacent
bigrams of its title and abstract, how it spells them, and the coined names
it writes ("GaLore", "ZeRO"). The tokens and terms rules are in similarity.py's
docstring; they are made here, one paper at a time, from its text alone.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

from generator.analysis.spelling import _Spelling
from generator.analysis.stopwords import ENGLISH_STOP_WORDS, RESEARCH_STOP_WORDS
from generator.model import Paper

STOP_WORDS = ENGLISH_STOP_WORDS | RESEARCH_STOP_WORDS

# A word (letters and digits with inner hyphens: "low-rank", "sphinx-x", "fp8"),
# or any other visible character, which stops a bigram.
_PIECE_RE = re.compile(r"[^\W_]+(?:-[^\W_]+)*|\S")
_HAS_LETTER_RE = re.compile(r"[^\W\d_]")
# Sizes and factors say nothing about a topic: "7b", "100k", "2x" (but "3d", "fp8" stay).
_QUANTITY_RE = re.compile(r"\d+(?:\.\d+)?[kmbtx]")


class _Tokenizer:
    """Turns a text into its unigram and adjacent-bigram features, lower-cased."""

    def __init__(self) -> None:
        # white-space-separated chunk -> its pieces: (raw, feature or None when dropped,
        # the spelling to show where a capital says nothing)
        self._chunks: dict[str, tuple[tuple[str, str | None, str], ...]] = {}
        self.coined: set[str] = set()  # features some paper writes as a coined name ("GaLore", "ZeRO")

    @staticmethod
    def _pieces(chunk: str) -> tuple[tuple[str, str | None, str], ...]:
        pieces = []
        for raw in _PIECE_RE.findall(chunk):
            token = raw.lower()
            if (
                len(token) > 1
                and token not in STOP_WORDS
                and _HAS_LETTER_RE.search(token) is not None
                and _QUANTITY_RE.fullmatch(token) is None
            ):
                pieces.append((raw, token, _plain_case(raw)))
            else:
                pieces.append((raw, None, raw))
        return tuple(pieces)

    def __call__(self, text: str, spelling: _Spelling, title: bool = False) -> list[str]:
        """Features of a text, noting how it spells them; a title is all Title Case."""
        out: list[str] = []
        chunks = self._chunks
        prev: str | None = None  # previous kept token, when nothing but space lies between
        prev_form = ""
        prev_weak = False
        sentence_start = True
        # Pieces never span white space, so splitting on it first (fast) and
        # caching each chunk's pieces finds the same pieces as the regex alone.
        for chunk in text.split():
            pieces = chunks.get(chunk)
            if pieces is None:
                pieces = chunks[chunk] = self._pieces(chunk)
            for raw, token, plain in pieces:
                if token is None:  # a dropped word or a punctuation mark: no bigram across it
                    prev = None
                    sentence_start = raw in ".!?" or (sentence_start and not raw[0].isalnum())
                    continue
                weak = title or sentence_start
                sentence_start = False
                form = plain if weak else raw
                out.append(token)
                if plain == raw and raw != token:  # a capital inside or all capitals: a coined name
                    self.coined.add(token)
                if "-" in token and raw != raw.lower() and _plain_case(raw) == raw:  # a coined name: "ZeRO-Offload" is also "ZeRO"
                    for part, part_raw in zip(token.split("-"), raw.split("-")):
                        if part not in STOP_WORDS and len(part) > 1 and _HAS_LETTER_RE.search(part) and not _QUANTITY_RE.fullmatch(part):
                            out.append(part)
                            if _plain_case(part_raw) == part_raw and part_raw != part:
                                self.coined.add(part)
                            self._note(spelling, part, part_raw if not weak else _plain_case(part_raw), weak, title)
                if weak or form != token:  # most words are neither: nothing to note
                    self._note(spelling, token, form, weak, title)
                if prev is not None:
                    bigram = f"{prev} {token}"
                    out.append(bigram)
                    if prev_weak or weak or prev_form != prev or form != token:
                        self._note(spelling, bigram, f"{prev_form} {form}", prev_weak or weak, title)
                prev, prev_form, prev_weak = token, form, weak
        if not title:
            spelling.tokens = out  # shared with the vectoriser, never changed
        return out

    @staticmethod
    def _note(spelling: _Spelling, term: str, form: str, weak: bool, title: bool) -> None:
        if weak:
            if not title:
                spelling.weak_count[term] = spelling.weak_count.get(term, 0) + 1
            if form != term:
                spelling.weak_form.setdefault(term, form)
            return
        if form != term:
            counts = spelling.capitals.setdefault(term, {})
            counts[form] = counts.get(form, 0) + 1


def _plain_case(raw: str) -> str:
    """ "Pipeline" and "Low-Rank" -> lower case; "GaLore", "LLM", "FP8" stay."""
    if all(part[:1].isupper() and part[1:] == part[1:].lower() for part in raw.split("-") if part):
        return raw.lower()
    return raw


# (title, abstract) -> what `_paper_features` made of them. Kept between the
# rebuilds of one `mkdocs serve`: after a title edit only that paper is split
# into words again (a third of the related papers' time at 10,000 papers).
# Nothing reads these objects but to look: a paper's features are its text's alone.
_FEATURES: dict[tuple[str, str], tuple[list[str], list[str], _Spelling, set[str]]] = {}


def _paper_features(papers: Sequence[Paper]) -> list[tuple[list[str], list[str], _Spelling, set[str]]]:
    """Each paper's title features, abstract features, spellings and coined names."""
    global _FEATURES
    tokenizer = _Tokenizer()
    found = {}
    for paper in papers:
        text = (paper.title, paper.abstract)
        if text not in found:
            found[text] = _FEATURES.get(text) or _features_of(text, tokenizer)
    _FEATURES = found  # only the library's current texts stay in memory
    return [found[(paper.title, paper.abstract)] for paper in papers]


def warm_features(papers: Sequence[Paper], pause: Callable[[], object] = lambda: None, every: int = 200) -> None:
    """Split these papers' texts into features ahead of the next `_paper_features`, keeping
    what is known already; `pause()` is called every `every` papers (a rebuild goes first)."""
    tokenizer = _Tokenizer()
    for start in range(0, len(papers), every):
        pause()
        for paper in papers[start:start + every]:
            text = (paper.title, paper.abstract)
            if text not in _FEATURES:
                _FEATURES[text] = _features_of(text, tokenizer)


def _features_of(text: tuple[str, str], tokenizer: _Tokenizer) -> tuple[list[str], list[str], _Spelling, set[str]]:
    spelling = _Spelling()
    title = tokenizer(text[0], spelling, title=True)
    abstract = tokenizer(text[1], spelling)
    found = (title, abstract, spelling, tokenizer.coined)
    tokenizer.coined = set()
    return found
