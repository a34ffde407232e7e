"""OpenAlex works read into graph works: venue, ids, references, merged ids, bad answers."""

from __future__ import annotations

import json
import sys
import urllib.parse
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures" / "api"))
import graphserver  # noqa: E402
from apiserver import Answer  # noqa: E402

from generator.fetch import openalex  # noqa: E402
from generator.fetch.http import Malformed, NotFound, PoliteClient  # noqa: E402

WORKS = graphserver.OA / "works"


@pytest.fixture
def graph():
    yield from graphserver.serve()


def client(tmp_path: Path) -> PoliteClient:
    return PoliteClient(cache_dir=tmp_path / "cache", delay=0.0)


def read(wid: str):
    return openalex.parse_work((WORKS / f"{wid}.json").read_bytes())


def test_a_conference_version_has_a_venue_and_a_preprint_has_none():
    published, preprint = read("W4285255856"), read("W3168867926")
    assert published.venue == "International Conference on Learning Representations" and published.venue_year == 2022
    assert published.arxiv == "2106.09685"  # from its arXiv location
    assert preprint.venue is None and preprint.arxiv == "2106.09685" and preprint.doi is None  # arXiv DOI is the arXiv id
    assert preprint.unresolved == ("W2963403868", "W2896457183", "W3001279689", "W1234567890")
    assert preprint.cited_by_count == 4120 and preprint.provenance == "openalex W3168867926"


def test_a_journal_work_and_a_code_link():
    cnn = read("W2163605009")
    assert cnn.venue == "Communications of the ACM" and cnn.doi == "10.1145/3065386" and cnn.year == 2017
    assert cnn.authors == ("Alex Krizhevsky", "Ilya Sutskever", "Geoffrey E. Hinton") and cnn.code is None
    assert read("W2963403868").code == "https://github.com/tensorflow/tensor2tensor"


@pytest.mark.parametrize("body", [b"", b"<html>maintenance</html>", b"[]", b'{"id": "https://openalex.org/W1"}',
                                  b'{"id": "x", "title": "T"}', b'{"id": "W1", "title": "T", "referenced_works": "W2"}'])
def test_what_is_not_a_work_is_refused(body):
    with pytest.raises(ValueError):
        openalex.parse_work(body)
    with pytest.raises(ValueError):
        openalex.parse_list(body)


def test_lookup_by_arxiv_doi_sends_select_and_mailto(graph, tmp_path):
    work = openalex.work_by_id(client(tmp_path), f"{graph.url}/openalex", "arxiv:2106.09685", "curator@example.org")
    assert work.source_id == "W3168867926"
    path, _, query = graph.requests[-1].partition("?")
    params = urllib.parse.parse_qs(query)
    assert path == "/openalex/works/doi:10.48550/arXiv.2106.09685"
    assert params["mailto"] == ["curator@example.org"] and "referenced_works" in params["select"][0]
    with pytest.raises(NotFound):
        openalex.work_by_id(client(tmp_path), f"{graph.url}/openalex", "doi:10.9999/none", None)


def test_references_are_batched_and_a_merged_id_follows_its_redirect(graph, tmp_path):
    c = client(tmp_path)
    work = openalex.read_work(json.loads((WORKS / "W3168867926.json").read_text()))
    done, failures = openalex.with_references(c, f"{graph.url}/openalex", work, None)
    # W1234567890 was merged into W3001279689: the same paper twice, kept once
    # a conference paper without DOI is named by its arXiv location
    assert done.references == ("arxiv:1706.03762", "doi:10.18653/v1/n19-1423", "arxiv:2001.08361") and not failures
    batches = [r for r in graph.requests if "filter=openalex" in urllib.parse.unquote(r)]
    assert len(batches) == 1 and "select=id,doi,ids,primary_location,locations" in urllib.parse.unquote(batches[0])
    assert graph.count("/openalex/works/W1234567890") == 1 and graph.count("/openalex/works/W3001279689") == 1


def test_fifty_ids_a_request(graph, tmp_path):
    wids = tuple(f"W{100000 + i}" for i in range(120))
    found, failures = openalex.resolve_references(client(tmp_path), f"{graph.url}/openalex", wids, None)
    batches = [urllib.parse.unquote(r) for r in graph.requests if "filter=openalex" in urllib.parse.unquote(r)]
    assert [b.count("|") + 1 for b in batches] == [50, 50, 20]
    assert found == {} and failures == []  # unknown ids are asked for once each, then given up


def test_a_malformed_list_answer_is_a_failure_not_a_cache_entry(graph, tmp_path):
    graph.then("/openalex/works", Answer(200, b"<html>busy</html>"))
    with pytest.raises(Malformed):
        openalex.search_title(client(tmp_path), f"{graph.url}/openalex", "Attention Is All You Need", None)
    found = openalex.search_title(client(tmp_path), f"{graph.url}/openalex", "Attention Is All You Need", None)
    assert sorted(w.source_id for w in found) == ["W2963403868", "W3999999991"]
