"""Pages others can read: each built paper page, parsed back as a citation
manager, a link preview and a search engine read it, says what its record says.

Open Graph and JSON-LD are read with extruct; the Highwire Press `citation_*`
tags (what Zotero's connector and Google Scholar read) with the site tests'
HTML reader. Both the ordinary fixture (plus a journal paper with a DOI and a
PDF link) and the hostile one are built with `mkdocs build --strict`.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import extruct
import pytest

from fixtures.site.sitetools import HOSTILE_CONTENT, SITE_CONTENT, SITE_NAME, SITE_URL, build_site, read_page  # noqa: E402

from generator.library.records import load_library  # noqa: E402
from generator.model import Paper  # noqa: E402
from generator.render.escape import excerpt, plain  # noqa: E402
from generator.render.meta import citation_tags, script_json, venue_tag  # noqa: E402
from generator.settings import Settings  # noqa: E402

JOURNAL_RECORD = """key: journal-paper
title: 'Attention & "Quotes": A <Journal> Study'
abstract: 'We study things. Many things, over a long abstract that goes on and on, so that the description has to be cut somewhere before the end of this rather long sentence about nothing much at all, really, and then some more words to be sure it is long.'
added: 2024-04-01
authors: ['Ada Lovelace', "Grace O'Hopper"]
year: 2023
venue: Transactions on Machine Learning Research
doi: 10.1234/tmlr.2023.5
url: https://example.org/papers/attention.pdf
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    content = tmp_path_factory.mktemp("content") / "content"
    shutil.copytree(SITE_CONTENT, content)
    (content / "papers" / "journal-paper.yml").write_text(JOURNAL_RECORD, "utf-8")
    return build_site(tmp_path_factory.mktemp("meta"), content), content


@pytest.fixture(scope="module")
def hostile_site(built_hostile_site) -> tuple[Path, Path]:
    return built_hostile_site, HOSTILE_CONTENT


def _papers(content: Path) -> dict[str, Paper]:
    library = load_library(content)
    return {p.key: p for p in library.papers}


def _read(site: Path, key: str) -> tuple[dict, dict[str, list[str]], str | None]:
    """(extruct's view, citation_* name -> contents, <meta name=description>) of a paper page."""
    path = site / "papers" / key / "index.html"
    html = path.read_text("utf-8")
    data = extruct.extract(html, base_url=f"{SITE_URL}papers/{key}/", syntaxes=["json-ld", "opengraph"])
    citation: dict[str, list[str]] = {}
    description = None
    for el in read_page(path).elements:
        if el.tag == "meta" and (el.attrs.get("name") or "").startswith("citation_"):
            citation.setdefault(el.attrs["name"], []).append(el.attrs.get("content") or "")
        if el.tag == "meta" and el.attrs.get("name") == "description":
            description = el.attrs.get("content")
    return data, citation, description


def _expected_citation(paper: Paper) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"citation_title": [plain(paper.title).strip()]}
    if paper.authors:
        out["citation_author"] = [plain(a).strip() for a in paper.authors]
    if paper.year:
        out["citation_publication_date"] = out["citation_date"] = [str(paper.year)]
    if paper.arxiv:
        out["citation_arxiv_id"] = [paper.arxiv]
        out["citation_pdf_url"] = [f"https://arxiv.org/pdf/{paper.arxiv}"]
    return out


def _check_page(site: Path, paper: Paper) -> tuple[dict, dict]:
    data, citation, description = _read(site, paper.key)
    title = plain(paper.title).strip()
    opening = excerpt(paper.abstract, Settings().excerpt_chars)
    assert description == opening, paper.key
    og = dict(data["opengraph"][0]["properties"])
    assert og == {
        "og:type": "article", "og:title": title, "og:description": opening,
        "og:url": f"{SITE_URL}papers/{paper.key}/", "og:site_name": SITE_NAME,
    }
    (article,) = [item for item in data["json-ld"] if item.get("@type") == "ScholarlyArticle"]
    assert article["headline"] == title
    assert "description" not in article and "name" not in article  # the meta description and og:description say it
    assert [a["name"] for a in article.get("author", [])] == [plain(a).strip() for a in paper.authors]
    assert article.get("datePublished") == (str(paper.year) if paper.year else None)
    assert article["url"] == f"{SITE_URL}papers/{paper.key}/"
    return article, citation


@pytest.mark.site
def test_every_paper_page_says_what_its_record_says(site):
    built, content = site
    papers = _papers(content)
    assert len(papers) >= 8
    for paper in papers.values():
        article, citation = _check_page(built, paper)
        if paper.key == "journal-paper":
            continue
        assert citation == _expected_citation(paper), paper.key
        if paper.arxiv:
            assert {"@type": "PropertyValue", "propertyID": "arXiv", "value": paper.arxiv} in article["identifier"]


@pytest.mark.site
def test_a_journal_paper_with_a_doi_and_a_pdf(site):
    built, content = site
    paper = _papers(content)["journal-paper"]
    article, citation = _check_page(built, paper)
    assert citation == {
        "citation_title": ['Attention & "Quotes": A <Journal> Study'],
        "citation_author": ["Ada Lovelace", "Grace O'Hopper"],
        "citation_publication_date": ["2023"],
        "citation_date": ["2023"],
        "citation_journal_title": ["Transactions on Machine Learning Research"],
        "citation_doi": ["10.1234/tmlr.2023.5"],
        "citation_pdf_url": ["https://example.org/papers/attention.pdf"],
    }
    assert article["isPartOf"] == {"@type": "Periodical", "name": "Transactions on Machine Learning Research"}
    assert article["identifier"] == [{"@type": "PropertyValue", "propertyID": "DOI", "value": "10.1234/tmlr.2023.5"}]
    assert article["sameAs"] == ["https://doi.org/10.1234/tmlr.2023.5", "https://example.org/papers/attention.pdf"]
    page_description = _read(built, paper.key)[2]
    assert page_description.endswith("\u2026") and len(page_description) <= 201


def test_hostile_records_are_data_in_every_tag(hostile_site):
    built, content = hostile_site
    papers = _papers(content)
    for paper in papers.values():
        article, citation = _check_page(built, paper)
        expected = _expected_citation(paper)
        if paper.key == "all-fields":
            # Its arXiv id, DOI and URL do not parse: none is named; its venue is text.
            expected.pop("citation_arxiv_id")
            expected.pop("citation_pdf_url")
            expected["citation_conference_title"] = ["<script>alert(6)</script>"]
            assert "identifier" not in article and "sameAs" not in article and "encoding" not in article
        assert citation == expected, paper.key
    for path in sorted(built.rglob("papers/*/index.html")):
        html = path.read_text("utf-8")
        for body in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
            assert "<" not in body and ">" not in body
            json.loads(body)
        for el in read_page(path).elements:
            assert not [name for name in el.attrs if name.startswith("on")], (path, el)
            if el.tag == "script" and "alert" in el.text:  # data, inside the JSON-LD only
                assert el.attrs.get("type") == "application/ld+json" and "<" not in el.text
            if el.tag == "meta" and el.attrs.get("content") and "alert" in el.attrs["content"]:
                assert el.attrs.get("name", "").startswith(("citation_", "description")) or el.attrs.get("property", "").startswith("og:")


def test_page_without_abstract_or_authors_keeps_the_site_description():
    from generator.render.meta import head_meta

    paper = Paper(key="bare", title="Bare", abstract="", added="2024-01-01")
    head = head_meta(paper, Settings())
    assert dict(head["og"]) == {"og:type": "article", "og:title": "Bare"}  # no og:url without a site_url
    assert head["citation"] == [("citation_title", "Bare")]
    assert json.loads(head["jsonld"]) == {"@context": "https://schema.org", "@type": "ScholarlyArticle", "headline": "Bare"}


def test_script_json_cannot_end_the_script():
    text = script_json({"a": "</script><!-- & \u2028 -->"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028 -->"}


@pytest.mark.parametrize(
    "venue,tag",
    [
        ("NeurIPS 2023", "citation_conference_title"),
        ("Journal of Machine Learning Research", "citation_journal_title"),
        ("Transactions on Machine Learning Research", "citation_journal_title"),
        ("arXiv", None),
        ("arXiv preprint arXiv:2403.03507", None),
        ("  ", None),
    ],
)
def test_venue_tag(venue, tag):
    found = venue_tag(venue)
    assert (found[0] if found else None) == tag


def test_citation_tags_name_only_identifiers_that_parse():
    paper = Paper(key="p", title="T", abstract="", added="2024-01-01", arxiv="2403.03507v2", doi="10.1/x y", url="https://x.org/a.pdf")
    tags = dict(citation_tags(paper))
    assert tags["citation_arxiv_id"] == "2403.03507v2" and tags["citation_pdf_url"] == "https://arxiv.org/pdf/2403.03507v2"
    assert "citation_doi" not in tags


@pytest.mark.site
def test_theme_pages_describe_themselves(site):
    from generator.analysis.themes import load_themes
    from generator.render.pages import theme_short

    built, content = site
    themes, problems = load_themes(content / "themes.yml")
    assert themes and not problems
    for theme in themes:
        _, _, description = _read(built, f"../themes/{theme.id}")
        assert description == excerpt(theme_short(theme), Settings().excerpt_chars) != SITE_NAME, theme.id


def test_the_generated_front_matter_holds_no_markup_from_the_record():
    from generator.render.pages import render_paper
    from generator.render.site import SiteData

    paper = Paper(
        key="hostile", title='<script>alert(1)</script> "q" & more', abstract="</script><b>x</b>", added="2024-01-01",
        authors=("<i>Eve</i>",), venue="<svg onload=alert(2)>", year=2024,
    )
    site = SiteData(papers=(paper,), themes=(), assignments={}, related={}, mentions_out={}, mentions_in={}, bibtex={})
    front = render_paper(site, paper).split("\n---\n")[0]
    assert "<" not in front and ">" not in front
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &quot;q&quot; &amp; more" in front
