"""Each source's recorded answer reads into complete library fields; bad answers are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from apiserver import Answer, HERE

from generator.fetch import acl, arxiv, crossref, openreview
from generator.fetch.http import Malformed, NotFound, PoliteClient
from generator.fetch.resolve import Apis, resolve
from generator.identifiers import parse_ref


def client(tmp_path: Path) -> PoliteClient:
    return PoliteClient(cache_dir=tmp_path / "cache", delay=0.0)


def apis(api) -> Apis:
    return Apis(**api.apis)


def test_crossref_work():
    paper = crossref.parse_work((HERE / "crossref" / "10.1145_3065386.json").read_bytes())
    assert paper.title == "ImageNet classification with deep convolutional neural networks"
    assert paper.authors == ("Alex Krizhevsky", "Ilya Sutskever", "Geoffrey E. Hinton")
    assert paper.year == 2017 and paper.venue == "Communications of the ACM"
    assert paper.doi == "10.1145/3065386" and paper.url == "https://doi.org/10.1145/3065386"
    assert paper.abstract.startswith("We trained a large, deep convolutional") and "<jats" not in paper.abstract
    assert paper.missing == ()


def test_crossref_markup_is_text_and_a_non_web_url_is_dropped():
    paper = crossref.parse_work((HERE / "crossref" / "10.1000_hostile.json").read_bytes())
    assert paper.title == "<script>alert(1)</script> QuIP#: 1.5% of A* at $100K"  # text, escaped on output
    assert paper.abstract == "An abstract with <b>escaped markup</b> and real JATS, and {{ jinja }} braces."
    assert paper.url == "https://doi.org/10.1000/hostile" and paper.venue == "Hostile Press"


@pytest.mark.parametrize("body", [b"", b"[]", b'{"status": "failed", "message": {}}', b'{"status":"ok","message":{"title":[]}}', b"\xff\xfe"])
def test_crossref_refuses_what_is_not_a_work(body):
    with pytest.raises(ValueError):
        crossref.parse_work(body)


def test_openreview_v2_and_v1_notes():
    v2 = openreview.parse_notes("gEZrGCozdqR")((HERE / "openreview" / "gEZrGCozdqR.json").read_bytes())
    assert v2.title == "Finetuned Language Models are Zero-Shot Learners" and v2.authors[0] == "Jason Wei"
    assert v2.year == 2022 and v2.venue == "ICLR 2022 Oral" and v2.url == "https://openreview.net/forum?id=gEZrGCozdqR"
    v1 = openreview.parse_notes("HkgEQnRqYQ")((HERE / "openreview" / "v1-HkgEQnRqYQ.json").read_bytes())
    assert v1.title == "Decoupled Weight Decay Regularization" and v1.authors == ("Ilya Loshchilov", "Frank Hutter")
    assert v1.year == 2018 and v1.venue == "ICLR 2019"  # cdate: submitted in 2018
    assert openreview.parse_notes("nope")(b'{"notes": [], "count": 0}') is None
    with pytest.raises(ValueError):
        openreview.parse_notes("x")(b'{"count": 0}')


def test_acl_bib_export():
    paper = acl.parse_acl_bib((HERE / "acl" / "N19-1423.bib").read_bytes())
    assert paper.title == "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    assert paper.authors == ("Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova")
    assert paper.year == 2019 and paper.doi == "10.18653/v1/N19-1423" and paper.url == "https://aclanthology.org/N19-1423/"
    assert paper.venue.startswith("Proceedings of the 2019 Conference of the North American Chapter")
    with pytest.raises(ValueError):
        acl.parse_acl_bib(b"<html>Not Found</html>")


def test_arxiv_batch_reads_journal_ref_and_doi(api, tmp_path):
    found, missing = arxiv.fetch_ids(client(tmp_path), api.apis["arxiv"], ["2101.03961", "2305.18290", "2401.99999"])
    switch = found["2101.03961"]
    assert switch.venue == "Journal of Machine Learning Research 23 (2022) 1-40" and switch.doi == "10.5555/3586589.3586709"
    assert found["2305.18290"].year == 2023 and found["2305.18290"].url == "https://arxiv.org/abs/2305.18290"
    assert missing == {"2401.99999": "arXiv has no paper 2401.99999"}
    assert api.count("/arxiv") == 1  # one request for the batch


def test_arxiv_error_feed_splits_the_batch(api, tmp_path):
    error = (Path(__file__).parent.parent / "fixtures" / "arxiv" / "error.xml").read_bytes()
    api.then("/arxiv/api/query", Answer(200, error))
    found, missing = arxiv.fetch_ids(client(tmp_path), api.apis["arxiv"], ["1706.03762", "2001.08361"])
    assert set(found) == {"1706.03762", "2001.08361"} and not missing
    assert api.count("/arxiv") == 3


def test_resolve_sorts_answers_into_found_not_found_and_failed(api, tmp_path):
    api.then("/crossref/works/10.1145/3065386", *[Answer(503, b"down")] * 4)
    refs = [parse_ref(r) for r in ("1706.03762", "2401.99999", "10.1038/nature14539", "10.1145/3065386",
                                   "10.9999/none", "https://openreview.net/forum?id=missingForum1", "N19-1423", "X99-9999")]
    out = resolve(refs, client(tmp_path), apis(api))
    assert {str(r) for r in out.found} == {"arxiv:1706.03762", "doi:10.1038/nature14539", "acl:N19-1423"}
    assert {str(r) for r in out.not_found} == {"arxiv:2401.99999", "doi:10.9999/none", "openreview:missingForum1", "acl:X99-9999"}
    assert {str(r) for r in out.failed} == {"doi:10.1145/3065386"}
    with pytest.raises(NotFound):
        openreview.fetch_forum(client(tmp_path), api.apis["openreview"], "missingForum1")


def test_a_malformed_answer_fails_that_paper_only(api, tmp_path):
    api.then("/openreview/notes", Answer(200, b"<html>maintenance</html>"))
    refs = [parse_ref("https://openreview.net/forum?id=gEZrGCozdqR"), parse_ref("https://openreview.net/forum?id=yzkSU5zdwD")]
    out = resolve(refs, client(tmp_path), apis(api))
    assert [str(r) for r in out.failed] == ["openreview:gEZrGCozdqR"] and "malformed" in out.failed[refs[0]]
    assert [str(r) for r in out.found] == ["openreview:yzkSU5zdwD"]
    assert issubclass(Malformed, Exception)
