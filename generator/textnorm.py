"""Text normalisation for pasted dumps.

Dumps are not LaTeX documents: `%` is a percent sign, `$100K` is money and
`~15%` means "about". So we never run whole abstracts through a LaTeX-to-text
converter; we find the individual escape sequences (`\\'e`, `10\\%`,
`\\textit{...}`, `{\\Sigma}`) and convert only those. Anything we do not
recognise is kept verbatim, so no word is ever dropped.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text

# Accent commands: \'e, \'{e}, {\'e}, \"o, \^{o}, \c{c}, \v{s} ...
# No space is allowed between the command and its letter: in a pasted dump
# `the \" model` is an escaped quote followed by a word, not an umlaut.
_ACCENT_MARKS = "'`^\"~=."
_ACCENT_RE = re.compile(
    r"\{\\([" + re.escape(_ACCENT_MARKS) + r"])([A-Za-z])\}"  # {\'e}
    r"|\\([" + re.escape(_ACCENT_MARKS) + r"])(?:\{([A-Za-z]|\\[ij])\}|([A-Za-z]))"  # \'e \'{e} \'{\i}
    r"|\\([uvHckbdr])\{([A-Za-z]|\\[ij])\}"  # \v{s} \c{c}
)
# Escaped specials: \% \& \$ \# \_ \{ \}
_SPECIAL_RE = re.compile(r"\\([%&$#_{}])")
# Font/structure commands whose argument is the text itself.
_TEXT_COMMANDS = (
    "textit", "textbf", "emph", "texttt", "textsc", "textrm", "textsf", "textsl",
    "textup", "textnormal", "underline", "mathrm", "mathbf", "mathit", "mathsf",
    "mathtt", "text", "url",
)
# The argument may hold plain text, escaped specials, other macros and one
# level of plain brace groups; anything else (an unbalanced brace) keeps the
# command verbatim. Each alternative starts with a different character and a
# macro name must end at a non-letter, so the pattern cannot backtrack
# exponentially on a line that does not match.
_TEXT_CMD_RE = re.compile(
    r"\\(" + "|".join(sorted(_TEXT_COMMANDS, key=len, reverse=True)) + r")"
    r"\{((?:[^{}\\]|\\[%&$#_]|\\[A-Za-z]+(?![A-Za-z])|\{[^{}\\]*\})*)\}"
)
# A bare letter macro, possibly wrapped in a brace group: \Sigma, {\alpha}, \ldots{}
_MACRO_RE = re.compile(r"(\{)?\\([A-Za-z]+)(?(1)\}|(?![A-Za-z]))(\{\})?")
# "e.g.\ relying": a control space
_CONTROL_SPACE_RE = re.compile(r"(?<=\S)\\ (?=\S)")

_L2T = LatexNodes2Text(math_mode="text", keep_comments=True, strict_latex_spaces=True)

# Macros we convert to a symbol. Only macros pylatexenc knows AND whose output
# is a single non-ASCII symbol (Greek letters, \ldots, \times, \ss ...) are
# converted; unknown project macros such as \ourdataset stay as written.
_WORDLIKE_OK = {"ss": "ß", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "o": "ø", "O": "Ø",
                "aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ"}
# Never looked up as symbols: they take an argument (handled above, or kept).
_NOT_SYMBOLS = frozenset(_TEXT_COMMANDS) | frozenset("uvHckbdrt")


def _latex_to_text(source: str) -> str | None:
    """pylatexenc on one tiny snippet, its configuration warnings silenced."""
    logger = logging.getLogger("pylatexenc")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        return _L2T.latex_to_text(source)
    except Exception:  # pragma: no cover - pylatexenc is lenient, be safe
        return None
    finally:
        logger.setLevel(previous)


@lru_cache(maxsize=None)
def _macro_symbol(name: str) -> str | None:
    """Unicode for a bare LaTeX macro, or None to keep it verbatim."""
    if name in _WORDLIKE_OK:
        return _WORDLIKE_OK[name]
    if name in _NOT_SYMBOLS:
        return None
    out = _latex_to_text("\\" + name)
    if out is None:
        return None
    out = out.strip()
    if not out or out == "\\" + name or out == name:
        return None
    # Accept symbols only: one or two non-ASCII characters (Σ, α, …, ×, ≤).
    if len(out) <= 2 and all(ord(ch) > 127 for ch in out):
        return out
    return None


def latex_symbol(name: str) -> str | None:
    """The Unicode symbol a bare LaTeX macro prints (`textendash` -> –), or None."""
    return _macro_symbol(name)


@lru_cache(maxsize=None)
def _accent(mark: str, letter: str) -> str | None:
    """One precomposed NFC character for an accent command, or None.

    `\"a` is ä, but `\"b` has no precomposed form: that is almost certainly
    an escaped quote, so it is kept as written.
    """
    if letter in ("\\i", "\\j"):
        letter = letter[1]
    composed = _latex_to_text("\\" + mark + "{" + letter + "}")
    if composed is None:
        return None
    composed = unicodedata.normalize("NFC", composed)
    if len(composed) != 1 or composed.isascii():
        return None
    return composed


def _replace_accent(m: re.Match) -> str:
    if m.group(1):
        out = _accent(m.group(1), m.group(2))
    elif m.group(3):
        out = _accent(m.group(3), m.group(4) or m.group(5))
    else:
        out = _accent(m.group(6), m.group(7))
    return m.group(0) if out is None else out


def _replace_macro(m: re.Match) -> str:
    symbol = _macro_symbol(m.group(2))
    return m.group(0) if symbol is None else symbol


def _replace_text_command(m: re.Match) -> str:
    # "released\url{https://...}" reads as two words, not one.
    before = m.string[m.start() - 1] if m.start() else " "
    if m.group(1) == "url" and before.isalnum():
        return " " + m.group(2)
    return m.group(2)


_MAX_PASSES = 20


def convert_latex_escapes(text: str) -> str:
    """Convert LaTeX escape sequences in otherwise plain text to Unicode.

    Only markup is removed: the text commands' braces, the backslash of an
    escaped special, the accent command. `%`, `$`, `~`, `{it x}` stay.
    """
    if "\\" not in text:
        return text
    # Nested forms such as \textit{Pok\'eChamp} or \textit{PanGu-{\Sigma}}
    # need a couple of passes, innermost first; the passes are bounded so a
    # pathological line costs little (deeper markup is kept as written).
    for _ in range(_MAX_PASSES):
        previous = text
        text = _ACCENT_RE.sub(_replace_accent, text)
        text = _MACRO_RE.sub(_replace_macro, text)
        text = _TEXT_CMD_RE.sub(_replace_text_command, text)
        if text == previous:
            break
    text = _SPECIAL_RE.sub(lambda m: m.group(1), text)
    text = _CONTROL_SPACE_RE.sub(" ", text)
    return text


# Spaces and line breaks of every kind (vertical tab, form feed, file/group/
# record/unit separators, NEL, U+2028, U+2029 as well as CR and LF): a title
# or an abstract is one line, so any run of them becomes one space.
_WS_RE = re.compile(r"[ \t\n\r\x0b\x0c\x1c-\x1f\x85\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
# Other C0/C1 control characters and invisible format characters (zero-width
# space, word joiner, BOM, non-characters) never belong in a record; removing
# them must not split a word, so they are dropped rather than made spaces.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u200b\u2060\ufeff\ufffe\uffff]")


def clean_line(text: str) -> str:
    """NFC, control characters removed, runs of spaces collapsed, trimmed."""
    text = _CONTROL_RE.sub("", text)
    text = _WS_RE.sub(" ", text)
    # NFC last: a removed control character may have separated a letter from
    # its combining accent.
    return unicodedata.normalize("NFC", text).strip()


# Debris a dump's own LaTeX-to-text step leaves, each cleaned only where the
# meaning is certain:
# `29times`, `1.53times~20.57times`: `\times` lost its backslash after a number.
_TIMES_RE = re.compile(r"(?<=\d)times(?![A-Za-z])")
# `inference~(AfriXNLI)`, `training~(e.g.`: a tie before a parenthesis is a space
# (`~15%` is "about" and stays).
_TIE_RE = re.compile(r"(?<=\S)~(?=[(\[])")
# `$μ$nit`: math around one symbol (a Greek letter, ×) is the symbol.
_MATH_SYMBOL_RE = re.compile(r"\$([^\x00-\x7f])\$")
# `{in size}`: a group of plain words (a title-case brace from a .bib). Not
# glued to a word (`G_{stack}`, `GPT-{n}` are maths), and not `{it x}`, `{bf x}`:
# "it" may be a font switch or the pronoun, so that stays as written.
_WORD_GROUP_RE = re.compile(r"(?<![^\s(])\{(?!(?:it|bf|em|sc|tt|rm|sl|sf)\b)([A-Za-z][A-Za-z' -]*)\}(?=[\s.,;:)]|$)")
# `https://x.io/{https://x.io/}`: an `\href{url}{url}` flattened.
_HREF_RE = re.compile(r"(https?://[^\s{}]+)\{\1\}")


def clean_debris(text: str) -> str:
    """Remove the leftovers of a flattened LaTeX abstract whose meaning is certain.

    Not yet part of `normalise_text`: the shipped records hold the dumps'
    text as it was, and a fresh import must reproduce them until they are
    re-imported with it.

    `29times` -> `29×`, `word~(X)` -> `word (X)`, `$μ$nit` -> `μnit`,
    `{in size}` -> `in size`, a URL repeated in braces -> the URL. Anything
    less certain (`H_2O`, `G_{stack}`, `{it misaligned}`, `~15%`) is kept.
    """
    if "times" in text:
        text = _TIMES_RE.sub("\u00d7", text)
    if "~" in text:
        text = _TIE_RE.sub(" ", text)
    if "$" in text:
        text = _MATH_SYMBOL_RE.sub(r"\1", text)
    if "{" in text:
        text = _HREF_RE.sub(r"\1", text)
        text = _WORD_GROUP_RE.sub(r"\1", text)
    return text


def normalise_text(text: str) -> str:
    """The reading form of a title or abstract as stored in the library."""
    return clean_line(convert_latex_escapes(clean_line(text)))


# Punctuation that carries meaning in titles (QuIP# vs QuIP, A* vs A, C++).
_MEANINGFUL = set("#*&%@+$^")


def title_identity(title: str) -> str:
    """The comparison form of a title for de-duplication.

    Two titles that differ only in case, punctuation, spacing or Unicode form
    (composed/decomposed, accents, full-width) give the same identity; symbols
    that change meaning (`#`, `*`, `+`, `&`) and decimal points (`1.5` is not
    `15`) are kept so different papers never merge. A title made only of
    punctuation is compared as written (minus spacing and case), so that two
    such titles never collapse to the same empty identity.
    """
    normal = normalise_text(title)
    text = unicodedata.normalize("NFKD", normal)
    out = []
    for index, ch in enumerate(text):
        cat = unicodedata.category(ch)
        if cat.startswith("M"):  # combining accent
            continue
        if ch in _MEANINGFUL:
            out.append(ch)
        elif cat.startswith(("L", "N")):
            out.append(ch)
        elif cat.startswith("S") and ch not in "`´¨~":
            out.append(ch)
        elif ch == "." and 0 < index < len(text) - 1 and text[index - 1].isdigit() and text[index + 1].isdigit():
            out.append(ch)
        # whitespace and other punctuation are dropped
    identity = "".join(out).casefold()
    if not identity:
        identity = "\x00" + "".join(normal.split()).casefold()
    return identity
