"""Identifiers found in arbitrary text: a real awesome-list README, a syllabus page, prose."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from generator.identifiers import Ref
from generator.reading.links import find_refs, is_link_text

AWESOME = Path(__file__).resolve().parent.parent / "fixtures" / "awesome"
README = AWESOME / "awesome-llm-milestones.md"


def test_awesome_readme_every_paper_link_once():
    text = README.read_text("utf-8")
    scan = find_refs(text)
    kinds = Counter(f.ref.kind for f in scan.found)
    # Every arxiv.org / aclanthology.org / openreview.net link of the excerpt (grep counts 51; none twice).
    assert kinds == {"arxiv": 48, "openreview": 2, "acl": 1}
    by_ref = {f.ref: f for f in scan.found}
    assert by_ref[Ref("arxiv", "1706.03762")].hint == "Attention Is All You Need"
    assert by_ref[Ref("acl", "N19-1423")].hint.startswith("BERT: Pre-training")
    assert by_ref[Ref("arxiv", "2205.05131")].raw == "https://arxiv.org/abs/2205.05131v1"
    assert by_ref[Ref("openreview", "yzkSU5zdwD")].hint == "Emergent Abilities of Large Language Models"
    assert by_ref[Ref("arxiv", "1706.03762")].line == 10
    assert not any("github.com" in f.raw for f in scan.found)
    assert scan.unresolved == ()


def test_html_anchors_text_mentions_and_unresolved_links():
    scan = find_refs((AWESOME / "syllabus.html").read_text("utf-8"))
    hints = {str(f.ref): f.hint for f in scan.found}
    assert hints == {
        "arxiv:2001.08361": "Scaling Laws for Neural Language Models",
        "arxiv:2203.15556": "",  # its link text is "pdf"
        "arxiv:2403.03507": "GaLore & friends: memory",
        "doi:10.1038/nature14539": "",
        "arxiv:1706.03762": "",
        "openreview:HkgEQnRqYQ": "<img src=x onerror=alert(1)> {{ config }} Decoupled Weight Decay",
    }
    assert "arxiv:1111.11111" not in hints  # inside <script>: not text of the page
    assert [link for _line, link in scan.unresolved] == ["https://arxiv.org/list/cs.CL/recent"]


def test_prose_with_bare_links_and_punctuation():
    scan = find_refs(
        "Read (https://arxiv.org/abs/1706.03762), then [**Chinchilla**](https://arxiv.org/pdf/2203.15556) "
        "and https://doi.org/10.1145/3065386.\nSee also 10.18653/v1/N19-1423; and arXiv:hep-th/9901001v2.\n"
        "[![badge](https://img.shields.io/x.svg)](https://arxiv.org/abs/2403.03507)"
    )
    got = {str(f.ref): f.hint for f in scan.found}
    assert got == {"arxiv:2203.15556": "Chinchilla", "arxiv:1706.03762": "", "doi:10.1145/3065386": "",
                   "doi:10.18653/v1/N19-1423": "", "arxiv:hep-th/9901001": "", "arxiv:2403.03507": ""}


def test_dumps_stay_dumps_and_link_pages_are_not(seed_dumps, tmp_path):
    dump = seed_dumps[0]
    assert not is_link_text(dump, dump.read_text("utf-8"))
    assert is_link_text(README, README.read_text("utf-8"))
    notes = tmp_path / "reading.txt"
    notes.write_text("Papers for Friday\nhttps://arxiv.org/abs/2403.03507\nhttps://arxiv.org/abs/2001.08361\n")
    assert is_link_text(notes, notes.read_text())
    plain = tmp_path / "plain.txt"
    plain.write_text("No links here at all\n")
    assert not is_link_text(plain, plain.read_text())  # left to the dump import, which reports it


def test_a_list_of_identifiers_is_a_page_of_links(tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text("https://arxiv.org/abs/2403.03507\n2106.09685v2\n10.18653/v1/2023.acl-long.1\nP19-1001\n")
    assert is_link_text(ids, ids.read_text())
    scan = find_refs(ids.read_text())
    assert [(str(f.ref), f.line) for f in scan.found] == [
        ("arxiv:2403.03507", 1), ("arxiv:2106.09685", 2), ("doi:10.18653/v1/2023.acl-long.1", 3), ("acl:P19-1001", 4)]
    heading = tmp_path / "friday.txt"  # a title and one link: not a dump record either
    heading.write_text("Papers for Friday\nhttps://arxiv.org/abs/2403.03507\n")
    assert is_link_text(heading, heading.read_text())


def test_a_bare_id_inside_prose_is_not_an_identifier():
    assert find_refs("We trained for 2403.03507 steps, see P19-1001 style.\n").found == ()


def test_a_dump_with_a_mistake_is_a_dump_even_when_an_abstract_cites_an_arxiv_id(tmp_path):
    """Read as links, its two papers would become one stub of the paper an abstract
    cites, and the mistake would never be reported."""
    dump = tmp_path / "dump.txt"
    dump.write_text("A Good Title About Training\n\nWe study training of large models, following arXiv:2106.09685, and show gains.\n\n"
                    "A Title With No Abstract\n\nAnother Fine Paper Title\n\nThis abstract describes a second paper about adapters.\n")
    assert not is_link_text(dump, dump.read_text())


def test_a_bare_less_than_in_markdown_link_text_keeps_the_title_in_a_page_with_anchors():
    """One `<a href>` sends the whole file to the HTML parser, which cuts its text at a bare `<`."""
    scan = find_refs('<a href="https://arxiv.org/abs/2503.17407">A Comprehensive Survey on Long Context Language Modeling</a>\n\n'
                     "2. [**Why 1 + 1 < 1 in Visual Token Pruning: Beyond Naive Integration via Multi-Objective Balanced "
                     "Covering**](https://arxiv.org/abs/2505.10118) and 3 < 4\n")
    by_ref = {str(f.ref): (f.hint, f.line) for f in scan.found}
    assert by_ref["arxiv:2505.10118"] == ("Why 1 + 1 < 1 in Visual Token Pruning: Beyond Naive Integration via "
                                          "Multi-Objective Balanced Covering", 3)


def test_a_sentence_final_period_of_link_text_is_not_part_of_the_title():
    """Lists write `[**Title.**](link)`: the period ends the list's sentence, not the title."""
    titles = ["A2SF: Accumulative Attention Scoring with Forgetting Factor for Token Pruning in Transformer Decoder.",
              "Can Large Language Models Detect Errors in Long Chain-of-Thought Reasoning?.", "Olmo 3.",
              "Attention Sinks (Effectively).", "Long Context Modeling et al.", "Prompting v.s. Fine-tuning Compared e.g.",
              "Retrieval Meets Long Context Large Language Models...", "Is It Really Long Context?", "Just Scale It!",
              "A Paper by Example Inc.", "The Long Context Era, etc."]
    text = "".join(f"{n}. [**{t}**](https://arxiv.org/abs/2407.{20485 + n})\n" for n, t in enumerate(titles))
    assert [f.hint for f in find_refs(text).found] == [
        "A2SF: Accumulative Attention Scoring with Forgetting Factor for Token Pruning in Transformer Decoder",
        "Can Large Language Models Detect Errors in Long Chain-of-Thought Reasoning?", "Olmo 3",
        "Attention Sinks (Effectively)", "Long Context Modeling et al.", "Prompting v.s. Fine-tuning Compared e.g.",
        "Retrieval Meets Long Context Large Language Models...", "Is It Really Long Context?", "Just Scale It!",
        "A Paper by Example Inc.", "The Long Context Era, etc."]


def test_the_most_title_like_link_text_of_a_paper_names_it():
    """A README opens with a badge (`📝 Survey Paper`) for the paper it lists later by its title."""
    text = ('<a href="https://arxiv.org/abs/2503.17407">📝 Survey Paper</a> | <a href="https://arxiv.org/abs/2407.20485">PDF</a>\n'
            "[![arXiv](https://img.shields.io/badge/arXiv-2503.17407-b31b1b.svg)](https://arxiv.org/abs/2503.17407)\n"
            "1. [**A Comprehensive Survey on Long Context Language Modeling.**](https://arxiv.org/abs/2503.17407) "
            "_Jiaheng Liu, Dawei Zhu._ Arxiv 2025.\n"
            "2. [**🔥 A2SF: Accumulative Attention Scoring 🚀**](https://arxiv.org/abs/2407.20485) and "
            "[the arXiv paper](https://arxiv.org/abs/2407.20485)\n"
            "3. [∞Bench: Extending Long Context Evaluation Beyond 100K Tokens](https://arxiv.org/abs/2402.13718) "
            "[📄 Paper](https://arxiv.org/abs/2402.13718) [Code ⭐️](https://arxiv.org/abs/2402.13718)\n")
    found = {str(f.ref): (f.hint, f.line) for f in find_refs(text).found}
    assert found == {"arxiv:2503.17407": ("A Comprehensive Survey on Long Context Language Modeling", 1),
                     "arxiv:2407.20485": ("A2SF: Accumulative Attention Scoring", 1),
                     "arxiv:2402.13718": ("∞Bench: Extending Long Context Evaluation Beyond 100K Tokens", 5)}


def test_a_lists_italic_authors_right_after_the_link_are_read_only_when_each_is_clearly_a_name():
    scan = find_refs((AWESOME / "long-context-modeling.md").read_text("utf-8"))
    found = {f.ref.value: f for f in scan.found}
    survey = found["2503.17407"]  # first linked by a badge, then listed with its title and authors
    assert survey.hint == "A Comprehensive Survey on Long Context Language Modeling"
    assert survey.authors[:2] == ("Jiaheng Liu", "Dawei Zhu") and len(survey.authors) == 37
    assert survey.authors[-1] == "Zhaoxiang Zhang"
    assert found["2407.20485"].authors == ("Hyun-rae Jo", "Dongkun Shin")
    assert found["2406.02069"].authors[:2] == ("Zefan Cai", "Yichi Zhang")  # the list's stray period after a name
    assert found["2502.12215"].hint.endswith("Test-Time Scaling Capabilities?")
    assert found["2505.10118"].authors == ("Yangfu Li", "Hongjian Zhan", "Tianyi Chen", "Qi Liu", "Yue Lu")
    # Not clearly a list of names, so none is kept: a fetch gives them.
    assert found["2509.17396"].authors == ()  # `Hana_Byul Kim`
    assert found["2509.12635"].authors == ()  # `Yu, Wang, ...`: one name cut in two
    assert found["2505.23932"].authors == ()  # no opening `_`: not italic
    assert found["2412.15115"].authors == ()  # `Qwen: An Yang, ...`


def test_authors_are_only_an_italic_names_list_right_after_a_titled_link():
    scan = find_refs(
        "- [Attention Is All You Need](https://arxiv.org/abs/1706.03762) _ICLR 2018_\n"
        "- [paper](https://arxiv.org/abs/2407.20485) _Hyun-rae Jo, Dongkun Shin._\n"
        "- [Long Context Scaling](https://arxiv.org/abs/2309.16039) _Wenhan Xiong, Jingyu Liu et al._\n"
        "- [Sparse Attention Methods](https://arxiv.org/abs/2402.13718) <br> Xinyin Ma, Gongfan Fang\n"
        "- [Memorizing Transformers](https://arxiv.org/abs/2203.08913) by _Yuhuai Wu, Markus N. Rabe_\n"
        "- [Ring Attention](https://arxiv.org/abs/2310.01889) *Hao Liu, Matei Zaharia and Pieter Abbeel*\n"
        "- [Block-Recurrent Transformers](https://arxiv.org/abs/2203.07852)\n  _DeLesley Hutchins, Imanol Schlag._\n")
    assert {f.ref.value: f.authors for f in scan.found} == {
        "1706.03762": (), "2407.20485": (), "2309.16039": (), "2402.13718": (), "2203.08913": (),
        "2310.01889": ("Hao Liu", "Matei Zaharia", "Pieter Abbeel"), "2203.07852": ()}
