"""Lists that scale: the all-papers pages, theme pages in pages, papers-list.json,
theme downloads cut from the library files, and a page budget at a few thousand papers."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from pathlib import Path

import pytest

from generator.analysis import themes as themes_stage
from generator.build import Content, _joined_bibtex, generate, load_content
from generator.export.csl import csl_json
from generator.model import STATUSES
from generator.export.downloads import THEME_DOWNLOADS, assemble
from generator.render.listing import PAPERS_PER_PAGE, THEME_PAPERS_PER_PAGE, chunks, sort_title
from generator.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "tests" / "fixtures" / "shipped"
SETTINGS = Settings(site_url="https://example.github.io/reading-list/", site_name="Test reading list")
SYNTHETIC = 2000
# A page's HTML is its Markdown (generated lists are raw HTML, passed through) plus
# Material's header, navigation and footer, about 20 KB: 360 KB of Markdown keeps
# every page under the 400 KB budget.
PAGE_BUDGET = 400_000
CHROME = 40_000


@pytest.mark.parametrize(
    "title,expected",
    [
        ("The Pile: an 800GB dataset", "pile: an 800gb dataset"),
        ("A Survey of LLMs", "survey of llms"),
        ("An Image is Worth 16x16 Words", "image is worth 16x16 words"),
        ('"Attention" is all you need', "attention\" is all you need"),
        ("Theory of mind", "theory of mind"),  # "The" only as a word of its own
        ("A", "a"),
        ("Anatomy of a scheduler", "anatomy of a scheduler"),
    ],
)
def test_sort_title_ignores_case_punctuation_and_a_leading_article(title, expected):
    assert sort_title(title) == expected


def test_chunks():
    assert chunks([], 3) == [[]]
    assert chunks(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5], [6]]


@pytest.fixture(scope="module")
def big(library):
    """A few thousand papers: the seed library repeated under new keys and titles."""
    themes, problems = themes_stage.load_themes(SHIPPED / "themes.yml")
    assert not problems
    papers = []
    for n in range(-(-SYNTHETIC // len(library))):
        for paper in library:
            if len(papers) == SYNTHETIC:
                break
            key = paper.key if n == 0 else f"{paper.key}-v{n}"
            title = paper.title if n == 0 else f"{paper.title} (variant {n})"
            papers.append(dataclasses.replace(paper, key=key, title=title, path=None))  # named by key
    content = Content(SHIPPED, tuple(papers), themes)
    return content, generate(content, SETTINGS)


def test_no_page_exceeds_the_budget_at_a_few_thousand_papers(big):
    content, outputs = big
    pages = {path: data for path, data in outputs.files.items() if path.endswith(".md")}
    too_big = {path: len(data) for path, data in pages.items() if len(data) + CHROME > PAGE_BUDGET}
    assert not too_big
    # The all-papers list is in pages of 100 that together list every paper once, in title order.
    count = -(-SYNTHETIC // PAPERS_PER_PAGE)
    index_pages = ["papers/index.md"] + [f"papers/page/{n}.md" for n in range(2, count + 1)]
    assert set(index_pages) <= set(pages) and f"papers/page/{count + 1}.md" not in pages
    links = []
    for path in index_pages:
        found = re.findall(r'<tr><td data-label="Paper"><a href="([^"]+)"', pages[path].decode())
        assert len(found) == (PAPERS_PER_PAGE if path != index_pages[-1] else SYNTHETIC - (count - 1) * PAPERS_PER_PAGE)
        links += found
    assert len(set(links)) == SYNTHETIC
    by_title = sorted(content.papers, key=lambda p: (sort_title(p.title), p.key))
    assert [link.split("/")[-2] for link in links] == [p.key for p in by_title]
    # Every page links every other page of the list.
    second = pages["papers/page/2.md"].decode()
    assert 'href="../../">1</a>' in second and f'href="../{count}/">{count}</a>' in second
    assert '<strong aria-current="page">2</strong>' in second


def test_long_themes_are_paged(big):
    content, outputs = big
    data = json.loads(outputs.files[THEME_DOWNLOADS])
    theme, members = max(data["themes"].items(), key=lambda item: len(item[1]))
    assert len(members) > 2 * THEME_PAPERS_PER_PAGE
    count = -(-len(members) // THEME_PAPERS_PER_PAGE)
    listed = 0
    for n in range(1, count + 1):
        path = f"themes/{theme}.md" if n == 1 else f"themes/{theme}/page/{n}.md"
        listed += outputs.files[path].decode().count('<li><p><strong><a href="')
    assert listed == len(members)
    assert f"themes/{theme}/page/{count + 1}.md" not in outputs.files


def test_papers_list_json_holds_every_paper_in_title_order_compactly(big):
    content, outputs = big
    raw = outputs.files["papers-list.json"]
    data = json.loads(raw)
    assert data["fields"][:2] == ["page", "title"]
    rows = data["papers"]
    assert len(rows) == SYNTHETIC
    by_title = sorted(content.papers, key=lambda p: (sort_title(p.title), p.key))
    assert [row[0] for row in rows] == [f"papers/{p.key}/" for p in by_title]
    assert {t[0] for t in data["themes"]} == {t.id for t in content.themes}
    assert len(raw) / SYNTHETIC < 350  # bytes per paper: 10,000 papers stay near 3 MB


def test_papers_list_json_stays_json_whatever_a_title_holds():
    """Rows are one to a line; brackets and commas inside a title or an author stay in their string."""
    content, _ = load_content(SHIPPED)
    hostile = dataclasses.replace(content.papers[0], title='Arrays],["injected"],[of a title', authors=("Doe],[X",))
    papers = (hostile,) + tuple(content.papers[1:])
    outputs = generate(dataclasses.replace(content, papers=papers), SETTINGS)
    raw = outputs.files["papers-list.json"].decode()
    rows = {row[0]: row for row in json.loads(raw)["papers"]}
    assert rows[f"papers/{hostile.slug}/"][1:3] == ['Arrays],["injected"],[of a title', "Doe],[X"]
    lines = (len(papers) - 1) + (len(content.themes) - 1) + (len(STATUSES) - 1) + 1  # one per row, theme and status
    assert raw.count("\n") == lines


def test_theme_downloads_are_the_bytes_the_theme_files_held(big):
    """Cut from the library files, a theme's .bib and CSL-JSON equal encoding its papers."""
    content, outputs = big
    index = json.loads(outputs.files[THEME_DOWNLOADS])
    papers = sorted(content.papers, key=lambda p: p.key)
    by_key = {p.key: p for p in papers}

    class _Site:
        bib_files = {}

    for paper in papers:
        _Site.bib_files[paper.key] = outputs.files[f"bib/{paper.key}.bib"].decode()
    keys = [p.key for p in papers]
    for theme in content.themes:
        members = [by_key[keys[i]] for i in index["themes"][theme.id]]
        assert assemble(index, outputs.files["bib/library.bib"], "bib", theme.id) == _joined_bibtex(_Site, members).encode()
        assert assemble(index, outputs.files["csl/library.json"], "csl", theme.id) == csl_json(members).encode()
    assert assemble({**index, "themes": {}}, outputs.files["csl/library.json"], "csl", "none") == b"[]\n"
    # The index names the library files it was cut for, so a browser can tell a stale one.
    for kind, library in (("bib", "bib/library.bib"), ("csl", "csl/library.json")):
        data = outputs.files[library]
        assert (index[kind]["size"], index[kind]["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    # No theme stores its entries again.
    assert not [p for p in outputs.files if p.startswith(("bib/themes/", "csl/themes/"))]


def test_lists_are_deterministic(big):
    content, outputs = big
    shuffled = dataclasses.replace(content, papers=tuple(reversed(content.papers)))
    again = generate(shuffled, SETTINGS)
    for path in ("papers/index.md", "papers/page/7.md", "papers-list.json", THEME_DOWNLOADS, "bib/library.bib", "csl/library.json"):
        assert again.files[path] == outputs.files[path], path


def test_the_fixture_site_fits_one_page():
    """A small library: one page, no pager."""
    content, problems = load_content(ROOT / "tests" / "fixtures" / "site" / "content")
    assert not problems
    outputs = generate(content, SETTINGS)
    assert "papers/page/2.md" not in outputs.files
    assert "rl-pager" not in outputs.files["papers/index.md"].decode()


def test_later_list_pages_have_front_matter_that_parses(big):
    """Their title says the page; they stay out of the search index (each paper has its own page there)."""
    import yaml

    content, outputs = big
    later = [p for p in outputs.files if "/page/" in p]
    assert later
    for path in later:
        text = outputs.files[path].decode()
        meta = yaml.safe_load(text.split("---\n")[1])
        assert meta["search"] == {"exclude": True}, path
        assert meta["title"].endswith(f"(page {path.rsplit('/', 1)[1][:-3]})"), path
