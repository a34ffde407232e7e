"""One non-ASCII character as LaTeX that every engine reads.

A macro where base LaTeX has one (`é` -> `{\\'e}`), accents stacked on an
ASCII letter where the character decomposes into them (Vietnamese `ệ` ->
`{\\d{\\^{e}}}`), else the character itself as UTF-8 (CJK, Cyrillic,
Arabic, emoji): xelatex and lualatex print it, pdflatex once the document
sets the script up. Never `?`, never an accent dropped, never a macro that
a normal preamble lacks (`\\CYRP`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pylatexenc.latexencode import UnicodeToLatexEncoder

_ENCODER = UnicodeToLatexEncoder(
    non_ascii_only=True,
    replacement_latex_protection="braces-all",
    unknown_char_policy="keep",
    unknown_char_warning=False,
)

# Characters whose pylatexenc spelling compiles in a plain `article` with
# pdflatex (T1 fonts) and lualatex, found by compiling every one of them (the
# engine tests compile this table again). Macros outside it need packages a
# normal preamble lacks (`\\CYRP`, `\\texthvlig`, `\\varkappa`).
_LATEX_SAFE_RANGES = (
    "00A0-00AC 00AE-00B7 00B9-0148 014A-017E 0192 01E7 01F5 0228-0229 037E 0386-038A 038C 038E-038F "
    "0391-03A1 03A3-03CE 03D1 03D5-03D6 03F1 03F5 2000-200A 2010 2012-2016 2018-201A 201C-201E "
    "2020-2022 2024-2026 2030-2034 2039-203B 203D 2044 204E 2052 2057 205F 2070-2071 2074-208E "
    "2090-2093 2095-209C 20A1 20A4 20A6 20A9 20AB-20AC 20B1 2103 2109-210A 210E-210F 2113 2116-2118 "
    "211E 2120 2122 2126-2127 212A-212B 212E-212F 2134-2135 2190-2199 21A6 21A9-21AA 21BC-21BD "
    "21C0-21C1 21CC 21D0-21D5 2200 2202-2203 2206-220D 220F-2213 2215 2217-221E 2220 2223 2225 "
    "2227-222B 222E 2236-2237 223A 223C 2240-2241 2243-2245 2247-2249 224D 2250 2254-2255 2260-2262 "
    "2264-2265 226A-226B 226D 227A-227D 2282-2287 228E 2291-2299 22A2-22A5 22C0-22C6 22C8 22E2-22E3 "
    "22EE-22EF 22F1 2308-230B 2316 2322-2323 2329-232A 23B0-23B1 25AD 25B3 25B9 25BD 25C3 25CB 25E6 "
    "25EF 2662 266A FB00-FB04"
)


def _code_points(ranges: str) -> frozenset[int]:
    out: set[int] = set()
    for item in ranges.split():
        first, _, last = item.partition("-")
        out.update(range(int(first, 16), int(last or first, 16) + 1))
    return frozenset(out)


LATEX_SAFE = _code_points(_LATEX_SAFE_RANGES)

# `{\\'\\i}` (accent on a dotless i) is what pylatexenc writes for `í`;
# biber and pandoc then print a dotless i. `{\\'i}` is the same glyph in LaTeX.
_DOTLESS_RE = re.compile(r"(\\[`'^\"~=.uvH])\\([ij])(?![A-Za-z])")

# Combining marks with a base-LaTeX accent macro, for letters pylatexenc does
# not know (Vietnamese `ệ` is `e` + dot below + circumflex: `{\\d{\\^{e}}}`).
_ACCENTS = {
    "\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=", "\u0306": "u",
    "\u0307": ".", "\u0308": '"', "\u030a": "r", "\u030b": "H", "\u030c": "v", "\u0323": "d",
    "\u0327": "c", "\u0328": "k", "\u0331": "b",
}


@lru_cache(maxsize=4096)
def encode_char(char: str) -> str:
    """One non-ASCII character as LaTeX, e.g. `é` -> `{\\'e}`, `日` -> `日`.

    A base-LaTeX macro where one exists, stacked accents on an ASCII letter
    where the character decomposes into them, else the character itself as
    UTF-8: xelatex and lualatex print it, pdflatex once the document sets the
    script up. Nothing is replaced by `?` or an accent-less letter.
    """
    if ord(char) in LATEX_SAFE:
        latex = _ENCODER.unicode_to_latex(char)
        if latex.isascii():
            return _DOTLESS_RE.sub(r"\1\2", latex)
    return _stacked_accents(char) or char


def _stacked_accents(char: str) -> str | None:
    """`ệ` -> `{\\d{\\^{e}}}`; None unless every mark has a macro."""
    parts = unicodedata.normalize("NFD", char)
    return accented_letter(parts[0], parts[1:])


def accented_letter(base: str, marks: str) -> str | None:
    """An ASCII letter under combining marks as nested accent macros; None unless each has one."""
    if not (marks and base.isascii() and base.isalpha()) or any(m not in _ACCENTS for m in marks):
        return None
    latex = base
    # Marks above first (innermost), then marks below: `\\d` boxes whatever it is given.
    for mark in sorted(marks, key=lambda m: -unicodedata.combining(m)):
        latex = f"\\{_ACCENTS[mark]}{{{latex}}}"
    return "{" + latex + "}"
