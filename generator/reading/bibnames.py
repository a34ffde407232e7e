"""BibTeX name lists as structured names: family, given, particle (von), suffix (Jr).

The rules are BibTeX's own (as in "Tame the BeaST"): `von Last, Jr, First`,
`von Last, First` or `First von Last`, where the von part is the words that
start with a lower-case letter; a name in braces (`{The LLM Consortium}`) is
a literal, never split. `others` and `et al.` mean "and more", not an author.
biblatex's extended format (`family=Kate, given=Warner, prefix=ten`) names
each part itself and is read as it says.
"""

from __future__ import annotations

import re

from generator.model import Name
from generator.reading.bibvalues import decode_latex, split_top

_ET_AL = frozenset({"others", "et al.", "et al", "et. al.", "et.al.", "al."})
# Fields other than `author` that hold a name list (BibTeX's `editor`, biblatex's others).
NAME_LIST_FIELDS = ("editor", "editora", "editorb", "editorc", "translator", "annotator", "commentator",
                    "introduction", "foreword", "afterword", "bookauthor", "holder")


def _protect_braced_and(value: str) -> str:
    """Hide ` and ` inside braces so that splitting on it keeps `{Barnes and Noble}`."""
    out, depth, i = [], 0, 0
    while i < len(value):
        ch = value[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        if depth > 0 and (m := re.match(r"\s+and\s+", value[i:], re.IGNORECASE)):
            out.append("\ue010")
            i += m.end()
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _words(part: str) -> list[str]:
    """Words of a name part, split on spaces (and ties) outside braces."""
    words, depth, current = [], 0, []
    for ch in part:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        if depth == 0 and (ch.isspace() or ch == "~"):
            if current:
                words.append("".join(current))
                current = []
            continue
        current.append(ch)
    if current:
        words.append("".join(current))
    return words


def _is_von(word: str) -> bool:
    """A von word starts with a lower-case letter at brace depth 0 (`van`, `de`, `\\relax d'`)."""
    depth = 0
    for index, ch in enumerate(word):
        if ch == "{":
            depth += 1
            # `{\'e}tienne`: a special character counts by its letter
            if word[index + 1: index + 2] == "\\":
                letters = re.sub(r"\\[A-Za-z]+|[^A-Za-z]", "", word[index + 2:].split("}", 1)[0])
                return bool(letters) and letters[0].islower()
            continue
        if ch == "}":
            depth = max(0, depth - 1)
            continue
        if depth == 0 and ch.isalpha():
            return ch.islower()
    return False


def _von_last(words: list[str]) -> tuple[str, str]:
    """Split `von Last` words: the last word is always family."""
    von_end = 0
    for index, word in enumerate(words[:-1]):
        if _is_von(word):
            von_end = index + 1
    return " ".join(words[:von_end]), " ".join(words[von_end:])


# biblatex's extended name format: `family=Kate, given=Warner, prefix=ten, useprefix=false`.
_KEY_VALUE_RE = re.compile(r"\s*([A-Za-z][A-Za-z-]*)\s*=(.*)", re.DOTALL)
_NAME_PARTS = {"family": "family", "given": "given", "prefix": "particle", "suffix": "suffix"}
# A per-name option that says what biblatex does anyway.
_DEFAULT_OPTIONS = frozenset({"useprefix=false"})


def _key_values(raw: str) -> list[tuple[str, str]] | None:
    """The `key=value` pairs of an extended-format name, or None for a BibTeX-form name.

    Every comma-separated part must be a pair and one of them a family or
    given name, as biber requires; a value may be braced (`given={Jean Paul}`).
    """
    pairs = []
    for part in split_top(raw, ","):
        m = _KEY_VALUE_RE.fullmatch(part)
        if not m:
            return None
        value = m.group(2).strip()
        if value.startswith("{") and value.endswith("}") and _balanced_whole(value):
            value = value[1:-1]
        pairs.append((m.group(1).lower(), value))
    return pairs if any(key in ("family", "given") for key, _ in pairs) else None


def _extended_name(pairs: list[tuple[str, str]]) -> Name | None:
    """A Name from biblatex's explicit parts: no guessing which word is the family name."""
    parts = {_NAME_PARTS[key]: decode_latex(value) for key, value in pairs if key in _NAME_PARTS}
    name = Name(**parts)
    if not name.family:
        return Name(literal=name.display()) if name.display() else None
    return name


def name_options(value: str) -> list[str]:
    """The per-name options of extended-format names that a record cannot hold:
    `Warner ten Kate (useprefix=true)`; biblatex's default `useprefix=false` is no loss."""
    found = []
    for raw in _raw_names(value):
        pairs = _key_values(raw) or []
        options = [f"{key}={' '.join(v.split())}" for key, v in pairs if key not in _NAME_PARTS]
        options = [o for o in options if o.lower() not in _DEFAULT_OPTIONS]
        if options and (name := _extended_name(pairs)):
            found.append(f"{name.display()} ({', '.join(options)})")
    return found


def parse_name(raw: str) -> Name | None:
    """One BibTeX name as a Name; None for `others` / `et al.` or an empty name."""
    raw = raw.strip().strip(",").strip()
    if not raw or decode_latex(raw).strip().lower() in _ET_AL:
        return None
    if (pairs := _key_values(raw)) is not None:
        return _extended_name(pairs)
    if raw.startswith("{") and raw.endswith("}") and _balanced_whole(raw):
        return Name(literal=decode_latex(raw)) if decode_latex(raw) else None
    parts = [p.strip() for p in split_top(raw, ",")]
    if len(parts) == 1:
        words = _words(parts[0])
        first_von = next((i for i, w in enumerate(words[:-1]) if _is_von(w)), None)
        if first_von is None:
            given, particle, family = " ".join(words[:-1]), "", words[-1] if words else ""
        else:
            given = " ".join(words[:first_von])
            particle, family = _von_last(words[first_von:])
        suffix = ""
    else:
        particle, family = _von_last(_words(parts[0]))
        suffix = parts[1] if len(parts) >= 3 else ""
        given = parts[-1] if len(parts) >= 2 else ""
    name = Name(family=decode_latex(family), given=decode_latex(given), particle=decode_latex(particle), suffix=decode_latex(suffix))
    if not name.family:
        return Name(literal=decode_latex(raw)) if decode_latex(raw) else None
    return name


def _balanced_whole(raw: str) -> bool:
    """Whether the outer braces of `raw` enclose all of it (`{A} and {B}` is not one group)."""
    depth = 0
    for index, ch in enumerate(raw):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0 and index != len(raw) - 1:
                return False
    return depth == 0


# `and` as a word of its own, where BibTeX splits a name list.
_AND_RE = re.compile(r"(?<!\S)and(?!\S)", re.IGNORECASE)


def _raw_names(value: str) -> list[str]:
    """The names of a list as written, `and` splitting them; a doubled `and` gives an empty one."""
    if not value.strip():
        return []
    return [raw.replace("\ue010", " and ").strip() for raw in _AND_RE.split(_protect_braced_and(value.strip()))]


def parse_names(value: str) -> list[Name]:
    """A BibTeX `author` value as Names, `others`, `et al.` and empty names left out."""
    names = []
    for raw in _raw_names(value):
        name = parse_name(raw)
        if name is not None:
            names.append(name)
    return names


def empty_names(value: str) -> int:
    """How many names of a list are empty (`A and and B`, a list ending in `and`): never an author."""
    return sum(1 for raw in _raw_names(value) if not raw.strip(" ,{}~"))


def has_more_authors(value: str) -> bool:
    """Whether an author list ends in `and others` or `and et al.`."""
    return bool(re.search(r"\band\s+(?:others|et\.?\s*al\.?)\s*$", value.strip(), re.IGNORECASE))


def split_names(value: str) -> list[str]:
    """`Hu, Edward J. and {Barnes and Noble} and others` -> display names (`Edward J. Hu`)."""
    return [name.display() for name in parse_names(value)]
