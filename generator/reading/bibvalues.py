"""BibTeX field values as text: macros, `#`, LaTeX escapes, names, identifiers.

A .bib value is read the way BibTeX and LaTeX would print it, so that what
the library stores is the text a reader sees (`{\\"u}` is ü, `--` a dash,
`{GaLore}` GaLore). Identifiers (DOI, URL, arXiv id) are read leniently from
every field exporters are known to put them in.
"""

from __future__ import annotations

import re

from generator.identifiers import ARXIV_DOI_RE as _ARXIV_DOI_RE, DOI_PREFIX_RE as _DOI_PREFIX_RE, arxiv_id as parse_arxiv_id, joined_arxiv_id
from generator.limits import MAX_BIB_VALUE_CHARS
from generator.reading.candidate import fits_venue
from generator.textnorm import clean_line, convert_latex_escapes, latex_symbol
from generator.titlecase import adds_protection

_MONTHS = {
    "jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May", "jun": "June",
    "jul": "July", "aug": "August", "sep": "September", "oct": "October", "nov": "November", "dec": "December",
}


def split_top(value: str, sep: str) -> list[str]:
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


def evaluate(raw: str, strings: dict[str, str], unknown: list[str] | None = None, limit: int = MAX_BIB_VALUE_CHARS) -> str:
    """A raw BibTeX value (`{...}`, `"..."`, 2021, a macro, or `a # b`) as its text.

    Expansion stops past `limit` characters (the result is then longer than
    `limit`, for the caller to refuse): `@string` macros chained with `#`
    double at each step, and a kilobyte of them would fill any memory.
    """
    out = []
    size = 0
    for part in split_top(raw.strip(), "#"):
        p = part.strip()
        if len(p) >= 2 and ((p[0] == "{" and p[-1] == "}") or (p[0] == '"' and p[-1] == '"')):
            piece = p[1:-1]
        elif p.isdigit():
            piece = p
        elif p.lower() in strings:
            piece = strings[p.lower()]
        elif p.lower() in _MONTHS:
            piece = _MONTHS[p.lower()]
        else:
            if p and unknown is not None:
                unknown.append(p)  # BibTeX reads an undefined macro as empty text
            continue
        if size + len(piece) > limit:
            out.append(piece[: limit - size + 1])
            break
        out.append(piece)
        size += len(piece)
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


# Accents written with a space or a dotless letter: `\\c c`, `{\\v S}`, `\\'\\i`, `{\\"\\i}`.
_LETTER_ACCENT_SPACE_RE = re.compile(r"\\([uvHckbdrt])\s+([A-Za-z])(?![A-Za-z])")
# TeX skips spaces before a macro's argument: `\\' e`, `\\' {e}`, `\\"{ o}`, `\\c {c}` are accented letters.
_SPACED_ARGUMENT_RE = re.compile(r"(?<!\\)\\(['`^\"~=.]|[uvHckbdrt](?![A-Za-z]))(?:\s*\{\s*([A-Za-z])\s*\}|\s+([A-Za-z]))")
_DOTLESS_RE = re.compile(r"\\([uvHckbdrt]\s*|['`^\"~=.])\s*\\([ij])(?![A-Za-z])\s*")
# A control word eats the spaces after it: `Human\\textendash Computer` is "Human–Computer".
_WORD_SPACE_RE = re.compile(r"\\([A-Za-z]+)\s+")
# Inline math, kept as TeX between `$`: `$\\mathcal{O}(n^2)$`.
_MATH_RE = re.compile(r"(?<!\\)\$([^$]+)(?<!\\)\$")
_MATH_OPEN, _MATH_CLOSE = "\ue020", "\ue021"


# An accent with no precomposed character (`\\u{c}`): the letter and a combining mark.
_COMBINING = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304", ".": "\u0307",
    "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "b": "\u0331", "d": "\u0323", "r": "\u030a",
}
_COMBINING_RE = re.compile(r"\\(?:([uvHckbdr'`^\"~=.])\{([A-Za-z])\}|(['`^\"~=.])([A-Za-z]))")

# What TeX prints for the control symbols and macros that only hyphenate,
# space or kern: `Fing\\-scheidt` is "Fingscheidt", `R.\\,T.` "R. T.".
_CONTROL_SYMBOLS = {"-": "", "/": "", "@": "", "!": "", "*": "", ",": " ", ";": " ", ":": " ", ">": " "}
_CONTROL_SYMBOL_RE = re.compile(r"\\([-/@!*,;:>])")
_INVISIBLE_RE = re.compile(
    r"\\(?:relax|protect|xspace|allowbreak|nobreak|hfill|hfil|unskip|ignorespaces|noindent|null|strut)(?![A-Za-z])\s*(?:\{\})?")
_SPACE_WORD_RE = re.compile(r"\\(?:quad|qquad|enspace|enskip|thinspace|space|newline|linebreak)(?![A-Za-z])\s*(?:\{\})?")
_SKIP_RE = re.compile(r"\\[hv]space\*?\s*\{([^{}]*)\}")
_ZERO_LENGTH_RE = re.compile(r"\s*[+-]?0*\.?0*\s*[a-z]*\s*")
_LOGOS = {"TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2\u03b5", "BibTeX": "BibTeX", "XeTeX": "XeTeX", "LuaTeX": "LuaTeX"}
_LOGO_RE = re.compile(r"\\(" + "|".join(_LOGOS) + r")(?![A-Za-z])(?:\{\})?")
# Whatever backslash is left begins a macro no table knows (`\\ourmodel`,
# `\\write18`): TeX would stop on it, a reader would see the backslash.
_UNKNOWN_MACRO_RE = re.compile(r"\\([A-Za-z]+|.?)", re.DOTALL)


def _spacing(text: str) -> str:
    """Hyphenation points, kerns and spacing macros as the space (or nothing) TeX prints."""
    text = _SKIP_RE.sub(lambda m: "" if _ZERO_LENGTH_RE.fullmatch(m.group(1)) else " ", text)
    text = _INVISIBLE_RE.sub("", text)
    text = _SPACE_WORD_RE.sub(" ", text)
    text = _LOGO_RE.sub(lambda m: _LOGOS[m.group(1)], text)
    return _CONTROL_SYMBOL_RE.sub(lambda m: _CONTROL_SYMBOLS[m.group(1)], text)


def _unknown_macros(text: str) -> str:
    """A macro no table knows as its name, a word (`\\ourmodel` -> "ourmodel").

    The text is then plain: an export writes no backslash a reader would see
    as `\\textbackslash`, and no command (`\\input`, `\\write18`) a reader's
    LaTeX would run. The name stays, so no word of the source is lost.
    """
    return _UNKNOWN_MACRO_RE.sub(lambda m: m.group(1), text)


def _normalise_accents(text: str) -> str:
    """Accent forms TeX reads but the converter does not: made `\\c{c}`, `\\'{\\i}`."""
    text = _DOTLESS_RE.sub(lambda m: "\\" + m.group(1).strip() + "{\\" + m.group(2) + "}", text)
    text = _LETTER_ACCENT_SPACE_RE.sub(lambda m: "\\" + m.group(1) + "{" + m.group(2) + "}", text)
    text = _SPACED_ARGUMENT_RE.sub(lambda m: "\\" + m.group(1) + "{" + (m.group(2) or m.group(3)) + "}", text)

    def eat_space(m: re.Match) -> str:
        name = m.group(1)
        known = name in _ASCII_MACROS or latex_symbol(name) is not None
        return "\\" + name + "{}" if known else m.group(0)

    return _WORD_SPACE_RE.sub(eat_space, text)


def decode_latex(value: str) -> str:
    """A BibTeX field value as Unicode text.

    Escapes become characters (`{\\"u}` -> ü, `{\\c c}` -> ç, `\\'\\i` -> í,
    `\\&` -> &, `{\\textasciitilde}` -> ~), protection braces go (`{GaLore}`
    -> GaLore), `~` is a space and `--` a dash, as LaTeX would print them.
    Inline math stays TeX between `$` (`$\\mathcal{O}(n^2)$`). Escaped
    braces and dollars stay as characters; `\\-` and `\\,` print as TeX
    prints them, and an unknown macro is its name (`\\ourmodel` -> ourmodel).
    """
    text = value
    for escaped, placeholder in _ESCAPED.items():
        text = text.replace(escaped, placeholder)
    maths: list[str] = []

    def keep_math(m: re.Match) -> str:
        maths.append(m.group(1))
        return f"{_MATH_OPEN}{len(maths) - 1}{_MATH_CLOSE}"

    text = _MATH_RE.sub(keep_math, text)
    text = _normalise_accents(text)
    text = _ASCII_MACRO_RE.sub(lambda m: _ASCII_MACROS[m.group(1)], text)
    text = re.sub(r"\\\\(?:\[[^\]]*\])?", " ", text)  # a forced line break
    text = _spacing(text)
    previous = None
    while previous != text:
        previous = text
        text = _UNWRAP_RE.sub(r"\1", text)
    text = _SWITCH_RE.sub("", text)
    text = convert_latex_escapes(text)
    text = _COMBINING_RE.sub(lambda m: (m.group(2) or m.group(4)) + _COMBINING[m.group(1) or m.group(3)], text)
    # Only now, with accents (`\~n`) converted: LaTeX's tie and ligatures.
    text = re.sub(r"(?<!\\)~", " ", text)
    text = text.replace("---", "\u2014").replace("--", "\u2013").replace("``", "\u201c").replace("''", "\u201d")
    text = re.sub(r"(?<!\\)[{}$]", "", text)
    text = _unknown_macros(text)
    text = re.sub(_MATH_OPEN + r"(\d+)" + _MATH_CLOSE, lambda m: "$" + " ".join(maths[int(m.group(1))].split()) + "$", text)
    text = text.replace(_LBRACE, "{").replace(_RBRACE, "}").replace(_DOLLAR, "$").replace(_BACKSLASH, "\\").replace(_TILDE, "~")
    return clean_line(text)


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


def _split_arxiv_id(eprint: str, fields: dict[str, str], *, said: bool = False) -> str | None:
    """An old-style id whose archive is written apart, in the class: Mendeley's
    `eprint = {0308036v2}` with `primaryclass = {arXiv:cs}`. With `said`, no
    archiveprefix said arXiv, so the class itself must (`arXiv:cs`, not `cs`)."""
    category = decode_latex(fields.get("primaryclass", "") or fields.get("eprintclass", ""))
    if not category or (said and not category.lower().startswith("arxiv:")):
        return None
    return joined_arxiv_id(eprint, category)


def find_arxiv_id(fields: dict[str, str]) -> str | None:
    """From eprint (arXiv; an old-style number with its archive in the class), an
    arxiv.org URL, an arXiv DOI, or `arXiv:XXXX` text."""
    eprint = _identifier(fields.get("eprint", ""))
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    if eprint:
        eprint = re.sub(r"^arxiv:", "", eprint, flags=re.IGNORECASE)
        if prefix == "arxiv" or re.fullmatch(r"\d{4}\.\d{4,5}(v\d+)?", eprint):
            found = _arxiv_id(eprint) or _split_arxiv_id(eprint, fields)
            if found:
                return found
        elif not prefix and (found := _split_arxiv_id(eprint, fields, said=True)):
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


def find_year(fields: dict[str, str]) -> int | None:
    """The first four-digit year of `year`, else of `date`."""
    return _year(fields)


def find_doi(fields: dict[str, str]) -> str | None:
    """The DOI without its resolver prefix (`https://doi.org/`, `doi:`)."""
    return _DOI_PREFIX_RE.sub("", _identifier(fields.get("doi", ""))) or None


def find_url(fields: dict[str, str]) -> str | None:
    """The first address of `url` (Mendeley puts several there, space-separated)."""
    for word in re.sub(r"\\url\{([^{}]*)\}", r" \1 ", fields.get("url", "")).split():
        if found := _identifier(word):
            return found
    return None


VENUE_FIELDS = ("booktitle", "journal", "journaltitle")


def is_preprint_server(text: str) -> bool:
    """Whether a journal or container name only says the paper is a preprint
    ("arXiv", "ArXiv", "arXiv preprint arXiv:...", "CoRR"): no venue."""
    return bool(_NOT_A_VENUE_RE.match(text))


def find_venue(fields: dict[str, str]) -> str | None:
    """Booktitle, journal or journaltitle, unless it only says "arXiv" or "CoRR".

    One longer than a venue may be is no venue: it stays under `extra`,
    whole, rather than costing the paper.
    """
    for name in VENUE_FIELDS:
        text = decode_latex(fields.get(name, ""))
        if fits_venue(text) and not is_preprint_server(text):
            return text
    return None


# A group that is a macro's argument (`\emph{Foo}`, `\"{O}`), not protection.
_MACRO_BEFORE_RE = re.compile(r"\\(?:[A-Za-z]+\s*|['`^\"~=.])$")  # `\& {X}` protects X


_EDGE_PUNCTUATION = " .,;:!?()[]'\"‘’“”"


def _whole_words(raw: str, start: int, end: int) -> str:
    """raw[start:end], a braced group, widened to the words it is part of:
    `{T}ikhonov` protects the word "Tikhonov", not a letter."""
    left, right = start, end
    while left > 0 and not raw[left - 1].isspace():
        left -= 1
    while right < len(raw) and not raw[right].isspace():
        right += 1
    token = raw[left:right]
    balanced = token.count("{") - token.count("\\{") == token.count("}") - token.count("\\}")
    return token if balanced and (left, right) != (start, end) else raw[start:end]


def braced_phrases(raw: str) -> tuple[str, ...]:
    """The phrases a BibTeX title protects from case changes (`{Frontier Models}`,
    `{{Bayesian}}`), as text, where they keep a capital the word rule would not.

    Only top-level groups protect: a macro's argument and a group that starts
    with a control sequence (BibTeX's special characters, `{\\"O}`) do not.
    """
    found: list[str] = []
    depth, start, in_math, i = 0, -1, False, 0
    while i < len(raw):
        char = raw[i]
        if char == "\\":
            i += 2
            continue
        if char == "$" and depth == 0:
            in_math = not in_math
        elif char == "{" and not in_math:
            if depth == 0:
                start = -1 if _MACRO_BEFORE_RE.search(raw[:i]) else i
            depth += 1
        elif char == "}" and not in_math and depth:
            depth -= 1
            if depth == 0 and start >= 0 and not raw[start + 1 : i].lstrip().startswith("\\"):
                phrase = decode_latex(_whole_words(raw, start, i + 1)).strip(_EDGE_PUNCTUATION)
                if phrase and adds_protection(phrase):
                    found.append(phrase)
        i += 1
    return tuple(dict.fromkeys(found))
