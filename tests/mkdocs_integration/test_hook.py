"""The MkDocs hook keeps what one build remembers on that build's own state.

`mkdocs serve` rebuilds in the same process, and a test or a tool may run two
builds side by side: nothing of one build (lifted fragments, the site's paths,
the shared sidebar) may leak into another.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import markdown
import pytest
from mkdocs.config import load_config

from generator.mkdocs_integration import hook
from generator.render.fragments import FRONT_MATTER_FLAG, HTML_END, HTML_START

ROOT = Path(__file__).resolve().parents[2]
PAGE_MD = f"# Paper\n\n{HTML_START}\n<p><a href=\"../lora/\">LoRA</a></p>\n{HTML_END}\n"


def _config(tmp_path: Path, name: str):
    """A real MkDocs config of a folder holding only mkdocs.yml and docs/."""
    root = tmp_path / name
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(f"site_name: {name}\ndocs_dir: docs\n", "utf-8")
    return load_config(str(root / "mkdocs.yml"))


def _page(src: str, url: str):
    return SimpleNamespace(file=SimpleNamespace(src_uri=src), meta={FRONT_MATTER_FLAG: True}, url=url)


def _files(*urls: str):
    """Pages of MkDocs' file collection (the hook reads their URLs; pages are never linked)."""
    return [SimpleNamespace(url=u, is_documentation_page=lambda: True, abs_src_path=None) for u in urls]


def test_module_holds_no_build_state():
    names = {n for n in vars(hook) if n in {"_shared_nav", "_lifted", "_site_paths"}}
    assert names == set()


def test_on_config_gives_each_build_a_fresh_state(tmp_path):
    config = _config(tmp_path, "a")
    hook.on_config(config)
    first = hook.build_state(config)
    first.lifted["x.md"] = ["<p>x</p>"]
    hook.on_config(config)  # what `mkdocs serve` does on every rebuild
    assert hook.build_state(config) is not first and hook.build_state(config).lifted == {}


def test_two_interleaved_builds_keep_their_own_fragments_and_paths(tmp_path, caplog):
    a, b = _config(tmp_path, "a"), _config(tmp_path, "b")
    hook.on_config(a)
    hook.on_config(b)
    hook.on_files(_files("papers/galore/", "papers/lora/"), a)
    hook.on_files(_files("papers/galore/"), b)  # b has no LoRA page
    page = _page("papers/galore.md", "papers/galore/")
    lifted_a = hook.on_page_markdown(PAGE_MD, page, a, None)
    lifted_b = hook.on_page_markdown(PAGE_MD.replace("LoRA", "Other"), page, b, None)
    assert lifted_a == lifted_b and "LoRA" not in lifted_a  # the fragment waits on the state

    html_a = hook.on_page_content(markdown.markdown(lifted_a), page, a, None)
    assert "LoRA" in html_a and "Other" not in html_a
    html_b = hook.on_page_content(markdown.markdown(lifted_b), page, b, None)
    assert "Other" in html_b and "LoRA" not in html_b
    # b's link check used b's paths: its LoRA link is broken there, and only there
    warned = [r.getMessage() for r in caplog.records if "not found among documentation files" in r.getMessage()]
    assert len(warned) == 1 and "../lora/" in warned[0]
    assert hook.build_state(a).lifted == {} and hook.build_state(b).lifted == {}


@pytest.mark.parametrize("setting, shared", [("on", True), ("off", False)])
def test_shared_sidebar_belongs_to_the_build(tmp_path, monkeypatch, setting, shared):
    monkeypatch.setenv("READING_LIST_SHARED_NAV", setting)
    a, b = _config(tmp_path, "a"), _config(tmp_path, "b")
    hook.on_config(a)
    hook.on_config(b)
    hook.on_nav(SimpleNamespace(pages=[_page("index.md", "")]), a, None)
    hook.on_nav(SimpleNamespace(pages=[]), b, None)
    env_a, env_b = SimpleNamespace(globals={}), SimpleNamespace(globals={})
    hook.on_env(env_a, a, None)
    hook.on_env(env_b, b, None)
    paper = _page("papers/galore.md", "papers/galore/")
    key = env_a.globals["rl_shared_key"](paper, "../..")
    assert key == ("../.." if shared else None)
    assert env_a.globals["rl_shared_key"](_page("index.md", ""), ".") is None  # in a's nav
    if shared:
        assert env_a.globals["rl_shared_block"]("nav", key, "<nav>a</nav>") == "<nav>a</nav>"
        assert env_a.globals["rl_shared_block"]("nav", key) == "<nav>a</nav>"
        assert env_a.globals["rl_shared_block"]("footer", key) is None  # each block on its own
        assert env_b.globals["rl_shared_block"]("nav", key) is None  # b renders its own
    with pytest.raises(ValueError):
        env_a.globals["rl_shared_block"]("content", key, "<p>one page's</p>")


def test_a_stopped_server_stops_its_indexer_before_its_site_folder_is_removed(tmp_path, monkeypatch):
    """MkDocs removes the served site right after on_shutdown: an indexer still writing made that fail."""
    import shutil
    import sys
    import threading
    import time

    site = tmp_path / "served"
    site.mkdir()
    writer = [sys.executable, "-c", "import itertools, pathlib, sys, time\n"
              "for n in itertools.count():\n    pathlib.Path(sys.argv[1], f'{n}.txt').write_text('x'); time.sleep(0.002)", str(site)]
    runs = []
    monkeypatch.setattr(hook.search, "replace_bundle", lambda folder, background: runs.append(hook.search.run_indexer(writer, background)))
    monkeypatch.setitem(hook._PROCESS, "stopping", False)
    indexing = threading.Thread(target=hook._index_in_background, args=(site,))
    indexing.start()
    try:
        deadline = time.monotonic() + 10
        while len(list(site.iterdir())) < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(list(site.iterdir())) >= 20  # the indexer is writing
        hook.on_shutdown()
        shutil.rmtree(site)  # what MkDocs' serve does next
        time.sleep(0.1)
        assert not site.exists()
    finally:
        hook.search.stop_background_indexing()  # a failed test leaves no writer behind
        indexing.join(5)
    assert not indexing.is_alive() and len(runs) == 1
    hook._index_in_background(site)  # a build that ends after the stop starts no indexer
    assert len(runs) == 1


def test_a_server_prepares_for_edits_after_its_first_build_only(tmp_path, monkeypatch):
    """The first served build may take every stage from the cache; what later edits reuse
    from memory is then made after it (build.prepare_for_edits), once per server."""
    from fixtures.site.sitetools import SITE_CONTENT, make_site

    root = make_site(tmp_path / "site", SITE_CONTENT)
    for name in ("command", "dirty", "prepared"):  # given back as they were after the test
        monkeypatch.setitem(hook._PROCESS, name, hook._PROCESS[name])
    monkeypatch.delenv("READING_LIST_CACHE", raising=False)
    import threading

    monkeypatch.setattr(hook, "_IDLE", threading.Event())
    monkeypatch.setattr(hook, "PAUSE_AT_MOST_S", 0.1)
    prepared = []
    monkeypatch.setattr(hook, "prepare_for_edits", lambda papers, cache, pause: prepared.append((papers, cache, pause())))
    hook.on_startup("serve", dirty=True)
    states = []
    for _ in range(2):
        config = load_config(str(root / "mkdocs.yml"))
        hook.on_config(config)
        hook.on_pre_build(config)
        states.append(hook.build_state(config))
    first, second = states
    assert first.to_prepare is not None and second.to_prepare is None
    papers, cache = first.to_prepare
    assert {p.key for p in papers} >= {"galore"} and cache is not None
    hook._prepare_in_background(*first.to_prepare)  # while a rebuild runs, it pauses (here for 0.1 s at most)
    hook.on_build_error(error=None)  # a rebuild's end, failed or not, lets it go on
    hook._prepare_in_background(*first.to_prepare)
    assert prepared == [(*first.to_prepare, False), (*first.to_prepare, True)]
    hook.on_startup("build")
    config = load_config(str(root / "mkdocs.yml"))
    hook.on_config(config)
    hook.on_pre_build(config)
    hook.build_cache(config).wait_for_writes()  # the build's cache, written in the background
    assert hook.build_state(config).to_prepare is None  # a one-off build has no later edits
