"""Text is data, never markup.

Every case below is a string that means something to HTML, Markdown, one of
the site's Markdown extensions, Jinja or LaTeX. Each one is the title and the
abstract of a paper in tests/fixtures/site/hostile/content. The site built
from it by a real `mkdocs build --strict` must show every string literally
(page text, <title>, navigation, search index, papers.json) and contain no
script, event attribute or javascript: URL that came from the data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from fixtures.site.sitetools import SITE_NAME, html_text, pagefind_records, read_page, site_markdown, squash  # noqa: E402

from generator.render.escape import md_text, yaml_str  # noqa: E402

CASES = [
    ("less-than", "<1.5%"),
    ("a-star", "A*"),
    ("dollar", "$100K Budget"),
    ("quip-sharp", "QuIP#"),
    ("latex-braces", "{it misaligned}"),
    ("underscores", "snake_case and __init__ and _x_"),
    ("pipes", "a | b | c"),
    ("markdown-js-link", "[x](javascript:alert(1))"),
    ("attr-list", "{: onclick=alert(1) }"),
    ("jinja-expression", "{{ config }}"),
    ("jinja-statement", "{% if true %}yes{% endif %}"),
    ("script-tag", "<script>alert(1)</script>"),
    ("img-onerror", "<img src=x onerror=alert(1)>"),
    ("html-entities", "&amp; &lt;b&gt;"),
    ("latex-accent", "Pok\\'eChamp"),
    ("tilde", "~15%"),
    ("backticks", "`rm -rf`"),
    ("emphasis", "*not em* and **not strong**"),
    ("list-start", "1. not a list"),
    ("heading-start", "# not a heading"),
    ("dash-start", "- not a bullet"),
    ("details-start", "??? note"),
    ("admonition-start", "!!! danger"),
    ("autolink", "<https://evil.example/>"),
    ("html-comment", "<!-- hidden -->"),
    ("footnote", "[^1]"),
    ("attribute-quote", '" onmouseover="alert(1)'),
    ("markdown-image", "![x](https://evil.example/x.png)"),
    ("emoji", ":smile:"),
]
IDS = [case_id for case_id, _ in CASES]


def title_of(case_id: str, text: str) -> str:
    return f"{text} title" if case_id.endswith("-start") else f"Title with {text} inside"


# --------------------------------------------------------------------------- the escape itself


CONTEXTS = {
    "paragraph": ("{}", {"p"}),
    "list-item": ("- {}", {"ul", "li"}),
    "link-text": ("[{}](page.md)", {"p", "a"}),
    "emphasis": ("**{}**", {"p", "strong"}),
    "table-cell": ("| a | b |\n| --- | --- |\n| {} | x |", {"table", "thead", "tbody", "tr", "th", "td"}),
    "raw-html": ('<p class="x">{}</p>', {"p"}),
    "card-list": ('<div class="grid cards" markdown>\n\n-   {}\n\n</div>', {"div", "ul", "li", "p"}),
}


@pytest.mark.parametrize("context", sorted(CONTEXTS))
@pytest.mark.parametrize("case_id,text", CASES, ids=IDS)
def test_md_text_is_literal_in_every_markdown_context(case_id, text, context):
    template, allowed = CONTEXTS[context]
    rendered = site_markdown().convert(template.format(md_text(text)))
    shown, tags = html_text(rendered)
    assert squash(text) in shown
    assert set(tags) - {"root"} <= allowed, rendered


@pytest.mark.parametrize("value", ["plain", 'quote " and \\ backslash', "tab\there", "nul\x00 bell\x07", "\u2028 line sep",
                                   "emoji 😀 and é", "# not a comment", "key: value", "- item", "{{ x }}", "\ufeffbom"])
def test_yaml_str_round_trips(value):
    assert yaml.safe_load(f"title: {yaml_str(value)}\n") == {"title": value}


# --------------------------------------------------------------------------- the built site


@pytest.fixture(scope="module")
def site(built_hostile_site) -> Path:
    return built_hostile_site


@pytest.fixture(scope="module")
def pages(site):
    return {path: read_page(path) for path in sorted(site.rglob("*.html"))}


@pytest.fixture(scope="module")
def search_records(site) -> dict[str, dict]:
    return pagefind_records(site)


@pytest.mark.parametrize("case_id,text", CASES, ids=IDS)
def test_paper_page_shows_the_text_literally(case_id, text, site, pages):
    page = pages[site / "papers" / f"case-{case_id}" / "index.html"]
    title = title_of(case_id, text)
    assert page.title == f"{title} - {SITE_NAME}"
    assert page.article.startswith(title + " "), page.article[:200]
    assert f"{text} in an abstract. It says {text} again" in page.article
    assert title in page.header


@pytest.mark.parametrize("case_id,text", CASES, ids=IDS)
def test_theme_table_and_feed_show_the_text_literally(case_id, text, site, pages):
    title = title_of(case_id, text)
    assert title in pages[site / "themes" / "everything" / "index.html"].article
    assert f"{text} in an abstract." in pages[site / "themes" / "everything" / "index.html"].article
    assert title in pages[site / "papers" / "index.html"].article
    assert title in (site / "feeds" / "themes" / "everything.xml").read_text("utf-8").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("&quot;", '"')


@pytest.mark.parametrize("case_id,text", CASES, ids=IDS)
def test_search_index_holds_the_text_as_text(case_id, text, search_records):
    """Pagefind keeps plain text; the search worker escapes titles and Pagefind its excerpts."""
    record = search_records[f"/papers/case-{case_id}/"]
    assert record["meta"]["title"] == title_of(case_id, text)
    assert f"{text} in an abstract." in record["content"]


def test_papers_json_keeps_the_text_exactly(site):
    items = {item["key"]: item for item in json.loads((site / "papers.json").read_text("utf-8"))}
    for case_id, text in CASES:
        assert items[f"case-{case_id}"]["title"] == title_of(case_id, text)
        assert items[f"case-{case_id}"]["abstract"].startswith(f"{text} in an abstract.")
    assert items["all-fields"]["abstract"].count("\n") >= 4  # the data keeps what the page collapses


def test_no_markup_from_the_data_anywhere(site, pages):
    problems = []
    for path, page in pages.items():
        where = path.relative_to(site)
        for el in page.elements:
            for name, value in el.attrs.items():
                if name.startswith("on"):
                    problems.append(f"{where}: <{el.tag} {name}>")
                if name in ("href", "src", "action", "formaction", "xlink:href") and re.match(r"^\s*(javascript|vbscript|data):", value or "", re.I):
                    problems.append(f"{where}: <{el.tag} {name}={value!r}>")
            # JSON-LD holds titles as data, its `<` escaped (tests/render/test_page_meta.py).
            json_ld = el.attrs.get("type") == "application/ld+json" and "<" not in el.text
            if el.tag == "script" and (("alert" in el.text and not json_ld) or (el.attrs.get("src") or "").startswith(("http", "//"))):
                problems.append(f"{where}: <script> {el.text[:60]!r}")
            if el.tag in ("img", "iframe", "object", "embed", "form", "input", "base", "link", "meta", "style") and el.in_article:
                problems.append(f"{where}: <{el.tag}> in the content")
            if el.tag == "meta" and el.attrs.get("http-equiv"):
                problems.append(f"{where}: <meta http-equiv>")
            # A title search may hold "evil.example" in its query, encoded; no link may go there.
            if el.tag == "a" and "evil.example" in (urlsplit(el.attrs.get("href") or "").netloc):
                problems.append(f"{where}: link to {el.attrs['href']}")
    assert not problems, "\n".join(problems[:30])
    for path in site.rglob("*.html"):
        assert "<script>alert" not in path.read_text("utf-8").lower()


def test_every_field_of_a_hostile_record(site, pages):
    page = pages[site / "papers" / "all-fields" / "index.html"]
    text = page.article
    assert page.title == f"Two lines <script>alert(2)</script> {{: onclick=alert(3) }} - {SITE_NAME}"
    assert "<b>Eve</b>, [x](javascript:alert(5)) · <script>alert(6)</script> 2024" in text
    assert "Blank lines <script>alert(4)</script> four-space code # heading in an abstract wzxhzdk:0 end" in text
    assert "Seen in: <b>dump</b>.txt (<i>Mar 1</i>)" in text
    assert "Tags: <script>alert(10)</script>, a|b, {: onclick=alert(11) }, [t](javascript:alert(12))" in text
    hrefs = [e.attrs.get("href") or "" for e in page.find("a")]
    assert not [h for h in hrefs if "arxiv.org/abs" in h or "arxiv.org/pdf" in h or "doi.org" in h], "malformed ids are not linked"
    # With no usable link, the page offers title searches instead.
    assert [h for h in hrefs if h.startswith("https://arxiv.org/search/?query=Two%20lines%20%3Cscript%3E")]
    # Notes: Markdown from a curator, cleaned: no script, iframe, image or handler; text kept.
    assert "x y {{ config }}" in text and "hover" in text
    assert not [e for e in page.elements if e.tag in ("iframe", "img")]
    # Tags are data on the tags page too (raw HTML headings, never Markdown headings).
    tags = pages[site / "tags" / "index.html"]
    shown = [squash(e.text) for e in tags.elements if e.tag == "h2"]
    assert "<script>alert(10)</script>" in shown and "{: onclick=alert(11) }" in shown
    assert not [t for t in tags.nav_links if "alert" in t]


def test_hostile_theme_title_in_navigation_and_title(site, pages):
    title = "<b>Everything</b> & {{ config }} [x](javascript:alert(20))"
    home = pages[site / "index.html"]
    assert title in home.nav
    theme = pages[site / "themes" / "everything" / "index.html"]
    assert theme.title == f"{title} - {SITE_NAME}"
    assert theme.article.startswith(title)
    assert "<script>alert(21)</script> short" in home.article  # the card's short text
    feeds = {e.attrs.get("title") for e in theme.find("link") if e.attrs.get("type") == "application/atom+xml"}
    assert title in feeds
    svg_text = " ".join(e.text for e in home.elements if e.tag in ("text", "desc"))
    assert title in svg_text


def test_review_parts_show_the_text_literally(site, pages):
    """A reading path's reason, a column title, a fact and the citation picture's titles are data too."""
    page = pages[site / "themes" / "everything" / "index.html"]
    text = page.article
    assert "<script>alert(30)</script> {{ config }} [x](javascript:alert(31))" in text
    assert "<b>Note</b> {{ config }}" in text and "=cmd|' /C calc'!A0 <script>alert(32)</script>" in text
    assert "Two lines <script>alert(2)</script> {: onclick=alert(3) }" in text  # in the table and the picture
    html = (site / "themes" / "everything" / "index.html").read_text("utf-8")
    assert html.count('class="rl-citegraph__svg"') == 1 and "<script>alert(3" not in html
    rows = (site / "csv" / "themes" / "everything.csv").read_text("utf-8").splitlines()
    assert rows[1].startswith("all-fields,") and ",'=cmd|" in rows[1]
