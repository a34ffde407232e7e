"""Material's search dialog and page config, learnt once and written by a shared script."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from generator.mkdocs_integration.site_parts import SharedParts, join_at_root, split_at_root

DIALOG = ('<!--rl:search--><div class="md-search" role="dialog"><form><svg viewBox="0 0 24 24">'
          '<use href="{p}assets/images/rl-icons.svg#search"/></svg></form></div><!--/rl:search-->')
CONFIG = '<script id="__config" type="application/json">{{"base":"{b}","search":"{p}assets/javascripts/workers/search.js"}}</script>'


def page(prefix: str, dialog: str = DIALOG) -> str:
    base = prefix.rstrip("/") or "."
    return f"<header>{dialog.format(p=prefix)}</header><main>x</main>{CONFIG.format(p=prefix, b=base)}<script src=\"b.js\"></script>"


@pytest.mark.parametrize("prefix", ["", "../", "../../", "/site/"])
def test_a_part_splits_at_the_root_and_joins_back_for_any_page(prefix):
    for part in (DIALOG.format(p=prefix), CONFIG.format(p=prefix, b=prefix.rstrip("/") or ".")):
        pieces = split_at_root(part, prefix)
        assert join_at_root(pieces, prefix) == part
        assert split_at_root(join_at_root(pieces, "../../../"), "../../../") == pieces


def test_parts_are_learnt_once_and_replaced_on_every_page_that_has_them():
    parts = SharedParts()
    home, paper = parts.share(page(""), ""), parts.share(page("../../"), "../../")
    assert home == '<header><script src="assets/javascripts/rl-search-box.js"></script></header><main>x</main>' \
                   '<script src="assets/javascripts/rl-md-config.js"></script><script src="b.js"></script>'
    assert paper.count('src="../../assets/javascripts/rl-') == 2 and "md-search" not in paper and "__config" not in paper
    assert sorted(parts.files()) == ["rl-md-config.js", "rl-search-box.js"]


def test_a_part_that_differs_stays_inline():
    parts = SharedParts()
    parts.share(page("../"), "../")
    other = page("../", DIALOG.replace("<form>", "<form class='another'>"))
    out = parts.share(other, "../")
    assert "class='another'" in out and "rl-search-box.js" not in out and "rl-md-config.js" in out
    assert parts.share(page("../"), None) == page("../")  # no Material scope line: nothing to point from
    assert SharedParts(enabled=False).share(page("../"), "../") == page("../")


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
@pytest.mark.parametrize("prefix", ["", "../../"])
def test_the_script_writes_the_part_where_it_stands(prefix):
    """The file's script, run in Node with the few DOM calls it makes, writes the page's own part."""
    parts = SharedParts()
    parts.share(page(prefix), prefix)
    for name, text in parts.files().items():
        src = f"{prefix}assets/javascripts/{name}"
        harness = ("let written=null, removed=false; const script={getAttribute:()=>" + json.dumps(src) +
                   ", insertAdjacentHTML:(where, html)=>{ if (where==='beforebegin') written=html; }, remove:()=>{removed=true}};"
                   "globalThis.document={currentScript:script};" + text + "process.stdout.write(JSON.stringify([written, removed]));")
        out = subprocess.run(["node", "-e", harness], capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        written, removed = json.loads(out.stdout)
        whole = page(prefix)
        expected = DIALOG.format(p=prefix) if name == "rl-search-box.js" else CONFIG.format(p=prefix, b=prefix.rstrip("/") or ".")
        assert removed and written == expected.removeprefix("<!--rl:search-->").removesuffix("<!--/rl:search-->") and written in whole
