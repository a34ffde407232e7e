"""Themes stage: content/themes.yml -> Theme records -> per-paper assignments.

A theme is a curated collection: an id, a title, an introduction for readers,
and rules that decide which papers belong to it. Rules are plain phrases a
curator can read (see the header of content/themes.yml and
docs-snippets/themes.md for the syntax):

    match:        phrases that place a paper when found in its title or abstract
    match_title:  phrases that place a paper only when found in its title
    hints:        weaker phrases; a paper needs `min_hints` (default 2) different ones
    unless:       phrases that keep a paper out of the theme's rules
    papers:       paper keys pinned in;  not_papers: paper keys kept out

A paper's own record may pin itself in (`themes:`) or out (`not_themes:`).
Precedence, strongest first: the record's `not_themes`, the record's `themes`,
themes.yml `not_papers`, themes.yml `papers`, then the rules.

Phrases are whole words, case-insensitive unless marked `case-sensitive`; a
space or hyphen between words matches a space, a hyphen or nothing
("fine-tuning" finds "fine tuning" and "finetuning"); `*` stands for any
letters or digits ("quantiz*" finds "quantized" and "quantization").

Matching is built for large libraries: every phrase of every theme is indexed
once by its first word, and each title and abstract is read once, token by
token, whatever the number of themes (see `_Engine`). Curators' regexes, the
escape hatch, are the only patterns searched one by one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.library import schema
from generator.library.records import did_you_mean, line_of, load_yaml
from generator.model import Paper, Problem, ThemeAssignment

THEMES_FILE = "themes.yml"
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
RESERVED_IDS = frozenset({"index", "all", "unsorted"})  # names of the site's own theme pages
RULE_KEYS = ("match", "match_title", "hints", "unless")
DEFAULT_MIN_HINTS = 2
MAX_PHRASE_WORDS = 8
MAX_PHRASE_CHARS = 200

# A space or hyphen between two words of a phrase matches any run of spaces,
# hyphens, dashes and slashes, or nothing at all.
_WORD_SPLIT = re.compile(r"[\s\-\u2010-\u2015/]+")
_JOIN = r"[\s\-\u2010-\u2015/]*"
_QUOTE_MAX = 60


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Pattern:
    """One phrase (or, as an escape hatch, one regular expression) of a rule."""

    text: str
    regex: bool = False
    case_sensitive: bool = False
    # Synonyms written together (`- [supervised fine-tuning, SFT]`) share a
    # concept number and count as one hint; None means the pattern stands alone.
    concept: int | None = None

    def source(self) -> str:
        """The regular expression this pattern stands for (may raise PatternError)."""
        if self.regex:
            return self.text
        return phrase_regex(self.text)

    def __str__(self) -> str:
        return f"regex {self.text!r}" if self.regex else repr(self.text)


@dataclass(frozen=True)
class Rules:
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


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    intro: str  # Markdown written by the curator, for readers new to the area
    short: str = ""  # one line for cards and lists; defaults to the intro's first sentence
    rules: Rules = Rules()
    papers: tuple[str, ...] = ()  # pinned in by themes.yml
    not_papers: tuple[str, ...] = ()  # kept out by themes.yml
    line: int | None = field(default=None, compare=False)
    keypath: str = field(default="", compare=False)  # "themes[3]"
    pin_sites: tuple[Pin, ...] = field(default=(), compare=False, repr=False)

    @property
    def pinned(self) -> tuple[str, ...]:
        return self.papers

    @property
    def excluded(self) -> tuple[str, ...]:
        return self.not_papers


class PatternError(ValueError):
    """A pattern that cannot be used; the message is written for a curator."""


# --------------------------------------------------------------------------- patterns


def phrase_regex(phrase: str) -> str:
    """The regular expression (without word boundaries) of a curator's phrase."""
    words = [w for w in _WORD_SPLIT.split(phrase.strip()) if w]
    if not any(ch.isalnum() for w in words for ch in w):
        raise PatternError(f"the phrase {phrase!r} needs at least one letter or digit")
    parts = []
    for word in words:
        parts.append("".join(r"\w*" if ch == "*" else re.escape(ch) for ch in word))
    return _JOIN.join(parts)


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
        compiled = _compile(source, 0 if pattern.case_sensitive else re.IGNORECASE)
    except re.error as err:
        where = f" at position {err.pos}" if err.pos is not None else ""
        return f"the regex {pattern.text!r} does not compile: {err.msg}{where}"
    except (RecursionError, OverflowError, ValueError) as err:
        return f"the regex {pattern.text!r} does not compile: {err}"
    if compiled.search("") is not None:
        return f"the regex {pattern.text!r} matches empty text, so it would match every paper"
    if _NESTED_REPEAT.search(pattern.text):
        return f"the regex {pattern.text!r} repeats a group that itself repeats (like '(a+)+'), which can take very long on some texts; rewrite it"
    return None


# A quantified group whose content ends in a quantifier: the classic catastrophic-backtracking shape.
_NESTED_REPEAT = re.compile(r"\((?:[^()\\]|\\.)*[+*}?]\)[+*{]")


@functools.lru_cache(maxsize=1024)
def _compile(source: str, flags: int) -> re.Pattern[str]:
    """A curator's regex, compiled once for checking and matching (`re`'s own
    cache is shared with every other stage's regexes and may drop it in between)."""
    return re.compile(source, flags)


# --------------------------------------------------------------------------- matching engine
#
# Titles and abstracts are split into tokens once (words, and punctuation marks
# as tokens of their own; spaces, hyphens, dashes and slashes only separate).
# Every phrase of every theme is tokenized the same way and indexed by its
# first token, so one pass over a text's tokens, with one dictionary look-up
# per token, finds every phrase of every theme, overlapping ones included.
# What a token can start is computed once per distinct token and cached, and
# which of those phrases a next token continues, once per pair of tokens.
# Curators' regexes cannot be indexed and are searched one by one.

_TOKEN_RE = re.compile(r"\w+|[^\w\s\-\u2010-\u2015/]")
_PHRASE_TOKEN_RE = re.compile(r"[\w*]+|[^\w\s*]")
_PHRASE_WORDS_RE = re.compile(r"[\s\-\u2010-\u2015/]+")
# A token matcher: (EXACT, text) | (PREFIX, text) | (WILD, compiled regex)
EXACT, PREFIX, WILD = 0, 1, 2


def _token_matcher(token: str) -> tuple[int, Any]:
    if "*" not in token:
        return (EXACT, token)
    if token.count("*") == 1 and token.endswith("*") and len(token) > 1:
        return (PREFIX, token[:-1])
    return (WILD, re.compile("".join(r"\w*" if ch == "*" else re.escape(ch) for ch in token)))


def phrase_forms(phrase: str) -> list[tuple[str, ...]]:
    """The token sequences a phrase matches: words apart, or joined with nothing between.

    "fine-tuning" -> [("fine", "tuning"), ("finetuning",)]
    """
    words = [_PHRASE_TOKEN_RE.findall(w) for w in _PHRASE_WORDS_RE.split(phrase.strip()) if w]
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


@dataclass(frozen=True)
class _Role:
    rule: int  # index of the Rules in the engine
    kind: str  # "match", "match_title", "hints" or "unless"
    concept: object  # what counts as one hint
    pattern: Pattern


@dataclass(frozen=True)
class _Entry:
    """One token form of one phrase, indexed by its first (lower-cased) token."""

    rest: tuple[tuple[int, Any], ...]  # matchers for the following tokens
    pid: int
    case_sensitive: bool  # then a hit is confirmed on the original text (see `_Index.scan`)


def _token_matches(matcher: tuple[int, Any], token: str) -> bool:
    kind, value = matcher
    if kind == EXACT:
        return token == value
    if kind == PREFIX:
        return token.startswith(value)
    return value.fullmatch(token) is not None


class _Index:
    """Phrases indexed by their first token, for one kind of text (titles or abstracts)."""

    def __init__(self) -> None:
        self.regexes: list[tuple[re.Pattern[str], int]] = []
        self.exact_case: dict[int, re.Pattern[str]] = {}  # case-sensitive phrases, confirmed on the original text
        self.indexed: set[int] = set()
        self._exact: dict[str, list[_Entry]] = {}
        self._prefix: dict[str, list[_Entry]] = {}
        self._wild: list[tuple[re.Pattern[str], _Entry]] = []
        self._prefix_lengths: list[int] = []
        self._starts: dict[str, tuple | None] = {}
        self._active: set[str] = set()  # tokens of `_starts` at which something starts
        self._follow: dict[tuple[str, str], tuple] = {}  # (token, next token) -> steps, see `_following`

    def add(self, pattern: Pattern, pid: int) -> None:
        if pid in self.indexed:
            return
        self.indexed.add(pid)
        self._forget()
        if pattern.regex:
            flags = 0 if pattern.case_sensitive else re.IGNORECASE
            self.regexes.append((_compile(pattern.text, flags), pid))
            return
        if pattern.case_sensitive:
            self.exact_case[pid] = re.compile(r"(?<!\w)(?:" + phrase_regex(pattern.text) + r")(?!\w)")
        for form in phrase_forms(pattern.text.lower()):
            matchers = tuple(_token_matcher(t) for t in form)
            entry = _Entry(matchers[1:], pid, pattern.case_sensitive)
            kind, value = matchers[0]
            if kind == EXACT:
                self._exact.setdefault(value, []).append(entry)
            elif kind == PREFIX:
                self._prefix.setdefault(value, []).append(entry)
            else:
                self._wild.append((value, entry))
        self._prefix_lengths = sorted({len(k) for k in self._prefix}, reverse=True)

    def _forget(self) -> None:
        """Drop what was worked out per token (after a new phrase, or to bound memory)."""
        self._starts.clear()
        self._active.clear()
        self._follow.clear()

    def _entries(self, token: str) -> tuple | None:
        """What may start at a (lower-cased) token, grouped for speed; cached.

        (phrase ids complete at this token, {next token: steps}, entries whose
        second token is a wildcard) or None when nothing starts here; steps
        are what `_following` returns.
        """
        found = list(self._exact.get(token, ()))
        for length in self._prefix_lengths:
            if length <= len(token):
                found.extend(self._prefix.get(token[:length], ()))
        for rx, entry in self._wild:
            if rx.fullmatch(token):
                found.append(entry)
        value = None
        if found:
            singles = tuple(e.pid for e in found if not e.rest)
            by_next: dict[str, list[_Entry]] = {}
            others = []
            for e in found:
                if not e.rest:
                    continue
                if e.rest[0][0] == EXACT:
                    by_next.setdefault(e.rest[0][1], []).append(e)
                else:
                    others.append(e)
            steps = {following: tuple((e.rest[1:], e.pid, e.case_sensitive) for e in entries) for following, entries in by_next.items()}
            value = (singles, steps, tuple(others))
        self._starts[token] = value
        if value is not None:
            self._active.add(token)
        return value

    def _following(self, token: str, following: str) -> tuple:
        """The phrases starting at `token` whose second token matches `following`,
        as (matchers for the tokens after those two, phrase id, case-sensitive); cached.

        Order as in a plain walk: wildcard-second entries, then exact ones.
        """
        _singles, steps, others = self._starts[token]
        found = tuple((e.rest[1:], e.pid, e.case_sensitive) for e in others if _token_matches(e.rest[0], following))
        found += steps.get(following, ())
        self._follow[(token, following)] = found
        return found

    def scan(self, text: str) -> tuple[list[str], list[tuple[int, int, int, str | None]]]:
        """The text's (lower-cased) tokens, and (start, end, phrase id, matched text or None) of every hit.

        Token hits give token positions and no text (see `_quote_tokens`).
        A case-sensitive phrase is found on the lower-cased tokens first and
        then confirmed on the original text; regex hits come last.
        """
        if len(self._starts) > 500_000 or len(self._follow) > 500_000:  # bound the caches on endless streams of new words
            self._forget()
        tokens = _TOKEN_RE.findall(text.lower())
        out: list[tuple[int, int, int, str | None]] = []
        starts = self._starts
        follow = self._follow
        exact_case = self.exact_case
        n = len(tokens)
        pending: dict[int, tuple[int, int]] = {}  # case-sensitive phrase id -> first lower-case hit
        distinct = set(tokens)
        for token in distinct.difference(starts):  # first sight of these tokens: index them
            self._entries(token)
        present = distinct & self._active  # tokens at which some phrase may start
        if not present and not self.regexes:
            return tokens, out
        for i in [i for i, token in enumerate(tokens) if token in present]:
            token = tokens[i]
            singles, steps, others = starts[token]
            for pid in singles:
                if pid in exact_case:
                    pending.setdefault(pid, (i, i + 1))
                else:
                    out.append((i, i + 1, pid, None))
            if i + 1 == n or not (steps or others):
                continue
            following = tokens[i + 1]
            if others:
                candidates = follow.get((token, following))
                if candidates is None:
                    candidates = self._following(token, following)
            else:
                candidates = steps.get(following, ())
            for tail, pid, case_sensitive in candidates:
                j = i + 2
                for kind, value in tail:
                    if j >= n:
                        break
                    other = tokens[j]
                    if kind == EXACT:
                        if other != value:
                            break
                    elif kind == PREFIX:
                        if not other.startswith(value):
                            break
                    elif value.fullmatch(other) is None:
                        break
                    j += 1
                else:
                    if case_sensitive:
                        pending.setdefault(pid, (i, j))
                    else:
                        out.append((i, j, pid, None))
        for pid, (i, j) in pending.items():
            m = exact_case[pid].search(text)
            if m is not None:
                out.append((i, j, pid, m.group(0)))
        for rx, pid in self.regexes:
            for m in rx.finditer(text):
                if m.end() > m.start():
                    out.append((n + m.start(), n + m.end(), pid, m.group(0)))
        out.sort(key=_hit_order)
        return tokens, out


def _hit_order(hit: tuple[int, int, int, str | None]) -> tuple[int, int]:
    return (hit[0], -hit[1])


class _Engine:
    """Every rule of a tuple of Rules, compiled once for single-pass matching.

    Titles are searched for every phrase; abstracts only for phrases that can
    count there (not `match_title`).
    """

    def __init__(self, rules: tuple[Rules, ...]):
        self.rules = rules
        self.min_hints = tuple(max(1, r.min_hints) for r in rules)
        ids: dict[tuple[str, bool, bool], int] = {}
        self.roles: list[list[_Role]] = []
        self.title_index = _Index()
        self.abstract_index = _Index()
        for index, rule in enumerate(rules):
            for kind in ("match", "match_title", "hints", "unless"):
                for pattern in getattr(rule, kind):
                    if check_pattern(pattern) is not None:
                        continue  # reported by `check`; never crash the build on it
                    key = (pattern.text if pattern.case_sensitive or pattern.regex else pattern.text.lower(), pattern.case_sensitive, pattern.regex)
                    if key not in ids:
                        ids[key] = len(self.roles)
                        self.roles.append([])
                    pid = ids[key]
                    self.title_index.add(pattern, pid)
                    if kind != "match_title":
                        self.abstract_index.add(pattern, pid)
                    concept: object = ("concept", pattern.concept) if pattern.concept is not None else ("pattern", key)
                    role = _Role(index, kind, concept, pattern)
                    if role not in self.roles[pid]:
                        self.roles[pid].append(role)

    def _found(self, title: str, abstract: str):
        for where, text, index in (("title", title, self.title_index), ("abstract", abstract, self.abstract_index)):
            tokens, hits = index.scan(text)
            yield where, text, tokens, hits

    def evaluate(self, title: str, abstract: str) -> list[str | None]:
        """For each rule, why it places a paper with this title and abstract (or None)."""
        n = len(self.rules)
        excluded = [False] * n
        strong_title: list[tuple | None] = [None] * n
        strong_abstract: list[tuple | None] = [None] * n
        hints: list[dict[object, tuple]] = [{} for _ in range(n)]
        min_hints = self.min_hints
        all_roles = self.roles
        for where, text, tokens, found in self._found(title, abstract):
            covered = [-1] * n  # a hint inside a longer hint ("corpora" in "training corpora") does not count again
            for hit in found:
                start, end, pid, _matched = hit
                for role in all_roles[pid]:
                    i = role.rule
                    kind = role.kind
                    if kind == "unless":
                        excluded[i] = True
                    elif kind == "hints":
                        inside = start < covered[i]
                        if end > covered[i]:
                            covered[i] = end
                        if not inside and len(hints[i]) < min_hints[i] and role.concept not in hints[i]:
                            hints[i][role.concept] = (where, text, tokens, hit)
                    elif where == "title":
                        if strong_title[i] is None:
                            strong_title[i] = (where, text, tokens, hit)
                    elif kind == "match" and strong_abstract[i] is None:
                        strong_abstract[i] = (where, text, tokens, hit)
        reasons: list[str | None] = []
        for i in range(n):
            if excluded[i]:
                reasons.append(None)
            elif strong_title[i] is not None:
                reasons.append(f"the title mentions {_quote(_hit_text(strong_title[i]))}")
            elif strong_abstract[i] is not None:
                reasons.append(f"the abstract mentions {_quote(_hit_text(strong_abstract[i]))}")
            elif len(hints[i]) >= min_hints[i]:
                reasons.append(_hint_reason([(found[0], _hit_text(found)) for found in hints[i].values()]))
            else:
                reasons.append(None)
        return reasons

    def exclusion(self, title: str, abstract: str) -> list[str | None]:
        """For each rule, the `unless` phrase that keeps a paper out (or None)."""
        out: list[str | None] = [None] * len(self.rules)
        for where, text, tokens, found in self._found(title, abstract):
            for hit in found:
                for role in self.roles[hit[2]]:
                    if role.kind == "unless" and out[role.rule] is None:
                        out[role.rule] = f"the {where} mentions {_quote(_hit_text((where, text, tokens, hit)))}"
        return out


def _hit_text(found: tuple) -> str:
    _where, text, tokens, (start, end, _pid, matched) = found
    return matched if matched is not None else _quote_tokens(text, tokens[start:end])


@functools.lru_cache(maxsize=4096)
def _span_regex(tokens: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"[\s\-\u2010-\u2015/]*".join(re.escape(t) for t in tokens), re.IGNORECASE)


def _quote_tokens(text: str, tokens: list[str]) -> str:
    """The stretch of `text`, as written, that these lower-cased tokens came from."""
    m = _span_regex(tuple(tokens)).search(text)
    return m.group(0) if m else " ".join(tokens)


@functools.lru_cache(maxsize=32)
def _engine(rules: tuple[Rules, ...]) -> _Engine:
    return _Engine(rules)


def _quote(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _QUOTE_MAX:
        text = text[: _QUOTE_MAX - 1].rstrip() + "…"
    return f"'{text}'"


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _hint_reason(found: list[tuple[str, str]]) -> str:
    in_title = [_quote(m) for w, m in found if w == "title"]
    in_abstract = [_quote(m) for w, m in found if w == "abstract"]
    parts = []
    if in_title:
        parts.append(f"the title mentions {_listing(in_title)}")
    if in_abstract:
        parts.append(f"the abstract mentions {_listing(in_abstract)}")
    return " and ".join(parts)


def rule_reason(rules: Rules, title: str, abstract: str) -> str | None:
    """Why the rules place a paper with this title and abstract, or None."""
    return _engine((rules,)).evaluate(title, abstract)[0]


def explain_exclusion(rules: Rules, title: str, abstract: str) -> str | None:
    """Which `unless` phrase keeps a paper out, for curators' tools."""
    return _engine((rules,)).exclusion(title, abstract)[0]


# --------------------------------------------------------------------------- schema

def _one_of_phrase_regex(value: Any, ctx: Any, path: str, line: int | None) -> None:
    has = [k for k in ("phrase", "regex") if k in value]
    if len(has) != 1:
        what = "both 'phrase' and 'regex'" if has else "neither 'phrase' nor 'regex'"
        ctx.problem(f"'{path}' must have exactly one of 'phrase' or 'regex'; it has {what}", path, line)


_SINGLE_PATTERN = schema.Either(
    (
        (str, schema.Text(description="a phrase")),
        (
            dict,
            schema.Mapping(
                {
                    "phrase": schema.Field(schema.Text(description="a phrase")),
                    "regex": schema.Field(schema.Text(description="a regular expression")),
                    "case-sensitive": schema.Field(schema.Flag()),
                },
                description="a mapping with 'phrase' or 'regex'",
                extra_check=_one_of_phrase_regex,
            ),
        ),
    ),
    description="a phrase, or a mapping such as {phrase: MoE, case-sensitive: true}",
)
_PATTERN_ITEM = schema.Either(
    (
        (str, _SINGLE_PATTERN),
        (dict, _SINGLE_PATTERN),
        (list, schema.ListOf(_SINGLE_PATTERN, description="synonyms")),
    ),
    description="a phrase, a mapping such as {phrase: MoE, case-sensitive: true}, or a [list, of, synonyms]",
)
_PATTERNS = schema.ListOf(_PATTERN_ITEM, description="phrases")
_KEYS = schema.ListOf(schema.Text(description="a paper key"), description="paper keys")

THEME_SCHEMA = schema.Mapping(
    {
        "id": schema.Field(
            schema.Text(pattern=ID_RE, pattern_help="lower-case letters and digits in words joined by single hyphens, e.g. 'long-context'"),
            required=True,
            help="stable identifier, used in URLs, papers.json and pins",
        ),
        "title": schema.Field(schema.Text(), required=True, help="the theme's name as readers see it"),
        "short": schema.Field(schema.Text(), help="one line for lists of themes"),
        "intro": schema.Field(schema.Text(), help="a few sentences of Markdown for a reader new to the area"),
        "match": schema.Field(_PATTERNS, help="phrases that place a paper when found in its title or abstract"),
        "match_title": schema.Field(_PATTERNS, help="phrases that place a paper when found in its title"),
        "hints": schema.Field(_PATTERNS, help="weaker phrases; `min_hints` different ones place a paper"),
        "min_hints": schema.Field(schema.Whole(minimum=1, maximum=20), help="how many different hints are needed (default 2)"),
        "unless": schema.Field(_PATTERNS, help="phrases that keep a paper out of the rules above"),
        "papers": schema.Field(_KEYS, help="paper keys pinned into the theme"),
        "not_papers": schema.Field(_KEYS, help="paper keys kept out of the theme"),
    },
    description="a theme (a mapping with at least 'id' and 'title')",
)
FILE_SCHEMA = schema.Mapping(
    {"themes": schema.Field(schema.ListOf(THEME_SCHEMA, description="themes"), required=True)},
    description="a mapping with a 'themes' list",
)


# --------------------------------------------------------------------------- loading


def load_themes(path: Path) -> tuple[tuple[Theme, ...], list[Problem]]:
    """Read and validate themes.yml; a missing file means no themes.

    Every problem is reported at once; themes that are usable despite them are
    still returned, so other checks (pins in paper records) stay meaningful.
    """
    if not path.exists():
        return (), []
    name = str(path)
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError:
        return (), [Problem(name, "not UTF-8 text")]
    data, problems = load_yaml(text, name)
    if problems:
        return (), problems
    if data is None:
        return (), [Problem(name, "the file is empty; it must hold a 'themes' list")]
    problems = schema.validate(data, FILE_SCHEMA, name)
    themes, found = themes_from_data(data, name)
    problems.extend(found)
    problems.sort(key=lambda p: p.line or 0)
    return themes, problems


def themes_from_data(data: Any, name: str) -> tuple[tuple[Theme, ...], list[Problem]]:
    """Build Themes from (schema-checked) YAML data, skipping what is unusable.

    Reports what the schema cannot see: duplicate or reserved ids, patterns
    that do not compile, a paper both pinned in and kept out.
    """
    problems: list[Problem] = []
    items = data.get("themes") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return (), problems
    themes: list[Theme] = []
    first_line: dict[str, int | None] = {}
    for index, item in enumerate(items):
        where = f"themes[{index}]"
        item_line = _item_line(items, index)
        if not isinstance(item, dict):
            continue
        theme_id = item.get("id")
        if not isinstance(theme_id, str) or not ID_RE.match(theme_id):
            continue  # the schema reports it
        id_line = line_of(item, "id") or item_line
        if theme_id in first_line:
            seen = first_line[theme_id]
            problems.append(Problem(name, f"duplicate theme id {theme_id!r}; it is already used" + (f" on line {seen}" if seen else ""), id_line, f"{where}.id"))
            continue
        first_line[theme_id] = id_line
        if theme_id in RESERVED_IDS:
            problems.append(Problem(name, f"theme id {theme_id!r} is reserved for the site's own pages; choose another", id_line, f"{where}.id"))
            continue
        rules, found = _rules(item, where, name)
        problems.extend(found)
        pins, found = _pins(item, where, name)
        problems.extend(found)
        title = item.get("title")
        intro = item.get("intro")
        short = item.get("short")
        intro_text = intro.strip() if isinstance(intro, str) else ""
        themes.append(
            Theme(
                id=theme_id,
                title=title.strip() if isinstance(title, str) and title.strip() else theme_id,
                intro=intro_text,
                short=short.strip() if isinstance(short, str) and short.strip() else first_sentence(intro_text),
                rules=rules,
                papers=tuple(dict.fromkeys(p.paper for p in pins if p.keypath.startswith(f"{where}.papers["))),
                not_papers=tuple(dict.fromkeys(p.paper for p in pins if p.keypath.startswith(f"{where}.not_papers["))),
                line=item_line,
                keypath=where,
                pin_sites=tuple(pins),
            )
        )
    return tuple(themes), problems


def first_sentence(text: str) -> str:
    paragraph = text.strip().split("\n\n", 1)[0]
    paragraph = " ".join(paragraph.split())
    m = re.search(r"(?<=[.!?])\s+(?=[A-Z])", paragraph)
    return paragraph[: m.start()] if m else paragraph


def _item_line(seq: Any, index: int) -> int | None:
    try:
        return seq.lc.item(index)[0] + 1
    except Exception:
        return None


def _rules(item: dict, where: str, name: str) -> tuple[Rules, list[Problem]]:
    problems: list[Problem] = []
    lists: dict[str, tuple[Pattern, ...]] = {}
    for key in RULE_KEYS:
        raw = item.get(key)
        patterns: list[Pattern] = []
        if isinstance(raw, list):
            for index, entry in enumerate(raw):
                line = _item_line(raw, index) or line_of(item, key)
                if isinstance(entry, list):  # synonyms: one concept
                    group = [(f"{where}.{key}[{index}][{j}]", _item_line(entry, j) or line, _pattern(e, index)) for j, e in enumerate(entry)]
                else:
                    group = [(f"{where}.{key}[{index}]", line, _pattern(entry))]
                for keypath, at, pattern in group:
                    if pattern is None:
                        continue  # wrong shape: the schema reports it
                    why = check_pattern(pattern)
                    if why is not None:
                        problems.append(Problem(name, why, at, keypath))
                        continue
                    patterns.append(pattern)
        lists[key] = tuple(patterns)
    min_hints = item.get("min_hints")
    if not isinstance(min_hints, int) or isinstance(min_hints, bool) or not 1 <= min_hints <= 20:
        min_hints = DEFAULT_MIN_HINTS
    return Rules(lists["match"], lists["match_title"], lists["hints"], min_hints, lists["unless"]), problems


def _pattern(entry: Any, concept: int | None = None) -> Pattern | None:
    if isinstance(entry, str):
        return Pattern(entry.strip(), concept=concept) if entry.strip() else None
    if not isinstance(entry, dict):
        return None
    case = entry.get("case-sensitive", False)
    case = case if isinstance(case, bool) else False
    phrase, regex = entry.get("phrase"), entry.get("regex")
    if isinstance(phrase, str) and phrase.strip() and regex is None:
        return Pattern(phrase.strip(), case_sensitive=case, concept=concept)
    if isinstance(regex, str) and regex and phrase is None:
        return Pattern(regex, regex=True, case_sensitive=case, concept=concept)
    return None


def _pins(item: dict, where: str, name: str) -> tuple[list[Pin], list[Problem]]:
    problems: list[Problem] = []
    pins: list[Pin] = []
    seen: dict[str, str] = {}
    for key in ("papers", "not_papers"):
        raw = item.get(key)
        if not isinstance(raw, list):
            continue
        for index, entry in enumerate(raw):
            if not isinstance(entry, str) or not entry.strip():
                continue
            paper = entry.strip()
            keypath = f"{where}.{key}[{index}]"
            line = _item_line(raw, index) or line_of(item, key)
            if paper in seen:
                if seen[paper] == key:
                    problems.append(Problem(name, f"paper {paper!r} is listed twice in '{key}'", line, keypath))
                else:
                    problems.append(Problem(name, f"paper {paper!r} is both in 'papers' and in 'not_papers'; keep one", line, keypath))
                continue
            seen[paper] = key
            pins.append(Pin(paper, keypath, line))
    return pins, problems


# --------------------------------------------------------------------------- library checks


def validate_against_library(themes: Iterable[Theme], papers: Iterable[Paper], path: Path) -> list[Problem]:
    """Pins that name a theme or a paper that does not exist, both ways."""
    themes = tuple(themes)
    papers = tuple(papers)
    ids = tuple(t.id for t in themes)
    known_ids = set(ids)
    keys = {p.key for p in papers}
    problems: list[Problem] = []
    for theme in themes:
        for pin in theme.pin_sites:
            if pin.paper not in keys:
                hint = did_you_mean(pin.paper, sorted(keys)) if len(keys) <= 20_000 else ""
                problems.append(
                    Problem(str(path), f"theme {theme.id!r} names paper {pin.paper!r}, which is not in the library{hint}", pin.line, pin.keypath)
                )
    for paper in papers:
        record: Any = None
        both = set(paper.themes) & set(paper.not_themes)
        for field_name in ("themes", "not_themes"):
            for index, theme_id in enumerate(getattr(paper, field_name)):
                message = None
                if theme_id not in known_ids:
                    message = f"unknown theme {theme_id!r}{did_you_mean(theme_id, ids)}; themes are defined in {path}"
                elif field_name == "not_themes" and theme_id in both:
                    message = f"theme {theme_id!r} is both in 'themes' and in 'not_themes'; keep one"
                if message is None:
                    continue
                if record is None:
                    record = _read_record(paper.path)
                problems.append(Problem(str(paper.path), message, _record_line(record, field_name, index), f"{field_name}[{index}]"))
    return problems


def _read_record(path: Path | None) -> Any:
    if path is None:
        return {}
    try:
        data, _ = load_yaml(path.read_text("utf-8"), str(path))
    except (OSError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _record_line(record: Any, field_name: str, index: int) -> int | None:
    value = record.get(field_name) if isinstance(record, dict) else None
    if isinstance(value, list):
        line = _item_line(value, index)
        if line is not None:
            return line
    return line_of(record, field_name) if isinstance(record, dict) else None


# --------------------------------------------------------------------------- assignment

PINNED_IN_RECORD = "pinned in the paper's record"
PINNED_IN_THEMES = "pinned in themes.yml"


def _pin_reason(paper: Paper, theme: Theme) -> str | None | bool:
    """A pin's verdict: a reason (in), False (kept out), or None (no pin: rules decide)."""
    if theme.id in paper.not_themes:
        return False
    if theme.id in paper.themes:
        return PINNED_IN_RECORD
    if paper.key in theme.not_papers:
        return False
    if paper.key in theme.papers:
        return PINNED_IN_THEMES
    return None


def theme_reason(paper: Paper, theme: Theme) -> str | None:
    """Why `paper` belongs to `theme`, or None when it does not."""
    pinned = _pin_reason(paper, theme)
    if pinned is not None:
        return pinned or None
    return rule_reason(theme.rules, paper.title, paper.abstract)


def assign_themes(papers: Iterable[Paper], themes: Iterable[Theme]) -> dict[str, tuple[ThemeAssignment, ...]]:
    """Every paper key -> its themes in site order, each with its reason.

    An empty tuple means the paper is unsorted. Pins (in the paper's record,
    then in themes.yml) win over rules; rules of all themes are matched in one
    pass over each title and abstract.
    """
    themes = tuple(themes)
    engine = _engine(tuple(t.rules for t in themes))
    out: dict[str, tuple[ThemeAssignment, ...]] = {}
    for paper in papers:
        reasons = engine.evaluate(paper.title, paper.abstract)
        found = []
        for theme, reason in zip(themes, reasons):
            pinned = _pin_reason(paper, theme)
            if pinned is not None:
                reason = pinned or None
            if reason is not None:
                found.append(ThemeAssignment(theme.id, reason))
        out[paper.key] = tuple(found)
    return out


def members(assignments: dict[str, tuple[ThemeAssignment, ...]], theme_id: str) -> list[str]:
    """Keys of the papers assigned to a theme, in the order of `assignments`."""
    return [key for key, found in assignments.items() if any(a.theme == theme_id for a in found)]
