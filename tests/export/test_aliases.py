"""A key merged into another record (`extra.ids`) still cites, in every engine a reader uses.

The entries are a real pair: two entries of one paper in wbopan/iclr2026-ri
`reference.bib` @7b15ba1f, both cited by the paper's own .tex files.
"""

from __future__ import annotations

import json

import pytest

from generator.export.aliases import citable_aliases
from generator.export.bibtex import bibtex_for
from generator.export.csl import csl_json
from generator.library.records import load_library
from generator.model import Paper
from generator.reading.merge import import_bibtex
from tests.export.engines import PROGRAMS, compile_latex, latex_document, run

PAIR = r"""@inproceedings{kadavath2022mostly,
  title     = {Language Models (Mostly) Know What They Know},
  author    = {Kadavath, Saurav and Conerly, Tom and Askell, Amanda and et al.},
  booktitle = {Findings of the Association for Computational Linguistics: EMNLP 2022},
  year      = {2022}
}
@inproceedings{kadavath2022mostlyknow,
  title     = {Language Models (Mostly) Know What They Know},
  author    = {Kadavath, Saurav and Conerly, Tom and Askell, Amanda and Henighan, Tom and Drain, Dawn and Perez, Ethan and others},
  booktitle = {Findings of the Association for Computational Linguistics: EMNLP 2022},
  year      = {2022}
}
"""
KEYS = ("kadavath2022mostly", "kadavath2022mostlyknow")


@pytest.fixture
def merged(tmp_path) -> tuple[Paper, ...]:
    source = tmp_path / "reference.bib"
    source.write_text(PAIR, "utf-8")
    import_bibtex(tmp_path / "content", [source], today="2026-01-15")
    papers = load_library(tmp_path / "content").papers
    assert [p.key for p in papers] == ["kadavath2022mostly"] and dict(papers[0].extra)["ids"] == "kadavath2022mostlyknow"
    return papers


def test_each_alias_is_an_entry_of_its_own_and_never_a_second_entry_of_a_key():
    one = Paper(key="a", title="One", abstract="", added="2026-01-15", extra=(("ids", "b, c, A"),))
    two = Paper(key="b", title="Two", abstract="", added="2026-01-15", extra=(("ids", "c"),))
    assert citable_aliases([one, two]) == {"a": ["c"]}  # b is a record; c once; A is a's own key to bibtex
    text = bibtex_for([one, two])
    assert [line for line in text.splitlines() if line.startswith("@")] == ["@misc{a,", "@misc{c,", "@misc{b,"]
    assert "ids =" not in text and bibtex_for([one], aliases=False).count("@") == 1
    assert [item["id"] for item in json.loads(csl_json([one, two]))] == ["a", "c", "b"]


def _compiled(folder, papers, step: str, preamble: str, body: str):
    """The folder after pdflatex, `step` (bibtex or biber) and pdflatex on a document citing the library's .bib."""
    folder.mkdir()
    (folder / "refs.bib").write_text(bibtex_for(papers), "utf-8")
    (folder / "doc.tex").write_text(latex_document(preamble, body), "utf-8")
    compile_latex(folder, "pdflatex", step)
    return folder


@pytest.mark.skipif(not (PROGRAMS["bibtex"] and PROGRAMS["pdflatex"]), reason="needs bibtex and pdflatex")
def test_natbib_cites_the_merged_key(merged, tmp_path):
    folder = _compiled(tmp_path / "natbib", merged, "bibtex", "\\usepackage{natbib}",
                       "\\citet{kadavath2022mostly} \\citep{kadavath2022mostlyknow}\n\\bibliographystyle{plainnat}\n\\bibliography{refs}\n")
    log = (folder / "doc.log").read_text(errors="replace") + (folder / "doc.blg").read_text(errors="replace")
    assert "undefined" not in log and "didn't find a database entry" not in log
    assert (folder / "doc.bbl").read_text().count("\\bibitem") == 2


@pytest.mark.skipif(not (PROGRAMS["biber"] and PROGRAMS["pdflatex"]), reason="needs biber and pdflatex")
def test_biber_cites_the_merged_key_without_a_warning(merged, tmp_path):
    folder = _compiled(tmp_path / "biber", merged, "biber", "\\usepackage[backend=biber]{biblatex}\n\\addbibresource{refs.bib}",
                       "\\cite{kadavath2022mostly} \\cite{kadavath2022mostlyknow}\n\\printbibliography\n")
    blg = (folder / "doc.blg").read_text(errors="replace")
    assert "WARN" not in blg and "ERROR" not in blg
    assert "undefined" not in (folder / "doc.log").read_text(errors="replace")


@pytest.mark.skipif(not PROGRAMS["pandoc"], reason="needs pandoc")
def test_citeproc_cites_the_merged_key(merged, tmp_path):
    (tmp_path / "refs.json").write_text(csl_json(merged), "utf-8")
    (tmp_path / "doc.md").write_text("See [@kadavath2022mostlyknow] and [@kadavath2022mostly].\n", "utf-8")
    result = run([PROGRAMS["pandoc"], "--citeproc", "--bibliography", "refs.json", "-t", "plain", "doc.md"], tmp_path)
    assert result.returncode == 0 and "not found" not in result.stderr, result.stderr
    assert result.stdout.count("Kadavath") >= 2


def test_the_site_writes_the_copy_in_the_downloads_and_shows_one_entry_on_the_page(merged, tmp_path):
    from generator.build import Content, generate

    outputs = generate(Content(tmp_path / "content", merged, ()))
    library = outputs.files["bib/library.bib"].decode()
    assert [line for line in library.splitlines() if line.startswith("@")] == [f"@inproceedings{{{k}," for k in KEYS]
    assert outputs.files[f"bib/{merged[0].slug}.bib"].decode() == library  # the paper's own download, copy included
    assert [item["id"] for item in json.loads(outputs.files["csl/library.json"])] == list(KEYS)
    page = outputs.files[f"papers/{merged[0].slug}.md"].decode()
    assert "@inproceedings&#123;kadavath2022mostly," in page and "kadavath2022mostlyknow," not in page  # the box to copy: one entry
