"""The matching engine: every phrase of every theme, found in one pass over each text.

Rules are compiled once per tuple of Rules (`engine_for`, cached) into an
`Engine`; `Engine.evaluate` says, for each rule, what in a title and abstract
places a paper (or nothing), and `Engine.exclusion` which `unless` phrase keeps
it out. Turning those findings into the reasons readers see is `assign.py`'s
job; what a phrase means is `phrases.py`'s.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from generator.analysis.themes.model import Pattern, Rules
from generator.analysis.themes.phrases import check_pattern, compile_regex, phrase_forms, phrase_regex

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
            self.regexes.append((compile_regex(pattern.text, flags), pid))
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



# (where, text, tokens, hit): one hit with what is needed to quote it as written;
# `where` is "title" or "abstract".
Found = tuple[str, str, list[str], tuple[int, int, int, str | None]]
# Why a rule places a paper: ("match", (found,)) for a strong phrase, or
# ("hints", (found, ...)) for enough different hints, in the order they were met.
Verdict = tuple[str, tuple[Found, ...]]


class Engine:
    """Every rule of a tuple of Rules, compiled once for single-pass matching.

    Titles are searched for every phrase; abstracts only for phrases that can
    count there (not `match_title`).
    """

    def __init__(self, rules: tuple[Rules, ...]):
        self.rules = rules
        self.min_hints = tuple(max(1, r.min_hints) for r in rules)
        self.ids: dict[tuple[str, bool, bool], int] = {}
        self.roles: list[list[_Role]] = []
        self.title_index = _Index()
        self.abstract_index = _Index()
        for index, rule in enumerate(rules):
            for kind in ("match", "match_title", "hints", "unless"):
                for pattern in getattr(rule, kind):
                    if check_pattern(pattern) is None:  # others are reported by `check`; never crash the build on them
                        self._add(index, kind, pattern)

    def _add(self, index: int, kind: str, pattern: Pattern) -> None:
        """Index one pattern of rule `index`; equal patterns share one phrase id."""
        ids = self.ids
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

    def evaluate(self, title: str, abstract: str) -> list[Verdict | None]:
        """For each rule, what places a paper with this title and abstract (or None).

        A strong phrase in the title wins over one in the abstract, and either
        over hints; any `unless` phrase keeps the paper out. A broad word (one
        plain word of `match` or `match_title`, see `Pattern.broad`) is not a
        strong phrase: in the title it places a paper with one more, different
        hint; in the abstract it is one hint among the others.
        """
        n = len(self.rules)
        excluded = [False] * n
        strong_title: list[Found | None] = [None] * n
        strong_abstract: list[Found | None] = [None] * n
        hints: list[dict[object, Found]] = [{} for _ in range(n)]
        broad: list[dict[object, Found]] = [{} for _ in range(n)]  # broad words found in the title
        all_roles = self.roles
        for where, text, tokens, found in self._found(title, abstract):
            covered = [-1] * n  # a hint inside a longer hint ("corpora" in "training corpora") does not count again
            for hit in found:
                start, end, pid, _matched = hit
                before: dict[int, int] = {}  # covered[i] before this hit: its own roles do not cover one another
                for role in all_roles[pid]:
                    i = role.rule
                    kind = role.kind
                    if kind == "unless":
                        excluded[i] = True
                        continue
                    if kind != "hints" and not role.pattern.broad:
                        if where == "title":
                            if strong_title[i] is None:
                                strong_title[i] = (where, text, tokens, hit)
                        elif kind == "match" and strong_abstract[i] is None:
                            strong_abstract[i] = (where, text, tokens, hit)
                        continue
                    if kind == "match_title" and where != "title":
                        continue
                    inside = start < before.setdefault(i, covered[i])
                    if end > covered[i]:
                        covered[i] = end
                    concept = ("word", role.pattern.text.lower()) if kind != "hints" else role.concept
                    if where == "title" and kind != "hints":
                        broad[i].setdefault(concept, (where, text, tokens, hit))
                    elif not inside and concept not in hints[i]:
                        hints[i][concept] = (where, text, tokens, hit)
        return [self._verdict(i, excluded[i], strong_title[i] or strong_abstract[i], hints[i], broad[i]) for i in range(n)]

    def _verdict(self, i: int, excluded: bool, strong: Found | None, hints: dict, broad: dict) -> Verdict | None:
        """Strong phrase; else a broad title word with another, different hint; else enough hints."""
        if excluded:
            return None
        if strong is not None:
            return ("match", (strong,))
        for word in broad.values():
            other = _other_hint(word, hints)
            if other is not None:
                return ("hints", (word, other))
        if len(hints) >= self.min_hints[i]:
            return ("hints", tuple(hints.values())[: self.min_hints[i]])
        return None

    def exclusion(self, title: str, abstract: str) -> list[Found | None]:
        """For each rule, the first `unless` hit that keeps a paper out (or None)."""
        out: list[Found | None] = [None] * len(self.rules)
        for where, text, tokens, found in self._found(title, abstract):
            for hit in found:
                for role in self.roles[hit[2]]:
                    if role.kind == "unless" and out[role.rule] is None:
                        out[role.rule] = (where, text, tokens, hit)
        return out


def _other_hint(word: Found, hints: dict) -> Found | None:
    """A hint that is other evidence than a broad title word: not the same word again
    ("Explainable" ... "explainable"), and not of a concept that word is itself a hint of
    ("Benchmarking" ... "benchmarks", "Reasoning" ... "logical": synonyms count once)."""
    where, _text, _tokens, (start, end, _pid, _m) = word
    said = hit_text(word).lower()
    same = {c for c, h in hints.items() if h[0] == where and h[3][0] < end and start < h[3][1]}
    for concept, other in hints.items():
        if concept not in same and hit_text(other).lower() != said:
            return other
    return None


@functools.lru_cache(maxsize=32)
def engine_for(rules: tuple[Rules, ...]) -> Engine:
    """The compiled engine of these rules, kept for the next paper and the next build step."""
    return Engine(rules)


def hit_text(found: Found) -> str:
    """The text of a hit as the paper writes it."""
    _where, text, tokens, (start, end, _pid, matched) = found
    return matched if matched is not None else _quote_tokens(text, tokens[start:end])


@functools.lru_cache(maxsize=4096)
def _span_regex(tokens: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"[\s\-\u2010-\u2015/]*".join(re.escape(t) for t in tokens), re.IGNORECASE)


def _quote_tokens(text: str, tokens: list[str]) -> str:
    """The stretch of `text`, as written, that these lower-cased tokens came from."""
    m = _span_regex(tuple(tokens)).search(text)
    return m.group(0) if m else " ".join(tokens)
