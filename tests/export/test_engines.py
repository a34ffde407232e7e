"""The exported .bib and CSL-JSON through the real programs.

bibtex (plain, plainnat, unsrtnat), biber with biblatex, pdflatex and
lualatex, and pandoc's citeproc read the shipped library (copied, never
touched) plus a fixture of multilingual and oddly named records. A corpus of
TeX-injection records must compile without reading or writing any file
beyond the TeX distribution's and the document's own.
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest

from export.engines import (
    PROGRAMS,
    bibtex_names,
    compile_latex,
    latex_document,
    latex_errors,
    pdflatex_unicode_setup,
    recorded_files,
    run,
    run_bibtex,
)
from generator.export.bibtex import LATEX_SAFE, bibtex_for, encode_text
from generator.export.csl import csl_json
from generator.export.names import parse_name
from generator.library.records import load_library

ROOT = Path(__file__).resolve().parents[2]
TEX = ROOT / "tests" / "fixtures" / "tex"


def needs(*programs: str):
    missing = [p for p in programs if not PROGRAMS[p]]
    return pytest.mark.skipif(bool(missing), reason=f"not installed: {', '.join(missing)}")


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> list:
    content = tmp_path_factory.mktemp("content") / "content"
    shutil.copytree(ROOT / "content" / "papers", content / "papers")
    library = load_library(content)
    assert library.papers and not library.problems
    return list(library.papers)


def fixture_papers(name: str) -> list:
    library = load_library(TEX / name)
    assert library.papers and not library.problems
    return list(library.papers)


@pytest.fixture(scope="module")
def hostile() -> list:
    return fixture_papers("hostile")


@needs("bibtex")
@pytest.mark.parametrize("style", ["plain", "plainnat", "unsrtnat"])
def test_bibtex_styles_accept_the_whole_library(style, shipped, hostile, tmp_path) -> None:
    papers = shipped + hostile
    out = run_bibtex(bibtex_for(papers), style, tmp_path)
    assert out.returncode == 0 and out.errors == 0, out.blg[-3000:]
    assert out.bbl.count("\\bibitem") == len(papers)
    # The only warnings: natbib's "empty year" for records that have none.
    no_year = {p.key for p in papers if p.year is None}
    warned = re.findall(r"^Warning--(.*)$", out.blg, re.M)
    assert all(w.startswith("empty year in ") and w[len("empty year in "):] in no_year for w in warned), warned
    assert "Listed in" not in out.bbl and "Hugging Face" not in out.bbl  # no provenance in citations
    assert "日本語の大規模言語モデル" in out.bbl and "Русский" not in out.bbl.replace("русского", "")
    assert "CYR" not in out.bbl and "???" not in out.bbl


SURNAMES = {
    "Alberto Del Bimbo": "Del Bimbo", "Ludwig van Beethoven": "van Beethoven", "Martin Luther King Jr.": "King",
    "de la Cruz, Juana Inés": "de la Cruz", "Leonardo Da Vinci": "Da Vinci", "Antonín Dvořák": "Dvořák",
    "Charles Louis Xavier Joseph de la Vallée Poussin": "de la Vallée Poussin", "Íñigo Quílez": "Quílez",
    "The LLM Consortium": "The LLM Consortium", "Team GLM": "Team GLM", "BigScience Workshop": "BigScience Workshop",
    "Smith, Jr., John": "Smith",
}


@needs("bibtex")
def test_bibtex_reads_every_surname_as_written(hostile, tmp_path) -> None:
    from export.engines import decode

    names = bibtex_names(bibtex_for(hostile), tmp_path)
    seen = 0
    for paper in hostile:
        for author, (first, von, last, jr) in zip(paper.authors, names.get(paper.key, []), strict=True):
            expected = parse_name(author)
            surname = decode(" ".join(x for x in (von, last) if x)).strip()
            assert surname == " ".join(x for x in (expected.particle, expected.family or expected.literal) if x)
            if author in SURNAMES:
                seen += 1
                assert surname == SURNAMES[author], author
    assert seen == len(SURNAMES)


@needs("bibtex", "pdflatex")
def test_pdflatex_typesets_a_document_citing_every_entry(shipped, hostile, tmp_path) -> None:
    bib = bibtex_for(shipped + hostile)
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    preamble = "\\usepackage[T1]{fontenc}\n\\usepackage{natbib}\n\\usepackage{hyperref}\n" + pdflatex_unicode_setup(bib)
    (tmp_path / "doc.tex").write_text(latex_document(preamble), encoding="utf-8")
    results = compile_latex(tmp_path, "pdflatex", "bibtex")
    assert all(r.returncode == 0 for r in results), results[-1].stdout[-3000:]
    assert latex_errors(tmp_path) == []
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert not re.search(r"Citation .* undefined", log)


@needs("bibtex", "lualatex")
def test_lualatex_prints_utf8_without_any_setup(hostile, tmp_path) -> None:
    (tmp_path / "refs.bib").write_text(bibtex_for(hostile), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(latex_document("\\usepackage{natbib}\n\\usepackage{hyperref}"), encoding="utf-8")
    results = compile_latex(tmp_path, "lualatex", "bibtex")
    assert all(r.returncode == 0 for r in results), results[-1].stdout[-3000:]
    assert latex_errors(tmp_path) == []


@needs("biber", "pdflatex", "lualatex")
@pytest.mark.parametrize("engine", ["pdflatex", "lualatex"])
def test_biber_and_biblatex_read_the_library(engine, shipped, hostile, tmp_path) -> None:
    """pdflatex on the shipped library; lualatex on it plus the multilingual fixture.

    (biblatex under pdflatex breaks UTF-8 characters the document declared
    itself when it builds name initials; lualatex is the engine for them.)
    """
    papers = shipped if engine == "pdflatex" else shipped + hostile
    bib = bibtex_for(papers)
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    preamble = ("\\usepackage[T1]{fontenc}\n" if engine == "pdflatex" else "") + (
        "\\usepackage[backend=biber,style=authoryear]{biblatex}\n\\addbibresource{refs.bib}\n")
    (tmp_path / "doc.tex").write_text(latex_document(preamble, "\\nocite{*}\n\\printbibliography\n"), encoding="utf-8")
    results = compile_latex(tmp_path, engine, "biber")
    blg = (tmp_path / "doc.blg").read_text(errors="replace")
    assert results[1].returncode == 0 and "ERROR" not in blg, blg[-3000:]
    assert re.findall(r"WARN - .*", blg) == []
    assert all(r.returncode == 0 for r in results), results[-1].stdout[-3000:]
    assert latex_errors(tmp_path) == []
    bbl = (tmp_path / "doc.bbl").read_text(errors="replace")
    assert bbl.count("\\entry{") == len(papers)
    if engine == "lualatex":
        assert "family={{Del Bimbo}}" in bbl and "family={{The LLM Consortium}}" in bbl
        assert "Anton\\'\\i" not in bbl


@needs("pdflatex")
def test_every_character_written_as_a_macro_compiles(tmp_path) -> None:
    """The table of characters spelled as macros holds in a plain T1 article."""
    chars = [chr(cp) for cp in sorted(LATEX_SAFE) if unicodedata.normalize("NFC", chr(cp)) == chr(cp)]
    lines = [f"{encode_text(char)}\\par" for char in chars]
    assert len(lines) > 500
    assert all(line.isascii() for line in lines)
    body = "\n".join(lines) + "\n"
    (tmp_path / "doc.tex").write_text(latex_document("\\usepackage[T1]{fontenc}", body), encoding="ascii")
    run([PROGRAMS["pdflatex"], "-interaction=nonstopmode", "doc"], tmp_path)
    assert latex_errors(tmp_path) == []


@needs("pandoc")
def test_pandoc_citeproc_prints_titles_and_names_as_written(hostile, tmp_path) -> None:
    (tmp_path / "refs.json").write_text(csl_json(hostile), encoding="utf-8")
    (tmp_path / "doc.md").write_text('---\nbibliography: refs.json\nnocite: "@*"\n---\n', encoding="utf-8")
    result = run([PROGRAMS["pandoc"], "--citeproc", "-t", "plain", "--wrap=none", "doc.md"], tmp_path)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    for paper in hostile:
        # Styles may change the case of ordinary words, never of protected ones.
        title = paper.title.replace("'", "\u2019")
        assert title.casefold() in text.casefold(), paper.title
        for word in ("FP8", "GaLore", "LLM", "MoE", "70B", "α-Scaling", "μP", "Большие", "языковые", "QuIP#"):
            if word in paper.title:
                assert word in text, word
        for author in paper.authors[:3]:
            name = parse_name(author)
            assert (name.family or name.literal) in text, author
    entry = next(line for line in text.split("\n\n") if "GaLore" in line)
    assert entry.replace("arxiv.org", "").count("arXiv") == 1, entry


INJECTION_STYLES = [
    ("plain", "\\usepackage[T1]{fontenc}"),
    ("plainnat", "\\usepackage[T1]{fontenc}\n\\usepackage{natbib}\n\\usepackage{hyperref}"),
    ("unsrtnat", "\\usepackage[T1]{fontenc}\n\\usepackage{natbib}\n\\usepackage{url}"),
    ("biblatex", "\\usepackage[T1]{fontenc}\n\\usepackage[backend=biber]{biblatex}\n\\addbibresource{refs.bib}"),
]


@needs("pdflatex", "bibtex", "biber")
@pytest.mark.parametrize("shell", ["-no-shell-escape", "default"])
@pytest.mark.parametrize(("style", "preamble"), INJECTION_STYLES, ids=[s for s, _ in INJECTION_STYLES])
def test_injection_corpus_reads_writes_and_runs_nothing(style, preamble, shell, tmp_path) -> None:
    papers = fixture_papers("injection")
    bib = bibtex_for(papers)
    for word in ("\\input", "\\openout", "\\write18", "\\catcode", "^^", "\\immediate"):
        assert word not in re.sub(r"\{\\textbackslash\}|\{\\textasciicircum\}", "", bib)
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    # What an acting payload would read: it announces itself in the log.
    (tmp_path / "secret.tex").write_text("\\typeout{SECRET-WAS-READ}\n")
    body = "\\nocite{*}\n" + ("\\printbibliography\n" if style == "biblatex" else f"\\bibliographystyle{{{style}}}\n\\bibliography{{refs}}\n")
    (tmp_path / "doc.tex").write_text(latex_document(preamble, body), encoding="utf-8")
    before = set(p.name for p in tmp_path.iterdir())
    extra = ("-no-shell-escape",) if shell == "-no-shell-escape" else ()
    results = compile_latex(tmp_path, "pdflatex", "biber" if style == "biblatex" else "bibtex", extra=extra)
    log = (tmp_path / "doc.log").read_text(errors="replace")
    if style == "biblatex":
        # biber writes the initial of a name that starts with a TeX special
        # (`\\input...`) unescaped, or empty with an extra brace, into the
        # .bbl: an error in biber's own lines, nothing read or run.
        # The errors that follow are the same group closing later; the
        # injection records' text is printed, not executed (checked below).
        context = re.findall(r"^! .*\n(?:.*\n)*?l\.\d+ (.*)", log, re.M)
        assert not context or "familyi={}" in context[0], context
    else:
        assert all(r.returncode == 0 for r in results), results[-1].stdout[-3000:]
        assert latex_errors(tmp_path) == []
    assert "SECRET-WAS-READ" not in log and "secret.tex" not in log
    inputs, outputs = recorded_files(tmp_path)
    assert not any("secret" in p or "passwd" in p or "pwned" in p for p in inputs | outputs)
    local = {Path(p).name for p in inputs | outputs if not p.startswith("/")}
    assert local <= {"doc.tex", "doc.aux", "doc.log", "doc.pdf", "doc.bbl", "doc.out", "doc.bcf", "doc.run.xml",
                     "doc.fls", "doc.toc"}, local
    new = set(p.name for p in tmp_path.iterdir()) - before
    assert not any("pwned" in name for name in new), new
    assert all(name.startswith("doc.") for name in new), new
