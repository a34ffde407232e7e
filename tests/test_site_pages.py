"""benchmarks/site_pages.py: a page split into Material's frame and its own content adds up."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from site_pages import page_parts  # noqa: E402

PAGE = (
    '<!doctype html><html><head><meta charset="utf-8"><script>var a = "<div>";</script></head><body>'
    '<header class="md-header"><div class="md-search" role="dialog"><div><input></div></div></header>'
    '<div class="md-sidebar md-sidebar--primary"><div><nav>N</nav></div></div>'
    '<article class="md-content__inner md-typeset"><h1>T</h1><p>Abstract</p>'
    '<h2 id="themes">Themes</h2><ul><li>x</li></ul><h2 id="bibtex">BibTeX</h2><pre><code>@misc{</div>}</code></pre></article>'
    "<footer class=\"md-footer\"></footer>\n  <script>var b=1</script></body></html>"
)


def test_parts_add_up_and_name_each_section():
    parts = page_parts(PAGE)
    framed = ("head", "header", "nav sidebar", "article", "footer", "scripts", "other")
    assert sum(parts[k] for k in framed) == parts["total"] == len(PAGE.encode())
    assert parts["head"] == len('<head><meta charset="utf-8"><script>var a = "<div>";</script></head>')
    assert parts["nav sidebar"] == len('<div class="md-sidebar md-sidebar--primary"><div><nav>N</nav></div></div>')
    assert parts["scripts"] == len("<script>var b=1</script>")
    assert parts["(search box, in the header)"] == len('<div class="md-search" role="dialog"><div><input></div></div>')
    assert parts["article: themes"] == len('<h2 id="themes">Themes</h2><ul><li>x</li></ul>')
    # A "</div>" inside <pre> does not end the article early.
    assert parts["article: bibtex"] == len('<h2 id="bibtex">BibTeX</h2><pre><code>@misc{</div>}</code></pre></article>')
    assert parts["(white space between tags)"] == 3
