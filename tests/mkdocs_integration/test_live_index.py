"""A full build's search index, fed page by page (live_index.py): the same records
Pagefind makes from the written site, the same bundle for the same pages, and a
clear error when the service stops."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.site.sitetools import pagefind_records

from generator.mkdocs_integration import search
from generator.mkdocs_integration.live_index import LiveIndex

PAGE = """<!doctype html><html lang="en" class="no-js"><head><meta charset="utf-8">
<meta name="description" content="site words"><title>{title} - Site</title>
<link rel="stylesheet" href="x.css"></head><body><header class="md-header">Site header words</header>
<nav class="md-nav">Home Themes</nav><main><div class="md-content">
<article class="md-content__inner md-typeset" data-pagefind-body><h1 id="t">{title}</h1><p>{text}</p>
<h2 id="related" data-search-exclude>Related</h2><p data-search-exclude>hidden words</p></article></div></main>
<footer>Footer words</footer><script src="s.js"></script></body></html>"""

PAGES = {
    "papers/galore/index.html": PAGE.format(title="GaLore &amp; friends", text="Gradient low-rank projection saves memory."),
    "papers/zero/index.html": PAGE.format(title="ZeRO", text="Zero redundancy optimizer shards states; <code>65.5%</code> less."),
    "index.html": PAGE.format(title="Home", text="A reading list about training."),
}


def _live_bundle(site: Path, pages: dict[str, str]) -> Path:
    live = LiveIndex([search.EXCLUDE_SELECTOR])
    for path, html in pages.items():
        live.add(path, search.pagefind_view(html))
    search.replace_bundle(site, live=live)
    return site / search.BUNDLE


def test_the_view_keeps_the_language_title_and_article_only():
    view = search.pagefind_view(PAGES["papers/zero/index.html"])
    assert view.startswith('<!doctype html><html lang="en" class="no-js"><head><title>ZeRO - Site</title></head><body><article')
    assert view.endswith("</article></body></html>")
    assert "Site header words" not in view and "Footer words" not in view and "hidden words" in view


@pytest.mark.parametrize("page", [
    PAGES["index.html"].replace("<footer>", '<footer data-pagefind-meta="author:x">'),  # Pagefind reads it outside the article
    PAGES["index.html"].replace("<footer>", "<article>Another</article><footer>"),
    PAGES["index.html"].replace(" data-pagefind-body", ""),
])
def test_a_page_that_says_more_to_pagefind_is_given_whole(page):
    assert search.pagefind_view(page) is page


def test_live_records_are_what_pagefind_makes_of_the_written_site(tmp_path):
    written = tmp_path / "written"
    for path, html in PAGES.items():
        (written / path).parent.mkdir(parents=True, exist_ok=True)
        (written / path).write_text(html, "utf-8")
    search.replace_bundle(written)
    live_site = tmp_path / "live"
    live_site.mkdir()
    _live_bundle(live_site, PAGES)
    from_disk, live = pagefind_records(written), pagefind_records(live_site)
    assert set(live) == {"/papers/galore/", "/papers/zero/", "/"}
    assert live == from_disk
    assert "hidden" not in live["/papers/zero/"]["content"] and "65.5%" in live["/papers/zero/"]["content"]
    assert sorted(p.name for p in (live_site / "pagefind" / "fragment").iterdir()) == \
        sorted(p.name for p in (written / "pagefind" / "fragment").iterdir())
    assert not [p for p in (live_site / "pagefind").iterdir() if "-ui" in p.name]


def test_the_same_pages_in_the_same_order_give_the_same_bundle(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    _live_bundle(first, PAGES), _live_bundle(second, PAGES)
    files = sorted(p.relative_to(first / "pagefind") for p in (first / "pagefind").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second / "pagefind") for p in (second / "pagefind").rglob("*") if p.is_file())
    assert len(files) > 5
    for name in files:
        assert (first / "pagefind" / name).read_bytes() == (second / "pagefind" / name).read_bytes(), name


def test_a_stopped_service_is_a_clear_error_and_leaves_the_old_bundle(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    _live_bundle(site, PAGES)
    before = sorted(p.name for p in (site / "pagefind" / "fragment").iterdir())
    live = LiveIndex([search.EXCLUDE_SELECTOR])
    live._process.kill()
    live._process.wait()
    with pytest.raises(search.SearchIndexError, match="pagefind --service"):
        live.add("x/index.html", PAGES["index.html"])
        search.replace_bundle(site, live=live)
    assert sorted(p.name for p in (site / "pagefind" / "fragment").iterdir()) == before


WRAPPED = PAGE.format(title="SPAM", text="Spike-aware Adam with momentum reset.").replace(
    '<h2 id="related" data-search-exclude>Related</h2><p data-search-exclude>hidden words</p>',
    search.ignore_excluded_sections(
        '<h2 id="details" data-search-exclude>Details</h2><div class="rl-details"><div data-pagefind-filter="year">2025</div>'
        '<p>ignored words</p></div><h2 id="abstract">Abstract</h2><p>kept words</p>'
        '<h2 id="bibtex" data-search-exclude>BibTeX</h2><div><pre>@article{spam}</pre></div>'))


def test_sections_pagefind_ignores_whole_are_left_out_of_the_view():
    assert WRAPPED.count(search.IGNORED) == 2
    view = search.pagefind_view(WRAPPED)
    assert "ignored words" not in view and "@article" not in view and "data-pagefind-filter" not in view
    assert "kept words" in view and view.endswith("</article></body></html>")
    unbalanced = WRAPPED.replace('<div class="rl-details">', '<div class="rl-details"><div>')
    article = unbalanced[unbalanced.find("<article"):unbalanced.find("</article>") + len("</article>")]
    assert search.without_ignored(article) == article  # kept whole


def test_a_view_without_ignored_sections_is_indexed_as_the_written_page(tmp_path):
    written = tmp_path / "written"
    (written / "papers" / "spam").mkdir(parents=True)
    (written / "papers" / "spam" / "index.html").write_text(WRAPPED, "utf-8")
    search.replace_bundle(written)
    live_site = tmp_path / "live"
    live_site.mkdir()
    _live_bundle(live_site, {"papers/spam/index.html": WRAPPED})
    assert pagefind_records(live_site) == pagefind_records(written)
    assert "kept words" in pagefind_records(live_site)["/papers/spam/"]["content"]
    for name in ("fragment", "filter"):
        found = lambda root: {p.name: p.read_bytes() for p in (root / "pagefind" / name).glob("*")}  # noqa: E731
        assert found(live_site) == found(written), name


# A stand-in for `pagefind --service` that behaves as Pagefind's does: it answers
# `WriteFiles` before its writes land and exits the moment its input closes.
STAND_IN = '''#!{python}
import base64, json, os, sys, threading, time
FILES = {files!r}
def answer(message_id, payload):
    sys.stdout.write(base64.b64encode(json.dumps({{"message_id": message_id, "payload": payload}}).encode()).decode() + ",")
    sys.stdout.flush()
def late_write(out):
    time.sleep(0.5)
    for path, content in FILES.items():
        os.makedirs(os.path.dirname(os.path.join(out, path)), exist_ok=True)
        open(os.path.join(out, path), "wb").write(content.encode())
buffer = b""
while True:
    byte = sys.stdin.buffer.read(1)
    if not byte:
        os._exit(0)
    if byte != b",":
        buffer += byte
        continue
    message, buffer = json.loads(base64.b64decode(buffer)), b""
    kind = message["payload"]["type"]
    if kind == "NewIndex":
        answer(message["message_id"], {{"type": "NewIndex", "index_id": 0}})
    elif kind == "AddFile":
        answer(message["message_id"], {{"type": "IndexedFile", "page_word_count": 1}})
    elif kind == "WriteFiles":
        threading.Thread(target=late_write, args=(message["payload"]["output_path"],), daemon=True).start()
        answer(message["message_id"], {{"type": "WriteFiles", "output_path": message["payload"]["output_path"]}})
    elif kind == "GetFiles":
        answer(message["message_id"], {{"type": "GetFiles", "files": [
            {{"path": path, "content": base64.b64encode(content.encode()).decode()}} for path, content in FILES.items()]}})
'''


def _stand_in(tmp_path: Path, monkeypatch, files: dict[str, str]) -> None:
    import sys

    from generator.mkdocs_integration import live_index

    script = tmp_path / "pagefind-stand-in"
    script.write_text(STAND_IN.format(python=sys.executable, files=files), "utf-8")
    script.chmod(0o755)
    monkeypatch.setattr(live_index, "_executable", lambda: str(script))


def test_the_bundle_is_whole_although_the_service_exits_before_its_writes_land(tmp_path, monkeypatch):
    files = {"pagefind.js": "const pagefind_version = 1;", "pagefind-entry.json": '{"version": "1"}',
             "fragment/en_1.pf_fragment": "x" * 70_000, "pagefind-ui.js": "ui"}  # more than one pipe read
    _stand_in(tmp_path, monkeypatch, files)
    site = tmp_path / "site"
    site.mkdir()
    _live_bundle(site, PAGES)
    written = {p.relative_to(site / "pagefind").as_posix(): p.read_text() for p in (site / "pagefind").rglob("*") if p.is_file()}
    assert written == {path: content for path, content in files.items() if path != "pagefind-ui.js"}


@pytest.mark.parametrize("path", ["../escaped.js", "/tmp/escaped.js", ""])
def test_a_bundle_file_outside_the_bundle_is_refused(tmp_path, monkeypatch, path):
    _stand_in(tmp_path, monkeypatch, {"pagefind.js": "js", path: "x"})
    site = tmp_path / "site"
    site.mkdir()
    with pytest.raises(search.SearchIndexError, match="outside the bundle"):
        _live_bundle(site, PAGES)
    assert not (tmp_path / "escaped.js").exists() and not (site / "pagefind").exists()
