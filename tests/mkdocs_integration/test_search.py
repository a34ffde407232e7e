"""Search by Pagefind: which pages and parts of pages are searchable, and the bundle a build leaves.

The browser side (Material's box answered by the worker) is in tests/test_browser.py.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from pathlib import Path

import pytest
from fixtures.site.sitetools import pagefind_records

from generator.mkdocs_integration import search

# --------------------------------------------------------------------------- parts of a page


def test_a_section_under_an_excluded_heading_is_ignored_up_to_the_next_heading():
    html = (
        '<h1 id="t">Title</h1><p>abstract words</p>'
        '<h2 id="related" data-search-exclude="">Related</h2><ul><li>other title</li></ul>'
        '<h2 id="notes">Notes</h2><p>note words</p>'
        '<h2 id="bib" data-search-exclude>BibTeX</h2><pre>@misc{x}</pre>'
    )
    out = search.ignore_excluded_sections(html)
    assert out == (
        '<h1 id="t">Title</h1><p>abstract words</p>'
        '<div data-pagefind-ignore="all"><h2 id="related" data-search-exclude="">Related</h2><ul><li>other title</li></ul></div>'
        '<h2 id="notes">Notes</h2><p>note words</p>'
        '<div data-pagefind-ignore="all"><h2 id="bib" data-search-exclude>BibTeX</h2><pre>@misc{x}</pre></div>'
    )


def test_a_deeper_heading_stays_inside_the_excluded_section():
    html = '<h2 data-search-exclude>A</h2><p>a</p><h3>A.1</h3><p>b</p><h2>B</h2><p>c</p>'
    out = search.ignore_excluded_sections(html)
    assert out == '<div data-pagefind-ignore="all"><h2 data-search-exclude>A</h2><p>a</p><h3>A.1</h3><p>b</p></div><h2>B</h2><p>c</p>'


def test_a_heading_inside_a_container_is_no_boundary():
    """A curator note's own heading sits in a div: wrapping there would cut the div in two."""
    html = '<h2 data-search-exclude>Related</h2><div class="rl-notes"><h2>Inside</h2><p>x</p></div><h2>After</h2>'
    out = search.ignore_excluded_sections(html)
    assert out == ('<div data-pagefind-ignore="all"><h2 data-search-exclude>Related</h2>'
                   '<div class="rl-notes"><h2>Inside</h2><p>x</p></div></div><h2>After</h2>')
    assert out.count("<div") == out.count("</div>")


def test_a_page_without_excluded_headings_is_unchanged():
    html = '<h1>T</h1><p>x</p><div data-search-exclude><p>y</p></div>'
    assert search.ignore_excluded_sections(html) is html


def test_front_matter_exclusion_is_read_as_material_reads_it():
    assert search.excluded({"search": {"exclude": True}})
    assert not search.excluded({"search": {"exclude": False}})
    assert not search.excluded({"search": "exclude"})
    assert not search.excluded({})


def test_only_the_article_is_marked_searchable():
    page = '<main><article class="md-content__inner md-typeset"><h1>x</h1></article></main>'
    assert search.mark_searchable(page) == (
        '<main><article class="md-content__inner md-typeset" data-pagefind-body><h1>x</h1></article></main>')


def test_pagefind_failing_is_a_clear_error(tmp_path):
    with pytest.raises(search.SearchIndexError, match=re.escape(str(tmp_path / "missing"))):
        search.index_site(tmp_path / "missing")


# --------------------------------------------------------------------------- the built site


@pytest.fixture(scope="module")
def indexed(built_shipped_site):
    return pagefind_records(built_shipped_site)


def test_every_paper_page_is_searchable_and_list_pages_are_not(built_shipped_site, indexed):
    papers = json.loads((built_shipped_site / "papers.json").read_text("utf-8"))
    paper_urls = {"/" + p["page"].lstrip("/") for p in papers}
    assert paper_urls <= set(indexed), sorted(paper_urls - set(indexed))[:5]
    assert "/papers/" not in indexed  # the all-papers list says `search: exclude: true`
    assert not any(url.startswith("/papers/page/") for url in indexed)
    assert "/" in indexed and "/themes/" in indexed


def test_a_paper_is_found_by_every_word_of_its_abstract_but_not_by_its_other_sections(built_shipped_site, indexed):
    papers = json.loads((built_shipped_site / "papers.json").read_text("utf-8"))
    paper = max((p for p in papers if p.get("abstract")), key=lambda p: len(p["abstract"]))
    url = "/" + paper["page"].lstrip("/")
    text = indexed[url]["content"]
    words = re.findall(r"[A-Za-z]{4,}", paper["abstract"])
    assert words and all(word in text for word in words), [w for w in words if w not in text][:5]
    assert indexed[url]["meta"]["title"] == paper["title"]
    assert "@" not in text and "Download" not in text  # the BibTeX section and its button
    assert "Related papers" not in text and "BibTeX" not in text


def test_materials_own_index_carries_no_page(built_shipped_site):
    index = json.loads((built_shipped_site / "search" / "search_index.json").read_text("utf-8"))
    assert index["docs"] == [] and "separator" in index["config"]


def test_the_bundle_holds_what_the_worker_uses_and_not_pagefinds_own_ui(built_shipped_site):
    bundle = built_shipped_site / "pagefind"
    names = {p.name for p in bundle.iterdir()}
    assert {"pagefind.js", "pagefind-entry.json", "fragment", "index"} <= names
    assert not [n for n in names if "-ui" in n or n == "pagefind-highlight.js"], names


def test_a_new_index_replaces_the_old_one_whole(tmp_path):
    """An earlier bundle's chunks do not survive (a `--dirty` build, a served site)."""
    site = tmp_path / "site"
    (site / "p").mkdir(parents=True)
    page = '<html lang="en"><body><article class="md-content__inner md-typeset" data-pagefind-body><h1>{}</h1><p>{}</p></article></body></html>'
    (site / "p" / "index.html").write_text(page.format("Alpha", "first words"), "utf-8")
    search.replace_bundle(site)
    first = {p.name for p in (site / "pagefind" / "fragment").iterdir()}
    (site / "p" / "index.html").write_text(page.format("Beta", "other words"), "utf-8")
    search.replace_bundle(site)
    second = {p.name for p in (site / "pagefind" / "fragment").iterdir()}
    assert len(first) == len(second) == 1 and first != second
    assert sorted(p.name for p in site.iterdir()) == ["p", "pagefind"]
    assert [r["meta"]["title"] for r in pagefind_records(site).values()] == ["Beta"]


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def test_a_stopped_server_leaves_no_indexer_behind():
    """`python -m pagefind` starts the binary as a child: stopping a background run stops both."""
    parent = ("import subprocess, sys, time; "
              "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
              "print(child.pid, flush=True); time.sleep(60)")
    result = {}
    worker = threading.Thread(target=lambda: result.update(run=search.run_indexer([sys.executable, "-c", parent], background=True)))
    worker.start()
    deadline = time.monotonic() + 20
    while not search._BACKGROUND and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # the child has started
    search.stop_background_indexing()
    worker.join(15)
    assert not worker.is_alive()
    code, output = result["run"]
    assert code != 0
    child = int(output.split()[0])
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child)
    assert not search._BACKGROUND


def test_a_foreground_run_is_not_stopped_with_the_background_ones():
    code, output = search.run_indexer([sys.executable, "-c", "print('done')"])
    assert (code, output.strip()) == (0, "done")


def test_a_stopped_background_run_is_told_apart_from_a_failure(monkeypatch, tmp_path):
    """A rebuild stops the last edit's indexing (the hook's on_pre_build): that is not an error to report."""
    def stopped(command, background=False):
        search.stop_background_indexing()  # as a rebuild starting meanwhile does
        return -9, ""

    monkeypatch.setattr(search, "run_indexer", stopped)
    with pytest.raises(search.IndexingStopped):
        search.index_site(tmp_path, background=True)
    monkeypatch.setattr(search, "run_indexer", lambda command, background=False: (2, "pagefind: broken"))
    with pytest.raises(search.SearchIndexError) as failure:
        search.index_site(tmp_path, background=True)
    assert not isinstance(failure.value, search.IndexingStopped) and "pagefind: broken" in str(failure.value)
