"""Theme pages' pictures: the timeline and the citation picture, as SVG made at build time."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from generator.analysis.citations import citation_graph, foundations
from generator.build import generate, load_content
from generator.model import Paper
from generator.render.citegraph import ROW, citation_svg
from generator.render.timeline import paper_year, timeline_svg

SVG = "{http://www.w3.org/2000/svg}"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "site" / "content"
HOSTILE = '<script>alert("x")</script> {{ 7*7 }} & A*'


def paper(key: str, year=None, arxiv=None, status=None, title=None, references=()) -> Paper:
    return Paper(key=key, title=title or f"Paper {key}", abstract="", added="2026-01-01", year=year, arxiv=arxiv, status=status, references=references)


def test_a_papers_year_is_its_records_else_its_arxiv_ids():
    assert paper_year(paper("a", year=2019, arxiv="2403.03507")) == 2019
    assert paper_year(paper("a", arxiv="2403.03507v2")) == 2024
    assert paper_year(paper("a", arxiv="0704.0001")) == 2007
    assert paper_year(paper("a", arxiv="hep-th/9901001")) == 1999
    assert paper_year(paper("a", arxiv="math.GT/0309136")) == 2003
    assert paper_year(paper("a")) is None and paper_year(paper("a", arxiv="not an id")) is None


def test_timeline_columns_per_year_with_gaps_counts_and_escaped_titles():
    papers = [paper("a", 2019, title=HOSTILE), paper("b", 2021, status="key"), paper("c", 2021), paper("d")]
    svg = timeline_svg(papers, chart_id="t", title="Theme & co")
    root = ET.fromstring(str(svg))  # well-formed XML: every text escaped
    years = [g.findall(f"{SVG}text")[-1].text for g in root.iter(f"{SVG}g")]
    assert years == ["2019", "2020", "2021"]  # 2020 has no paper: a gap, not a missing year
    assert root.find(f"{SVG}desc").text == "2019: 1 paper; 2021: 2 papers"
    titles = [r.find(f"{SVG}title").text for r in root.iter(f"{SVG}rect")]
    assert titles[0] == HOSTILE + " (2019)"  # shown exactly as written
    assert "<script" not in str(svg) and "{{" not in str(svg)
    fills = [r.get("fill") for r in root.iter(f"{SVG}rect")]
    assert fills[1] != fills[2]  # the key paper stands out
    assert timeline_svg([paper("d")], chart_id="t", title="x") is None


def test_the_citation_picture_stays_legible_for_a_hundred_papers():
    papers = [paper(f"p{i:03d}", year=2015 + i // 10, arxiv=f"2401.{i:05d}") for i in range(100)]
    refs = {f"p{i:03d}": tuple(f"arxiv:2401.{j:05d}" for j in (0, 1, i // 2) if j < i) for i in range(100)}
    papers = [Paper(**{**p.__dict__, "references": refs[p.key]}) for p in papers]
    graph = citation_graph(papers)
    strong = [key for key, _ in foundations(graph)]
    svg = str(citation_svg(papers, graph, strong, url=lambda k: f"../papers/{k}/", chart_id="c", title="T"))
    root = ET.fromstring(svg)
    links = root.findall(f"{SVG}a")
    assert len(links) == 100 and links[0].get("href") == "../papers/p000/"
    ys = [float(a.find(f"{SVG}text").get("y")) for a in links]
    assert ys == sorted(ys) and min(b - a for a, b in zip(ys, ys[1:])) == ROW  # one row each, never squeezed
    assert int(root.get("height")) >= 100 * ROW and root.get("font-size") == "12"
    assert len(root.findall(f"{SVG}path")) == len(graph.edges())
    bold = [a.find(f"{SVG}text") for a in links if a.find(f"{SVG}text").get("font-weight") == "700"]
    assert strong[:2] == ["p000", "p001"] and len(strong) == 5  # p000 and p001 are cited by nearly everyone
    assert sorted(t.text.split(" (")[0] for t in bold) == sorted(f"Paper {k}" for k in strong)
    years = [t.text for t in root.findall(f"{SVG}text") if t.text and t.text.isdigit()]
    assert years == [str(y) for y in range(2015, 2025)]  # layered by year, oldest first
    assert citation_svg(papers[:3], citation_graph([]), [], url=str, chart_id="c", title="T") is None


def test_a_hostile_title_in_the_citation_picture_is_text():
    papers = [paper("a", 2020, arxiv="2001.00001", title=HOSTILE), paper("b", 2021, references=("arxiv:2001.00001",))]
    svg = str(citation_svg(papers, citation_graph(papers), ["a"], url=lambda k: k, chart_id="c", title=HOSTILE))
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == HOSTILE and "<script" not in svg and "{{" not in svg


def test_golden_theme_page_has_a_reading_path_a_timeline_a_citation_picture_and_a_table():
    """The golden file (tests/golden/theme-optimizers-memory.md, checked by test_pages) holds all four."""
    content, problems = load_content(FIXTURE)
    assert problems == []
    page = generate(content).files["themes/optimizers-memory.md"].decode()
    order = [page.index(s) for s in ("## Start here", "## Timeline", "## Citations in this theme", "## Comparison", "## Papers")]
    assert order == sorted(order)
    assert page.count('class="rl-timeline__svg"') == 1 and page.count('class="rl-citegraph__svg"') == 1
    assert "<table class=\"rl-compare\" data-rl-sortable>" in page and "csv/themes/optimizers-memory.csv" in page
    scaling = generate(content).files["themes/scaling-laws.md"].decode()
    assert "## Start here" not in scaling and "## Comparison" not in scaling and "## Citations in this theme" not in scaling
    assert "No paper of this theme has a known year yet." in scaling


def test_a_large_theme_draws_its_most_connected_papers():
    from generator.render.citegraph import MAX_ROWS, busiest

    papers = [paper(f"p{i:03d}", year=2020, arxiv=f"2401.{i:05d}", references=(f"arxiv:2401.{i // 3:05d}",) if i else ()) for i in range(400)]
    graph = citation_graph(papers)
    drawn = busiest(graph)
    keys = set(drawn.cites) | set(drawn.cited_by)
    assert 0 < len(keys) <= MAX_ROWS and drawn.edges() <= graph.edges()
    dropped = (set(graph.cites) | set(graph.cited_by)) - keys
    assert min(len(graph.cited_by_of(k)) for k in keys if graph.cited_by_of(k)) >= max(len(graph.cited_by_of(k)) for k in dropped)
    assert busiest(graph, limit=1000) is graph
