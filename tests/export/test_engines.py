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
import unicodedata
from pathlib import Path

import pytest

from export.engines import (
    PROGRAMS,
    bibtex_names,
    compile_latex,
    decode,
    latex_document,
    latex_errors,
    pdflatex_unicode_setup,
    recorded_files,
    run,
    run_bibtex,
)
from generator.export.bibtex import bibtex_for, encode_text
from generator.export.latex_chars import LATEX_SAFE
from generator.export.csl import csl_json
from generator.export.names import parse_name
from generator.library.records import load_library

ROOT = Path(__file__).resolve().parents[2]
TEX = ROOT / "tests" / "fixtures" / "tex"


def needs(*programs: str):
    missing = [p for p in programs if not PROGRAMS[p]]
    return pytest.mark.skipif(bool(missing), reason=f"not installed: {', '.join(missing)}")


@pytest.fixture(scope="module")
def shipped(shipped_content) -> list:
    """The seed library as the shipped one was imported (never the live content/, which curators change)."""
    library = load_library(shipped_content)
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


@needs("bibtex")
@pytest.mark.parametrize("style", ["plainnat", "unsrtnat"])
def test_an_author_list_that_goes_on_prints_et_al(style, tmp_path) -> None:
    from generator.model import Paper

    papers = [Paper(key=f"k{n}", title="LLaMA", abstract="", added="2025-01-01", year=2023,
                    authors=("Hugo Touvron", "Baptiste Rozière"), more_authors=more) for n, more in ((1, True), (2, False))]
    out = run_bibtex(bibtex_for(papers), style, tmp_path)
    assert out.returncode == 0 and out.errors == 0, out.blg[-3000:]
    items = {re.search(r"\]\{(k\d)\}", item).group(1): item for item in out.bbl.split("\\bibitem")[1:]}
    assert "Touvron et~al." in items["k1"] and "others" not in items["k1"]
    assert "et~al." not in items["k2"] and "Hugo Touvron and Baptiste Rozi" in items["k2"]


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
    results = compile_latex(tmp_path, "lualatex", "bibtex", reruns=1)
    assert all(r.returncode == 0 for r in results), results[-1].stdout[-3000:]
    assert latex_errors(tmp_path) == []


@needs("biber", "pdflatex", "lualatex")
@pytest.mark.parametrize("engine", ["pdflatex", "lualatex"])
def test_biber_and_biblatex_read_the_library(engine, shipped, hostile, tmp_path) -> None:
    """lualatex on the shipped library plus the multilingual fixture; pdflatex
    on the Latin-script records and a slice of the shipped ones (biber is slow).

    (biblatex under pdflatex breaks UTF-8 characters the document declared
    itself when it builds name initials; lualatex is the engine for them.)
    """
    latin = [p for p in hostile if bibtex_for([p]).isascii()]
    assert len(latin) >= 8
    papers = latin + shipped[::10] if engine == "pdflatex" else shipped + hostile
    bib = bibtex_for(papers)
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    preamble = ("\\usepackage[T1]{fontenc}\n" if engine == "pdflatex" else "") + (
        "\\usepackage[backend=biber,style=authoryear]{biblatex}\n\\addbibresource{refs.bib}\n")
    (tmp_path / "doc.tex").write_text(latex_document(preamble, "\\nocite{*}\n\\printbibliography\n"), encoding="utf-8")
    results = compile_latex(tmp_path, engine, "biber", reruns=1)
    blg = (tmp_path / "doc.blg").read_text(errors="replace")
    assert results[1].returncode == 0 and "ERROR" not in blg, blg[-3000:]
    assert re.findall(r"WARN - .*", blg) == []
    assert all(r.returncode == 0 for r in results), results[-1].stdout[-3000:]
    assert latex_errors(tmp_path) == []
    bbl = (tmp_path / "doc.bbl").read_text(errors="replace")
    assert bbl.count("\\entry{") == len(papers)
    # biber decodes the LaTeX: `{\\'i}` must come back as í, not a dotless ı.
    assert "family={{Del Bimbo}}" in bbl and "given={Antonín}" in bbl
    if engine == "lualatex":
        assert "family={{The LLM Consortium}}" in bbl


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
# The document LaTeX must not run: a payload that acts reads it and says so.
SECRET = "\\typeout{SECRET-WAS-READ}\n"
# What a LaTeX run may read or write in its own folder.
OWN_FILES = {"doc.tex", "doc.aux", "doc.log", "doc.pdf", "doc.bbl", "doc.out", "doc.bcf", "doc.run.xml", "doc.fls"}


def compile_injection(folder: Path, papers: list, style: str, preamble: str, extra: tuple[str, ...]) -> str:
    """Compile a document citing `papers`; check that nothing was read, written or run; return the log."""
    (folder / "refs.bib").write_text(bibtex_for(papers), encoding="utf-8")
    (folder / "secret.tex").write_text(SECRET)
    cite = "\\printbibliography\n" if style == "biblatex" else f"\\bibliographystyle{{{style}}}\n\\bibliography{{refs}}\n"
    (folder / "doc.tex").write_text(latex_document(preamble, "\\nocite{*}\n" + cite), encoding="utf-8")
    before = {p.name for p in folder.iterdir()}
    compile_latex(folder, "pdflatex", "biber" if style == "biblatex" else "bibtex", extra=extra)
    log = (folder / "doc.log").read_text(errors="replace")
    assert "SECRET-WAS-READ" not in log and "secret.tex" not in log
    inputs, outputs = recorded_files(folder)
    assert not any("secret" in p or "passwd" in p or "pwned" in p for p in inputs | outputs)
    local = {Path(p).name for p in inputs | outputs if not p.startswith("/")}
    assert local <= OWN_FILES, local
    new = {p.name for p in folder.iterdir()} - before
    assert all(name.startswith("doc.") for name in new), new
    return log


@needs("pdflatex", "bibtex", "biber")
@pytest.mark.parametrize(("style", "preamble"), INJECTION_STYLES, ids=[s for s, _ in INJECTION_STYLES])
def test_injection_corpus_reads_writes_and_runs_nothing(style, preamble, tmp_path) -> None:
    papers = fixture_papers("injection")
    bib = bibtex_for(papers)
    for word in ("\\input", "\\openout", "\\write18", "\\catcode", "^^", "\\immediate"):
        assert word not in re.sub(r"\{\\textbackslash\}|\{\\textasciicircum\}", "", bib)
    log = compile_injection(tmp_path, papers, style, preamble, ("-no-shell-escape",))
    if style == "biblatex":
        # biber writes the initial of a name that starts with a TeX special
        # (`\\input...`) empty and with one brace too many into the .bbl: an
        # error in biber's own lines (the later ones follow from it), nothing run.
        context = re.findall(r"^! .*\n(?:.*\n)*?l\.\d+ (.*)", log, re.M)
        assert not context or "familyi={}" in context[0], context
    else:
        assert latex_errors(tmp_path) == []


@needs("pdflatex", "bibtex")
@pytest.mark.parametrize("key", sorted(p.stem for p in (TEX / "injection" / "papers").glob("*.yml")))
def test_each_injection_alone_in_a_document_without_url_package(key, tmp_path) -> None:
    """The worst case, one record at a time (an error in one must not hide another).

    Without the url package natbib prints url and doi as ordinary text, where
    TeX turns `^^5c` into a backslash; run with pdflatex's default settings
    (restricted shell escape, default `openout_any`).
    """
    papers = [p for p in fixture_papers("injection") if p.key == key]
    compile_injection(tmp_path, papers, "plainnat", "\\usepackage{natbib}", ())


# A style that prints each title as sentence-casing styles (plain, plainnat, apalike) do.
CASE_BST = """ENTRY { title } {} {}
READ
FUNCTION {out} { "@@" cite$ * "|" * title "t" change.case$ * write$ newline$ }
ITERATE {out}
"""


def sentence_cased_titles(bib: str, folder: Path) -> dict[str, str]:
    """key -> the title as bibtex's sentence casing prints it, read as text."""
    folder.mkdir(parents=True)
    (folder / "case.bst").write_text(CASE_BST, encoding="ascii")
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    (folder / "doc.aux").write_text("\\relax\n\\citation{*}\n\\bibstyle{case}\n\\bibdata{refs}\n")
    run([PROGRAMS["bibtex"], "doc"], folder)
    text = (folder / "doc.bbl").read_text(encoding="utf-8", errors="replace").replace("\n", " ")
    titles = {}
    for item in text.split("@@")[1:]:
        key, _, title = item.partition("|")
        titles[key.strip()] = unicodedata.normalize("NFC", " ".join(decode(title).split()))
    return titles


@needs("bibtex")
@pytest.mark.parametrize("name", ["zotero-bbt-thahir.bib", "zotero-bbt-panreta.bib", "mendeley-aurina.bib", "d2l-references.bib"])
def test_a_sentence_casing_style_keeps_every_capital_the_source_protected(name, tmp_path) -> None:
    """Real exports through bibtex's own change.case$: every capital the source
    .bib kept ({{Frontier Models}}, {T}ikhonov, {Bayesian}) is kept by the export
    (which may keep more: acronyms the source left bare)."""
    from generator.reading.merge import import_bibtex

    source = ROOT / "tests" / "fixtures" / "bib" / "real" / name
    content = tmp_path / "content"
    assert not import_bibtex(content, [source], today="2026-01-15").problems
    papers = list(load_library(content).papers)
    before = sentence_cased_titles(source.read_text("utf-8"), tmp_path / "source")
    after = sentence_cased_titles(bibtex_for(papers), tmp_path / "export")
    compared = lost = 0
    for key, title in after.items():
        if key not in before or before[key].casefold() != title.casefold():
            continue  # merged, or text the decoder reads differently (<i>, |)
        compared += 1
        lost += any(a.isupper() and not b.isupper() for a, b in zip(before[key], title))
    assert compared >= 0.9 * len(papers) and lost == 0, (compared, lost)
    assert any(p.keep_case for p in papers)


# Hand-made entries with the TeX that real .bib files write in names and
# places: discretionary hyphens, thin spaces, an accent spaced from its
# letter, a logo, a project macro and two macros that would act if they ran.
SPACED_TEX_BIB = r"""@inproceedings{fingscheidt2020,
  title = {Speech at {\LaTeX} scale with \ourmodel},
  author = {Fing\-scheidt, Tim and R.\,T. Smith and G\"{ o}del, Kurt and \write18{touch pwned} Doe, Jane},
  booktitle = {Proc.\ Interspeech},
  address = {Montr\' {e}al, Qu\' ebec \input{secret}},
  year = {2020}
}
"""


@needs("bibtex")
@pytest.mark.parametrize("style", ["plain", "plainnat"])
def test_macros_read_from_a_bib_print_as_text_and_never_as_a_backslash(style, tmp_path) -> None:
    from generator.reading.merge import import_bibtex

    source = tmp_path / "refs-in.bib"
    source.write_text(SPACED_TEX_BIB, encoding="utf-8")
    assert not import_bibtex(tmp_path / "content", [source], today="2026-01-15").problems
    bib = bibtex_for(load_library(tmp_path / "content").papers)
    assert "textbackslash" not in bib and "\\write" not in bib and "\\input" not in bib, bib
    out = run_bibtex(bib, style, tmp_path / "run")
    assert out.returncode == 0 and out.errors == 0, out.blg[-3000:]
    text = " ".join(decode(out.bbl).replace("\u00a0", " ").split())
    for printed in ("Fingscheidt", "R. T. Smith", "Gödel", "Montréal, Québec", "LaTeX scale with ourmodel"):
        assert printed in text, (printed, text)
    assert "\\" not in text


@needs("bibtex")
def test_bibtex_reads_biblatex_extended_names_part_by_part(tmp_path) -> None:
    from generator.reading.merge import import_bibtex

    source = tmp_path / "refs-in.bib"
    source.write_text("@article{kate2020, title = {One}, journal = {J}, year = {2020},\n"
                      "  author = {family=Kate, given=Warner, prefix=ten, useprefix=false and Doe, John and\n"
                      "            given={Xavier Casadevall}, family=Solvas, prefix=i and family={De Raedt}, given=Luc, suffix=Jr.}}\n",
                      encoding="utf-8")
    assert not import_bibtex(tmp_path / "content", [source], today="2026-01-15").problems
    bib = bibtex_for(load_library(tmp_path / "content").papers)
    assert bibtex_names(bib, tmp_path / "names")["kate2020"] == [
        ("Warner", "ten", "Kate", ""), ("John", "", "Doe", ""), ("Xavier Casadevall", "i", "Solvas", ""), ("Luc", "", "{De Raedt}", "Jr.")]
    out = run_bibtex(bib, "plain", tmp_path / "plain")
    assert out.returncode == 0 and out.errors == 0 and "Warner ten Kate, John Doe, Xavier~Casadevall i~Solvas, and Luc {De Raedt}, Jr." in " ".join(out.bbl.split()), out.bbl


@needs("bibtex")
def test_editors_and_other_name_lists_keep_their_parts_and_braces(tmp_path) -> None:
    """An editor is written as an author is: `{De Raedt}` stays one family
    name, biblatex's extended names are split as they say, `others` stays."""
    from generator.reading.merge import import_bibtex

    source = tmp_path / "refs-in.bib"
    source.write_text("@incollection{raedt2008, title = {Logical and Relational Learning}, booktitle = {Proceedings},\n"
                      "  author = {Doe, Jane}, year = {2008}, publisher = {Springer},\n"
                      "  editor = {Luc {De Raedt} and family=Kate, given=Warner, prefix=ten, useprefix=false and and Roe, Al and others},\n"
                      "  translator = {{Barnes and Noble}}, bookauthor = {van der Berg, Jan}}\n", encoding="utf-8")
    report = import_bibtex(tmp_path / "content", [source], today="2026-01-15")
    assert not report.problems
    assert any("raedt2008: 1 empty name in editor" in str(note) for note in report.notes), report.notes
    bib = bibtex_for(load_library(tmp_path / "content").papers)
    assert "translator = {{Barnes and Noble}}" in bib and "bookauthor = {van der Berg, Jan}" in bib
    assert bibtex_names(bib, tmp_path / "editors", "editor")["raedt2008"] == [
        ("Luc", "", "{De Raedt}", ""), ("Warner", "ten", "Kate", ""), ("Al", "", "Roe", ""), ("", "", "others", "")]
    out = run_bibtex(bib, "abbrvnat", tmp_path / "abbrvnat")
    assert out.returncode == 0 and out.errors == 0, out.blg[-3000:]
    assert "L.~{De Raedt}, W.~ten Kate, A.~Roe, et~al., editors" in " ".join(out.bbl.split()), out.bbl
