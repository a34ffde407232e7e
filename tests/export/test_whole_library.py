"""The whole library through the real engines: shipped content plus every real file imported.

A temp copy of `content/` with the real Zotero, Better BibTeX, Mendeley,
D2L, CSL-JSON and RIS fixtures imported is exported as one `.bib` and
compiled with bibtex (plain, plainnat, unsrtnat) and pdflatex, and with
biber and biblatex: 0 errors, every entry cited.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from export.engines import PROGRAMS, compile_latex, latex_document, latex_errors, pdflatex_unicode_setup, run, run_bibtex
from generator.export.aliases import citable_aliases
from generator.export.bibtex import bibtex_for
from generator.library.records import load_library
from generator.model import Name, Paper
from generator.reading.merge import import_bibtex

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
REAL = sorted((FIXTURES / "bib" / "real").glob("*.bib")) + [FIXTURES / "csl" / "zotero-fink.json", FIXTURES / "ris" / "zotero-mambo.ris"]


def needs(*programs: str):
    missing = [p for p in programs if not PROGRAMS[p]]
    return pytest.mark.skipif(bool(missing), reason=f"not installed: {', '.join(missing)}")


@pytest.fixture(scope="module")
def whole(tmp_path_factory, shipped_content) -> tuple[list[Paper], str]:
    """The seed library (as the shipped one was imported, never the live content/) plus the real files."""
    content = tmp_path_factory.mktemp("whole") / "content"
    shutil.copytree(shipped_content / "papers", content / "papers")
    shipped = len(list((content / "papers").glob("*.yml")))
    report = import_bibtex(content, REAL, today="2026-01-15")
    library = load_library(content)
    assert report.problems == [] and library.problems == ()
    papers = list(library.papers)
    assert len(papers) >= shipped + 900
    return papers, bibtex_for(papers)


@needs("bibtex")
@pytest.mark.parametrize("style", ["plain", "plainnat", "unsrtnat"])
def test_bibtex_compiles_the_whole_library(style, whole, tmp_path) -> None:
    papers, bib = whole
    out = run_bibtex(bib, style, tmp_path)
    assert out.returncode == 0 and out.errors == 0, re.findall(r".*error.*", out.blg, re.I)[:10]
    copies = sum(len(aliases) for aliases in citable_aliases(papers).values())  # a merged key's own entry
    assert copies > 0 and out.bbl.count("\\bibitem") == len(papers) + copies


@needs("bibtex", "pdflatex")
def test_pdflatex_typesets_the_whole_library(whole, tmp_path) -> None:
    papers, bib = whole
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    preamble = "\\usepackage[T1]{fontenc}\n\\usepackage{natbib}\n\\usepackage{hyperref}\n" + pdflatex_unicode_setup(bib)
    (tmp_path / "doc.tex").write_text(latex_document(preamble), encoding="utf-8")
    results = compile_latex(tmp_path, "pdflatex", "bibtex", reruns=1)
    assert latex_errors(tmp_path) == [] and results[-1].returncode == 0
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert not re.search(r"Citation .* undefined", log)


def _biber_document(folder: Path, bib: str) -> None:
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    preamble = "\\usepackage[T1]{fontenc}\n" + pdflatex_unicode_setup(bib) + (
        "\n\\usepackage[backend=biber,style=authoryear]{biblatex}\n\\addbibresource{refs.bib}\n")
    (folder / "doc.tex").write_text(latex_document(preamble, "\\nocite{*}\n\\printbibliography\n"), encoding="utf-8")


def _biber_then_pdflatex(folder: Path, *options: str) -> tuple[str, list[str]]:
    """(biber's log, LaTeX's errors) for pdflatex, `biber OPTIONS`, pdflatex."""
    run([PROGRAMS["pdflatex"], "-interaction=nonstopmode", "doc"], folder)
    run([PROGRAMS["biber"], *options, "doc"], folder, timeout=1200)
    run([PROGRAMS["pdflatex"], "-interaction=nonstopmode", "doc"], folder)
    return (folder / "doc.blg").read_text(errors="replace"), latex_errors(folder)


@pytest.mark.slow  # biber on ~1,400 entries: about four minutes
@needs("biber", "pdflatex")
def test_biber_reads_the_whole_library(whole, tmp_path) -> None:
    """biber (with `--output-safechars`, as the README says for pdflatex) then pdflatex."""
    papers, bib = whole
    _biber_document(tmp_path, bib)
    blg, errors = _biber_then_pdflatex(tmp_path, "--output-safechars")
    assert "ERROR" not in blg, re.findall(r".*ERROR.*", blg)
    assert errors == []
    bbl = (tmp_path / "doc.bbl").read_text(errors="replace")
    assert bbl.count("\\entry{") == len(papers) + sum(len(aliases) for aliases in citable_aliases(papers).values())
    assert not re.search(r"i=\{\}\\bibinitperiod", bbl)  # no initial taken from a brace


def _paper(key: str, title: str, names: tuple[Name, ...]) -> Paper:
    return Paper(key=key, title=title, abstract="", added="2026-01-15", names=names,
                 authors=tuple(n.display() for n in names), year=2018, venue="Biol. Psychiatry", entry_type="article")


@needs("biber", "pdflatex")
def test_names_biber_broke_and_a_letter_with_a_lone_mark(tmp_path) -> None:
    """`‘t Hart` gave `familyi={}\\bibinitperiod}`; a family name with commas
    was skipped ("too many commas"); `c` + U+0306 stops pdflatex unless biber
    writes safe characters (`--output-safechars`)."""
    papers = [
        _paper("McColgan2018", "Brain regions", (Name(family="\u2018t Hart", given="E.P."), Name(family="Valabrègue", given="R."))),
        _paper("Thompson2014", "The ENIGMA Consortium", (Name(family="ADNI, EPIGEN Consortium, IMAGEN Consortium, SYS Group", given="Wayne"),)),
        _paper("Vuk2020", "Zac\u0306a", (Name(family="Vuc\u0306ko", given="Ana"),)),
    ]
    bib = bibtex_for(papers)
    plain, safe = tmp_path / "plain", tmp_path / "safe"
    for folder in (plain, safe):
        folder.mkdir()
        _biber_document(folder, bib)
    blg, errors = _biber_then_pdflatex(plain)
    assert "ERROR" not in blg and any("U+0306" in e or "not set up" in e for e in errors), errors
    blg, errors = _biber_then_pdflatex(safe, "--output-safechars")
    assert "ERROR" not in blg and errors == []
    bbl = (safe / "doc.bbl").read_text(errors="replace")
    assert bbl.count("\\entry{") == 3 and "familyi={t\\bibinitperiod}" in bbl and "given={{Wayne}}" in bbl
