"""Size reductions of the built pages change nothing a reader sees."""

from __future__ import annotations

from pathlib import Path

from generator.mkdocs_integration.postprocess import compact_html


def test_indentation_and_blank_lines_go_outside_pre():
    html = "<div>\n      <p>a  b</p>\n\n      \n   <pre><code>  keep\n    this\n</code></pre>\n    <textarea>\n  x</textarea>\n"
    out = compact_html(html)
    assert "<pre><code>  keep\n    this\n</code></pre>" in out
    assert "<textarea>\n  x</textarea>" in out
    assert "<div>\n<p>a  b</p>\n<pre>" in out
    assert len(out) < len(html)


def test_text_never_runs_together():
    assert compact_html("<p>one\n      two</p>") == "<p>one\ntwo</p>"


def test_icons_come_from_the_sprite_relative_to_the_page():
    from generator.mkdocs_integration.icons import ICONS, icon_sprite

    name, box, inner = ICONS[0]
    icon = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{box}">{inner}</svg>'
    other = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M0 0h1"/></svg>'
    deep = f'<script>__md_scope=new URL("../..",location)</script><a>{icon}</a>{other}<pre>{icon}</pre>'
    out = compact_html(deep)
    assert f'<a><svg viewBox="{box}"><use href="../../assets/images/rl-icons.svg#{name}"/></svg></a>' in out
    assert other in out  # an icon the sprite does not hold stays inline
    root = compact_html(f'<script>__md_scope=new URL(".",location)</script>{icon}')
    assert f'<use href="assets/images/rl-icons.svg#{name}"/>' in root
    assert compact_html(icon) == icon  # no Material scope line: nothing to point from
    # The shipped sprite holds every listed icon, licence comments and all.
    sprite = (Path(__file__).resolve().parents[2] / "overrides" / "assets" / "images" / "rl-icons.svg").read_text("utf-8")
    assert sprite == icon_sprite()
    for name, box, inner in ICONS:
        assert f'<symbol id="{name}" viewBox="{box}">{inner}</symbol>' in sprite
