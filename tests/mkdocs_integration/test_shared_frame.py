"""Reused renderings give what a fresh one gives: Material's header with each
page's own title, and MkDocs' Markdown rendering on one reset instance."""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from generator.mkdocs_integration.shared_frame import SharedHeader
from generator.mkdocs_integration.shared_markdown import SharedMarkdown

HEADER = """<header class="md-header">
<a href="../.." title="Site" aria-label="Search">Site</a>
<div class="md-header__topic" data-md-component="header-topic">
          <span class="md-ellipsis">
            {title}
          </span>
</div>
</header>"""


def test_header_is_learnt_once_and_given_each_title():
    shared = SharedHeader()
    first = HEADER.format(title="GaLore &amp; friends")
    assert shared.html("../..", "GaLore &amp; friends") is None
    assert shared.html("../..", "GaLore &amp; friends", first) == first
    for title in ("Search", "Site", "<em>x</em>", "a\\1 $0"):
        assert shared.html("../..", title) == HEADER.format(title=title)
    assert shared.html("..", "Other") is None  # another depth: its own links


@pytest.mark.parametrize("rendered", [
    HEADER.format(title="Not the title"),  # the title shown is not the page's: learn nothing
    HEADER.format(title="T") + HEADER.format(title="T"),  # two topic spans: ambiguous
    "<header>T</header>",  # not Material's header
])
def test_header_is_not_learnt_from_a_rendering_it_cannot_read(rendered):
    shared = SharedHeader()
    assert shared.html("../..", "T", rendered) == rendered
    assert shared.html("../..", "T") is None


def test_header_sharing_off_stores_nothing():
    shared = SharedHeader(enabled=False)
    shared.html("../..", "T", HEADER.format(title="T"))
    assert shared.html("../..", "T") is None and shared.html(None, "T") is None


PAGES = {
    "a.md": "# A\n\n## Same\n\n## Same\n\nThe HTML spec[^1].\n\n*[HTML]: Hyper Text\n\n[^1]: First note.\n\n[B](b.md)\n",
    "b.md": "# B\n\n## Same\n\nHTML again[^1], a [link](a.md#same).\n\n[^1]: Other note.\n",
}


def _site(tmp_path: Path, pages: dict[str, str] = PAGES):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in pages.items():
        (docs / name).write_text(text, "utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nmarkdown_extensions:\n  - abbr\n  - footnotes\n  - attr_list\n  - md_in_html\n"
        "  - toc:\n      permalink: true\n  - pymdownx.superfences\n", "utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    files = Files([File(name, str(docs), str(tmp_path / "site"), True) for name in pages])
    return config, files


def _rendered(config, files, render) -> list[tuple]:
    out = []
    for file in files:
        page = Page(None, file, config)
        page.read_source(config)
        render(page, config, files)
        out.append((page.content, [(t.title, t.id, [c.id for c in t.children]) for t in page.toc], page.present_anchor_ids, page.title))
    return out


def test_markdown_on_one_instance_renders_each_page_as_its_own_would(tmp_path):
    config, files = _site(tmp_path)
    own = _rendered(config, files, Page.render)
    shared = SharedMarkdown()
    twice = _rendered(config, files, shared.render) + _rendered(config, files, shared.render)
    assert twice == own + own
    assert "Hyper Text" in own[0][0] and "Hyper Text" not in own[1][0]  # abbreviations stay on their page
    assert 'id="same_1"' in own[0][0] and 'id="same_1"' not in own[1][0]
    assert "First note" not in own[1][0]


HEADING_PAGES = {
    # every block a placeholder or a heading with its own id: rendered from headings seen once
    "p1.md": "\n\nRLFRAGMENT0X\n\n\n\n## Themes { #themes data-search-exclude }\n\nRLFRAGMENT1X\n\n"
             "### Inner *part* &amp; more { #inner }\n\nRLFRAGMENT2X\n\n## Related papers { #related }\n\nRLFRAGMENT3X\n",
    "p2.md": "## Related papers { #related }\n\nRLFRAGMENT0X\n\n#### Deep { #deep .rl-x }\n\n## Themes { #themes data-search-exclude }\n",
    # anything else: Python-Markdown's own rendering
    "q1.md": "## Themes { #themes }\n\nSome *text*.\n",
    "q2.md": "## A [link](p1.md) { #a }\n\nRLFRAGMENT0X\n",
    "q3.md": "# Title { #t }\n\nRLFRAGMENT0X\n",
    "q4.md": "## Same { #same }\n\n## Same { #same }\n",
    "q5.md": "## No id\n\nRLFRAGMENT0X\n",
    "q6.md": "## Note[^1] { #n }\n\n[^1]: A note.\n",
}


def test_pages_of_headings_and_placeholders_render_as_markdown_renders_them(tmp_path):
    config, files = _site(tmp_path, HEADING_PAGES)
    own = _rendered(config, files, Page.render)
    shared = SharedMarkdown()
    assert _rendered(config, files, shared.render) == own
    fast = []
    for file in files:
        page = Page(None, file, config)
        page.read_source(config)
        if shared._heading_pages.render(page):
            fast.append(file.src_uri)
    assert fast == ["p1.md", "p2.md"]
    toc = own[0][1]
    assert [t[1] for t in toc] == ["themes", "related"] and toc[0][2] == ["inner"]
