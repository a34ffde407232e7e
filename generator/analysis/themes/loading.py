"""Reading content/themes.yml: its schema, building Theme records, and checks against the library.

`load_themes` reads and validates the file; `FILE_SCHEMA` / `THEME_SCHEMA`
describe its shape (the generic validator is `generator.library.schema`);
`themes_from_data` builds the records and reports what a schema cannot see
(duplicate or reserved ids, unusable patterns, contradictory pins);
`validate_against_library` checks pins both ways: themes.yml naming unknown
papers, and paper records naming unknown themes. Problems are collected,
never raised, and point at the file, line and key path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from generator.analysis.themes.model import DEFAULT_MIN_HINTS, Pattern, Pin, Rules, Theme
from generator.analysis.themes.phrases import check_pattern
from generator.analysis.themes.review import FIELDS as REVIEW_FIELDS, review_parts
from generator.library import schema
from generator.library.records import did_you_mean, line_of, load_yaml
from generator.limits import yaml_alias_budget
from generator.model import Paper, Problem

THEMES_FILE = "themes.yml"
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
RESERVED_IDS = frozenset({"index", "all", "unsorted"})  # names of the site's own theme pages
RULE_KEYS = ("match", "match_title", "hints", "unless")


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
                    "specific": schema.Field(schema.Flag()),
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
        **REVIEW_FIELDS,  # columns, start_here (review.py)
    },
    description="a theme (a mapping with at least 'id' and 'title')",
)
FILE_SCHEMA = schema.Mapping(
    {
        "themes": schema.Field(schema.ListOf(THEME_SCHEMA, description="themes"), required=True),
        "max_themes_per_paper": schema.Field(schema.Whole(minimum=1, maximum=50), help="`check` warns about papers in more themes"),
    },
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
    problems = yaml_alias_budget(text, name)  # before anything walks the aliases' values
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
        columns, start_here, found = review_parts(item, where, name)
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
                columns=columns,
                start_here=start_here,
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
    specific = entry.get("specific") is True
    phrase, regex = entry.get("phrase"), entry.get("regex")
    if isinstance(phrase, str) and phrase.strip() and regex is None:
        return Pattern(phrase.strip(), case_sensitive=case, concept=concept, specific=specific)
    if isinstance(regex, str) and regex and phrase is None:
        return Pattern(regex, regex=True, case_sensitive=case, concept=concept, specific=specific)
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


def max_themes_per_paper(path: Path) -> int | None:
    """The curator's `max_themes_per_paper:` of themes.yml, or None when unset or unusable."""
    try:
        data, problems = load_yaml(path.read_text("utf-8"), str(path))
    except (OSError, UnicodeDecodeError):
        return None
    value = data.get("max_themes_per_paper") if isinstance(data, dict) and not problems else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else None
