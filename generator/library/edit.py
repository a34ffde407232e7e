"""The only code that changes a paper record file.

Every edit adds to a record and keeps what a curator wrote: comments, field
order, quoting and every curated value. New sources are inserted as lines of
text where possible (so nothing else in the file moves); fields are set in
the round-trip YAML data at their place in `RECORD_FIELDS` order. Imports,
`enrich` and `suggest --apply` all edit records through these functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date as Date
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from generator.library.keys import is_usable_key
from generator.library.yamlio import dump_yaml, load_yaml
from generator.model import RECORD_FIELDS, SourceRef


# ------------------------------------------------------------------ new records and sources


def new_record(key: str, title: str, abstract: str, added: str, sources: list[SourceRef]) -> CommentedMap:
    """A fresh record with parsed fields only; curated fields are added by hand."""
    record = CommentedMap()
    record["key"] = key
    record["title"] = title
    if abstract:  # optional: a paper without an abstract is a record like any other
        record["abstract"] = abstract
    record["added"] = Date.fromisoformat(added)  # written as a plain YAML date
    seq = CommentedSeq()
    for source in sources:
        seq.append(source_map(source))
    record["sources"] = seq
    return record


def source_map(source: SourceRef) -> CommentedMap:
    item = CommentedMap()
    item["file"] = source.file
    if source.date:
        item["date"] = source.date
    return item


def _plain(value: Any) -> Any:
    """A ruamel structure as plain dicts, lists and scalars, for comparison."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Date):
        return value.isoformat()
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    return str(value)


def _render_source_items(sources: list[SourceRef], dash_col: int, content_col: int, newline: str) -> str:
    out = []
    for source in sources:
        body = dump_yaml(source_map(source)).splitlines()
        out.append(" " * dash_col + "-" + " " * max(1, content_col - dash_col - 1) + body[0] + newline)
        out.extend(" " * content_col + line + newline for line in body[1:])
    return "".join(out)


def _insert_sources_text(text: str, data: Any, sources: list[SourceRef]) -> str | None:
    """`text` with `sources` added as lines at the end of its `sources` list.

    Every other byte of the record stays where it was: the curator's
    comments, quoting, indentation and line endings. None when the record's
    shape does not allow a plain insertion (a flow-style or empty list).
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    if "sources" not in data:
        head = text if not text or text.endswith("\n") else text + newline
        return head + "sources:" + newline + _render_source_items(sources, 2, 4, newline)
    seq = data["sources"]
    if not isinstance(seq, CommentedSeq) or not seq or seq.fa.flow_style():
        return None
    try:
        dash_line, dash_col = data.lc.value("sources")
        content_col = seq.lc.item(0)[1]
        last = dash_line
        for index, item in enumerate(seq):
            last = max(last, seq.lc.item(index)[0])
            if isinstance(item, CommentedMap):
                for field in item:
                    last = max(last, item.lc.key(field)[0], item.lc.value(field)[0])
            elif isinstance(item, (dict, list)):
                return None
    except Exception:
        return None
    lines = text.splitlines(keepends=True)
    if last >= len(lines):
        return None
    if not lines[last].endswith(("\n", "\r")):
        lines[last] += newline
    lines.insert(last + 1, _render_source_items(sources, dash_col, content_col, newline))
    return "".join(lines)


def append_sources(text: str, sources: list[SourceRef], filename: str = "<record>") -> str:
    """A record's text with `sources` appended to its `sources` list.

    Nothing else changes: the new items are inserted as text and the result is
    checked by parsing it again; only when that is impossible (an unusual
    layout) is the record re-dumped through ruamel's round-trip writer, which
    still keeps every field and comment.
    """
    data, problems = load_yaml(text, filename)
    if problems or not isinstance(data, CommentedMap):
        raise ValueError(f"{filename}: not a paper record: {'; '.join(str(p) for p in problems)}")
    expected = _plain(data)
    expected["sources"] = list(expected.get("sources") or []) + [_plain(source_map(s)) for s in sources]
    inserted = _insert_sources_text(text, data, sources)
    if inserted is not None:
        check, problems = load_yaml(inserted, filename)
        if not problems and _plain(check) == expected:
            return inserted
    if not isinstance(data.get("sources"), list):
        data["sources"] = CommentedSeq()
    for source in sources:
        data["sources"].append(source_map(source))
    return dump_yaml(data)


def _missing(data: CommentedMap, name: str) -> bool:
    value = data.get(name)
    return value is None or (isinstance(value, (str, list)) and not value)


def commented_gaps(data: CommentedMap, text: str) -> set[str]:
    """Top-level keys followed by a full-line comment before the next key.

    ruamel keeps such a comment with the key *before* it, so a field inserted
    right after that key would come between the comment and the field the
    curator wrote it about; we insert elsewhere instead.
    """
    lines = text.splitlines()
    starts = []
    for name in data:
        try:
            starts.append((data.lc.key(name)[0], name))
        except Exception:
            return set()
    starts.sort()
    bad = set()
    for index, (line, name) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(lines)
        if any(lines[i].startswith("#") for i in range(line + 1, min(end, len(lines)))):
            bad.add(name)
    return bad


def set_field(data: CommentedMap, name: str, value: Any, avoid_after: set[str] = frozenset(), new: set[str] | None = None) -> None:
    """Set a field: in place if the key exists, else at its place in RECORD_FIELDS order.

    `avoid_after` are keys a new field must not directly follow (a comment
    for the next field sits there); `new` collects keys added by this run so
    that they stay in order among themselves when a field has to move.
    """
    if name in data:
        data[name] = value
        return
    new = new if new is not None else set()
    order = RECORD_FIELDS.index(name)
    rank = {k: RECORD_FIELDS.index(k) if k in RECORD_FIELDS else len(RECORD_FIELDS) for k in data}
    keys = list(data)
    ideal = next((i for i, k in enumerate(keys) if rank[k] > order), len(keys))
    position = ideal
    while position < len(keys) and (keys[position - 1] in avoid_after or (keys[position] in new and rank[keys[position]] < order)):
        position += 1
    if position >= len(keys) and keys and keys[-1] in avoid_after:
        position = ideal
        while position > 1 and keys[position - 1] in avoid_after:
            position -= 1
    data.insert(position, name, value)
    new.add(name)

# ------------------------------------------------------------------ fields


def _yaml_value(value: Any) -> Any:
    """Lists and mappings (names, extra) as round-trip YAML nodes."""
    if isinstance(value, (list, tuple)):
        seq = CommentedSeq()
        seq.extend(_yaml_value(v) for v in value)
        return seq
    if isinstance(value, Mapping):
        mapping = CommentedMap()
        for k, v in value.items():
            mapping[k] = _yaml_value(v)
        return mapping
    return value


def fill_missing(data: CommentedMap, values: Mapping[str, Any], *, provenance: str | None, text: str = "") -> list[str]:
    """Set the fields `data` lacks from `values` (in their order); never replace one.

    None values are skipped; lists become YAML sequences. With `provenance`
    (such as `arxiv 2403.03507`) each filled field is noted under
    `provenance:`, so a curator can see where a value came from. `text` is
    the record as read, to keep comments next to the field they describe.
    """
    avoid = commented_gaps(data, text) if text else set()
    new: set[str] = set()
    filled = []
    for name, value in values.items():
        if value is None or not _missing(data, name):
            continue
        value = _yaml_value(value)
        set_field(data, name, value, avoid, new)
        filled.append(name)
    if filled and provenance:
        if not isinstance(data.get("provenance"), dict):
            set_field(data, "provenance", CommentedMap(), avoid, new)
        for name in filled:
            data["provenance"][name] = provenance
    return filled


def add_source(data: CommentedMap, source: SourceRef, text: str = "") -> bool:
    """Add `source` to the record's `sources` unless its file is listed; whether it was added."""
    sources = data.get("sources")
    if sources is None:
        sources = CommentedSeq()
        set_field(data, "sources", sources, commented_gaps(data, text) if text else set())
    known = {str(item.get("file")) for item in sources if isinstance(item, dict)}
    if source.file in known:
        return False
    sources.append(source_map(source))
    return True


def add_to_record(text: str, filename: str, additions: list[tuple[SourceRef, Mapping[str, Any], str | None]]) -> str | None:
    """The record `text` with what an import found: (source, field values, provenance) each.

    Sources whose file is not listed yet are added; fields the record lacks
    are filled, never replaced. When only sources are added, they are
    inserted as text so that every other byte stays; None when the record
    gains nothing.
    """
    data, problems = load_yaml(text, filename)
    if problems or not isinstance(data, CommentedMap):
        raise ValueError(f"{filename}: not a paper record: {'; '.join(str(p) for p in problems)}")
    if not any(values for _source, values, _provenance in additions):
        known = {str(item.get("file")) for item in data.get("sources") or [] if isinstance(item, dict)}
        extra = []
        for source, _values, _provenance in additions:
            if source.file not in known:
                extra.append(source)
                known.add(source.file)
        return append_sources(text, extra, filename) if extra else None
    changed = False
    for source, values, provenance in additions:
        values = dict(values)
        aliases = values.pop("ids", None) or []
        changed |= add_source(data, source, text)
        changed |= bool(fill_missing(data, values, provenance=provenance, text=text))
        changed |= add_key_aliases(data, aliases, text)
    return dump_yaml(data) if changed else None


def add_key_aliases(data: CommentedMap, aliases: list[str], text: str = "") -> bool:
    """Keep other keys of the same paper under `extra: ids:` (biblatex's field for alias keys).

    Two entries of one paper (two keys in a .bib, or a key that merged into
    a record with another) stay citable by every key a user had.
    """
    key = str(data.get("key") or "")
    wanted = [a for a in aliases if a and a != key and is_usable_key(a)]  # never a TeX special in a key
    if not wanted:
        return False
    if not isinstance(data.get("extra"), dict):
        set_field(data, "extra", CommentedMap(), commented_gaps(data, text) if text else set())
    current = [i.strip() for i in str(data["extra"].get("ids") or "").split(",") if i.strip()]
    added = [a for a in dict.fromkeys(wanted) if a not in current]
    if not added:
        return False
    data["extra"]["ids"] = ", ".join(current + added)
    return True


# ------------------------------------------------------------------ theme pins


def pin_record(text: str, filename: str, theme_id: str) -> str | None:
    """The record text with `theme_id` pinned in, or None if it is already there.

    Round-trip YAML: comments, order and other fields are kept. A new `themes`
    key goes where RECORD_FIELDS puts it, and comment lines that stood before
    the key that follows it stay before that key.
    """
    data, problems = load_yaml(text, filename)
    if problems or not isinstance(data, dict):
        raise ValueError(f"{filename}: cannot read the record")
    current = data.get("themes")
    if isinstance(current, list):
        if theme_id in current:
            return None
        current.append(theme_id)
        return dump_yaml(data)
    if isinstance(current, str):
        if current == theme_id:
            return None
        data["themes"] = CommentedSeq([current, theme_id])
        return dump_yaml(data)
    seq = CommentedSeq([theme_id])
    if "themes" in data:  # `themes:` with nothing after it
        data["themes"] = seq
        return dump_yaml(data)
    order = RECORD_FIELDS.index("themes")
    keys = list(data)
    position = 0
    for i, key in enumerate(keys):
        if key in RECORD_FIELDS and RECORD_FIELDS.index(key) < order:
            position = i + 1
    moved = _detach_comment_lines(data, keys[position - 1]) if position > 0 else ""
    data.insert(position, "themes", seq)
    if moved:
        seq.ca.items[0] = [CommentToken("\n" + moved, CommentMark(0), None), None, None, None]
    return dump_yaml(data)


def _detach_comment_lines(mapping: CommentedMap, key: Any) -> str:
    """Remove and return the whole-line comments that follow `mapping[key]`.

    ruamel keeps comment lines with the value *before* them; when a key is
    inserted after that value, they must move below it so they stay with the
    key they were written above. An end-of-line comment stays where it is.
    """
    node: Any = mapping
    slot: Any = key
    while True:
        value = node[slot]
        if isinstance(value, CommentedMap) and len(value):
            node, slot = value, list(value)[-1]
        elif isinstance(value, CommentedSeq) and len(value):
            node, slot = value, len(value) - 1
        else:
            break
    items = node.ca.items.get(slot)
    index = 0 if isinstance(node, CommentedSeq) else 2
    token = items[index] if items and len(items) > index else None
    if token is None or "\n" not in token.value:
        return ""
    first, rest = token.value.split("\n", 1)
    if not rest.strip():
        return ""
    token.value = first + "\n"
    return rest
