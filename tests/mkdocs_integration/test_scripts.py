"""Material's inline scripts, moved to shared files, stay the same scripts at the same places."""

from __future__ import annotations

import json
import re
from pathlib import Path

import material

from generator.mkdocs_integration.postprocess import compact_html
from generator.mkdocs_integration.scripts import STORAGE, WHOLE, script_files, share_scripts

ROOT = Path(__file__).resolve().parents[2]
PARTIALS = Path(material.__file__).resolve().parent / "templates" / "partials" / "javascripts"


def _scripts(partial: str) -> list[str]:
    """The inline scripts of a Material partial."""
    return re.findall(r"<script>(.*?)</script>", (PARTIALS / partial).read_text("utf-8"), re.S)


def test_texts_are_materials_own():
    """On a Material upgrade that changes a script this fails (pages would keep it inline)."""
    whole = dict(WHOLE)
    assert _scripts("palette.html") == [whole["rl-md-palette.js"]]
    assert whole["rl-md-tabbed.js"] in _scripts("content.html")  # the other one is for `content.tabs.link`
    head, = _scripts("base.html")
    assert head.startswith('__md_scope=new URL("{{') and head.endswith("," + STORAGE)


def test_shipped_files_hold_the_texts():
    for name, text in script_files().items():
        assert (ROOT / "overrides" / "assets" / "javascripts" / name).read_text("utf-8") == text


def _page(root: str) -> str:
    return (
        f'<html><head><script>__md_scope=new URL("{root}",location),{STORAGE}</script></head><body>'
        f"<header><script>{dict(WHOLE)['rl-md-palette.js']}</script></header>"
        f"<article><p>Text</p><script>{dict(WHOLE)['rl-md-tabbed.js']}</script></article>"
        '<script>var other=1</script></body></html>'
    )


def test_each_script_becomes_a_file_at_its_place():
    out = compact_html(_page("../.."))
    assert out == (
        '<html><head><script>__md_scope=new URL("../..",location)</script>'
        '<script src="../../assets/javascripts/rl-md-storage.js"></script></head><body>'
        '<header><script src="../../assets/javascripts/rl-md-palette.js"></script></header>'
        '<article><p>Text</p><script src="../../assets/javascripts/rl-md-tabbed.js"></script></article>'
        "<script>var other=1</script></body></html>"
    )
    # The site root and 404.html's absolute root.
    assert 'src="assets/javascripts/rl-md-palette.js"' in compact_html(_page("."))
    assert 'src="/site/assets/javascripts/rl-md-tabbed.js"' in compact_html(_page("/site/"))
    assert compact_html(out) == out


def test_a_script_not_listed_exactly_stays_inline():
    changed = _page("..").replace("__md_set=", "__md_put=").replace('"__palette"', '"__palette2"')
    out = compact_html(changed)
    assert STORAGE.replace("__md_set=", "__md_put=") in out and '"__palette2"' in out
    assert "rl-md-storage.js" not in out and "rl-md-palette.js" not in out
    assert "rl-md-tabbed.js" in out  # the one still listed exactly is shared
    # No scope line: nothing to point from.
    bare = f"<script>{dict(WHOLE)['rl-md-palette.js']}</script>"
    assert share_scripts(bare, None) == bare == compact_html(bare)


def test_config_loses_spaces_not_data():
    config = {"base": "../..", "features": ["a", "b"], "translations": {"x": "</script><b>'&"}, "version": None}
    tojson = json.dumps(config).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")
    page = f'<body><script id="__config" type="application/json">{tojson}</script></body>'
    out = compact_html(page)
    body = re.search(r'type="application/json">(.*?)</script>', out).group(1)
    assert json.loads(body) == config and len(body) < len(tojson)
    assert "<" not in body and "'" not in body and "&" not in body
    broken = '<script id="__config" type="application/json">{not json</script>'
    assert compact_html(broken) == broken
