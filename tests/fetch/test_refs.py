"""A pasted REF parses into the identifier of the source that owns the paper."""

from __future__ import annotations

import pytest

from generator.identifiers import Ref, arxiv_date, parse_ref


@pytest.mark.parametrize(
    "text, kind, value",
    [
        ("2403.03507", "arxiv", "2403.03507"),
        ("2403.03507v2", "arxiv", "2403.03507"),
        ("arXiv:2403.03507v2", "arxiv", "2403.03507"),
        ("https://arxiv.org/abs/2403.03507", "arxiv", "2403.03507"),
        ("https://arxiv.org/abs/2205.05131v1", "arxiv", "2205.05131"),
        ("https://arxiv.org/pdf/1706.03762.pdf", "arxiv", "1706.03762"),
        ("https://arxiv.org/pdf/2305.18290v3", "arxiv", "2305.18290"),
        ("arxiv.org/html/2403.03507v1", "arxiv", "2403.03507"),
        ("http://export.arxiv.org/abs/hep-th/9901001v2", "arxiv", "hep-th/9901001"),
        ("https://hf.co/papers/2403.03507", "arxiv", "2403.03507"),
        ("https://huggingface.co/papers/2403.03507", "arxiv", "2403.03507"),
        ("https://doi.org/10.48550/arXiv.2203.15556", "arxiv", "2203.15556"),
        ("10.48550/ARXIV.2203.15556", "arxiv", "2203.15556"),
        ("10.1038/nature14539", "doi", "10.1038/nature14539"),
        ("doi:10.1145/3065386", "doi", "10.1145/3065386"),
        ("https://dx.doi.org/10.18653/v1/N19-1423", "doi", "10.18653/v1/N19-1423"),
        ("https://doi.org/10.1000/a%2Fb", "doi", "10.1000/a/b"),
        ("<https://doi.org/10.1038/nature14539>.", "doi", "10.1038/nature14539"),
        ("https://openreview.net/forum?id=gEZrGCozdqR", "openreview", "gEZrGCozdqR"),
        ("https://openreview.net/pdf?id=yzkSU5zdwD", "openreview", "yzkSU5zdwD"),
        ("https://openreview.net/forum?id=gEZrGCozdqR&noteId=abc", "openreview", "gEZrGCozdqR"),
        ("https://aclanthology.org/N19-1423.pdf", "acl", "N19-1423"),
        ("https://aclanthology.org/2020.emnlp-main.550/", "acl", "2020.emnlp-main.550"),
        ("https://www.aclweb.org/anthology/P19-1001", "acl", "P19-1001"),
        ("2023.acl-long.1", "acl", "2023.acl-long.1"),
    ],
)
def test_refs_parse(text, kind, value):
    assert parse_ref(text) == Ref(kind, value)


@pytest.mark.parametrize(
    "text",
    ["", "hello", "https://github.com/Hannibal046/Awesome-LLM", "https://arxiv.org/list/cs.CL/recent",
     "https://openreview.net/forum?id=", "https://openreview.net/forum?id=<script>", "12345.678", "10.12/x",
     "https://huggingface.co/papers", "javascript:alert(1)"],
)
def test_not_refs(text):
    assert parse_ref(text) is None


def test_label_names_the_source():
    assert parse_ref("10.1038/nature14539").label == "DOI 10.1038/nature14539"
    assert parse_ref("N19-1423").label == "ACL Anthology N19-1423"


@pytest.mark.parametrize(
    "value, date",
    [("2407.20485", (2024, 7)), ("0704.0001", (2007, 4)), ("1706.03762", (2017, 6)), ("hep-th/9901001", (1999, 1)),
     ("math.GT/0309136", (2003, 9)), ("2413.00001", None), ("hep-th/9913001", None), ("not an id", None), (None, None)],
)
def test_an_arxiv_id_states_its_year_and_month(value, date):
    assert arxiv_date(value) == date
