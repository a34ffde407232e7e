"""Text normalisation for pasted dumps.

Dumps are not LaTeX documents: `%` is a percent sign, `$100K` is money and
`~15%` means "about". So we never run whole abstracts through a LaTeX-to-text
converter; we find the individual escape sequences (`\\'e`, `10\\%`,
`\\textit{...}`, `{\\Sigma}`) and convert only those. Anything we do not
recognise is kept verbatim, so no word is ever dropped.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text

# Accent commands: \'e, \'{e}, {\'e}, \"o, \^{o}, \c{c}, \v{s} ...
_ACCENT_CHARS = "'`^\"~=.uvHckbdr"
_ACCENT_RE = re.compile(
    r"\{\\([" + re.escape("'`^\"~=.") + r"])\s*([A-Za-z])\}"  # {\'e}
    r"|\\([" + re.escape("'`^\"~=.") + r"])\s*(?:\{([A-Za-z]|\\[ij])\}|([A-Za-z]))"  # \'e \'{e}
    r"|\\([uvHckbdr])\{([A-Za-z])\}"  # \v{s} \c{c}
)
# Escaped specials: \% \& \$ \# \_ \{ \}
_SPECIAL_RE = re.compile(r"\\([%&$#_{}])")
# Font/structure commands whose argument is the text itself.
_TEXT_COMMANDS = (
    "textit", "textbf", "emph", "texttt", "textsc", "textrm", "textsf", "textsl",
    "textup", "textnormal", "underline", "mathrm", "mathbf", "mathit", "mathsf",
    "mathtt", "text", "url", "href_url",
)
_TEXT_CMD_RE = re.compile(r"\\(" + "|".join(_TEXT_COMMANDS) + r")\{([^{}\\]*)\}")
# A bare letter macro, possibly wrapped in a brace group: \Sigma, {\alpha}, \ldots
_MACRO_RE = re.compile(r"(\{)?\\([A-Za-z]+)(?(1)\}|(?![A-Za-z]))")
# "e.g.\ relying": a control space
_CONTROL_SPACE_RE = re.compile(r"(?<=\S)\\ (?=\S)")

_L2T = LatexNodes2Text(math_mode="text", keep_comments=True, strict_latex_spaces=True)

# Macros we convert to a symbol. Only macros pylatexenc knows AND whose output
# is a single non-ASCII symbol (Greek letters, \ldots, \times, \ss ...) are
# converted; unknown project macros such as \ourdataset stay as written.
_WORDLIKE_OK = {"ss": "ß", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "o": "ø", "O": "Ø",
                "aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ"}


@lru_cache(maxsize=None)
def _macro_symbol(name: str) -> str | None:
    """Unicode for a bare LaTeX macro, or None to keep it verbatim."""
    if name in _WORDLIKE_OK:
        return _WORDLIKE_OK[name]
    try:
        out = _L2T.latex_to_text("\\" + name)
    except Exception:  # pragma: no cover - pylatexenc is lenient, be safe
        return None
    out = out.strip()
    if not out or out == "\\" + name or out == name:
        return None
    # Accept symbols only: one or two non-ASCII characters (Σ, α, …, ×, ≤).
    if len(out) <= 2 and all(ord(ch) > 127 for ch in out):
        return out
    return None


def _accent(mark: str, letter: str) -> str:
    """Compose an accent command with its letter into one NFC character."""
    if letter in ("\\i", "\\j"):
        letter = letter[1]
    try:
        composed = _L2T.latex_to_text("\\" + mark + "{" + letter + "}")
    except Exception:  # pragma: no cover
        return "\\" + mark + letter
    return unicodedata.normalize("NFC", composed)


def _replace_accent(m: re.Match) -> str:
    if m.group(1):
        return _accent(m.group(1), m.group(2))
    if m.group(3):
        return _accent(m.group(3), m.group(4) or m.group(5))
    return _accent(m.group(6), m.group(7))


def _replace_macro(m: re.Match) -> str:
    symbol = _macro_symbol(m.group(2))
    return m.group(0) if symbol is None else symbol


def _replace_text_command(m: re.Match) -> str:
    # "released\url{https://...}" reads as two words, not one.
    before = m.string[m.start() - 1] if m.start() else " "
    if m.group(1) == "url" and before.isalnum():
        return " " + m.group(2)
    return m.group(2)


def convert_latex_escapes(text: str) -> str:
    """Convert LaTeX escape sequences in otherwise plain text to Unicode.

    Only markup is removed: the text commands' braces, the backslash of an
    escaped special, the accent command. `%`, `$`, `~`, `{it x}` stay.
    """
    if "\\" not in text:
        return text
    previous = None
    # Nested forms such as \textit{Pok\'eChamp} need a couple of passes.
    while previous != text:
        previous = text
        text = _ACCENT_RE.sub(_replace_accent, text)
        text = _TEXT_CMD_RE.sub(_replace_text_command, text)
    text = _SPECIAL_RE.sub(lambda m: m.group(1), text)
    text = _CONTROL_SPACE_RE.sub(" ", text)
    text = _MACRO_RE.sub(_replace_macro, text)
    return text


_WS_RE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
# C0/C1 control characters other than tab/newline never belong in a record.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff]")


def clean_line(text: str) -> str:
    """NFC, control characters removed, runs of spaces collapsed, trimmed."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL_RE.sub("", text)
    text = _WS_RE.sub(" ", text)
    return text.strip()


def normalise_text(text: str) -> str:
    """The reading form of a title or abstract as stored in the library."""
    return clean_line(convert_latex_escapes(clean_line(text)))


# Punctuation that carries meaning in titles (QuIP# vs QuIP, A* vs A, C++).
_MEANINGFUL = set("#*&%@+$^")


def title_identity(title: str) -> str:
    """The comparison form of a title for de-duplication.

    Two titles that differ only in case, punctuation, spacing or Unicode form
    (composed/decomposed, accents, full-width) give the same identity; symbols
    that change meaning (`#`, `*`, `+`, `&`) are kept so different papers never
    merge.
    """
    text = unicodedata.normalize("NFKD", normalise_text(title))
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat.startswith("M"):  # combining accent
            continue
        if ch in _MEANINGFUL:
            out.append(ch)
        elif cat.startswith(("L", "N")):
            out.append(ch)
        elif cat.startswith(("S",)) and ch not in "`´^¨~":
            out.append(ch)
        # whitespace and other punctuation are dropped
    return "".join(out).casefold()
