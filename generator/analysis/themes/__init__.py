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

One plain word (`Pattern.broad`: "GPUs", "layer") decides nothing alone, even
in `match` or `match_title`: in a title it needs one more, different hint; a
curator marks a word that names its topic `{phrase: quantiz*, specific: true}`.
A paper in more themes than `max_themes_per_paper:` is a `check` warning
(`crowded_papers`). A paper's own record may pin itself in (`themes:`) or out
(`not_themes:`).

Where things live, in pipeline order:

    model.py    Theme, Rules, Pattern, Pin: the frozen records
    phrases.py  the phrase language (phrase_regex, phrase_forms) and check_pattern,
                which rejects patterns that are too long, do not compile or may
                backtrack for ever
    loading.py  themes.yml: its schema, load_themes, validate_against_library
    engine.py   the matcher: every phrase of every theme is indexed once by its
                first word, and each title and abstract is read once, token by
                token, whatever the number of themes; curators' regexes, the
                escape hatch, are the only patterns searched one by one
    assign.py   pins and rules -> assign_themes, and the wording of reasons

Other stages import from this package (`from generator.analysis.themes import
assign_themes`), not from its modules, so the modules may move.
"""

from generator.analysis.themes.assign import (
    PINNED_IN_RECORD,
    PINNED_IN_THEMES,
    assign_themes,
    crowded_papers,
    explain_exclusion,
    members,
    rule_reason,
    theme_reason,
)
from generator.analysis.themes.loading import (
    FILE_SCHEMA,
    ID_RE,
    RESERVED_IDS,
    RULE_KEYS,
    THEME_SCHEMA,
    THEMES_FILE,
    first_sentence,
    load_themes,
    max_themes_per_paper,
    themes_from_data,
    validate_against_library,
)
from generator.analysis.themes.model import DEFAULT_MIN_HINTS, Pattern, Pin, Rules, Theme
from generator.analysis.themes.phrases import (
    MAX_PHRASE_CHARS,
    MAX_PHRASE_WORDS,
    PatternError,
    check_pattern,
    phrase_forms,
    phrase_regex,
)

__all__ = [
    "DEFAULT_MIN_HINTS",
    "FILE_SCHEMA",
    "ID_RE",
    "MAX_PHRASE_CHARS",
    "MAX_PHRASE_WORDS",
    "PINNED_IN_RECORD",
    "PINNED_IN_THEMES",
    "RESERVED_IDS",
    "RULE_KEYS",
    "THEME_SCHEMA",
    "THEMES_FILE",
    "Pattern",
    "PatternError",
    "Pin",
    "Rules",
    "Theme",
    "assign_themes",
    "crowded_papers",
    "check_pattern",
    "explain_exclusion",
    "first_sentence",
    "load_themes",
    "max_themes_per_paper",
    "members",
    "phrase_forms",
    "phrase_regex",
    "rule_reason",
    "theme_reason",
    "themes_from_data",
    "validate_against_library",
]
