"""A title's inline math comes back out of the .bib export as math, and only safe math does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from export.engines import PROGRAMS, compile_latex, latex_document, latex_errors, recorded_files
from generator.cli import main
from generator.export.bibtex import bibtex_for, encode_title
from generator.export.latex_math import safe_math
from generator.library.records import load_library
from generator.model import Paper

SAFE = {
    r"The $A^*$ algorithm": r"The {$A^*$} algorithm",
    r"Sorting in $\mathcal{O}(n \log n)$ time": r"Sorting in {$\mathcal{O}(n \log n)$} time",
    r"$\alpha$-divergences and $\ell_1$ norms": r"{$\alpha$}-divergences and {$\ell_1$} norms",
    r"A $\frac{1}{2}$-approximation with $x_{i}' \leq \sqrt{2} \cdot y^{-1}$": r"A {$\frac{1}{2}$}-approximation with {$x_{i}' \leq \sqrt{2} \cdot y^{-1}$}",
}
HOSTILE = [
    r"$\input{/etc/passwd}$", r"$\write18{touch pwned}$", r"$\csname input\endcsname{secret}$", r"$\catcode`\@=11$",
    r"$\immediate\openout1=pwned.tex$", r"$x{$ and $}$", r"$$\input{secret}$$", r"$^^5cinput{secret}$", r"$a % b$",
    r"$\def\x{1}$", r"$\text\input{secret}$", r"$x^$", r"$x^a^b$", r"$\frac{1}$", r"$\left( x \right.$",
]


@pytest.mark.parametrize(("title", "written"), SAFE.items())
def test_safe_math_is_written_as_math_in_braces_of_its_own(title, written):
    assert encode_title(title) == written


@pytest.mark.parametrize("title", HOSTILE)
def test_math_outside_the_subset_stays_escaped_text(title):
    encoded = encode_title(title)
    assert not re.search(r"(?<!\\)\$", encoded), encoded  # every dollar is `\$`: no math mode
    assert not re.search(r"\\(?:input|write|csname|catcode|immediate|openout|def|text)(?![a-z])", encoded.replace("{\\textbackslash}", ""))


def test_money_is_not_math():
    assert encode_title("From $5 to $10 per model") == r"From \$5 to \$10 per model"
    assert safe_math(r"\mathbb{R}^n") == r"\ifdefined\mathbb\expandafter\mathbb\else\expandafter\mathbf\fi{R}^n"


def test_a_bib_title_with_math_is_imported_and_exported_as_math(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text("@article{hart1968, title = {The {$A^*$} Search and $\\mathcal{O}(n^2)$ Bounds}, author = {Hart, Peter}, year = 1968}\n", "utf-8")
    content = tmp_path / "content"
    assert main(["import", str(bib), "--content", str(content)]) == 0
    paper = load_library(content).by_key()["hart1968"]
    assert paper.title == "The $A^*$ Search and $\\mathcal{O}(n^2)$ Bounds"
    assert "title = {The {$A^*$} Search and {$\\mathcal{O}(n^2)$} Bounds}" in bibtex_for([paper])


def _papers() -> list[Paper]:
    titles = list(SAFE) + [r"Fields over $\mathbb{R}^n$ and $\text{softmax}_i$"] + HOSTILE
    return [Paper(key=f"m{i}", title=t, abstract="", added="2026-01-15", authors=("Ann Roe",), year=2020)
            for i, t in enumerate(titles)]


# What a LaTeX run may read or write in its own folder.
OWN = {"doc.tex", "doc.aux", "doc.log", "doc.pdf", "doc.bbl", "doc.out", "doc.bcf", "doc.run.xml", "doc.fls"}
STYLES = [
    ("plain", ""), ("plainnat", "\\usepackage{natbib}"), ("plain", "\\usepackage{amssymb}\n\\usepackage{amsmath}"),
    ("biblatex", "\\usepackage[backend=biber]{biblatex}\n\\addbibresource{refs.bib}"),
]


@pytest.mark.skipif(not (PROGRAMS["pdflatex"] and PROGRAMS["bibtex"] and PROGRAMS["biber"]), reason="TeX not installed")
@pytest.mark.parametrize(("style", "preamble"), STYLES, ids=["plain", "plainnat", "plain-ams", "biblatex"])
def test_math_titles_compile_and_hostile_ones_run_nothing(style, preamble, tmp_path):
    (tmp_path / "refs.bib").write_text(bibtex_for(_papers()), encoding="utf-8")
    (tmp_path / "secret.tex").write_text("\\typeout{SECRET-WAS-READ}\n")
    cite = "\\printbibliography\n" if style == "biblatex" else f"\\bibliographystyle{{{style}}}\n\\bibliography{{refs}}\n"
    (tmp_path / "doc.tex").write_text(latex_document("\\usepackage[T1]{fontenc}\n" + preamble, "\\nocite{*}\n" + cite))
    compile_latex(tmp_path, "pdflatex", "biber" if style == "biblatex" else "bibtex", extra=("-no-shell-escape",))
    assert latex_errors(tmp_path) == []
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert "SECRET-WAS-READ" not in log and (tmp_path / "doc.pdf").stat().st_size > 0
    inputs, outputs = recorded_files(tmp_path)
    assert not any("secret" in p or "passwd" in p or "pwned" in p for p in inputs | outputs)
    assert {Path(p).name for p in inputs | outputs if not p.startswith("/")} <= OWN
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned.tex").exists()
    bbl = (tmp_path / "doc.bbl").read_text(errors="replace")
    assert "$A^*$" in bbl and "\\mathcal{O}(n \\log n)" in bbl


CSL = {
    r"The $A^*$ algorithm": 'The <span class="nocase">A*</span> algorithm',
    r"Sorting in $\mathcal{O}(n \log n)$ time": 'Sorting in <span class="nocase">O(n log n)</span> time',
    r"$\alpha$-divergences over $\mathbb{R}^n$": '<span class="nocase">α</span>-divergences over <span class="nocase">ℝⁿ</span>',
    r"A $\frac{1}{2}$-approximation in $\Omega(\sqrt{n})$ rounds": 'A <span class="nocase">1/2</span>-approximation in <span class="nocase">Ω(√n)</span> rounds',
    r"From $5 to $10": "From $5 to $10",
    r"$\input{secret}$ again": r"$\input{secret}$ again",
}


@pytest.mark.parametrize(("title", "shown"), CSL.items())
def test_csl_shows_safe_math_as_plain_text_kept_as_cased(title, shown):
    from generator.export.csl import csl_title

    assert csl_title(title) == shown
