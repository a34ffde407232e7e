"""Shrink what MkDocs writes, for large libraries.

Two costs grow with the number of papers: every page's HTML (mkdocs-material
indents its templates deeply, about a fifth of a paper page is indentation)
and the search index (the browser downloads and indexes it whole before the
first search). Both are reduced here without changing what a reader sees or
what a search finds.
"""

from __future__ import annotations

import json
import os
import re

from generator.mkdocs_integration.icons import root_prefix, share_icons
from generator.mkdocs_integration.scripts import share_scripts

_PRE_RE = re.compile(r"(<pre\b.*?</pre>|<textarea\b.*?</textarea>|<script\b.*?</script>)", re.S | re.I)
_INDENT_RE = re.compile(r"\n\s+")
_CONFIG_RE = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)
# What Jinja's `tojson` escapes, so that no value can end the script.
_JSON_HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027"})


def compact_html(html: str) -> str:
    """Collapse indentation and blank lines, outside <pre>, <textarea> and <script>; icons
    from the sprite, Material's inline scripts from their shared files, its config without spaces.

    A browser renders any run of white space there as one space; one newline
    is kept where there was one, so inline text never runs together.
    READING_LIST_COMPACT=off leaves pages as Material wrote them (to compare).
    """
    if os.environ.get("READING_LIST_COMPACT", "on") == "off":
        return html
    prefix = root_prefix(html)
    html = _CONFIG_RE.sub(_compact_config, share_scripts(share_icons(html, prefix), prefix), count=1)
    parts = _PRE_RE.split(html)
    for index in range(0, len(parts), 2):  # even parts are outside <pre>
        parts[index] = _INDENT_RE.sub("\n", parts[index])
    return "".join(parts)


def _compact_config(match: re.Match[str]) -> str:
    """Material's page config (JSON that its script reads) without the spaces `tojson` puts in."""
    try:
        data = json.loads(match.group(2))
    except ValueError:
        return match.group(0)
    text = json.dumps(data, separators=(",", ":")).translate(_JSON_HTML_SAFE)
    return match.group(1) + text + match.group(3)


SEARCH_PREVIEW_CHARS = 200
_TAG_RE = re.compile(r"<[^>]+>")
_SPACES_RE = re.compile(r"\s+")
# lunr's English stop words, which Material's search drops from every query and
# index anyway ("stopWordFilter" in its pipeline): leaving them out loses nothing.
_STOPWORDS = frozenset(
    """a able about across after all almost also am among an and any are as at be because been
    but by can cannot could dear did do does either else ever every for from get got had has
    have he her hers him his how however i if in into is it its just least let like likely may
    me might most must my neither no nor not of off often on only or other our own rather said
    say says she should since so some than that the their them then there these they this tis
    to too twas us wants was we were what when where which while who whom why will with would
    yet you your""".split()
)


def compact_search_text(
    text: str, separator: re.Pattern[str], title: str = "", preview_chars: int = SEARCH_PREVIEW_CHARS
) -> str:
    """The first `preview_chars` as written, then each further word once, hidden.

    Search matches words, so a word that occurs twice (or is in the title,
    which is indexed too), or a stop word the search drops anyway, adds bytes
    but finds nothing new. The opening stays verbatim because the search
    results show it as the preview; the other words follow in a `hidden`
    span inside the same paragraph, so a match there still shows the preview
    and never a list of words. Words are split with the search's own
    separator, so the index holds the tokens it held before.
    """
    split = _split_for_search(text, separator, title, preview_chars)
    return text if split is None else _search_text(*split)


def _split_for_search(text: str, separator: re.Pattern[str], title: str, preview_chars: int) -> tuple[str, list[str]] | None:
    """(preview, the other words once each), or None for a text short enough to keep."""
    plain = _SPACES_RE.sub(" ", _TAG_RE.sub(" ", text)).strip()
    if len(plain) <= preview_chars * 2:
        return None
    cut = plain.rfind(" ", 0, preview_chars)
    cut = preview_chars if cut < preview_chars // 2 else cut
    head, tail = plain[:cut], plain[cut:]
    seen = {w.lower() for w in separator.split(head + " " + _TAG_RE.sub(" ", title)) if w}
    extra = []
    for word in separator.split(tail):
        if not word:
            continue
        low = word.lower()
        if low in seen or low in _STOPWORDS:
            continue
        seen.add(low)
        extra.append(word)
    return head, extra


def _search_text(head: str, words: list[str]) -> str:
    hidden = f" <span hidden>{' '.join(words)}</span>" if words else ""
    return f"<p>{head} …{hidden}</p>"


# Material's search loads and indexes the whole file before the first search;
# past about 10 MB that freezes the page for seconds.
SEARCH_INDEX_BUDGET = 9_500_000  # bytes


def compact_search_index(raw: str, prefixes: tuple[str, ...] = ("papers/",), budget: int = SEARCH_INDEX_BUDGET) -> str:
    """Compact the text of the entries under `prefixes` in a search_index.json.

    Each entry is compacted as `compact_search_text` says. If the index is
    still over `budget` bytes (a library of many thousands of papers), the
    words found in the most papers leave the hidden word lists first, until
    it fits: such a word, as a query, matches a large part of the library
    anyway, and a paper that has it in its title or preview still matches.
    A small library loses no word.
    """
    data = json.loads(raw)
    separator = re.compile(data.get("config", {}).get("separator") or r"[\s\-]+")
    splits: dict[int, tuple[str, list[str]]] = {}
    docs = data.get("docs", [])
    for index, doc in enumerate(docs):
        if doc.get("location", "").startswith(prefixes) and isinstance(doc.get("text"), str):
            split = _split_for_search(doc["text"], separator, str(doc.get("title") or ""), SEARCH_PREVIEW_CHARS)
            if split is not None:
                splits[index] = split
    for index, (head, words) in splits.items():
        docs[index]["text"] = _search_text(head, words)
    compact = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    excess = len(compact.encode()) - budget
    if excess <= 0:
        return compact
    dropped = _most_common_words([words for _, words in splits.values()], excess)
    for index, (head, words) in splits.items():
        docs[index]["text"] = _search_text(head, [w for w in words if w.lower() not in dropped])
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _most_common_words(word_lists: list[list[str]], excess: int) -> set[str]:
    """The words (lower case) found in the most lists whose removal saves `excess` bytes."""
    saving: dict[str, int] = {}
    lists_with: dict[str, int] = {}
    for words in word_lists:
        for word in words:
            low = word.lower()
            saving[low] = saving.get(low, 0) + len(word.encode()) + 1
            lists_with[low] = lists_with.get(low, 0) + 1
    dropped: set[str] = set()
    for low in sorted(saving, key=lambda w: (-lists_with[w], w)):
        if excess <= 0:
            break
        dropped.add(low)
        excess -= saving[low]
    return dropped
