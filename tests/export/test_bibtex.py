"""BibTeX export: parses back to the same text, and the real `bibtex` accepts it.

The named cases are real strings from the seed dumps (see ../shared/seeds) plus
the characters that break BibTeX or LaTeX when written raw. Set
UPDATE_GOLDEN=1 to rewrite tests/fixtures/exports/nasty.bib after a deliberate
change to the output.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import bibtexparser
import pytest

from generator.export.bibtex import (
    bibtex_for,
    clean_text,
    encode_text,
    encode_title,
    paper_entry,
    safe_doi,
    safe_url,
    venue_kind,
    without_abstract,
)
from generator.titlecase import needs_case_protection
from bibtexparser.middlewares.names import parse_single_name_into_parts

from generator.export.names import Name, parse_name
from generator.model import Paper, SourceRef

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
SOURCE = (SourceRef("000_x.txt", "Mar 12"),)

# (id, text, fragment the encoded text must contain)
NASTY = [
    ("dollar-budget", "An Open LLM and How to Train It with $100K Budget", r"\$100K Budget"),
    ("percent", "with 10% of its training data", r"10\% of"),
    ("pokechamp-decoded", "PokéChamp: an Expert-level Minimax Language Agent", r"Pok{\'e}Champ"),
    ("math-caret", "lower performance of all models on MATH^2 than on MATH", r"MATH{\textasciicircum}2"),
    ("quip-hash", "quantization methods such as QuIP# and AQLM", r"QuIP\# and"),
    ("tilde-percent", "with ~15% increased encoding performance", r"{\textasciitilde}15\%"),
    ("ampersand", "R&B: Domain Regrouping and Data Mixture Balancing", r"R\&B"),
    ("less-than", "minimal performance loss (<1.5% on LongBench)", r"({\ensuremath{<}}1.5\%"),
    ("a-star", "such as A*, can be seamlessly applied", "A*,"),
    ("literal-braces", "loss can be {it misaligned} with pass@N", r"\{it misaligned\}"),
    (
        "literal-dollars",
        "annealing over training steps (s): $L(s) = L_0 + Acdot S_1^{-alpha} - Ccdot S_2$, where",
        r"\$L(s) = L\_0 + Acdot S\_1{\textasciicircum}\{-alpha\} - Ccdot S\_2\$",
    ),
    ("backslash", r"achieves 53.3\% on math", r"53.3{\textbackslash}\%"),
    ("lone-braces", "a } closing and an { opening brace", r"a {\textbraceright} closing and an {\textbraceleft} opening"),
    ("nested-braces", "set {a, {b}} and {c", r"\{a, \{b\}\} and {\textbraceleft}c"),
    ("underscore", "the pass_at_k metric", r"pass\_at\_k"),
    ("greater-pipe", "x > y | z", r"x {\ensuremath{>}} y {\textbar} z"),
    ("dashes-and-quotes", "a -- b ``c'' d?` e,,", "a -{}- b `{}`c'{}' d?{}` e,{},"),
    ("accents", "Łukasz Kaiser, naïve façade, Gödel, Antonín", r"{\L}ukasz Kaiser, na{\"i}ve fa{\c{c}}ade, G{\"o}del, Anton{\'i}n"),
    ("vietnamese", "tiếng Việt", r"ti{\'{\^{e}}}ng Vi{\d{\^{e}}}t"),
    ("greek-math", "α-scaling with ≤ 2× memory", r"{\ensuremath{\alpha}}-scaling"),
    ("control-chars", "bell\x07 and\ttab\nnewline", "bell and tab newline"),
    ("zero-width", "zero\u200bwidth\ufeff", "zerowidth"),
]
# Characters base LaTeX has no macro for: kept as UTF-8, never `?`.
UNMAPPABLE = [
    ("emoji", "🤗 Transformers", "🤗 Transformers"),
    ("cjk", "中文 model 日本語 한국어", "中文 model 日本語 한국어"),
    ("arabic-hebrew", "نموذج and עברית", "نموذج and עברית"),
    ("cyrillic-not-CYR-macros", "Русский", "Русский"),
    ("vietnamese-horn", "Hướng", "Hướng"),
    ("roman-numeral", "Part Ⅳ", "Part Ⅳ"),
]

from export.engines import decode, pdflatex_unicode_setup  # noqa: E402  (the decoder the engine tests share)


def title_text(encoded: str, title: str) -> str:
    """An exported title as text: one whose math is written as math (`latex_math`)
    as the import reads it back (math kept as TeX between `$`), any other as a
    reader of the PDF sees it."""
    from generator.export.latex_math import math_spans
    from generator.reading.bibvalues import decode_latex

    return decode_latex(encoded) if math_spans(clean_text(title)) else decode(encoded)


def bibtex_balanced(value: str) -> bool:
    """BibTeX's own brace rule: every brace counts, escaped or not."""
    depth = 0
    for char in value:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def split_authors(value: str) -> list[str]:
    """Split an author field on ' and ' at brace depth 0, as BibTeX does."""
    names, depth, start = [], 0, 0
    for match in re.finditer(r"[{}]| and ", value):
        token = match.group()
        if token in "{}":
            depth += 1 if token == "{" else -1
        elif depth == 0:
            names.append(value[start : match.start()])
            start = match.end()
    return names + [value[start:]]


def read_names(value: str) -> list[Name]:
    """The author field as bibtexparser's own BibTeX name splitter reads it, decoded."""
    out = []
    for raw in split_authors(value):
        if raw.startswith("{") and raw.endswith("}") and bibtex_balanced(raw[1:-1]):
            out.append(Name(literal=decode(raw[1:-1])))
            continue
        parts = parse_single_name_into_parts(raw)
        join = lambda words: decode(" ".join(words)).strip()  # noqa: E731
        out.append(Name(family=join(parts.last), given=join(parts.first), particle=join(parts.von), suffix=join(parts.jr)))
    return out


def make(key: str, title: str, abstract: str = "An abstract.", **kw) -> Paper:
    kw.setdefault("sources", SOURCE)
    return Paper(key=key, title=title, abstract=abstract, added="2026-11-01", **kw)


def library_papers() -> list[Paper]:
    """Many papers covering every field combination and every nasty text."""
    papers = [
        make(
            "galore",
            "GaLore: Memory-Efficient LLM Training by Gradient Low-Rank Projection",
            "Training Large Language Models (LLMs) presents significant memory challenges.",
            authors=("Jiawei Zhao", "Zhenyu Zhang", "Łukasz Kaiser", "Google DeepMind and Friends"),
            year=2024,
            arxiv="2403.03507",
            primary_class="cs.LG",
            venue="ICML 2024",
        ),
        make("moe-journal", "MoE Routing at Scale", venue="Journal of Machine Learning Research",
             authors=("Ada Lovelace",), year=2023, doi="10.1000/xyz_123%abc"),
        make("workshop-paper", "A Study of FP8 Training", venue="Workshop on Efficient Systems",
             authors=("Grace Hopper", "Alan M. Turing"), year=2025, url="https://example.org/a b/{x}"),
        make("arxiv-only", "Scaling Laws for Neural Language Models", arxiv="2001.08361", year=2020),
        make("source-only", "PokéChamp: an Expert-level Minimax Language Agent"),
        make("no-abstract", "Untitled notes", abstract=""),
    ]
    for i, (case, text, _) in enumerate(NASTY):
        papers.append(make(f"case-{i:02d}-{case}", text, text, authors=("Ana Pérez",), year=2024))
    for case, text, _ in UNMAPPABLE:
        papers.append(make(f"lossy-{case}", text, text, year=2024))
    return papers


def parse(bib: str):
    library = bibtexparser.parse_string(bib)
    assert library.failed_blocks == []
    return library


# --- named escaping cases -------------------------------------------------------


@pytest.mark.parametrize(("text", "fragment"), [c[1:] for c in NASTY], ids=[c[0] for c in NASTY])
def test_nasty_text_round_trips(text: str, fragment: str) -> None:
    paper = make("nasty", text, text)
    bib = bibtex_for([paper])
    abstract = parse(bib).entries[0]["abstract"]
    assert fragment in abstract
    assert bibtex_balanced(abstract) and bibtex_balanced(bib)
    assert decode(abstract) == clean_text(text)
    title = parse(bib).entries[0]["title"]
    assert bibtex_balanced(title)
    assert title_text(title, text) == clean_text(text)


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in UNMAPPABLE], ids=[c[0] for c in UNMAPPABLE])
def test_characters_without_latex_macro_stay_utf8(text: str, expected: str) -> None:
    encoded = encode_text(text)
    assert encoded == expected
    assert "?" not in encoded and "CYR" not in encoded
    assert decode(encoded) == text


def random_texts(count: int = 500) -> list[str]:
    """Strings drawn from every troublesome character, seeded for repeatability."""
    rng = random.Random(20261101)
    alphabet = list("{}\\%&$#_~^<>|-'`,?! aZAIé") + ["GaLore", "LLM", " and ", "ß", "Ł", "\u200b", "\x07"]
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))) for _ in range(count)]


def random_papers() -> list[Paper]:
    """Random hostile text as title, abstract and (one) author name."""
    return [make(f"random-{i}", text, text, authors=(text,)) for i, text in enumerate(random_texts())]


def test_random_hostile_text_always_parses_balanced_and_round_trips() -> None:
    papers = random_papers()
    bib = bibtex_for(papers)
    assert bibtex_balanced(bib)
    for paper, entry in zip(papers, parse(bib).entries, strict=True):
        text = clean_text(paper.title)
        for field in ("title", "abstract", "author"):
            if text:
                assert bibtex_balanced(entry[field])
                if field == "author":
                    assert read_names(entry[field]) == [parse_name(text)], (paper.title, entry[field])
                elif field == "title":
                    assert title_text(entry[field], text) == text, (paper.title, entry[field])
                else:
                    assert decode(entry[field]) == text, (field, paper.title, entry[field])


def test_page_entry_is_the_entry_of_the_paper_without_its_abstract() -> None:
    """The paper page shows the entry without the abstract; every other field, byte for byte."""
    import dataclasses

    papers = random_papers() + library_papers() + [make("tricky", "GaLore: {LLM}", "We propose abstract = {x},\n  y")]
    for paper in papers:
        full = bibtex_for([paper])
        bare = bibtex_for([dataclasses.replace(paper, abstract="")])
        assert without_abstract(full) == bare, paper.key
        if clean_text(paper.abstract):
            assert "abstract = {" in full and len(without_abstract(full)) < len(full)
    assert without_abstract(bare) == bare  # nothing to take away


def test_literal_braces_are_never_a_group() -> None:
    encoded = encode_text("can be {it misaligned} with")
    assert r"\{it misaligned\}" in encoded
    assert not re.search(r"(?<!\\)\{it", encoded)


@pytest.mark.parametrize(
    ("title", "protected"),
    [
        ("GaLore: Memory-Efficient LLM Training", ["{GaLore}", "{LLM}"]),
        ("Mixture of Experts with MoE Layers", ["{MoE}"]),
        ("LLaMA 2 and GPT4 at 70B Scale", ["{LLaMA}", "{GPT4}", "{70B}"]),
        ("QLoRA: Efficient Finetuning", ["{QLoRA}"]),
        ("PokéChamp: an Expert-level Minimax", [r"{Pok{\'e}Champ}"]),
        ("Searching with A* and R&B", ["{A}*", r"{R}\&{B}"]),
    ],
    ids=["camel-and-acronym", "moe", "digits", "first-word-camel", "non-ascii-camel", "single-capitals"],
)
def test_title_case_protection(title: str, protected: list[str]) -> None:
    encoded = encode_title(title)
    for fragment in protected:
        assert fragment in encoded
    assert bibtex_balanced(encoded)


def test_ordinary_words_are_left_to_the_style() -> None:
    assert encode_title("A Survey of Scaling Laws") == "A Survey of Scaling Laws"


def test_case_protection_follows_its_rule_for_every_kind_of_character() -> None:
    """The fast checks agree with the rule spelled out character by character."""

    def rule(word: str, spaced: bool) -> bool:
        if not any(c.isupper() for c in word):
            return False
        if len(word) == 1:
            return word != "A" or not spaced
        return any(c.isupper() for c in word[1:]) or any(c.isdigit() for c in word)

    alphabet = "aAzZ09ßǅϒ²٣Ⅻⅻ中ΣσİıﬁÅå"  # lower, upper, title case, no case, odd digits
    rng = random.Random(7)
    words = list(alphabet) + ["".join(rng.choices(alphabet, k=rng.randint(2, 6))) for _ in range(20_000)]
    for word in words:
        for spaced in (True, False):
            assert needs_case_protection(word, followed_by_space=spaced) == rule(word, spaced), word


# --- entries --------------------------------------------------------------------


def test_whole_library_round_trips_through_bibtexparser() -> None:
    papers = library_papers()
    bib = bibtex_for(papers)
    assert bib.endswith("\n") and bibtex_balanced(bib)
    entries = parse(bib).entries
    assert [e.key for e in entries] == [p.key for p in papers]
    for paper, entry in zip(papers, entries):
        assert title_text(entry["title"], paper.title) == clean_text(paper.title)
        if paper.abstract:
            assert decode(entry["abstract"]) == clean_text(paper.abstract)
        if paper.authors:
            assert read_names(entry["author"]) == [parse_name(clean_text(a)) for a in paper.authors]
        for field in ("status", "notes", "themes", "tags", "added", "sources"):
            assert field not in entry.fields_dict


def test_entry_types_and_fields() -> None:
    by_key = {p.key: p for p in library_papers()}
    galore = paper_entry(by_key["galore"])
    assert galore.entry_type == "inproceedings"
    assert [f.key for f in galore.fields] == [
        "title", "author", "year", "booktitle", "eprint", "archivePrefix", "primaryClass", "url", "abstract",
    ]
    assert galore["eprint"] == "2403.03507" and galore["primaryClass"] == "cs.LG"
    assert galore["url"] == "https://arxiv.org/abs/2403.03507"
    assert "{Google DeepMind and Friends}" in galore["author"]
    journal = paper_entry(by_key["moe-journal"])
    assert journal.entry_type == "article" and journal["journal"] == "Journal of Machine Learning Research"
    assert "doi" not in journal.fields_dict  # `%` in a DOI: linked through doi.org instead
    assert journal["url"] == "https://doi.org/10.1000/xyz_123%25abc"
    assert "note" not in journal.fields_dict
    assert paper_entry(by_key["workshop-paper"]).entry_type == "inproceedings"
    assert paper_entry(by_key["arxiv-only"]).entry_type == "misc"
    source_only = paper_entry(by_key["source-only"])
    assert source_only.entry_type == "misc"
    assert "note" not in source_only.fields_dict  # provenance is the site's, not the citation's
    assert source_only["key"] == r"{Pok{\'e}Champ}"  # what natbib prints in place of authors
    assert "abstract" not in paper_entry(by_key["no-abstract"]).fields_dict


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.org/a b/{x}\\é", "https://example.org/a%20b/%7Bx%7D%5C%C3%A9"),
        ("https://x.org/p?q=1&r=10%25#frag_1", "https://x.org/p?q=1&r=10%25#frag_1"),
        ("https://x.org/^^5cinput^^7bx^^7d", "https://x.org/%5E%5E5cinput%5E%5E7bx%5E%5E7d"),
        ("https://x.org/50%-off%", "https://x.org/50%25-off%25"),
        ("https://x.org/a%\ninput", "https://x.org/a%25%0Ainput"),
        ('https://x.org/"<|>`', "https://x.org/%22%3C%7C%3E%60"),
    ],
    ids=["braces-space-backslash", "valid-escapes-kept", "caret-form", "lone-percent", "percent-newline", "quotes"],
)
def test_urls_are_percent_encoded_until_tex_reads_nothing(url, safe) -> None:
    assert safe_url(url) == safe


@pytest.mark.parametrize(
    ("venue", "kind"),
    [
        ("NeurIPS 2024", "conference"),
        ("Proceedings of the 62nd Annual Meeting", "conference"),
        ("ICLR'25", "conference"),
        ("SC24", "conference"),
        ("Transactions on Machine Learning Research", "journal"),
        ("Science", "journal"),
        ("arXiv preprint arXiv:2403.03507", None),
        (None, None),
    ],
)
def test_venue_kind(venue, kind) -> None:
    assert venue_kind(venue) == kind


@pytest.mark.parametrize(
    ("doi", "kept"),
    [
        ("10.1007/978-3-030-58452-8_13", "10.1007/978-3-030-58452-8_13"),
        ("https://doi.org/10.5555/3295222.3295349", "10.5555/3295222.3295349"),
        ("10.1002/(SICI)1097-4636(199706)35:4<425::AID-JBM1>3.0.CO;2-7", "10.1002/(SICI)1097-4636(199706)35:4<425::AID-JBM1>3.0.CO;2-7"),
        ("10.1000/x}\\input{secret}", None),
        ("10.1000/^^5cinput", None),
        ("10.1000/a%b", None),
        ("not a doi", None),
    ],
    ids=["underscore", "prefix", "sici", "brace-macro", "caret-form", "percent", "junk"],
)
def test_dois_are_kept_only_when_inert(doi, kept) -> None:
    assert safe_doi(doi) == kept


@pytest.mark.parametrize(
    ("name", "bibtex"),
    [
        ("Alberto Del Bimbo", "{Del Bimbo}, Alberto"),
        ("Ludwig van Beethoven", "van Beethoven, Ludwig"),
        ("Martin Luther King Jr.", "King, Jr., Martin Luther"),
        ("de la Cruz, Juana Inés", r"de la Cruz, Juana In{\'e}s"),
        ("Antonín Dvořák", r"Dvo{\v{r}}{\'a}k, Anton{\'i}n"),
        ("The LLM Consortium", "{The LLM Consortium}"),
        ("DeepSeek-AI", "{DeepSeek-AI}"),
        ("Prince", "{Prince}"),
        ("山田 太郎", "{山田 太郎}"),
    ],
)
def test_names_are_written_in_comma_form(name, bibtex) -> None:
    from generator.export.bibtex import encode_name

    assert encode_name(name) == bibtex


def test_output_is_deterministic_and_ordered() -> None:
    papers = library_papers()
    assert bibtex_for(papers) == bibtex_for(list(papers))
    keys = [e.key for e in parse(bibtex_for(reversed(papers))).entries]
    assert keys == [p.key for p in reversed(papers)]
    assert bibtex_for([]) == ""


def test_duplicate_or_unusable_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        bibtex_for([make("same", "A"), make("Same", "B")])
    with pytest.raises(ValueError, match="citation key"):
        paper_entry(make("bad key,{x}", "A"))


def test_golden_file() -> None:
    golden = FIXTURES / "nasty.bib"
    bib = bibtex_for(library_papers())
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(bib, encoding="utf-8")
    assert bib == golden.read_text(encoding="utf-8")


# --- the real programs ----------------------------------------------------------

BIBTEX = shutil.which("bibtex")
PDFLATEX = shutil.which("pdflatex")


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, errors="replace")


@pytest.mark.skipif(BIBTEX is None, reason="the `bibtex` program is not installed (apt: texlive-binaries)")
def test_real_bibtex_accepts_the_library(tmp_path: Path) -> None:
    papers = library_papers() + random_papers()
    (tmp_path / "refs.bib").write_text(bibtex_for(papers), encoding="utf-8")
    (tmp_path / "doc.aux").write_text("\\relax\n\\citation{*}\n\\bibstyle{plain}\n\\bibdata{refs}\n")
    result = run([BIBTEX, "doc"], tmp_path)
    blg = (tmp_path / "doc.blg").read_text()
    assert result.returncode == 0, blg
    assert "error" not in blg.lower(), blg
    assert "Warning--I didn't find" not in blg, blg
    bbl = (tmp_path / "doc.bbl").read_text()
    assert bbl.count("\\bibitem") == len(papers)
    assert "{GaLore}: Memory-efficient {LLM} training" in bbl  # style lower-cased, protection held
    assert r"\{it misaligned\}" in bbl
    assert r"\${100K} budget" in bbl and r"{\ensuremath{<}}1.5\%" in bbl and r"{QuIP}\#" in bbl
    assert r"{Pok{\'e}Champ}" in bbl and r"{\L}ukasz" in bbl


@pytest.mark.skipif(
    BIBTEX is None or PDFLATEX is None, reason="`bibtex` or `pdflatex` is not installed (apt: texlive-latex-base)"
)
def test_latex_typesets_the_bibliography(tmp_path: Path) -> None:
    bib = bibtex_for(library_papers() + random_papers())
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n" + pdflatex_unicode_setup(bib) + "\n\\tracinglostchars=2\n\\begin{document}\n"
        "\\nocite{*}\n\\bibliographystyle{plain}\n\\bibliography{refs}\n\\end{document}\n"
    )
    latex = [PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "doc"]
    for cmd in (latex, [BIBTEX, "doc"], latex, latex):
        result = run(cmd, tmp_path)
        assert result.returncode == 0, result.stdout[-3000:]
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert "Missing character" not in log
    assert not re.search(r"^! ", log, re.M)
    assert not re.search(r"Citation .* undefined", log)
    assert (tmp_path / "doc.pdf").stat().st_size > 0


@pytest.mark.parametrize("bad_url", ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "ftp//x"])
def test_non_web_urls_never_reach_bibtex_or_csl(bad_url):
    from generator.export.csl import csl_items

    paper = Paper(key="p", title="T", abstract="A.", added="2026-11-01", url=bad_url)
    assert bad_url not in bibtex_for([paper])
    assert "URL" not in csl_items([paper])[0]


def test_a_letter_with_a_mark_nfc_cannot_compose_becomes_an_accent_macro():
    """`c` + U+0306 (from a .bib's `\\u{c}`) has no precomposed form: pdflatex cannot print the bare mark."""
    from generator.export.bibtex import encode_text

    assert encode_text("Arnatkevic\u0306iute\u0301") == "Arnatkevi{\\u{c}}iut{\\'e}"
    assert encode_text("x\u0306\u0323") == "{\\d{\\u{x}}}"
    assert encode_text("\u0306") != ""  # a mark with no letter before it is kept, never dropped


def test_the_bibliographic_record_is_written_field_for_field():
    from generator.model import Name

    paper = Paper(
        key="Doe:2019ab", title="A Thesis on {GaLore}", abstract="", added="2026-01-15", year=2019, month=4,
        entry_type="phdthesis", names=(Name(family="Bimbo", particle="del", given="Alberto"), Name(literal="The LLM Consortium")),
        authors=("Alberto del Bimbo", "The LLM Consortium"), volume="12", number="3", pages="450-458",
        publisher="Springer", institution="Universität Wien", edition="2", isbn="978-3-16-148410-0", issn="1234-5678",
        language="german", tags=("scaling", "C#"),
        extra=(("ids", "doe2019, bad key!, Doe:2019ab"), ("file", "/home/me/papers/doe.pdf"),
               ("note", "Select: zotero://select/items/ABC"), ("editor", "Roe, Jane"),
               ("address", r"\input{/etc/passwd} Wien"), ("annote", "my private note")),
    )
    text = bibtex_for([paper])
    assert text.startswith("@phdthesis{Doe:2019ab,")
    assert "month = apr," in text  # the macro, unbraced
    assert "author = {del Bimbo, Alberto and {The LLM Consortium}}" in text
    for line in ("volume = {12}", "number = {3}", "pages = {450--458}", "publisher = {Springer}",
                 'school = {Universit{\\"a}t Wien}', "edition = {2}", "isbn = {978-3-16-148410-0}",
                 "issn = {1234-5678}", "language = {german}", "keywords = {scaling, C\\#}",
                 "editor = {Roe, Jane}"):
        assert line in text, line
    assert "doe.pdf" not in text and "zotero://" not in text and "private" not in text
    # the merged key doe2019 is an entry of its own (bibtex reads no `ids`); `bad key!` can be no key
    assert "ids =" not in text and text.count("@phdthesis{") == 2 and "\n@phdthesis{doe2019," in text
    # An unknown macro is read as its name: plain text, never run, no backslash printed.
    assert "\\input" not in text and "address = {input/etc/passwd Wien}" in text
    entry = bibtexparser.parse_string(text).entries[0]
    assert entry["month"] == "apr" and entry.fields_dict["month"].value == "apr"


def test_csl_items_carry_the_bibliographic_record():
    from generator.export.csl import csl_item
    from generator.model import Name

    paper = Paper(
        key="k2020", title="T", abstract="", added="2026-01-15", year=2020, month=11, entry_type="article",
        venue="Nature", names=(Name(family="Vuc\u030cko", given="Ana", particle="van"),), authors=("Ana van Vučko",),
        volume="5", number="2", pages="1-9", publisher="NPG", isbn="x", issn="0028-0836", language="en", tags=("a", "b"),
    )
    item = csl_item(paper)
    assert item["issued"] == {"date-parts": [[2020, 11]]} and item["type"] == "article-journal"
    assert item["author"] == [{"family": "Vučko", "given": "Ana", "non-dropping-particle": "van"}]
    assert (item["volume"], item["issue"], item["page"], item["publisher"], item["ISSN"], item["keyword"]) == (
        "5", "2", "1-9", "NPG", "0028-0836", "a, b")
