"""Every paper page leads to the paper: links from the record's identifiers,
title searches when it has none, and hostile titles that stay inert.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from generator.model import Paper
from generator.render.pages import render_paper
from generator.render.site import SiteData
from generator.render.urls import paper_links, search_links, search_query

HOSTILE_TITLES = [
    'Quotes " and \' in a title',
    "<script>alert(1)</script> & friends",
    "javascript:alert(1)",
    "A & B &amp; C; &lt;b&gt; a=1&b=2 #frag ?q=x",
    "Two\nlines\r\nand\ttabs",
    "Right-to-left \u202eevil\u202c override and \u2066isolate\u2069",
    "Percent 100% and + plus and / slash",
    "{{ config }} {% if x %}",
]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (href, text)
        self._href: str | None = None
        self._text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "a":
            self._href, self._text = dict(attrs).get("href") or "", []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text)))
            self._href = None


def _site(*papers: Paper) -> SiteData:
    return SiteData(papers=papers, themes=(), assignments={}, related={}, mentions_out={}, mentions_in={}, bibtex={})


def _page_links(paper: Paper) -> list[tuple[str, str]]:
    reader = _Links()
    reader.feed(render_paper(_site(paper), paper))
    return reader.links


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_title_searches_are_inert_and_carry_the_title_exactly(title):
    paper = Paper(key="hostile", title=title, abstract="An abstract.", added="2024-01-01")
    links = [(href, text) for href, text in _page_links(paper) if urlsplit(href).scheme]
    hosts = {urlsplit(href).netloc: href for href, _ in links}
    assert set(hosts) == {"arxiv.org", "www.semanticscholar.org", "scholar.google.com"}
    expected = search_query(title)
    assert "\u202e" not in expected and "\n" not in expected and expected
    arxiv = parse_qs(urlsplit(hosts["arxiv.org"]).query, strict_parsing=True)
    assert arxiv == {"query": [expected], "searchtype": ["title"]}
    for host in ("www.semanticscholar.org", "scholar.google.com"):
        parts = urlsplit(hosts[host])
        assert parts.scheme == "https" and not parts.fragment
        assert parse_qs(parts.query, strict_parsing=True) == {"q": [expected]}
    for href, _ in links:
        assert not set(href) & set(" \"'<>\n\u202e{}"), href


def test_search_links_html_escape_the_parameter_separator():
    (_, arxiv), *_ = search_links("A & B")
    assert str(arxiv) == "https://arxiv.org/search/?query=A%20%26%20B&amp;searchtype=title"
    assert search_links(" \n\u202e ") == []


def test_record_links_come_first_and_searches_only_without_them():
    paper = Paper(
        key="galore", title="GaLore", abstract="x", added="2024-01-01", arxiv="2403.03507",
        doi="10.1000/xyz", url="https://openreview.net/forum?id=abc&noteId=def",
    )
    links = _page_links(paper)
    assert ("https://arxiv.org/abs/2403.03507", "arXiv 2403.03507") in links
    assert ("https://arxiv.org/pdf/2403.03507", "PDF") in links
    assert ("https://doi.org/10.1000/xyz", "DOI") in links
    assert ("https://openreview.net/forum?id=abc&noteId=def", "OpenReview") in links
    assert not [href for href, _ in links if "scholar" in href or "/search" in href]


@pytest.mark.parametrize(
    "url,label",
    [
        ("https://aclanthology.org/2023.acl-long.1/", "ACL Anthology"),
        ("https://openreview.net/forum?id=x", "OpenReview"),
        ("https://example.org/paper.pdf", "Web page"),
    ],
)
def test_a_url_is_named_by_its_venue(url, label):
    assert [name for name, _ in paper_links(None, None, url)] == [label]


def test_a_url_equal_to_the_arxiv_link_is_not_repeated():
    labels = [name for name, _ in paper_links("2403.03507", None, "https://arxiv.org/abs/2403.03507")]
    assert labels == ["arXiv 2403.03507", "PDF"]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "//evil.example/", "ftp://x/"])
def test_a_url_that_is_not_the_web_gives_searches(url):
    paper = Paper(key="p", title="T", abstract="x", added="2024-01-01", url=url, arxiv='"><b>', doi="javascript:x")
    hrefs = [href for href, _ in _page_links(paper)]
    assert not [h for h in hrefs if "evil" in h or h.startswith(("javascript", "data", "ftp"))]
    assert {urlsplit(h).netloc for h in hrefs if urlsplit(h).scheme} == {"arxiv.org", "www.semanticscholar.org", "scholar.google.com"}


def test_an_ampersand_in_a_record_url_is_escaped_in_the_page():
    paper = Paper(key="p", title="T", abstract="x", added="2024-01-01", url="https://example.org/?a=1&lt;b=2")
    page = render_paper(_site(paper), paper)
    assert 'href="https://example.org/?a=1&amp;lt;b=2"' in page
    assert ("https://example.org/?a=1&lt;b=2", "Web page") in _page_links(paper)


@pytest.mark.parametrize("more, byline", [(True, "<span>Hugo Touvron, Baptiste Rozière et al.</span>"), (False, "<span>Hugo Touvron, Baptiste Rozière</span>")])
def test_an_author_list_that_goes_on_says_et_al_on_the_page(more, byline):
    paper = Paper(key="p", title="T", abstract="x", added="2024-01-01", authors=("Hugo Touvron", "Baptiste Rozière"), more_authors=more)
    assert byline in render_paper(_site(paper), paper)
