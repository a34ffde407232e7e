"""Sizes and shapes the library accepts, stated in one place.

Readers refuse what exceeds these, and `check` refuses a record that breaks
them, so that a hostile or broken input is named (file and line) in seconds
instead of exhausting memory or crashing the build later.
"""

from __future__ import annotations

import re
from typing import Any

from generator.model import Paper, Problem

MAX_TITLE_CHARS = 600
MAX_ABSTRACT_CHARS = 20_000
MAX_DUMP_BYTES = 50_000_000
MAX_BIB_BYTES = 50_000_000
# A record is a title, an abstract, some authors and the curator's notes:
# far below this. Bigger means pasted data or a generated attack.
MAX_RECORD_BYTES = 1_000_000
MAX_AUTHORS = 5_000  # the largest collaborations sign about 3,000
MAX_NAME_CHARS = 200
MAX_REFERENCES = 10_000  # a survey cites hundreds; a book's bibliography a few thousand
MAX_VENUE_CHARS = 600
MAX_NOTES_CHARS = 100_000
# Curator Markdown (notes, theme intros) is refused past these before
# Python-Markdown sees it: it recurses once per nested list or quote (a
# 400-deep list is a RecursionError) and slows down quadratically with
# brackets (30,000 took two minutes).
MAX_MARKDOWN_DEPTH = 50  # nesting: two spaces of indent or one `>` per level
MAX_MARKDOWN_BRACKETS = 1_000  # opening `[` and `(`
# A .bib value after `@string` macros and `#` are expanded: far above any
# field above, so that chained macros (each doubling the last) stop here.
MAX_BIB_VALUE_CHARS = 200_000
# Values YAML aliases may repeat in themes.yml: a list of phrases shared by
# a few dozen themes is hundreds; nested aliases (the "billion laughs") are
# billions. Records allow no alias at all.
MAX_ALIAS_VALUES = 10_000

# A UTF-16 surrogate written as a YAML escape ("\ud800"): no UTF-8 file can
# hold one, so the build would crash writing it.
_SURROGATE_ESCAPE = re.compile(r"\\(?:u[dD][89a-fA-F][0-9a-fA-F]{2}|U0000[dD][89a-fA-F][0-9a-fA-F]{2})")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _yaml_events(text: str):
    """The YAML parse events of `text` (through the C parser when there is one),
    stopping quietly at a syntax error: load_yaml reports it with its line."""
    try:
        from ruamel.yaml.cyaml import CParser
    except ImportError:  # pragma: no cover - no C parser for this Python
        from ruamel.yaml import YAML

        events = YAML(typ="safe", pure=True).parse(text)
        dispose = None
    else:
        parser = CParser(text)
        events = _events(parser)
        dispose = parser.dispose
    try:
        yield from events
    except Exception:
        return
    finally:
        if dispose is not None:
            dispose()


def yaml_alias_problems(text: str, filename: str) -> list[Problem]:
    """Aliases (`*name`) in a record: refused, since a few of them nested
    expand to gigabytes (the "billion laughs"), and a record never needs one."""
    if "*" not in text:
        return []
    from ruamel.yaml.events import AliasEvent

    problems: dict[Problem, None] = {}  # each alias once a line: a bomb repeats one many times
    for event in _yaml_events(text):
        if isinstance(event, AliasEvent):
            problems[Problem(
                filename,
                f"YAML alias *{event.anchor} found; records may not use anchors and aliases: write the value out",
                line=event.start_mark.line + 1,
            )] = None
    return list(problems)


def yaml_alias_budget(text: str, filename: str, limit: int = MAX_ALIAS_VALUES) -> list[Problem]:
    """One problem, at the alias that crosses `limit`, when aliases repeat more
    values than that: a curator's few anchors load, a "billion laughs" does not.

    Counted from the parse events, never expanded: an anchored node's size is
    known when it ends, and each alias adds that size again.
    """
    if "*" not in text:
        return []
    from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, NodeEvent

    sizes: dict[str, int] = {}
    open_nodes: list[list[Any]] = []  # [values so far, anchor] of each collection being read
    added = 0
    for event in _yaml_events(text):
        if isinstance(event, CollectionStartEvent):
            open_nodes.append([1, event.anchor])
            continue
        if isinstance(event, AliasEvent):
            size = sizes.get(event.anchor, 1)
            added += size
            if added > limit:
                return [Problem(filename, f"YAML aliases expand to more than {limit:,} values (at *{event.anchor}); "
                                          "write the values out, or repeat fewer", line=event.start_mark.line + 1)]
        elif isinstance(event, CollectionEndEvent):
            size, anchor = open_nodes.pop()
            if anchor:
                sizes[anchor] = size
        elif isinstance(event, NodeEvent):  # a scalar
            size = 1
            if event.anchor:
                sizes[event.anchor] = 1
        else:
            continue
        if open_nodes:
            open_nodes[-1][0] += size
    return []


def _events(parser: Any):
    while parser.check_event():
        yield parser.get_event()


def _has_surrogate(data: Any) -> bool:
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return False


def surrogate_problems(text: str, filename: str) -> list[Problem]:
    """A lone surrogate escaped in a double-quoted value: refused, as no page,
    .bib or JSON file can be written with it."""
    match = _SURROGATE_ESCAPE.search(text)
    if match is None:
        return []
    from ruamel.yaml import YAML

    try:
        data = YAML(typ="rt").load(text)
    except Exception:  # a syntax error: load_yaml reports it with its line
        return []
    if not _has_surrogate(data):
        return []  # the escape was plain text (single-quoted or unquoted)
    return [Problem(
        filename,
        f"expected text, found the escape {match.group(0)} (a UTF-16 surrogate, not a character): "
        "write the character itself or its \\U00XXXXXX code point",
        line=_line_at(text, match.start()),
    )]


def record_text_problems(text: str, filename: str) -> list[Problem]:
    """What `check` refuses in a record's text before parsing it for real."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_RECORD_BYTES:
        return [Problem(filename, f"record is {size:,} bytes; at most {MAX_RECORD_BYTES:,} expected")]
    return yaml_alias_problems(text, filename) or surrogate_problems(text, filename)


def _field_line(text: str, name: str) -> int | None:
    match = re.search(rf"(?m)^{re.escape(name)}\s*:", text)
    return None if match is None else _line_at(text, match.start())


def size_problems(
    title: str = "", abstract: str = "", authors: tuple[str, ...] | list[str] = (), venue: str | None = "", notes: str | None = ""
) -> list[tuple[str, str]]:
    """(field, message) for each size above the limits: what every reader
    (dump, .bib, fetchers, enrichment) and `check` refuse alike."""
    found: list[tuple[str, str]] = []
    for name, value, limit in (
        ("title", title, MAX_TITLE_CHARS),
        ("abstract", abstract, MAX_ABSTRACT_CHARS),
        ("venue", venue or "", MAX_VENUE_CHARS),
        ("notes", notes or "", MAX_NOTES_CHARS),
    ):
        if len(value) > limit:
            found.append((name, f"{name} is {len(value):,} characters; at most {limit:,} expected"))
    if len(authors) > MAX_AUTHORS:
        found.append(("authors", f"{len(authors):,} authors; at most {MAX_AUTHORS:,} expected"))
    longest = max(authors, key=len, default="")
    if len(longest) > MAX_NAME_CHARS:
        found.append(("authors", f"an author name is {len(longest):,} characters; at most {MAX_NAME_CHARS} expected"))
    return found


def refused_answer(server: str, title: str, abstract: str, authors, venue: str | None, references=()) -> str | None:
    """Why an API answer is beyond the limits (naming the server), or None: what
    every fetching command stores nothing for."""
    found = [message for _field, message in size_problems(title, abstract, authors, venue)]
    if len(references) > MAX_REFERENCES:
        found.append(f"{len(references):,} references; at most {MAX_REFERENCES:,} expected")
    return f"the answer of {server} was refused: " + "; ".join(found) if found else None


_LEAD_RE = re.compile(r"^[ \t>]*", re.M)


def markdown_budget(text: str | None) -> str | None:
    """Why curator Markdown is beyond what it may ask of Markdown, or None."""
    if not text:
        return None
    brackets = text.count("[") + text.count("(")
    if brackets > MAX_MARKDOWN_BRACKETS:
        return f"{brackets:,} opening brackets; at most {MAX_MARKDOWN_BRACKETS:,} expected"
    depth = 0
    for match in _LEAD_RE.finditer(text):
        lead = match.group(0).expandtabs(4)
        depth = max(depth, len(lead.replace(">", "")) // 2 + lead.count(">"))
    if depth > MAX_MARKDOWN_DEPTH:
        return f"nested {depth} levels deep (lists, quotes or indents); at most {MAX_MARKDOWN_DEPTH} expected"
    return None


def paper_problems(paper: Paper, text: str, filename: str) -> list[Problem]:
    """Sizes `check` refuses in a valid record: the same for every reader
    (dump, .bib, enrichment), so that none can store what another refuses."""
    found = size_problems(paper.title, paper.abstract, paper.authors, paper.venue, paper.notes)
    budget = markdown_budget(paper.notes)
    if budget and not any(name == "notes" for name, _ in found):
        found.append(("notes", f"notes: {budget}"))
    return [Problem(filename, message, line=_field_line(text, name)) for name, message in found]
