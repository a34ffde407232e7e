"""A content problem under `mkdocs serve` is shown on every served page, by the server
(generator/mkdocs_integration/served_problems.py), with nothing rendered again."""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.config import load_config
from mkdocs.livereload import LiveReloadServer

from fixtures.site.sitetools import SITE_CONTENT, make_site
from generator.mkdocs_integration import hook
from generator.mkdocs_integration.served_problems import ServedProblems, install

PAGE = b'<html><body class="x"><main><article class="md-content__inner md-typeset"><h1>GaLore</h1></article></main></body></html>'


def _server(tmp_path: Path) -> LiveReloadServer:
    return LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))


def test_the_box_goes_at_the_top_of_the_page_text_and_only_while_there_are_problems(tmp_path):
    problems = ServedProblems()
    assert problems.into(PAGE) == PAGE
    problems.show('<div class="rl-content-error">galore.yml:3</div>')
    shown = problems.into(PAGE)
    assert shown.index(b"md-content__inner") < shown.index(b"rl-content-error") < shown.index(b"<h1>GaLore")
    other = problems.into(b"<html><body><p>a page of another theme</p></body></html>")
    assert other.index(b"<body>") < other.index(b'<div class="md-typeset"><div class="rl-content-error">') < other.index(b"<p>a page")
    problems.clear()
    assert problems.into(PAGE) == PAGE


def test_the_live_reload_server_adds_the_box_and_its_own_script(tmp_path):
    server, problems = _server(tmp_path), ServedProblems()
    assert install(server, problems)
    assert b"rl-content-error" not in server._inject_js_into_html(PAGE, 1)
    problems.show('<div class="rl-content-error">x</div>')
    served = server._inject_js_into_html(PAGE, 1)
    assert b"rl-content-error" in served and b"livereload" in served.lower()


def test_a_served_content_error_is_shown_by_the_server_and_gone_after_the_fix(tmp_path, monkeypatch):
    """`mkdocs serve --dirty` renders no page again after a failed generation: the box must come from the server."""
    root = make_site(tmp_path / "site", SITE_CONTENT)
    config = load_config(str(root / "mkdocs.yml"))
    monkeypatch.setattr(hook, "_PROBLEMS", ServedProblems())
    for name in ("command", "dirty", "problems_served"):  # given back as they were after the test
        monkeypatch.setitem(hook._PROCESS, name, hook._PROCESS[name])
    monkeypatch.setenv("READING_LIST_CACHE", "off")
    hook.on_startup("serve", dirty=True)
    hook.on_config(config)
    hook.on_pre_build(config)  # the first build, before the server is set up
    hook.on_serve(_server(tmp_path), config, builder=None)
    assert hook._PROCESS["problems_served"]
    record = root / "content" / "papers" / "galore.yml"
    good = record.read_text("utf-8")
    record.write_text(good + "title: [unclosed\n", "utf-8")
    hook.on_config(config)
    hook.on_pre_build(config)  # does not raise: the server keeps running
    assert re.search(rb"papers/galore\.yml:\d+: invalid YAML", hook._PROBLEMS.html)  # file and line
    assert hook.build_state(config).content_problems == []  # no page is rendered again for it
    record.write_text(good, "utf-8")
    hook.on_config(config)
    hook.on_pre_build(config)
    assert hook._PROBLEMS.html == b""
