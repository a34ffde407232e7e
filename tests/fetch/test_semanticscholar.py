"""Semantic Scholar papers read into graph works: venue beyond arXiv, references, 429, bad answers."""

from __future__ import annotations

import sys
import urllib.parse
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures" / "api"))
import graphserver  # noqa: E402
from apiserver import Answer  # noqa: E402

from generator.fetch import semanticscholar as s2  # noqa: E402
from generator.fetch.http import FetchError, Malformed, NotFound, PoliteClient  # noqa: E402

PAPERS = graphserver.S2 / "paper"


@pytest.fixture
def graph():
    yield from graphserver.serve()


def client(tmp_path: Path, **kw) -> PoliteClient:
    return PoliteClient(cache_dir=tmp_path / "cache", delay=0.0, **kw)


def test_an_arxiv_paper_published_at_a_conference():
    lora = s2.parse_paper((PAPERS / "ARXIV_2106.09685.json").read_bytes())
    assert lora.venue == "International Conference on Learning Representations"  # not the "ArXiv" journal
    assert lora.arxiv == "2106.09685" and lora.doi is None and lora.cited_by_count == 9876
    # the reference with paperId null and the one with only a CorpusId name nothing
    assert lora.references == ("arxiv:1706.03762", "arxiv:1810.04805")
    assert lora.code is None and lora.provenance == "semanticscholar a8ca46b171467ceb2d7652fbfb67fe701ad86092"


def test_a_journal_paper():
    cnn = s2.parse_paper((PAPERS / "DOI_10.1145_3065386.json").read_bytes())
    assert cnn.venue == "Communications of the ACM" and cnn.doi == "10.1145/3065386" and cnn.references == ("doi:10.1109/5.726791",)


def test_only_a_preprint_server_is_no_venue():
    paper = s2.read_paper({"paperId": "p1", "title": "T", "venue": "arXiv.org", "journal": {"name": "ArXiv", "volume": "abs/1"},
                           "publicationVenue": {"name": "arXiv.org", "type": "repository"}})
    assert paper.venue is None


@pytest.mark.parametrize("body", [b"", b"<html>rate limited</html>", b"[]", b'{"paperId": "x"}', b'{"paperId": null, "title": "T"}',
                                  b'{"paperId": "x", "title": "T", "references": {"a": 1}}'])
def test_what_is_not_a_paper_is_refused(body):
    with pytest.raises(ValueError):
        s2.parse_paper(body)


def test_ids_and_title_match_requests(graph, tmp_path):
    c = client(tmp_path)
    assert s2.paper_by_id(c, f"{graph.url}/s2", "arxiv:2106.09685").source_id.startswith("a8ca46")
    path, _, query = graph.requests[-1].partition("?")
    assert path == "/s2/paper/ARXIV:2106.09685" and "references.externalIds" in urllib.parse.parse_qs(query)["fields"][0]
    assert s2.paper_by_id(c, f"{graph.url}/s2", "doi:10.1145/3065386").venue == "Communications of the ACM"
    [match] = s2.match_title(c, f"{graph.url}/s2", "Attention Is All You Need")
    assert match.arxiv == "1706.03762"
    with pytest.raises(NotFound):
        s2.match_title(c, f"{graph.url}/s2", "A Paper No Graph Knows")
    with pytest.raises(NotFound):
        s2.paper_by_id(c, f"{graph.url}/s2", "doi:10.9999/none")


def test_a_429_with_retry_after_is_waited_for(graph, tmp_path):
    waits = []
    graph.then("/s2/paper/ARXIV:2106.09685", Answer(429, b'{"message": "Too Many Requests"}', {"Retry-After": "7"}))
    c = client(tmp_path, sleep=waits.append)
    assert s2.paper_by_id(c, f"{graph.url}/s2", "arxiv:2106.09685").cited_by_count == 9876
    assert any(6.5 < w <= 7 for w in waits) and c.requests == 2 and c.retries == 1
    graph.then("/s2/paper/ARXIV:2106.09685", Answer(429, b"{}", {"Retry-After": "3600"}))
    with pytest.raises(FetchError, match="asks to wait"):
        s2.paper_by_id(client(tmp_path / "other"), f"{graph.url}/s2", "arxiv:2106.09685")


def test_a_malformed_answer_is_asked_again(graph, tmp_path):
    graph.then("/s2/paper/DOI:10.1145/3065386", Answer(200, b'{"data": "not a paper"}'))
    with pytest.raises(Malformed):
        s2.paper_by_id(client(tmp_path), f"{graph.url}/s2", "doi:10.1145/3065386")
    assert s2.paper_by_id(client(tmp_path), f"{graph.url}/s2", "doi:10.1145/3065386").doi == "10.1145/3065386"
    before = len(graph.requests)
    s2.paper_by_id(client(tmp_path), f"{graph.url}/s2", "doi:10.1145/3065386")
    assert len(graph.requests) == before  # answered by the cache
