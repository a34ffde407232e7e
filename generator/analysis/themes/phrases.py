"""The phrase language of theme rules: what a curator's phrase means, and whether a pattern is safe.

A phrase is whole words, case-insensitive unless marked `case-sensitive`; a
space or hyphen between words matches a space, a hyphen or nothing
("fine-tuning" finds "fine tuning" and "finetuning"); `*` stands for any
letters or digits ("quantiz*" finds "quantized" and "quantization").

Two readings of the same language live here, so they cannot drift apart:
`phrase_regex` (a regular expression, used to confirm case-sensitive phrases
and to check patterns) and `phrase_forms` (the token sequences the matching
engine in `engine.py` indexes). `check_pattern` is the one gate a pattern
passes before it is used: length limits, compiling, and the regex safety
check against catastrophic backtracking.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # model.Pattern calls phrase_regex, so model imports this module, not the reverse
    from generator.analysis.themes.model import Pattern

MAX_PHRASE_WORDS = 8
MAX_PHRASE_CHARS = 200

# A space or hyphen between two words of a phrase matches any run of spaces,
# hyphens, dashes and slashes, or nothing at all.
_WORD_SPLIT = re.compile(r"[\s\-\u2010-\u2015/]+")
_JOIN = r"[\s\-\u2010-\u2015/]*"
_PHRASE_TOKEN_RE = re.compile(r"[\w*]+|[^\w\s*]")
# A quantified group whose content ends in a quantifier: the classic catastrophic-backtracking shape.
_NESTED_REPEAT = re.compile(r"\((?:[^()\\]|\\.)*[+*}?]\)[+*{]")


class PatternError(ValueError):
    """A pattern that cannot be used; the message is written for a curator."""


def phrase_regex(phrase: str) -> str:
    """The regular expression (without word boundaries) of a curator's phrase."""
    words = [w for w in _WORD_SPLIT.split(phrase.strip()) if w]
    if not any(ch.isalnum() for w in words for ch in w):
        raise PatternError(f"the phrase {phrase!r} needs at least one letter or digit")
    parts = []
    for word in words:
        parts.append("".join(r"\w*" if ch == "*" else re.escape(ch) for ch in word))
    return _JOIN.join(parts)


def phrase_forms(phrase: str) -> list[tuple[str, ...]]:
    """The token sequences a phrase matches: words apart, or joined with nothing between.

    "fine-tuning" -> [("fine", "tuning"), ("finetuning",)]
    """
    words = [_PHRASE_TOKEN_RE.findall(w) for w in _WORD_SPLIT.split(phrase.strip()) if w]
    words = [w for w in words if w]
    forms: list[list[str]] = [list(words[0])] if words else []
    for word in words[1:]:
        grown = []
        for form in forms:
            grown.append(form + word)  # apart
            last, first = form[-1], word[0]
            if _wordy(last) and _wordy(first):  # joined: "fine" + "tuning" -> "finetuning"
                grown.append(form[:-1] + [last + first] + word[1:])
        forms = grown
    return [tuple(f) for f in dict.fromkeys(tuple(f) for f in forms)]


def _wordy(token: str) -> bool:
    return any(ch.isalnum() or ch in "_*" for ch in token)


def check_pattern(pattern: Pattern) -> str | None:
    """Why a pattern cannot be used, or None when it compiles and is safe."""
    if len(pattern.text) > MAX_PHRASE_CHARS:
        return f"the {'regex' if pattern.regex else 'phrase'} {pattern.text[:40]!r}... is longer than {MAX_PHRASE_CHARS} characters"
    if not pattern.regex and len([w for w in _WORD_SPLIT.split(pattern.text.strip()) if w]) > MAX_PHRASE_WORDS:
        return f"the phrase {pattern.text!r} has more than {MAX_PHRASE_WORDS} words; shorten it or write a regex"
    try:
        source = pattern.source()
    except PatternError as err:
        return str(err)
    if not pattern.regex:
        return None  # built from escaped characters: it always compiles, so it is not compiled here
    try:
        compiled = compile_regex(source, 0 if pattern.case_sensitive else re.IGNORECASE)
    except re.error as err:
        where = f" at position {err.pos}" if err.pos is not None else ""
        return f"the regex {pattern.text!r} does not compile: {err.msg}{where}"
    except (RecursionError, OverflowError, ValueError) as err:
        return f"the regex {pattern.text!r} does not compile: {err}"
    if compiled.search("") is not None:
        return f"the regex {pattern.text!r} matches empty text, so it would match every paper"
    if _NESTED_REPEAT.search(pattern.text) or _nested_repeat(source, compiled.flags):
        return f"the regex {pattern.text!r} repeats a group that itself repeats or branches (like '(a+)+' or '(.*a){{3}}'), which can take very long on some texts; rewrite it"
    if _open_repeats(source, compiled.flags) > MAX_OPEN_REPEATS:
        return f"the regex {pattern.text!r} has more than {MAX_OPEN_REPEATS} unbounded repeats ('*', '+', '{{n,}}'), which can take very long on some texts; split it into several patterns"
    return None


# At most this many `*`, `+` or `{n,}` in one regex: each one more multiplies
# the work of a failing match by the text's length (`.*a.*a.*a...`).
MAX_OPEN_REPEATS = 4


def _tree(source: str, flags: int) -> list:
    """The parsed regex as (op, argument) items (re's own parser)."""
    try:
        from re import _parser as sre_parse  # Python 3.11+
    except ImportError:  # pragma: no cover - older Pythons
        import sre_parse  # type: ignore[no-redef]
    return list(sre_parse.parse(source, flags))


def _children(op, av) -> list:
    """The sub-patterns under one parsed item."""
    name = str(op)
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        return [av[2]]
    if name == "SUBPATTERN":
        return [av[3]]
    if name == "BRANCH":
        return list(av[1])
    if name in ("ASSERT", "ASSERT_NOT"):
        return [av[1]]
    if name == "ATOMIC_GROUP":
        return [av]
    if name == "GROUPREF_EXISTS":
        return [p for p in av[1:] if p is not None]
    return []


def _walk(items, inside_repeat: bool = False):
    """(op, argument, whether it is inside a repeat of more than once) for every item."""
    for op, av in items:
        yield op, av, inside_repeat
        repeats = str(op) in ("MAX_REPEAT", "MIN_REPEAT") and av[1] > 1
        for child in _children(op, av):
            yield from _walk(child, inside_repeat or repeats)


def _nested_repeat(source: str, flags: int) -> bool:
    """Whether a repeat (of more than once) holds another repeat or a branch:
    star height above one, where backtracking can grow exponentially."""
    return any(
        inside and str(op) in ("MAX_REPEAT", "MIN_REPEAT", "BRANCH")
        for op, _av, inside in _walk(_tree(source, flags))
    )


def _open_repeats(source: str, flags: int) -> int:
    from re import _constants

    return sum(
        1 for op, av, _inside in _walk(_tree(source, flags))
        if str(op) in ("MAX_REPEAT", "MIN_REPEAT") and av[1] == _constants.MAXREPEAT
    )


@functools.lru_cache(maxsize=1024)
def compile_regex(source: str, flags: int) -> re.Pattern[str]:
    """A curator's regex, compiled once for checking and matching (`re`'s own
    cache is shared with every other stage's regexes and may drop it in between)."""
    return re.compile(source, flags)
