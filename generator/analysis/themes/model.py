"""The theme records: Theme, its Rules, their Patterns, and where pins sit.

These are frozen values built by `loading.py` from content/themes.yml and read
by the engine and by rendering. They carry the file position (line, key path)
of what they came from, so later checks can point a curator at the right line;
those positions take no part in equality.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.analysis.themes.phrases import phrase_regex

DEFAULT_MIN_HINTS = 2


@dataclass(frozen=True)
class Pattern:
    """One phrase (or, as an escape hatch, one regular expression) of a rule."""

    text: str
    regex: bool = False
    case_sensitive: bool = False
    # Synonyms written together (`- [supervised fine-tuning, SFT]`) share a
    # concept number and count as one hint; None means the pattern stands alone.
    concept: int | None = None
    # A single word names its topic only when the curator says so
    # (`{phrase: quantiz*, specific: true}`); otherwise it needs a second hint.
    specific: bool = False

    @property
    def broad(self) -> bool:
        """One plain word ("GPUs", "layer", "attention"): evidence, never proof, on its own."""
        if self.regex or self.specific or self.case_sensitive:
            return False
        return len(re.findall(r"[^\s\-\u2010-\u2015/]+", self.text.strip())) == 1

    def source(self) -> str:
        """The regular expression this pattern stands for (may raise PatternError)."""
        if self.regex:
            return self.text
        return phrase_regex(self.text)

    def __str__(self) -> str:
        return f"regex {self.text!r}" if self.regex else repr(self.text)


@dataclass(frozen=True)
class Rules:
    """The rules of one theme; hashable, so one compiled engine serves equal rules."""

    match: tuple[Pattern, ...] = ()
    match_title: tuple[Pattern, ...] = ()
    hints: tuple[Pattern, ...] = ()
    min_hints: int = DEFAULT_MIN_HINTS
    unless: tuple[Pattern, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.match or self.match_title or self.hints)


@dataclass(frozen=True)
class Pin:
    """Where a `papers:` / `not_papers:` entry of themes.yml sits, for messages."""

    paper: str
    keypath: str  # e.g. "themes[3].papers[0]"
    line: int | None


COLUMN_TYPES = ("number", "text", "yes/no")


@dataclass(frozen=True)
class Column:
    """One column of a theme's comparison table: a fact of the records, its heading and type."""

    fact: str  # a key of the records' `facts:` mapping
    title: str
    type: str  # one of COLUMN_TYPES
    line: int | None = field(default=None, compare=False)
    keypath: str = field(default="", compare=False)  # "themes[3].columns[0]"


@dataclass(frozen=True)
class Step:
    """One step of a theme's `start_here:` reading order, with the curator's reason."""

    paper: str
    why: str
    line: int | None = field(default=None, compare=False)
    keypath: str = field(default="", compare=False)


@dataclass(frozen=True)
class Theme:
    """A curated collection: what readers see of it, and what decides its papers."""

    id: str
    title: str
    intro: str  # Markdown written by the curator, for readers new to the area
    short: str = ""  # one line for cards and lists; defaults to the intro's first sentence
    rules: Rules = Rules()
    papers: tuple[str, ...] = ()  # pinned in by themes.yml
    not_papers: tuple[str, ...] = ()  # kept out by themes.yml
    columns: tuple[Column, ...] = ()  # comparison table over the members' facts
    start_here: tuple[Step, ...] = ()  # reading order shown first on the theme page
    line: int | None = field(default=None, compare=False)
    keypath: str = field(default="", compare=False)  # "themes[3]"
    pin_sites: tuple[Pin, ...] = field(default=(), compare=False, repr=False)

    @property
    def pinned(self) -> tuple[str, ...]:
        return self.papers

    @property
    def excluded(self) -> tuple[str, ...]:
        return self.not_papers
