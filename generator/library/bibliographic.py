"""Validation of a record's bibliographic fields: what reference managers hold.

An import fills them (`entry_type`, structured `names`, `month`, `volume`,
`pages`, `publisher`, ... and `extra`, the fields of a .bib kept verbatim);
a curator may edit them. Every wrong value is a problem with its line, and
the paper still loads with the fields that are right.
"""

from __future__ import annotations

import re
from typing import Any

from generator.model import Name

# Free text: a number written without quotes (`volume: 12`) is read as its text.
TEXT_FIELDS = ("volume", "number", "pages", "publisher", "institution", "edition", "isbn", "issn", "language")
_ENTRY_TYPE_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
_NAME_PARTS = ("family", "given", "particle", "suffix", "literal")


def _found(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _names(value: Any, bad: Any) -> tuple[Name, ...]:
    """`names:` as Names: a list of mappings of family/given/particle/suffix, or literal."""
    if value is None:
        return ()
    if not isinstance(value, list):
        bad("names", f"'names' must be a list of {{family, given}} or {{literal}} mappings, found {_found(value)}")
        return ()
    names = []
    for index, item in enumerate(value):
        if not isinstance(item, dict) or not item:
            bad("names", f"names[{index}] must be a mapping such as {{family: Curie, given: Marie}}, found {_found(item)}")
            continue
        unknown = [str(k) for k in item if k not in _NAME_PARTS]
        wrong = [str(k) for k, v in item.items() if k in _NAME_PARTS and not isinstance(v, str)]
        if unknown or wrong:
            what = f"unknown part(s) {', '.join(unknown)}" if unknown else f"part(s) {', '.join(wrong)} not text"
            bad("names", f"names[{index}]: {what}; a name has {', '.join(_NAME_PARTS)}")
            continue
        parts = {k: str(v).strip() for k, v in item.items()}
        if parts.get("literal") and any(parts.get(k) for k in _NAME_PARTS[:4]):
            bad("names", f"names[{index}]: a literal name has no other parts")
            continue
        if not parts.get("literal") and not parts.get("family"):
            bad("names", f"names[{index}] needs a 'family' (or a 'literal' for an institution)")
            continue
        names.append(Name(**parts))
    return tuple(names)


def _extra(value: Any, bad: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, (str, int)) and not isinstance(v, bool) for k, v in value.items()):
        bad("extra", f"'extra' must be a mapping of field: text (an entry's fields kept verbatim), found {_found(value)}")
        return ()
    return tuple((k, str(v)) for k, v in value.items())


def _keep_case(value: Any, bad: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        bad("keep_case", f"'keep_case' must be a list of title words or phrases whose capitals are kept, found {_found(value)}")
        return ()
    return tuple(v.strip() for v in value)


def check_bibliographic(data: dict, bad: Any) -> dict[str, Any]:
    """The bibliographic fields of a record as Paper arguments; `bad(field, message)` for each wrong one."""
    values: dict[str, Any] = {}
    entry_type = data.get("entry_type")
    if entry_type is not None and not (isinstance(entry_type, str) and _ENTRY_TYPE_RE.match(entry_type)):
        bad("entry_type", f"'entry_type' must be a BibTeX entry type such as article or inproceedings, found {_found(entry_type)}")
        entry_type = None
    values["entry_type"] = entry_type
    month = data.get("month")
    if month is not None and (not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12):
        bad("month", f"'month' must be a number from 1 to 12, found {_found(month)}")
        month = None
    values["month"] = month
    more = data.get("more_authors")
    if more is not None and not isinstance(more, bool):
        bad("more_authors", f"'more_authors' must be true or false (the author list goes on past the names given), found {_found(more)}")
        more = None
    values["more_authors"] = bool(more)
    for field in TEXT_FIELDS:
        value = data.get(field)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        elif value is not None and not isinstance(value, str):
            bad(field, f"'{field}' must be text, found {_found(value)}")
            value = None
        values[field] = value.strip() or None if isinstance(value, str) else None
    values["names"] = _names(data.get("names"), bad)
    values["keep_case"] = _keep_case(data.get("keep_case"), bad)
    values["extra"] = _extra(data.get("extra"), bad)
    return values
