"""BibTeX export: one .bib text for one paper, a theme, or the whole library.

Users paste these entries into LaTeX papers and run the real `bibtex` (or
biber) on them, so the output must survive three readers: bibtexparser (our
own tests and tools), BibTeX (which counts every brace, escaped or not, and
lower-cases titles in most styles) and LaTeX with any engine (which reads
`%`, `$`, `#`, `~`, `^` ... as commands). Every text field is therefore
encoded here, character by character, into LaTeX that reads back as exactly
the original text: a macro where base LaTeX has one (`{\\'e}`), the UTF-8
character itself where it has none (CJK, Cyrillic, emoji), never `?`. A
title's inline math is written as math only when it is in the safe subset
of `latex_math`; any other is encoded as text like the rest.

Identifiers (url, doi, eprint, primaryClass) are printed verbatim by the
styles, so they are validated and percent-encoded instead: no backslash,
`^`, brace, stray `%` or whitespace ever reaches TeX from them, and a .bib of
this site never reads, writes or runs anything.

Entries are built as bibtexparser v2 model objects and written by its writer,
so quoting and layout are the library's job, not string concatenation's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.middlewares.parsestack import default_unparse_stack
from bibtexparser.model import Entry, Field
from bibtexparser.writer import BibtexFormat

from generator.export.aliases import citable_aliases
from generator.export.bibfields import classic_type, container_field, extra_fields, month_field, record_fields
from generator.export.latex_chars import accented_letter, encode_char as _encode_char
from generator.export.latex_math import math_spans
from generator.export.names import bibtex_name, parse_name
from generator.identifiers import DOI_PREFIX_RE, is_arxiv_id, web_url
from generator.library.keys import BIBKEY_RE
from generator.model import Name, Paper
from generator.titlecase import case_spans

# Characters LaTeX or BibTeX would read as syntax, spelled so that both read
# them as text. Each is a braced group so that a following letter or space is
# never swallowed by a macro name. `<`, `>` and `|` are here because the
# default OT1 font prints them as other glyphs (`<` comes out as an inverted
# exclamation mark).
_ASCII_SPECIALS = {
    "\\": r"{\textbackslash}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"{\textasciitilde}",
    "^": r"{\textasciicircum}",
    "<": r"{\ensuremath{<}}",
    ">": r"{\ensuremath{>}}",
    "|": r"{\textbar}",
}
# A brace without a partner: BibTeX counts `\{` as an opening brace, so a lone
# one would unbalance the whole entry. These macros print a brace and contain
# only balanced braces.
_LONE_OPEN, _LONE_CLOSE = r"{\textbraceleft}", r"{\textbraceright}"

# Ligatures TeX would form from ASCII (`--` prints as an en dash, two quotes as
# a curly quote, `,,` as a low quote in T1 fonts); an empty group between the
# characters prints them as typed.
_LIGATURE_RE = re.compile(r"(-(?=-)|`(?=`)|'(?=')|,(?=,)|[?!](?=`))")
_LIGATURE_PAIRS = ("--", "``", "''", ",,", "?`", "!`")  # what it looks for, found faster by `in`

# XML/TeX-hostile control characters are dropped; any run of whitespace is one
# space (a blank line inside a field would become a paragraph break).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


# Citation keys that BibTeX, LaTeX's \cite and file systems all accept.

_VENUE_WORDS_RE = re.compile(r"conference|proceedings|workshop|symposium|findings", re.I)
_VENUE_ACRONYMS_RE = re.compile(
    r"(?<![A-Za-z])(?:NeurIPS|NIPS|ICML|ICLR|ACL|EMNLP|NAACL|EACL|COLING|CVPR|ICCV|ECCV|AAAI|"
    r"IJCAI|COLM|KDD|SIGIR|MLSys|OSDI|SOSP|EuroSys|ATC|SC|ISCA|ASPLOS|MICRO|HPCA|NSDI|PPoPP|"
    r"AISTATS|UAI|CoRL|WWW|WSDM|CHI)(?![A-Za-z])"
)


def _brace_partners(text: str) -> set[int]:
    """Positions of `{` and `}` that pair up; the others are lone braces."""
    stack: list[int] = []
    paired: set[int] = set()
    if "{" not in text or "}" not in text:
        return paired
    for match in re.finditer(r"[{}]", text):
        if match.group() == "{":
            stack.append(match.start())
        elif stack:
            paired.update((stack.pop(), match.start()))
    return paired


def clean_text(text: str) -> str:
    """The text as it will be exported: NFC, single spaces, no control or
    invisible format characters (zero-width spaces, bidi marks: copy-paste debris)."""
    text = _CONTROL_RE.sub(" ", unicodedata.normalize("NFC", text))
    if not text.isascii():
        text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return " ".join(text.split())


def encode_text(text: str) -> str:
    """Plain text -> LaTeX that BibTeX and LaTeX read back as the same text.

    Literal braces that pair up become `\\{ ... \\}` (balanced for BibTeX,
    printed as braces by LaTeX, never a group); lone braces become macros.
    """
    return _encode(clean_text(text))


def encode_title(title: str, keep_case: tuple[str, ...] = ()) -> str:
    """A title encoded like any text, with acronyms, coined names and the
    source's protected phrases (`keep_case`) in braces.

    Styles such as `plain` lower-case titles (`{GaLore}` stays, `GaLore`
    would print as `galore`). Protection is decided on the original words;
    the added braces only ever wrap whole encoded words.
    """
    title = clean_text(title)
    protect = case_spans(title, [clean_text(p) for p in keep_case])
    if "$" in title and not _PLACEHOLDER_RE.search(title) and (maths := math_spans(title)):
        return _encode_with_math(title, protect, maths)
    return _encode(title, protect)


# Plane 15 (private use): where `_encode_with_math` parks formulas while the text is encoded.
_PLACEHOLDER_RE = re.compile("[\U000f0000-\U000fffff]")


def _encode_with_math(title: str, protect: list[tuple[int, int]], maths: list[tuple[int, int, str]]) -> str:
    """A title whose safe inline math (`latex_math`) is written as math, each
    formula in braces of its own so that no style changes its case.

    The text around it is encoded as any title; a protected word that reaches
    into a formula grows to hold all of it, and the formulas stand in the text
    as private-use placeholders until the encoding is done.
    """
    marks = [chr(0xF0000 + i) for i in range(len(maths))]  # a title holds far fewer than 65,536
    pieces, pos = [], 0
    for mark, (start, end, _tex) in zip(marks, maths):
        pieces += [title[pos:start], mark]
        pos = end
    text = "".join(pieces + [title[pos:]])
    shift = [0]
    for start, end, _tex in maths:
        shift.append(shift[-1] + (end - start) - 1)
    moved = [_moved(span, maths, shift) for span in protect]
    encoded = _encode(text, [span for span in moved if span is not None])
    for mark, (_start, _end, tex) in zip(marks, maths):
        encoded = encoded.replace(_encode_char(mark), "{" + tex + "}", 1)
    return encoded


def _moved(span: tuple[int, int], maths: list[tuple[int, int, str]], shift: list[int]) -> tuple[int, int] | None:
    """A protected span of the title as a span of the text with one placeholder per
    formula: grown to whole formulas, None when it is only (part of) one."""
    start, end = span
    for m_start, m_end, _tex in maths:
        if m_start < end and start < m_end:
            start, end = min(start, m_start), max(end, m_end)
    if any(m_start <= start and end <= m_end for m_start, m_end, _tex in maths):
        return None  # the formula has braces of its own
    before = lambda pos: sum(1 for m_start, _e, _t in maths if m_start < pos)  # noqa: E731
    return start - shift[before(start)], end - shift[before(end)]


# Everything `_encode` must look at (one character class, non-ASCII included:
# twice as fast as an alternation); other characters are copied as they are.
# A letter with combining marks NFC cannot compose (`c` + U+0306) is one token, so
# it becomes `{\\u{c}}` rather than a bare mark pdflatex cannot print.
_SPECIAL_RE = re.compile(r"[A-Za-z][\u0300-\u036f]+|[{}\\%&$#_~^<>|\x80-\U0010ffff]")


def _encode(text: str, protect: list[tuple[int, int]] = ()) -> str:
    """Encode cleaned text, wrapping each `protect` span (start, end) in braces."""
    paired = _brace_partners(text)
    out: list[str] = []
    pos = 0
    for start, end in protect:
        _encode_range(text, pos, start, paired, out)
        out.append("{")
        _encode_range(text, start, end, paired, out)
        out.append("}")
        pos = end
    _encode_range(text, pos, len(text), paired, out)
    encoded = "".join(out)
    if any(pair in encoded for pair in _LIGATURE_PAIRS):
        encoded = _LIGATURE_RE.sub(r"\1{}", encoded)
    return encoded


def _encode_range(text: str, start: int, end: int, paired: set[int], out: list[str]) -> None:
    """Append text[start:end], encoded, to `out` (braces paired across the whole text)."""
    pos = start
    for match in _SPECIAL_RE.finditer(text, start, end):
        out.append(text[pos : match.start()])
        char = match.group()
        if char in "{}":
            if match.start() in paired:
                out.append("\\" + char)
            else:
                out.append(_LONE_OPEN if char == "{" else _LONE_CLOSE)
        elif char in _ASCII_SPECIALS:
            out.append(_ASCII_SPECIALS[char])
        elif len(char) > 1:
            out.append(accented_letter(char[0], char[1:]) or char[0] + "".join(map(_encode_char, char[1:])))
        else:
            out.append(_encode_char(char))
        pos = match.end()
    out.append(text[pos:end])


def encode_name(name: str) -> str:
    """One author for BibTeX's name parser, as `{von Last}, Jr, First`.

    The split is made by `names.parse_name` and written in the comma form,
    which BibTeX reads without guessing; organisations and one-word names
    are braced whole, as literal names.
    """
    return bibtex_name(parse_name(clean_text(name)), _encode_name_part)


# What may appear in an exported URL as it is: RFC 3986's unreserved and
# reserved characters. `%` only as the start of a `%XX` escape.
_URL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=")
_HEX = frozenset("0123456789abcdefABCDEF")
# DOIs as registration agencies issue them, in characters that are inert
# both in `\url`-like verbatim contexts and in plain text (no `%`, `#`, `\`,
# `^`, `~`, `{`, `}`, `$`, `&`). Rarer DOIs are linked through doi.org instead.
_SAFE_DOI_RE = re.compile(r"10\.\d{4,9}/[A-Za-z0-9\-._;()/:<>\[\]+]+")
_ARXIV_CLASS_RE = re.compile(r"[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?")


def safe_url(value: str) -> str:
    """A URL percent-encoded so that TeX reads nothing in it as a command.

    Backslashes, `^` (TeX reads `^^5c` as a backslash), braces, whitespace,
    quotes and non-ASCII are percent-encoded; a `%` that does not start a
    `%XX` escape becomes `%25`, so `%` never starts a TeX comment line-end.
    """
    text = value.strip()
    out = []
    for i, char in enumerate(text):
        if char == "%" and len(text) > i + 2 and text[i + 1] in _HEX and text[i + 2] in _HEX:
            out.append(char)
        elif char in _URL_CHARS:
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


def safe_doi(doi: str | None) -> str | None:
    """The DOI without its `https://doi.org/` prefix when it is safe verbatim, else None."""
    value = DOI_PREFIX_RE.sub("", (doi or "").strip())
    return value if _SAFE_DOI_RE.fullmatch(value) else None


def doi_url(doi: str) -> str:
    """A doi.org link for any DOI, percent-encoded (the resolver decodes it)."""
    # A `%` in a DOI is a character of the DOI, never an escape.
    return "https://doi.org/" + safe_url(DOI_PREFIX_RE.sub("", doi.strip()).replace("%", "%25"))


def safe_eprint(paper: Paper) -> tuple[str | None, str | None]:
    """The arXiv id and primary class, each only when well-formed."""
    arxiv = paper.arxiv.strip() if paper.arxiv and is_arxiv_id(paper.arxiv) else None
    cls = (paper.primary_class or "").strip()
    return arxiv, (cls if arxiv and _ARXIV_CLASS_RE.fullmatch(cls) else None)


def venue_kind(venue: str | None) -> str | None:
    """`conference`, `journal`, or None (no venue, or only arXiv)."""
    if not venue or not venue.strip() or re.fullmatch(r"\s*arxiv(\s+preprint.*)?\s*", venue, re.I):
        return None
    if _VENUE_WORDS_RE.search(venue) or _VENUE_ACRONYMS_RE.search(venue):
        return "conference"
    return "journal"


def arxiv_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id.strip()}"


def export_url(paper: Paper) -> str | None:
    """The web address an entry links to: the record's, else arXiv's, else doi.org's."""
    arxiv, _ = safe_eprint(paper)
    url = web_url(paper.url) or (arxiv_url(arxiv) if arxiv else None)
    if not url and paper.doi and not safe_doi(paper.doi) and DOI_PREFIX_RE.sub("", paper.doi.strip()):
        url = doi_url(paper.doi)
    return safe_url(url) if url else None


def short_title(title: str) -> str:
    """What natbib's author-year styles print in place of missing authors.

    The part before a colon when it is a name ("GaLore"), else the first
    three words: `\\citet` gives "GaLore (2024)" rather than an error.
    """
    title = clean_text(title)
    head = title.split(":", 1)[0].strip()
    if head and head != title and len(head.split()) <= 4:
        return head
    words = title.split()
    return " ".join(words[:3]) + (" ..." if len(words) > 3 else "")


def entry_type(paper: Paper, kind: str | None) -> str:
    """The BibTeX entry type: the record's own when it has one (biblatex's as
    the classic type the standard styles define), else from the venue.

    `@article` and `@inproceedings` require authors and a year in every
    standard style; without them the entry is `@misc` with the venue as
    `howpublished`, so BibTeX warns about nothing the record cannot fill.
    """
    own = getattr(paper, "entry_type", None)  # records of a richer model carry it
    if isinstance(own, str) and re.fullmatch(r"[a-z]+", own):
        return classic_type(own, dict(paper.extra))
    if kind and paper.authors and paper.year is not None:
        return {"conference": "inproceedings", "journal": "article"}[kind]
    return "misc"


def _check_key(key: str) -> None:
    if not BIBKEY_RE.match(key):  # the same rule the import keeps keys by
        raise ValueError(f"paper key {key!r} cannot be a BibTeX citation key")


def _venue_field(paper: Paper, etype: str, kind: str | None) -> str | None:
    """The field the venue goes in: the type's container for an imported
    record, the kind's for one of the site's own (`@misc`: `howpublished`)."""
    if not kind:
        return None
    if paper.entry_type:
        field = container_field(etype)
        # A misc entry's own `howpublished` (often its URL) stays; the venue goes in `journal`.
        return "journal" if field == "howpublished" and "howpublished" in dict(paper.extra) else field
    return {"inproceedings": "booktitle", "article": "journal"}.get(etype, "howpublished")


# Punctuation written as UTF-8 inside names: biber takes the initial of a
# name part from its first character and breaks a braced macro doing so
# (`{\textquoteleft}t Hart` gives `familyi={}\bibinitperiod}`), while
# LaTeX's UTF-8 input declares all of these.
_NAME_PUNCTUATION_RE = re.compile("([\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u00b7\u2022])")


def _encode_name_part(text: str) -> str:
    """One part of a name, encoded, with its quotes, dashes and dots kept as UTF-8."""
    text = clean_text(text)
    if text.isascii():
        return _encode(text)
    return "".join(piece if i % 2 else _encode(piece) for i, piece in enumerate(_NAME_PUNCTUATION_RE.split(text)))


def _names(paper: Paper) -> list[str]:
    """Each author in BibTeX's comma form: the record's structured names when
    it has them (as the import split them), else its display names split here."""
    if paper.names:
        return [bibtex_name(n, _encode_name_part) for n in paper.names if (n.literal or n.family).strip()]
    return [encode_name(a) for a in paper.authors if clean_text(a)]


def _name_list(names: list[Name], more: bool) -> str:
    """Structured names (an editor list, say) as one BibTeX list, written as authors are."""
    return _join_names([bibtex_name(n, _encode_name_part) for n in names if (n.literal or n.family).strip()], more)


def _join_names(written: list[str], more: bool) -> str:
    """Names in BibTeX's form joined by ` and `; BibTeX's own unbraced `others`
    ends a list that goes on (styles print "et al.")."""
    return " and ".join(written + (["others"] if more and written else []))


def paper_entry(paper: Paper) -> Entry:
    """The paper as a bibtexparser Entry whose values are already LaTeX-encoded.

    Values are unenclosed (as bibtexparser's default parse stack leaves them);
    the writer's enclosing middleware adds the outer braces. Where the paper
    was listed (its sources) is the site's business, not the citation's.
    """
    _check_key(paper.key)
    kind = venue_kind(paper.venue)
    etype = entry_type(paper, kind)
    fields: list[tuple[str, str]] = [("title", encode_title(paper.title, paper.keep_case))]
    if authors := _names(paper):
        fields.append(("author", _join_names(authors, paper.more_authors)))
    elif not dict(paper.extra).get("key", "").strip():  # the source's own sort key is written with the kept fields
        fields.append(("key", encode_title(short_title(paper.title))))
    if paper.year is not None:
        fields.append(("year", str(paper.year)))
    month = month_field(paper)
    if month:
        fields.append(("month", month))
    if venue_field := _venue_field(paper, etype, kind):
        fields.append((venue_field, encode_text(paper.venue)))
    fields += record_fields(paper, etype, encode_text)
    tail = _identifier_fields(paper)
    fields += extra_fields(paper, etype, {name.lower() for name, _ in fields + tail}, encode_text, _name_list)
    fields += tail
    # A month is a macro, unbraced: `{jan}` would be the word, not the month.
    entry = [Field(k, v, enclosing="no-enclosing" if k == "month" else None) for k, v in fields]
    return Entry(etype, paper.key, entry)


def _identifier_fields(paper: Paper) -> list[tuple[str, str]]:
    """The fields written last: arXiv eprint, url, doi and the abstract (last, for `without_abstract`)."""
    fields: list[tuple[str, str]] = []
    arxiv, primary_class = safe_eprint(paper)
    if arxiv:
        fields += [("eprint", arxiv), ("archivePrefix", "arXiv")]
        if primary_class:
            fields.append(("primaryClass", primary_class))
    if url := export_url(paper):
        fields.append(("url", url))
    if doi := safe_doi(paper.doi):
        fields.append(("doi", doi))
    if paper.abstract.strip():
        fields.append(("abstract", encode_text(paper.abstract)))
    return fields


def without_abstract(entry: str) -> str:
    """The entry as a paper page shows it, for copying: its abstract is in the page
    just above, and the .bib download keeps the entry whole.

    `paper_entry` writes the abstract last and no value holds a newline
    (`encode_text` folds white space), so the abstract is exactly the last
    field's line; the result equals the entry of the paper without an abstract.
    """
    lines = entry.rstrip("\n").split("\n")
    if len(lines) < 3 or not lines[-2].startswith("  abstract = {"):
        return entry
    kept = lines[:-2]
    kept[-1] = kept[-1].removesuffix(",")
    return "\n".join([*kept, lines[-1]]) + "\n"


def _format() -> BibtexFormat:
    fmt = BibtexFormat()
    fmt.indent = "  "
    fmt.block_separator = "\n"
    fmt.trailing_comma = False
    return fmt


def bibtex_for(papers: Iterable[Paper], *, aliases: bool = True) -> str:
    """A .bib file for these papers, in the given order, ending with a newline;
    each entry followed by its copies under the record's alias keys
    (export/aliases.py) unless `aliases` is false.

    Two keys that differ only in case are the same key to BibTeX ("Repeated
    entry"), so they are refused here rather than in the user's LaTeX run.
    """
    papers = list(papers)
    copies = citable_aliases(papers) if aliases else {}
    library = Library()
    seen: dict[str, str] = {}
    for paper in papers:
        folded = paper.key.lower()
        if folded in seen:
            raise ValueError(f"duplicate BibTeX key {paper.key!r} (also {seen[folded]!r})")
        seen[folded] = paper.key
        library.add(paper_entry(paper))
        for alias in copies.get(paper.key, ()):
            library.add(paper_entry(replace(paper, key=alias)))
    # The library is ours and thrown away: let the writer's middleware work in
    # place instead of deep-copying every entry (seconds for 10,000 papers).
    stack = default_unparse_stack(allow_inplace_modification=True)
    text = bibtexparser.write_string(library, unparse_stack=stack, bibtex_format=_format())
    return text if text.endswith("\n") or not text else text + "\n"
