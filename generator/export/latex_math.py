"""Inline math of a title (`The $A^*$ algorithm`) written back as math.

The import keeps a title's math as TeX between `$` (`reading.bibvalues`).
A .bib export writes it as math again only when every token is in a small
subset that typesets in a plain `article` and can do nothing else: letters,
digits, a few operators and brackets, balanced braces, and a whitelist of
macros that only print (Greek letters, `\\log`, `\\frac`, `\\mathcal` ...).
Anything else (`\\input`, `\\csname`, `\\catcode`, `^^5c`, a lone brace, `%`)
keeps the whole span escaped as text, exactly as before, so it stays inert.
"""

from __future__ import annotations

import re
import unicodedata

# A span of inline math: `$` + no space ... no space + `$`, not next to another
# `$` and not followed by a digit (pandoc's rule): `$5 and $10` is money.
_SPAN_RE = re.compile(r"(?<!\$)\$([^$\s](?:[^$]*[^$\s])?)\$(?![$\d])")
_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789^_{}+-*/=<>()[],.|':;! ")
# Macros of base LaTeX that only print a symbol or set their argument in a font.
_SYMBOLS = frozenset("""
alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi rho
varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi
Psi Omega ell infty partial nabla hbar imath jmath aleph emptyset log ln exp sin cos tan lim max min sup inf
arg det dim ker Pr sum prod int times cdot cdots ldots dots leq le geq ge neq ne ll gg to rightarrow leftarrow
Rightarrow Leftarrow mapsto sim simeq approx equiv propto pm mp prime star ast circ bullet in notin subset
subseteq supset supseteq cup cap forall exists neg wedge vee oplus otimes mid perp top bot langle rangle
lfloor rfloor lceil rceil vert Vert quad qquad
""".split())
# Macros taking arguments: how many.
_ARGUMENTS = {name: 1 for name in (
    "mathcal mathrm mathbf mathit mathsf mathtt mathbb text mbox sqrt overline underline hat tilde bar vec dot ddot "
    "widehat widetilde").split()}
_ARGUMENTS["frac"] = 2
# Package macros, written so that a document without the package prints a near twin.
_FALLBACK = {"mathbb": "mathbf", "text": "mbox"}
_SPACING = frozenset(",;:!")
_MAX_DEPTH = 8


def math_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, TeX to write) of each `$...$` in `text` that is safe math."""
    found = []
    for match in _SPAN_RE.finditer(text):
        tex = safe_math(match.group(1))
        if tex is not None:
            found.append((match.start(), match.end(), "$" + tex + "$"))
    return found


def safe_math(tex: str) -> str | None:
    """The math as it is written to a .bib, or None when it is outside the subset."""
    if not set(tex.replace("\\", "")) <= _CHARS or "^^" in tex or not _balanced(tex):
        return None
    out, pos = [], 0
    for match in re.finditer(r"\\([A-Za-z]+|.)", tex):
        name = match.group(1)
        if name not in _SYMBOLS and name not in _ARGUMENTS and name not in _SPACING:
            return None
        if name in _ARGUMENTS and not _has_arguments(tex[match.end():], _ARGUMENTS[name]):
            return None
        out.append(tex[pos : match.start()])
        out.append(_fallback(name) if name in _FALLBACK else match.group(0))
        pos = match.end()
    out.append(tex[pos:])
    written = "".join(out)
    return written if _scripts_have_operands(written) else None


def _balanced(tex: str) -> bool:
    """Braces pair up (BibTeX counts every one) and nest only a few deep."""
    depth = 0
    for char in tex:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0 or depth > _MAX_DEPTH:
            return False
    return depth == 0


def _has_arguments(rest: str, count: int) -> bool:
    """`\\frac{a}{b}`, `\\sqrt 2`, `\\mathbb R`: each argument a group or one letter or digit."""
    for _ in range(count):
        rest = rest.lstrip()
        if rest[:1].isalnum():
            rest = rest[1:]
        elif rest[:1] == "{":
            depth, end = 0, 0
            for end, char in enumerate(rest):
                depth += {"{": 1, "}": -1}.get(char, 0)
                if depth == 0:
                    break
            rest = rest[end + 1 :]
        else:
            return False
    return True


def _scripts_have_operands(tex: str) -> bool:
    """`^` and `_` each followed by something to raise, never two in a row
    (`x^`, `x^^`, `x_}` and `x^a^b` stop TeX with an error)."""
    if re.search(r"[\^_]\s*(?:$|[}\^_])", tex):
        return False
    script = r"(?:\{[^{}]*\}|\\[A-Za-z]+|[^\s{}\\])"
    return not re.search(rf"\^\s*{script}\s*'*\s*\^|_\s*{script}\s*_|\^\s*{script}\s*'", tex)


def _fallback(name: str) -> str:
    """`\\mathbb` where amssymb is loaded, `\\mathbf` where it is not."""
    return f"\\ifdefined\\{name}\\expandafter\\{name}\\else\\expandafter\\{_FALLBACK[name]}\\fi"


# --- the same math as plain text, for CSL-JSON (no reader of it typesets TeX)

_TEXT_SYMBOLS = {
    "varepsilon": "ε", "vartheta": "ϑ", "varpi": "ϖ", "varrho": "ϱ", "varsigma": "ς", "phi": "ϕ", "varphi": "φ",
    "ell": "ℓ", "infty": "∞", "partial": "∂", "nabla": "∇", "hbar": "ℏ", "imath": "ı", "jmath": "ȷ", "aleph": "ℵ",
    "emptyset": "∅", "sum": "∑", "prod": "∏", "int": "∫", "times": "×", "cdot": "·", "cdots": "⋯", "ldots": "…",
    "dots": "…", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠", "ll": "≪", "gg": "≫",
    "to": "→", "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒", "Leftarrow": "⇐", "mapsto": "↦", "sim": "∼",
    "simeq": "≃", "approx": "≈", "equiv": "≡", "propto": "∝", "pm": "±", "mp": "∓", "prime": "′", "star": "⋆",
    "ast": "∗", "circ": "∘", "bullet": "•", "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆", "supset": "⊃",
    "supseteq": "⊇", "cup": "∪", "cap": "∩", "forall": "∀", "exists": "∃", "neg": "¬", "wedge": "∧", "vee": "∨",
    "oplus": "⊕", "otimes": "⊗", "mid": "|", "perp": "⊥", "top": "⊤", "bot": "⊥", "langle": "⟨", "rangle": "⟩",
    "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "vert": "|", "Vert": "‖", "quad": " ", "qquad": " ",
}
_GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon chi "
          "psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega").split()
_TEXT_SYMBOLS.update({name: unicodedata.lookup(
    f"GREEK {'CAPITAL' if name[0].isupper() else 'SMALL'} LETTER {name.upper().replace('LAMBDA', 'LAMDA')}") for name in _GREEK})
_OPERATOR_NAMES = frozenset("log ln exp sin cos tan lim max min sup inf arg det dim ker Pr".split())
_SUPERSCRIPTS = dict(zip("0123456789+-=()niT*'", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵀ*′"))
_SUBSCRIPTS = dict(zip("0123456789+-=()aeoxhklmnpstijruv", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼᵣᵤᵥ"))
_DOUBLE_STRUCK = dict(zip("RNZQCP", "ℝℕℤℚℂℙ"))
_ACCENT_MARKS = {"hat": "\u0302", "widehat": "\u0302", "tilde": "\u0303", "widetilde": "\u0303", "bar": "\u0304",
                 "overline": "\u0305", "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308", "underline": "\u0332"}


def math_as_text(text: str) -> tuple[str, list[tuple[int, int]]]:
    """`text` with each safe formula as the plain text a reader would type
    (`$\\mathcal{O}(n^2)$` -> `O(n²)`, `$\\alpha$` -> `α`), and the spans of those
    formulas in the result; any other `$...$` stays as written."""
    out, spans, pos = [], [], 0
    for start, end, _tex in math_spans(text):
        out.append(text[pos:start])
        begin = sum(len(piece) for piece in out)
        formula = " ".join(_as_text(text[start + 1 : end - 1]).split())
        out.append(formula)
        spans.append((begin, begin + len(formula)))
        pos = end
    out.append(text[pos:])
    return "".join(out), spans


def _as_text(tex: str) -> str:
    """Safe math (`safe_math` accepted it) as plain Unicode text."""
    out, pos = [], 0
    while pos < len(tex):
        char = tex[pos]
        if char == "\\":
            name = re.match(r"\\([A-Za-z]+|.)", tex[pos:]).group(1)
            pos += 1 + len(name)
            if name in _ARGUMENTS:
                args = []
                for _ in range(_ARGUMENTS[name]):
                    arg, pos = _argument(tex, pos)
                    args.append(_as_text(arg))
                out.append(_with_arguments(name, args))
            elif name in _OPERATOR_NAMES:
                out.append(name)
            else:
                out.append(_TEXT_SYMBOLS.get(name, " " if name in ",;:" else ""))
        elif char in "^_":
            arg, pos = _argument(tex, pos + 1)
            out.append(_script(_as_text(arg), _SUPERSCRIPTS if char == "^" else _SUBSCRIPTS, char))
        elif char in "{}":
            pos += 1
        else:
            out.append("′" if char == "'" else char)
            pos += 1
    return "".join(out)


def _argument(tex: str, pos: int) -> tuple[str, int]:
    """The argument at `pos` (a group's inside, a macro, or one character) and where it ends."""
    while pos < len(tex) and tex[pos] == " ":
        pos += 1
    if tex.startswith("{", pos):
        depth = 0
        for end in range(pos, len(tex)):
            depth += {"{": 1, "}": -1}.get(tex[end], 0)
            if depth == 0:
                return tex[pos + 1 : end], end + 1
    if tex.startswith("\\", pos):
        name = re.match(r"\\([A-Za-z]+|.)", tex[pos:]).group(0)
        return name, pos + len(name)
    return tex[pos : pos + 1], pos + 1


def _with_arguments(name: str, args: list[str]) -> str:
    if name == "frac":
        top, bottom = (a if len(a) <= 1 else f"({a})" for a in args)
        return f"{top}/{bottom}"
    arg = args[0]
    if name == "sqrt":
        return "√" + (arg if len(arg) <= 1 else f"({arg})")
    if name == "mathbb" and arg in _DOUBLE_STRUCK:
        return _DOUBLE_STRUCK[arg]
    if name in _ACCENT_MARKS and len(arg) == 1:
        return arg + _ACCENT_MARKS[name]
    return arg


def _script(arg: str, table: dict[str, str], sign: str) -> str:
    """`n²`, `x₁`, `A*`: Unicode super- or subscripts when every character has one, else `^(...)`."""
    if arg and all(c in table for c in arg):
        return "".join(table[c] for c in arg)
    return sign + (arg if len(arg) <= 1 else f"({arg})")
