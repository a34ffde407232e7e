"""Import stage for BibTeX files: `python -m generator import refs.bib`.

Entries of a .bib file (as Zotero or Better BibTeX export them) become paper
records: title, authors, year, abstract, DOI, arXiv id, URL and venue, with
LaTeX decoded to Unicode. An entry that is already in the library (same DOI,
arXiv id or title) only fills the fields its record lacks and gains a source
`{file: refs.bib}`; nothing a curator wrote is replaced. The BibTeX key is
kept as the paper's key when it is a valid, free key (lower-cased,
`Zhao:2024:GaLore` -> `zhao-2024-galore`).

Unlike a dump, a .bib file is imported entry by entry: an entry that cannot be
parsed (or has no title, or no abstract for a new paper) is reported with its
line and skipped, and the good entries are still written, all at once.
"""

from __future__ import annotations

import logging
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path

import bibtexparser
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, String
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from generator.identifiers import ARXIV_DOI_RE as _ARXIV_DOI_RE, DOI_PREFIX_RE as _DOI_PREFIX_RE, arxiv_id as parse_arxiv_id
from generator.curation.enrich import commented_gaps, set_field
from generator.reading.merge import plan_sources
from generator.library.keys import assign_key, is_valid_key
from generator.library.records import dump_yaml, load_library, load_yaml, new_record, record_path, source_map
from generator.model import Problem, SourceRef
from generator.textnorm import clean_line, convert_latex_escapes, normalise_text, title_identity
from generator.writer import write_all_or_nothing

MAX_BIB_BYTES = 50_000_000
# Containers other entries point at with `crossref`: not papers themselves.
CONTAINER_TYPES = frozenset({"proceedings", "mvproceedings", "book", "mvbook", "collection", "mvcollection", "periodical"})
_MONTHS = {
    "jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May", "jun": "June",
    "jul": "July", "aug": "August", "sep": "September", "oct": "October", "nov": "November", "dec": "December",
}
# Fields a crossref child does not inherit from its parent (they describe the parent itself).
_NOT_INHERITED = frozenset({"title", "author", "abstract", "doi", "url", "eprint", "archiveprefix", "eprinttype",
                            "primaryclass", "note", "keywords", "file", "crossref", "ids", "pages"})


@dataclass(frozen=True)
class BibRecord:
    """One BibTeX entry, decoded to the library's fields."""

    file: str  # the .bib path as given, for messages
    source: str  # the .bib file name, for `sources:`
    line: int  # 1-based line of the entry's `@`
    bibkey: str
    entry_type: str
    title: str
    abstract: str
    authors: tuple[str, ...] = ()
    year: int | None = None
    doi: str | None = None
    arxiv: str | None = None
    url: str | None = None
    venue: str | None = None

    def curated(self) -> dict[str, object]:
        """The curated fields this entry can fill, in record order."""
        values = {
            "authors": list(self.authors) or None,
            "year": self.year,
            "url": self.url,
            "arxiv": self.arxiv,
            "doi": self.doi,
            "venue": self.venue,
        }
        return {k: v for k, v in values.items() if v is not None}


@dataclass
class ParsedBib:
    records: list[BibRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)  # worth saying, not a failure
    containers: int = 0  # @proceedings/@book entries only used through crossref


@dataclass
class BibImportReport:
    added: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    unchanged: int = 0
    containers: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    files_written: int = 0

    def summary(self) -> str:
        text = f"added {len(self.added)}, merged {len(self.merged)}, problems {len(self.problems)} ({self.unchanged} unchanged"
        if self.containers:
            text += f", {self.containers} crossref container(s) skipped"
        return text + ")"


# ------------------------------------------------------------------ values


def _split_top(value: str, sep: str) -> list[str]:
    """Split on `sep` outside braces and (at depth 0) quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == sep and depth == 0 and not quoted:
            parts.append(value[start:i])
            start = i + 1
        i += 1
    parts.append(value[start:])
    return parts


def evaluate(raw: str, strings: dict[str, str], unknown: list[str] | None = None) -> str:
    """A raw BibTeX value (`{...}`, `"..."`, 2021, a macro, or `a # b`) as its text."""
    out = []
    for part in _split_top(raw.strip(), "#"):
        p = part.strip()
        if len(p) >= 2 and ((p[0] == "{" and p[-1] == "}") or (p[0] == '"' and p[-1] == '"')):
            out.append(p[1:-1])
        elif p.isdigit():
            out.append(p)
        elif p.lower() in strings:
            out.append(strings[p.lower()])
        elif p.lower() in _MONTHS:
            out.append(_MONTHS[p.lower()])
        elif p:
            if unknown is not None:
                unknown.append(p)  # BibTeX reads an undefined macro as empty text
    return "".join(out)


# Private-use placeholders for characters that must survive brace and `$` stripping.
_LBRACE, _RBRACE, _DOLLAR, _BACKSLASH, _TILDE = "\ue000", "\ue001", "\ue002", "\ue003", "\ue004"
_ASCII_MACROS = {
    "textbraceleft": _LBRACE, "textbraceright": _RBRACE, "textdollar": _DOLLAR, "textbackslash": _BACKSLASH,
    "textasciitilde": _TILDE, "textasciicircum": "^", "textbar": "|", "textless": "<", "textgreater": ">",
    "textunderscore": "_", "textquotedbl": '"', "textquotesingle": "'", "textasciigrave": "`",
}
_ASCII_MACRO_RE = re.compile(r"\\(" + "|".join(_ASCII_MACROS) + r")(?:\{\}|(?![A-Za-z])\s*)")
_UNWRAP_RE = re.compile(r"\\(?:ensuremath|mbox|hbox|NoCaseChange|textsuperscript|textsubscript)\s*\{([^{}]*)\}")
# Old-style font switches: `{\\it x}` is an italic x.
_SWITCH_RE = re.compile(r"\\(?:it|bf|em|sc|tt|rm|sf|sl|up|itshape|bfseries|scshape|ttfamily|upshape|mdseries|normalfont|small|footnotesize|large|Large)(?![A-Za-z])\s*")
_ESCAPED = {"\\{": _LBRACE, "\\}": _RBRACE, "\\$": _DOLLAR, "\\~{}": _TILDE, "\\^{}": "^", "\\textbackslash{}": _BACKSLASH}


def decode_latex(value: str) -> str:
    """A BibTeX field value as Unicode text.

    Escapes become characters (`{\\"u}` -> ü, `\\&` -> &, `{\\textasciitilde}`
    -> ~), protection braces and math `$` go (`{GaLore}` -> GaLore), `~` is
    a space and `--` a dash, as LaTeX would print them. Escaped braces and
    dollars stay as characters; unknown macros stay as written.
    """
    text = value
    for escaped, placeholder in _ESCAPED.items():
        text = text.replace(escaped, placeholder)
    text = _ASCII_MACRO_RE.sub(lambda m: _ASCII_MACROS[m.group(1)], text)
    text = re.sub(r"\\\\(?:\[[^\]]*\])?", " ", text)  # a forced line break
    previous = None
    while previous != text:
        previous = text
        text = _UNWRAP_RE.sub(r"\1", text)
    text = _SWITCH_RE.sub("", text)
    text = convert_latex_escapes(text)
    # Only now, with accents (`\~n`) converted: LaTeX's tie and ligatures.
    text = re.sub(r"(?<!\\)~", " ", text)
    text = text.replace("---", "\u2014").replace("--", "\u2013").replace("``", "\u201c").replace("''", "\u201d")
    text = re.sub(r"(?<!\\)[{}$]", "", text)
    text = text.replace(_LBRACE, "{").replace(_RBRACE, "}").replace(_DOLLAR, "$").replace(_BACKSLASH, "\\").replace(_TILDE, "~")
    return clean_line(text)


def has_others(value: str) -> bool:
    """Whether an author list ends in `and others` (et al.)."""
    return bool(re.search(r"\band\s+others\s*$", value, re.IGNORECASE))


def split_names(value: str) -> list[str]:
    """`Hu, Edward J. and {Barnes and Noble} and others` -> display names.

    "Last, First" becomes "First Last" ("Last, Jr, First" -> "First Last
    Jr"); braced names are literal; "others" (et al.) is dropped.
    """
    names = []
    for raw in re.split(r"\s+and\s+", _protect_braced_and(value), flags=re.IGNORECASE):
        raw = raw.replace("\ue010", " and ").strip()
        if not raw or raw.lower() == "others":
            continue
        parts = [p.strip() for p in _split_top(raw, ",")]
        if len(parts) == 2 and parts[1]:
            raw = f"{parts[1]} {parts[0]}"
        elif len(parts) >= 3:
            raw = " ".join(p for p in (parts[2], parts[0], parts[1]) if p)
        name = decode_latex(raw)
        if name:
            names.append(name)
    return names


def _protect_braced_and(value: str) -> str:
    """Hide ` and ` inside braces so that splitting on it keeps `{Barnes and Noble}`."""
    out, depth = [], 0
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        if depth > 0:
            m = re.match(r"\s+and\s+", value[i:], re.IGNORECASE)
            if m:
                out.append("\ue010")
                i += m.end()
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _identifier(value: str) -> str:
    """A URL/DOI/eprint value: braces and backslash escapes removed, trimmed."""
    text = re.sub(r"\\([_%&#$~])", r"\1", value)
    text = re.sub(r"\\url\{([^{}]*)\}", r"\1", text)
    return "".join(text.replace("{", "").replace("}", "").split())


_ARXIV_URL_RE = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:\.pdf)?/?(?:[?#]|$)", re.IGNORECASE)
_ARXIV_TEXT_RE = re.compile(r"arxiv:\s*([^\s,;{}]+)", re.IGNORECASE)
_NOT_A_VENUE_RE = re.compile(r"^\s*(?:arxiv\b.*|corr|arxiv e-prints|preprint)\s*$", re.IGNORECASE)


def _arxiv_id(text: str | None) -> str | None:
    return parse_arxiv_id(text.strip().rstrip(".")) if text else None


def find_arxiv_id(fields: dict[str, str]) -> str | None:
    """From eprint (arXiv), an arxiv.org URL, an arXiv DOI, or `arXiv:XXXX` text."""
    eprint = _identifier(fields.get("eprint", ""))
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    if eprint:
        eprint = re.sub(r"^arxiv:", "", eprint, flags=re.IGNORECASE)
        if prefix == "arxiv" or re.fullmatch(r"\d{4}\.\d{4,5}(v\d+)?", eprint):
            found = _arxiv_id(eprint)
            if found:
                return found
    for name in ("url", "howpublished", "note"):
        m = _ARXIV_URL_RE.search(_identifier(fields.get(name, "")))
        if m and (found := _arxiv_id(m.group(1))):
            return found
    m = _ARXIV_DOI_RE.match(_DOI_PREFIX_RE.sub("", _identifier(fields.get("doi", ""))))
    if m and (found := _arxiv_id(m.group(1))):
        return found
    for name in ("journal", "journaltitle", "note", "howpublished", "booktitle"):
        m = _ARXIV_TEXT_RE.search(fields.get(name, ""))
        if m and (found := _arxiv_id(m.group(1))):
            return found
    volume = fields.get("volume", "")
    if fields.get("journal", "").strip().lower() == "corr" and (m := re.fullmatch(r"\s*abs/(\S+)\s*", volume)):
        return _arxiv_id(m.group(1))
    return None


def _year(fields: dict[str, str]) -> int | None:
    for name in ("year", "date"):
        m = re.search(r"(?<!\d)(\d{4})(?!\d)", fields.get(name, ""))
        if m and 1000 <= int(m.group(1)) <= 9999:
            return int(m.group(1))
    return None


def entry_to_record(fields: dict[str, str], *, file: str, source: str, line: int, bibkey: str, entry_type: str) -> BibRecord:
    """Decode an entry's evaluated fields (lower-case names) into a BibRecord."""
    doi = _DOI_PREFIX_RE.sub("", _identifier(fields.get("doi", ""))) or None
    url = _identifier(fields.get("url", "")) or None
    venue = None
    for name in ("booktitle", "journal", "journaltitle"):
        text = decode_latex(fields.get(name, ""))
        if text and not _NOT_A_VENUE_RE.match(text):
            venue = text
            break
    return BibRecord(
        file=file,
        source=source,
        line=line,
        bibkey=bibkey,
        entry_type=entry_type,
        title=decode_latex(fields.get("title", "")),
        abstract=decode_latex(fields.get("abstract", "")),
        authors=tuple(split_names(fields.get("author", ""))),
        year=_year(fields),
        doi=doi,
        arxiv=find_arxiv_id(fields),
        url=url,
        venue=venue,
    )


# ------------------------------------------------------------------ parse


def _read(path: Path) -> tuple[str | None, list[Problem]]:
    name = str(path)
    if not path.is_file():
        return None, [Problem(name, "no such file" if not path.exists() else "not a file")]
    data = path.read_bytes()
    if len(data) > MAX_BIB_BYTES:
        return None, [Problem(name, f"file is {len(data):,} bytes; a .bib file is at most {MAX_BIB_BYTES:,}")]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        return None, [Problem(name, f"not UTF-8 text (byte 0x{data[err.start]:02x}); export the .bib as UTF-8", line=line)]


def _failure_message(block) -> str:
    head = re.match(r"\s*@\s*(\w+)\s*[{(]\s*([^,\s]*)", block.raw or "")
    what = f"@{head.group(1)}{{{head.group(2)}" if head else "this block"
    if isinstance(block, DuplicateBlockKeyBlock):
        return f"{what}: the key {block.key!r} is used by an earlier entry too; this entry was skipped"
    if isinstance(block, DuplicateFieldKeyBlock):
        fields = ", ".join(sorted(block.duplicate_keys))
        return f"{what}: field(s) {fields} given twice; this entry was skipped"
    err = getattr(block, "error", None)
    error = str(getattr(err, "abort_reason", None) or getattr(err, "message", None) or err or "")
    reason = " ".join(error.split()) or "syntax error"
    return f"{what}: cannot be parsed ({reason}); this entry was skipped"


def parse_bib(path: Path) -> ParsedBib:
    """Entries of one .bib file as BibRecords, and a Problem per bad entry."""
    out = ParsedBib()
    name = str(path)
    text, problems = _read(path)
    if text is None:
        out.problems.extend(problems)
        return out
    # No middleware: values stay raw so that macros and `#` are evaluated here, once.
    # bibtexparser also logs each failed block; we report them ourselves, with lines.
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        library = bibtexparser.parse_string(text, parse_stack=[])
    finally:
        logger.setLevel(level)
    for block in library.failed_blocks:
        out.problems.append(Problem(name, _failure_message(block), line=block.start_line + 1))
    strings: dict[str, str] = {}
    for block in library.blocks:
        if isinstance(block, String):
            strings[block.key.lower()] = evaluate(str(block.value), strings)
    entries: list[tuple[Entry, dict[str, str]]] = []
    by_key: dict[str, dict[str, str]] = {}
    types: dict[str, str] = {}
    for entry in library.entries:
        unknown: list[str] = []
        fields = {f.key.lower(): evaluate(str(f.value), strings, unknown) for f in entry.fields}
        if has_others(fields.get("author", "")):
            out.notes.append(Problem(name, f"@{entry.entry_type}{{{entry.key}: the author list ends in 'and others'; only the names given are kept", line=entry.start_line + 1))
        for macro in unknown:
            out.notes.append(Problem(name, f"@{entry.entry_type}{{{entry.key}: undefined @string {macro!r} read as empty text", line=entry.start_line + 1))
        entries.append((entry, fields))
        by_key[entry.key.lower()] = fields
        types[entry.key.lower()] = entry.entry_type.lower()
    referenced = {fields["crossref"].strip().lower() for _, fields in entries if fields.get("crossref", "").strip()}
    for entry, fields in entries:
        line = entry.start_line + 1
        key_lower = entry.key.lower()
        if key_lower in referenced and types[key_lower] in CONTAINER_TYPES:
            out.containers += 1
            continue
        parent_key = fields.get("crossref", "").strip()
        if parent_key:
            parent = by_key.get(parent_key.lower())
            if parent is None:
                out.notes.append(Problem(name, f"@{entry.entry_type}{{{entry.key}: crossref {parent_key!r} is not in this file; imported without it", line=line))
            else:
                for field_name, value in parent.items():
                    if field_name not in _NOT_INHERITED and field_name not in fields:
                        fields[field_name] = value
                if "booktitle" not in fields and parent.get("title"):
                    fields["booktitle"] = parent["title"]
        record = entry_to_record(fields, file=name, source=path.name, line=line, bibkey=entry.key, entry_type=entry.entry_type.lower())
        if not record.title:
            out.problems.append(Problem(name, f"@{entry.entry_type}{{{entry.key}: no title; this entry was skipped", line=line))
            continue
        out.records.append(record)
    return out


# ------------------------------------------------------------------ keys


def key_from_bibkey(bibkey: str) -> str | None:
    """`Zhao:2024:GaLore` -> `zhao-2024-galore`; None when no faithful key exists.

    Accents fold (`Müller2020` -> `muller2020`); a key with characters that
    have no ASCII form (`王2020`) or no letter at all gets a title-derived key.
    """
    decomposed = unicodedata.normalize("NFKD", bibkey)
    kept = []
    for ch in decomposed:
        if ch.isascii():
            kept.append(ch)
        elif unicodedata.category(ch).startswith("M"):
            continue
        else:
            return None
    key = re.sub(r"[^a-z0-9]+", "-", "".join(kept).lower()).strip("-")
    if not re.search(r"[a-z]", key) or not is_valid_key(key):
        return None
    return key


# ------------------------------------------------------------------ merge


# An abstract this long identifies its paper (as in the dump importer).
ABSTRACT_MATCH_MIN_CHARS = 200


def abstract_identity(abstract: str) -> str | None:
    if len(abstract) < ABSTRACT_MATCH_MIN_CHARS:
        return None
    return " ".join(normalise_text(abstract).casefold().split())


def _missing(data: CommentedMap, name: str) -> bool:
    value = data.get(name)
    return value is None or (isinstance(value, (str, list)) and not value)


def fill_missing(data: CommentedMap, record: BibRecord, *, provenance: bool, text: str = "") -> list[str]:
    """Fill the curated fields `data` lacks from `record`; never replace one."""
    avoid = commented_gaps(data, text) if text else set()
    new: set[str] = set()
    filled = []
    for name, value in record.curated().items():
        if not _missing(data, name):
            continue
        if isinstance(value, list):
            seq = CommentedSeq()
            seq.extend(value)
            value = seq
        set_field(data, name, value, avoid, new)
        filled.append(name)
    if filled and provenance:
        if not isinstance(data.get("provenance"), dict):
            set_field(data, "provenance", CommentedMap(), avoid, new)
        for name in filled:
            data["provenance"][name] = f"bibtex {record.source}"
    return filled


def add_source(data: CommentedMap, source: str, text: str = "") -> bool:
    sources = data.get("sources")
    if sources is None:
        sources = CommentedSeq()
        set_field(data, "sources", sources, commented_gaps(data, text) if text else set())
    known = {str(item.get("file")) for item in sources if isinstance(item, dict)}
    if source in known:
        return False
    sources.append(source_map(SourceRef(source)))
    return True


@dataclass
class _Planned:
    data: CommentedMap
    text: str  # the record as read ("" for a new one)
    new: bool
    changed: bool = False


def import_bibtex(content: Path, paths: list[Path], *, today: str | None = None, write: bool = True) -> BibImportReport:
    """Plan the import of `paths` into `content`, then write the good entries at once."""
    report = BibImportReport()
    try:
        today = Date.fromisoformat(today).isoformat() if today else Date.today().isoformat()
    except ValueError:
        report.problems.append(Problem("--date", f"expected a date such as 2024-03-12, found {today!r}"))
        return report
    library = load_library(content)
    if library.problems:
        report.problems.extend(library.problems)
        return report
    parsed = [parse_bib(path) for path in paths]
    records: list[BibRecord] = []
    for bib in parsed:
        report.problems.extend(bib.problems)
        report.notes.extend(bib.notes)
        report.containers += bib.containers
        records.extend(bib.records)

    by_doi = {p.doi.strip().lower(): p.key for p in library.papers if p.doi}
    by_arxiv = {}
    for paper in library.papers:
        if found := parse_arxiv_id(paper.arxiv):
            by_arxiv[found] = paper.key
    by_title = {title_identity(p.title): p.key for p in library.papers}
    by_abstract = {a: p.key for p in library.papers if (a := abstract_identity(p.abstract))}
    taken = {p.key for p in library.papers}
    if (content / "papers").is_dir():
        taken |= {p.stem for p in (content / "papers").glob("*.y*ml")}
    planned: dict[str, _Planned] = {}

    def match(record: BibRecord) -> str | None:
        found = []
        if record.doi and record.doi.lower() in by_doi:
            found.append(by_doi[record.doi.lower()])
        if record.arxiv and record.arxiv in by_arxiv:
            found.append(by_arxiv[record.arxiv])
        identity = title_identity(record.title)
        if identity in by_title:
            found.append(by_title[identity])
        abstract = abstract_identity(record.abstract)
        if not found and abstract in by_abstract:  # the curator may have edited the title
            found.append(by_abstract[abstract])
        distinct = list(dict.fromkeys(found))
        if len(distinct) > 1:
            report.notes.append(Problem(record.file, f"{record.bibkey}: matches several papers ({', '.join(distinct)}); merged into {distinct[0]}", line=record.line))
        return distinct[0] if distinct else None

    def remember(record: BibRecord, key: str) -> None:
        if record.doi:
            by_doi.setdefault(record.doi.lower(), key)
        if record.arxiv:
            by_arxiv.setdefault(record.arxiv, key)
        by_title.setdefault(title_identity(record.title), key)
        if abstract := abstract_identity(record.abstract):
            by_abstract.setdefault(abstract, key)

    # Entries with an abstract first: one without can then still merge into a
    # paper another entry of the same import adds.
    ordered = [r for r in records if r.abstract] + [r for r in records if not r.abstract]
    for record in ordered:
        key = match(record)
        if key is None:
            if not record.abstract:
                report.problems.append(Problem(
                    record.file,
                    f"{record.bibkey}: no abstract; the library needs one for a new paper, so this entry was skipped "
                    "(add an `abstract` field, or import a dump with this paper first and then this .bib again)",
                    line=record.line,
                ))
                continue
            wanted = key_from_bibkey(record.bibkey)
            if wanted is not None and wanted not in taken:
                key = wanted
            else:
                key = assign_key(record.title, lambda k: k in taken)
                why = "is taken by another paper" if wanted is not None else "cannot be a key here"
                report.notes.append(Problem(record.file, f"{record.bibkey}: the BibTeX key {why}; this paper's key is {key!r} (cite it as that)", line=record.line))
            taken.add(key)
            data = new_record(key, record.title, record.abstract, today, [SourceRef(record.source)])
            fill_missing(data, record, provenance=False)
            planned[key] = _Planned(data, "", new=True, changed=True)
            report.added.append(key)
            remember(record, key)
            continue
        remember(record, key)
        item = planned.get(key)
        if item is None:
            path = record_path(content, key)
            text = path.read_text("utf-8")
            data, problems = load_yaml(text, str(path))
            if problems:  # pragma: no cover - load_library validated it
                report.problems.extend(problems)
                continue
            item = planned[key] = _Planned(data, text, new=False)
        changed = add_source(item.data, record.source, item.text)
        changed |= bool(fill_missing(item.data, record, provenance=not item.new, text=item.text))
        item.changed |= changed
        if not item.new and changed and key not in report.merged:
            report.merged.append(key)
        if record.bibkey.lower() != key:
            where = "already in the library" if not item.new else "the same paper as another entry, imported"
            report.notes.append(Problem(record.file, f"{record.bibkey}: {where} as {key!r} (cite it as that)", line=record.line))
    report.unchanged = len({p.key for p in library.papers}) - len(report.merged)

    files: dict[Path, bytes | str] = {}
    for key, item in planned.items():
        if item.changed:
            files[record_path(content, key)] = dump_yaml(item.data)
    source_files, problems = plan_sources(content, [p for p in paths if p.is_file()])
    if problems:  # the .bib cannot be kept for provenance: write nothing
        report.problems.extend(problems)
        report.added.clear()
        report.merged.clear()
        return report
    if not files and not any(b.records for b in parsed):
        return report  # nothing imported: do not keep a copy of an unusable file
    files.update(source_files)
    if write:
        report.files_written = len(write_all_or_nothing(files))
    return report


def import_bibtex_files(content: Path, paths: list[Path], *, today: str | None = None) -> int:
    """The `import x.bib` command: import, print problems and a summary, return the exit status."""
    report = import_bibtex(content, paths, today=today)
    order = {str(p): i for i, p in enumerate(paths)}
    where = lambda p: (order.get(p.file, len(order)), p.file, p.line or 0)  # noqa: E731
    for note in sorted(report.notes, key=where):
        print(f"note: {note}", file=sys.stderr)
    for problem in sorted(report.problems, key=where):
        print(f"error: {problem}", file=sys.stderr)
    written = "" if report.added or report.merged else "; nothing was written"
    if report.problems:
        print(f"import: {report.summary()}{written}", file=sys.stderr)
        return 1
    print(f"import: {report.summary()}")
    return 0
