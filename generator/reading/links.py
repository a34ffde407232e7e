"""Find paper identifiers in any text: an awesome list's README, a syllabus, a web page.

Markdown links (`[title](https://arxiv.org/abs/...)`), HTML anchors, bare
URLs, `arXiv:2403.03507` mentions and bare DOIs are all read; each becomes a
`Found` with the link text as a title hint (for a stub when the paper cannot
be fetched), the authors an italic list gives right after the link, and its
line. Links to a paper host that name no paper we can parse (an arXiv
listing, a search page) are returned as unresolved so the import can say so.
The text is data: nothing in it is ever run or rendered.
"""

from __future__ import annotations

import bisect
import html.parser
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from generator.identifiers import Ref, parse_ref
from generator.textnorm import normalise_text

LINK_SUFFIXES = frozenset({".md", ".markdown", ".html", ".htm", ".rst"})
MAX_HINT_CHARS = 300
_MD_LINK_RE = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^()\s<>]+(?:\([^()\s]*\))?[^()\s<>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_URL_RE = re.compile(r"(?:https?://|(?<![\w./])(?:www\.)?(?:arxiv\.org|doi\.org|hf\.co|huggingface\.co|openreview\.net|aclanthology\.org)/)[^\s<>\"'`\])|]+")
_ARXIV_MENTION_RE = re.compile(r"\barxiv:\s*(\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)", re.I)
_DOI_MENTION_RE = re.compile(r"(?<![\w/.])(?:doi:\s*)?(10\.\d{4,9}/[^\s\"'<>`\]|]+)", re.I)
_PAPER_HOSTS_RE = re.compile(r"^(?:https?://)?(?:www\.|export\.)?(?:arxiv\.org|doi\.org|dx\.doi\.org|hf\.co|huggingface\.co/papers|openreview\.net|aclanthology\.org)\b", re.I)
# Link text that labels a link rather than names a paper: `PDF`, `Survey Paper`, `arXiv 2024`.
_LABEL = r"(?:paper|pdf|arxiv|abs|abstract|link|here|html|code|url|doi|openreview|acl|website|project|page|survey|full|our|the|official|github|homepage|slides|video|blog|demo)"
_GENERIC_RE = re.compile(rf"^(?:{_LABEL}(?:[\s:/|-]+{_LABEL}){{0,2}}(?:\W*\d{{4}})?|\W*\d{{4}}\W*|\W*)$", re.I)
_JOINERS = frozenset("\u200d\u20e3\ufe0e\ufe0f")  # zero-width joiner, keycap, variation selectors
# A final period that an abbreviation needs: `et al.`, `v.s.`, `e.g.`, `Inc.`.
_ABBREVIATION_END_RE = re.compile(
    r"(?:^|[\s(])(?:(?:[A-Za-z]\.)+|(?:al|etc|vs|cf|inc|ltd|co|corp|jr|sr|st|no|vol|fig|eq|resp|approx)\.)$", re.I)
_EMPHASIS_RE = re.compile(r"^(?:\*\*|__|\*|_|`)+|(?:\*\*|__|\*|_|`)+$")
# Authors as lists write them right after the link: `_Hyun-rae Jo, Dongkun Shin._`.
_ITALIC_AFTER_RE = re.compile(r"[ \t]*(?P<mark>[_*])(?![\s_*])([^\n]+?)(?<![\s_*])(?P=mark)(?![\w*])")
_NAME_WORD_RE = re.compile(r"(?:[^\W\d_]\.)+|[^\W\d_]+(?:['’-][^\W\d_]+)*\.?")
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "di", "del", "della", "la", "le", "du", "dos", "das",
                        "ter", "ten", "bin", "al", "el", "y", "i", "zu"})
# A line holding one token and nothing else (a list marker allowed): a bare
# `2106.09685v2` or `P19-1001` counts only there, never inside prose.
_LONE_TOKEN_RE = re.compile(r"^[ \t]*(?:[-*+][ \t]+|\d+[.)][ \t]+)?(\S+)[ \t\r]*$", re.M)


@dataclass(frozen=True)
class Found:
    """One identifier in the text, with the words that name it there."""

    ref: Ref
    hint: str  # link text, "" when it says nothing (`[pdf]`, a bare URL)
    line: int
    raw: str  # as written
    authors: tuple[str, ...] = ()  # the names a list gives right after a titled link, when each is clearly a name


@dataclass(frozen=True)
class Scan:
    found: tuple[Found, ...]  # one per paper, in the order of the text
    unresolved: tuple[tuple[int, str], ...]  # (line, link) to a paper host naming no paper


def _without_final_period(title: str) -> str:
    """`Title.` -> `Title`: lists end each entry's title like a sentence. An
    ellipsis, `?`/`!` and an abbreviation's period (`et al.`, `v.s.`) are the title's own."""
    if not title.endswith(".") or title.endswith("..") or _ABBREVIATION_END_RE.search(title):
        return title
    return title[:-1].rstrip()


def _is_pictograph(ch: str) -> bool:
    """Emoji and other pictographs (`📝`, `⭐️`, `🏻`), never letters or maths (`∞Bench`)."""
    return unicodedata.category(ch) == "So" or ch in _JOINERS or "\U0001f3fb" <= ch <= "\U0001f3ff"


def _without_pictographs(text: str) -> str:
    """`📝 Survey Paper` -> `Survey Paper`: a badge's decoration is no part of a title."""
    start, end = 0, len(text)
    while start < end and (_is_pictograph(text[start]) or text[start].isspace()):
        start += 1
    while end > start and (_is_pictograph(text[end - 1]) or text[end - 1].isspace()):
        end -= 1
    return text[start:end]


def _words(hint: str) -> int:
    """How much a hint reads like a title: its words that hold a letter."""
    return sum(1 for word in hint.split() if any(ch.isalpha() for ch in word))


def _hint(text: str) -> str:
    """Link text as a title: markdown emphasis trimmed, generic words dropped."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text))  # images out, links as text
    text = _without_pictographs(normalise_text(_EMPHASIS_RE.sub("", text.strip())))
    text = _without_pictographs(_EMPHASIS_RE.sub("", text))  # `🔥 **Title** 🚀`
    text = _without_final_period(text)
    if _GENERIC_RE.match(text) or parse_ref(text) is not None or text.lower().startswith(("http://", "https://")):
        return ""
    return text[:MAX_HINT_CHARS]


def _is_name(name: str) -> bool:
    """`Hyun-rae Jo`, `Markus N. Rabe`, `Éric de la Clergerie`: two to five
    capitalised words (particles aside), letters only."""
    words = name.split()
    return 2 <= len(words) <= 5 and all(
        _NAME_WORD_RE.fullmatch(word) and (word[0].isupper() or word in _PARTICLES) for word in words)


def _listed_authors(after: str) -> tuple[str, ...]:
    """The names of an italic list right after a link (`_A. Smith, B. Jones._`),
    or none when any item is not clearly one person's name: a list cut short
    (`et al.`), a team (`Qwen: An Yang`), a name split in two (`Yu, Wang`)."""
    m = _ITALIC_AFTER_RE.match(after)
    if m is None:
        return ()
    names = [n.strip() for n in re.split(r",|\band\b", normalise_text(m.group(2)))]
    names = [n[:-1] if n.endswith(".") and not re.search(r"(?:\b[^\W\d_]|\b[JS]r)\.$", n) else n for n in names]
    if names and not names[-1]:
        names.pop()  # `A. Smith, B. Jones,`
    return tuple(names) if names and all(_is_name(n) for n in names) else ()


class _Anchors(html.parser.HTMLParser):
    """Anchors of an HTML page: (href, text, line); the rest as plain text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[tuple[str, str, int]] = []
        self.text: list[tuple[str, int]] = []
        self._open: tuple[str, int, list[str]] | None = None
        self._skip = 0
        self._joined = False  # the last text may go on: no tag came since

    def handle_starttag(self, tag, attrs) -> None:
        self._joined = False
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self._open = (href, self.getpos()[0], [])

    def handle_endtag(self, tag) -> None:
        self._joined = False
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        elif tag == "a" and self._open is not None:
            href, line, parts = self._open
            self.anchors.append((href, " ".join("".join(parts).split()), line))
            self._open = None

    def handle_data(self, data) -> None:
        if self._skip:
            return
        if self._open is not None:
            self._open[2].append(data)
        elif self._joined:  # a bare `<` cut the text: `[1 < 2](link)` stays one Markdown link
            text, line = self.text[-1]
            self.text[-1] = (text + data, line)
        else:
            self.text.append((data, self.getpos()[0]))
            self._joined = True

    def handle_comment(self, data) -> None:
        self._joined = False


class _Spans:
    """Line numbers of a text and the spans of it already read, both looked up
    in constant or log time: a list of 20,000 links scans in a blink."""

    def __init__(self, text: str, first_line: int) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.read = bytearray(len(text))
        self.first_line = first_line

    def line(self, offset: int) -> int:
        return self.first_line + bisect.bisect_right(self.starts, offset) - 1

    def take(self, start: int, end: int) -> bool:
        """Mark a span read; False when part of it was read already."""
        if self.read.find(1, start, end) != -1:
            return False
        self.read[start:end] = b"\x01" * (end - start)
        return True


def _scan_plain(text: str, first_line: int, add, unresolved: list) -> None:
    """Markdown links, bare URLs, arXiv and DOI mentions, then lines that are one
    identifier alone; each span read once."""
    spans = _Spans(text, first_line)
    for m in _MD_LINK_RE.finditer(text):
        spans.take(*m.span())
        link = m.group(2)
        ref = parse_ref(link)
        line = spans.line(m.start())
        if ref is not None:
            hint = _hint(m.group(1))
            add(ref, hint, line, link, _listed_authors(text[m.end():]) if hint else ())
        else:
            inner = _MD_LINK_RE.search(m.group(1))  # a badge: [![...](img)](link)
            if _PAPER_HOSTS_RE.match(link) and inner is None:
                unresolved.append((line, link))
            _scan_plain(m.group(1), line, add, unresolved)
    for pattern in (_URL_RE, _ARXIV_MENTION_RE, _DOI_MENTION_RE):
        for m in pattern.finditer(text):
            if not spans.take(*m.span()):
                continue
            raw = m.group(0)
            ref = parse_ref(raw)
            if ref is not None:
                add(ref, "", spans.line(m.start()), raw)
            elif pattern is _URL_RE and _PAPER_HOSTS_RE.match(raw):
                unresolved.append((spans.line(m.start()), raw))
    for m in _LONE_TOKEN_RE.finditer(text):  # a list of identifiers, one a line
        ref = parse_ref(m.group(1))
        if ref is not None and spans.take(*m.span(1)):
            add(ref, "", spans.line(m.start(1)), m.group(1))


def find_refs(text: str, *, html_page: bool | None = None) -> Scan:
    """Every paper identifier in `text`, once each, named by its most title-like
    link text (a badge's `Survey Paper` gives way to the title the list gives it)."""
    by_ref: dict[Ref, Found] = {}
    unresolved: list[tuple[int, str]] = []

    def add(ref: Ref, hint: str, line: int, raw: str, authors: tuple[str, ...] = ()) -> None:
        known = by_ref.get(ref)
        if known is None:
            by_ref[ref] = Found(ref, hint, line, raw, authors)
        elif _words(hint) > _words(known.hint):  # its authors are those of the link that names it
            by_ref[ref] = Found(ref, hint, known.line, known.raw, authors or known.authors)
        elif authors and not known.authors:
            by_ref[ref] = Found(ref, known.hint, known.line, known.raw, authors)

    if html_page is None:
        html_page = bool(re.search(r"<a\s[^>]*href\s*=", text, re.I))
    if html_page:
        parser = _Anchors()
        parser.feed(text)
        parser.close()
        for href, label, line in parser.anchors:
            ref = parse_ref(href)
            if ref is not None:
                add(ref, _hint(label), line, href)
            elif _PAPER_HOSTS_RE.match(href):
                unresolved.append((line, href))
        for data, line in parser.text:
            _scan_plain(data, line, add, unresolved)
    else:
        _scan_plain(text, 1, add, unresolved)
    found = sorted(by_ref.values(), key=lambda f: f.line)
    return Scan(tuple(found), tuple(sorted(set(unresolved))))


def is_link_text(path: Path, text: str) -> bool:
    """Whether `path` is read for its links rather than as a pasted dump.

    Markdown and HTML always are; any other text is a dump when the dump
    parser reads it cleanly, and a page of links when it holds identifiers,
    unless it reads as more papers than it names identifiers: then it is a dump
    with a mistake, reported as such (its abstracts may cite an arXiv id or two).
    """
    if path.suffix.lower() in LINK_SUFFIXES:
        return True
    from generator.reading.dumps import parse_dump_text

    parsed = parse_dump_text(text, path)
    if parsed.records and not parsed.problems:
        return False
    found = find_refs(text).found
    return bool(found) and len(found) >= len(parsed.records)
