"""Running the real TeX programs on exported files, for the engine tests.

Each helper writes into a folder of its own and returns what the program
said, so a test can count BibTeX's errors and warnings, read back the names
BibTeX parsed, and list every file a LaTeX run read or wrote.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

PROGRAMS = {name: shutil.which(name) for name in ("bibtex", "pdflatex", "lualatex", "biber", "pandoc")}

# A style that prints, for every name of every entry, the four parts BibTeX
# parsed: `key|First|von|Last|Jr`, words joined by `_` (BibTeX breaks
# long lines only at spaces). What a real style would print as the
# surname is `von Last`.
NAMES_BST = r"""ENTRY { author } {} {}
INTEGERS { nameptr numnames }
FUNCTION {names}
{ author empty$
    'skip$
    { #1 'nameptr :=
      author num.names$ 'numnames :=
      { nameptr numnames > { #0 } { #1 } if$ }
      { cite$ "|" * author nameptr "{ff{_}}|{vv{_}}|{ll{_}}|{jj{_}}" format.name$ * write$ newline$
        nameptr #1 + 'nameptr := }
      while$ }
  if$ }
FUNCTION {default.type} { names }
READ
ITERATE {call.type$}
"""


@dataclass(frozen=True)
class BibtexRun:
    returncode: int
    errors: int
    warnings: int
    blg: str
    bbl: str


def run(cmd: list[str], cwd: Path, timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, errors="replace")


def _count(blg: str, what: str) -> int:
    m = re.search(rf"\(There (?:was|were) (\d+|one) {what}", blg)
    if not m:
        return 0
    return 1 if m.group(1) == "one" else int(m.group(1))


def run_bibtex(bib: str, style: str, folder: Path, names_of: str = "author") -> BibtexRun:
    """`bibtex` on an aux file citing every entry of `bib` with `style`
    (`names`: the parts of each name in the field `names_of`)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    if style == "names":
        (folder / "names.bst").write_text(NAMES_BST.replace("author", names_of), encoding="ascii")
    (folder / "doc.aux").write_text(f"\\relax\n\\citation{{*}}\n\\bibstyle{{{style}}}\n\\bibdata{{refs}}\n")
    result = run([PROGRAMS["bibtex"], "doc"], folder)
    blg = (folder / "doc.blg").read_text(encoding="utf-8", errors="replace")
    bbl_path = folder / "doc.bbl"
    bbl = bbl_path.read_text(encoding="utf-8", errors="replace") if bbl_path.exists() else ""
    return BibtexRun(result.returncode, _count(blg, "error"), _count(blg, "warning"), blg, bbl)


def bibtex_names(bib: str, folder: Path, field: str = "author") -> dict[str, list[tuple[str, str, str, str]]]:
    """Every entry's names (of `field`) as BibTeX parses them: key -> [(first, von, last, jr)]."""
    out = run_bibtex(bib, "names", folder, field)
    names: dict[str, list[tuple[str, str, str, str]]] = {}
    for line in out.bbl.splitlines():
        key, *parts = line.split("|")
        # Words were joined with `_` so that BibTeX never breaks the line.
        first, von, last, jr = (re.sub(r"(?<!\\)_", " ", p) for p in parts)
        names.setdefault(key, []).append((first, von, last, jr))
    return names


def _decoder():
    """LaTeX -> text that knows the text-mode macros the encoder uses.

    pylatexenc's defaults drop \\textbraceleft/\\textbar and turn
    \\textasciicircum into U+02C6.
    """
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    db = get_default_latex_context_db().filter_context()
    db.add_context_category(
        "exports",
        prepend=True,
        macros=[
            MacroTextSpec("textbraceleft", "{"),
            MacroTextSpec("textbraceright", "}"),
            MacroTextSpec("textasciicircum", "^"),
            MacroTextSpec("textbar", "|"),
        ],
    )
    return LatexNodes2Text(latex_context=db)


DECODER = _decoder()


def decode(latex: str) -> str:
    """LaTeX -> text, as a reader of the PDF would see it (group braces vanish)."""
    return DECODER.latex_to_text(latex)


def pdflatex_unicode_setup(bib: str) -> str:
    """Preamble lines a pdflatex user adds for characters base LaTeX cannot print.

    The export keeps CJK, Arabic, emoji ... as UTF-8 (xelatex and lualatex
    print them as they are); under pdflatex the document declares them, here
    as `[U+XXXX]`, as it would load CJKutf8 or a T2A font.
    """
    lines = []
    for cp in sorted({ord(c) for c in bib if ord(c) > 0x7F}):
        lines.append(f"\\DeclareUnicodeCharacter{{{cp:04X}}}{{[U+{cp:04X}]}}")
    return "\n".join(lines)


def latex_document(preamble: str, body: str = "\\nocite{*}\n\\bibliographystyle{plainnat}\n\\bibliography{refs}\n") -> str:
    return f"\\documentclass{{article}}\n{preamble}\n\\begin{{document}}\n{body}\\end{{document}}\n"


def compile_latex(folder: Path, engine: str, *steps: str, extra: tuple[str, ...] = (), reruns: int = 2) -> list[subprocess.CompletedProcess]:
    """Run `engine`, the given steps ("bibtex", "biber"), then `engine` again, like latexmk would."""
    latex = [PROGRAMS[engine], "-interaction=nonstopmode", "-recorder", *extra, "doc"]
    results = [run(latex, folder)]
    for step in steps:
        results.append(run([PROGRAMS[step], "doc"], folder))
    results += [run(latex, folder) for _ in range(reruns)]
    return results


def latex_errors(folder: Path) -> list[str]:
    log = (folder / "doc.log").read_text(encoding="utf-8", errors="replace")
    return re.findall(r"^! .*", log, re.M)


def recorded_files(folder: Path) -> tuple[set[str], set[str]]:
    """The files the LaTeX run read and wrote (its -recorder list), as given."""
    inputs, outputs = set(), set()
    for line in (folder / "doc.fls").read_text(errors="replace").splitlines():
        kind, _, path = line.partition(" ")
        (inputs if kind == "INPUT" else outputs if kind == "OUTPUT" else set()).add(path)
    return inputs, outputs
