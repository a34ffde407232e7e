"""Citations inside the list: references become edges by arXiv id or DOI, and only edges touching a paper move with it."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.analysis.citations import CitationGraph, citation_graph, foundations, paper_ids
from generator.build import generate, load_content
from generator.identifiers import external_id
from generator.model import Paper

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "site" / "content"


def paper(key: str, *, arxiv=None, doi=None, url=None, references=()) -> Paper:
    refs = tuple(r for r in (external_id(x) for x in references) if r)
    return Paper(key=key, title=key, abstract="", added="2026-01-01", arxiv=arxiv, doi=doi, url=url, references=refs)


def test_external_ids_in_every_usual_spelling():
    same = ["2106.09685", "arXiv:2106.09685v2", "https://arxiv.org/abs/2106.09685", "https://arxiv.org/pdf/2106.09685v1.pdf", "10.48550/arXiv.2106.09685"]
    assert {external_id(x) for x in same} == {"arxiv:2106.09685"}
    assert external_id("https://doi.org/10.1145/ABC.1") == external_id("10.1145/abc.1") == "doi:10.1145/abc.1"
    assert external_id("hep-th/9901001v1") == "arxiv:hep-th/9901001"
    assert [external_id(x) for x in ("", "LoRA", "10.1/x", "2106.968")] == [None] * 4


def test_references_become_edges_by_arxiv_id_doi_or_url():
    papers = [
        paper("lora", arxiv="2106.09685"),
        paper("zero", doi="10.1109/SC41405.2020.00024"),
        paper("megatron", url="https://arxiv.org/abs/1909.08053"),
        paper("galore", arxiv="2403.03507", references=["arXiv:2106.09685v1", "https://doi.org/10.1109/sc41405.2020.00024", "10.48550/arXiv.1909.08053", "10.9/elsewhere"]),
        paper("selfish", arxiv="2501.00001", references=["2501.00001", "2106.09685"]),
    ]
    graph = citation_graph(papers)
    assert graph.cites_of("galore") == ("lora", "megatron", "zero")
    assert graph.cites_of("selfish") == ("lora",)  # a paper does not cite itself
    assert graph.cited_by_of("lora") == ("galore", "selfish")
    assert graph.cites_of("lora") == () and graph.cited_by_of("nobody") == ()


def test_an_edge_appears_when_the_cited_paper_is_added_later():
    citing = paper("galore", references=["2106.09685"])
    assert citation_graph([citing]).edges() == set()
    assert citation_graph([citing, paper("lora", arxiv="2106.09685")]).edges() == {("galore", "lora")}


def test_two_records_of_one_paper_both_receive_its_citations():
    graph = citation_graph([paper("a", references=["2106.09685"]), paper("lora", arxiv="2106.09685"), paper("lora-copy", arxiv="2106.09685v2")])
    assert graph.cites_of("a") == ("lora", "lora-copy")


def test_within_a_theme_and_its_foundations():
    papers = [paper("root", arxiv="1000.00001"), paper("mid", arxiv="1000.00002", references=["1000.00001"])]
    papers += [paper(f"leaf{i}", references=["1000.00001", "1000.00002"]) for i in range(3)]
    graph = citation_graph(papers)
    inside = graph.within(["root", "mid", "leaf0"])
    assert inside.edges() == {("mid", "root"), ("leaf0", "root"), ("leaf0", "mid")}
    assert foundations(graph) == [("root", 4), ("mid", 3)]
    assert foundations(citation_graph(papers[:2])) == [("root", 1)]  # sparse: one citation is enough
    assert foundations(CitationGraph()) == []


# A library of papers over a small id space, so that references often hit.
IDS = [f"2401.{n:05d}" for n in range(8)] + [f"10.1000/p{n}" for n in range(4)]


@st.composite
def libraries(draw):
    count = draw(st.integers(0, 9))
    papers = []
    for index in range(count):
        own = draw(st.sampled_from([None] + IDS))
        kind = "doi" if own and own.startswith("10.") else "arxiv"
        refs = draw(st.lists(st.sampled_from(IDS), max_size=6))
        papers.append(paper(f"p{index}", references=refs, **({kind: own} if own else {})))
    return papers


@settings(max_examples=200, deadline=None)
@given(libraries(), st.data())
def test_adding_or_removing_a_paper_changes_only_its_own_edges(papers, data):
    before = citation_graph(papers).edges()
    newcomer = paper(
        "new",
        references=data.draw(st.lists(st.sampled_from(IDS), max_size=6)),
        **({"arxiv": data.draw(st.sampled_from(IDS[:8]))} if data.draw(st.booleans()) else {}),
    )
    after = citation_graph([*papers, newcomer]).edges()
    assert {e for e in after if "new" not in e} == before  # nothing else moved
    assert after >= before
    assert citation_graph([p for p in [*papers, newcomer] if p.key != "new"]).edges() == before  # removing it undoes it
    if papers:
        gone = data.draw(st.sampled_from(papers)).key
        without = citation_graph([p for p in papers if p.key != gone]).edges()
        assert without == {e for e in before if gone not in e}
    for a, b in after:  # every edge is backed by a reference to an id of the cited paper
        by_key = {p.key: p for p in [*papers, newcomer]}
        assert a != b and set(by_key[a].references) & paper_ids(by_key[b])


def test_papers_json_and_pages_carry_in_list_citations():
    content, problems = load_content(FIXTURE)
    assert problems == []
    outputs = generate(content)
    items = {item["key"]: item for item in json.loads(outputs.files["papers.json"])}
    assert items["galore"]["cites"] == ["lora", "megatron-lm", "zero"]
    assert items["lora"]["cited_by"] == ["galore"] and items["zero"]["cites"] == ["megatron-lm"]
    assert items["megatron-lm"]["cited_by"] == ["galore", "zero"] and items["chinchilla"]["cites"] == []
    assert items["galore"]["references"][-1] == "doi:10.5555/not-in-the-list"
    assert items["galore"]["facts"] == {"optimizer_memory_saving": 65.5, "method": "gradient low-rank projection", "full_parameter": True}
    assert (items["galore"]["cited_by_count"], items["galore"]["cited_by_count_date"]) == (812, "2026-11-30")
    megatron = outputs.files["papers/megatron-lm.md"].decode()
    assert "Cited by in this list" in megatron and 'href="../galore/"' in megatron and 'href="../zero/"' in megatron
    assert "Its references are not recorded yet." in megatron
    assert "## Citations" not in outputs.files["papers/chinchilla.md"].decode()  # nothing known, nothing shown
    assert generate(content).files == outputs.files  # deterministic
