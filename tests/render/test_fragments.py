"""HTML fragments: lifted out of generated pages before Python-Markdown and put back after.

The promise (generator/fragments.py): a page means the same with or without
the hook, and a fragment comes back exactly once, where it was.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import markdown
import pytest

from fixtures.site.sitetools import make_site, mkdocs_build, site_markdown  # noqa: E402

from generator.build import generate, load_content  # noqa: E402
from generator.render.fragments import HTML_END, HTML_START, FragmentError, broken_links, lift, restore  # noqa: E402
from generator.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = [ROOT / "tests" / "fixtures" / "site" / "content", ROOT / "tests" / "fixtures" / "site" / "hostile" / "content"]


def _body(page: str) -> str:
    """The Markdown after the front matter."""
    assert page.startswith("---\n")
    return page.split("\n---\n", 1)[1]


def _normalise(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


def _fragment_pages():
    for folder in FIXTURES:
        content, problems = load_content(folder)
        assert not problems
        outputs = generate(content, Settings())
        for path, data in sorted(outputs.files.items()):
            if path.endswith(".md") and b"\nrl_fragments: true\n" in data:
                yield pytest.param(data.decode("utf-8"), id=f"{folder.parent.name}:{path}")  # site: or hostile:


@pytest.mark.parametrize("page", list(_fragment_pages()))
def test_a_page_renders_the_same_with_and_without_lifting(page):
    md = site_markdown()
    body = _body(page)
    plain = md.reset().convert(body)
    lifted, fragments = lift(body)
    assert HTML_START not in lifted and HTML_END not in lifted
    hooked = restore(md.reset().convert(lifted), fragments, "page")
    # Without the hook the marker comments stay in the HTML; nothing else differs.
    plain = plain.replace(HTML_START, "").replace(HTML_END, "")
    assert _normalise(hooked) == _normalise(plain)


def test_every_kind_of_generated_page_uses_fragments():
    content, _ = load_content(FIXTURES[0])
    outputs = generate(content, Settings())
    marked = {p for p, d in outputs.files.items() if p.endswith(".md") and b"\nrl_fragments: true\n" in d}
    assert {"papers/galore.md", "themes/optimizers-memory.md", "papers/index.md", "unsorted.md", "tags.md"} <= marked
    # Fragments hold no blank line: one would end the raw HTML block without the hook.
    for path in marked:
        for fragment in lift(_body(outputs.files[path].decode("utf-8")))[1]:
            assert "\n\n" not in fragment, path


def test_lift_and_restore_round_trip_in_order():
    text = f"# T\n\n{HTML_START}\n<p>one</p>\n{HTML_END}\n\n## H\n\n{HTML_START}\n<ul>\n<li>two</li>\n</ul>\n{HTML_END}\n"
    lifted, fragments = lift(text)
    assert fragments == ["<p>one</p>", "<ul>\n<li>two</li>\n</ul>"]
    html = markdown.markdown(lifted)
    assert restore(html, fragments, "x.md") == "<h1>T</h1>\n<p>one</p>\n<h2>H</h2>\n<ul>\n<li>two</li>\n</ul>"


def test_markers_inside_a_line_are_not_fragments():
    text = f"Text {HTML_START} more\n\n`{HTML_END}`\n"
    assert lift(text) == (text, [])


def test_a_lost_placeholder_is_an_error_naming_the_page():
    _, fragments = lift(f"{HTML_START}\n<p>a</p>\n{HTML_END}\n")
    with pytest.raises(FragmentError, match=r"papers/x\.md.*\[0\].*did not come back"):
        restore("<p>something else</p>", fragments, "papers/x.md")


def test_a_doubled_placeholder_is_an_error():
    _, fragments = lift(f"{HTML_START}\n<p>a</p>\n{HTML_END}\n")
    with pytest.raises(FragmentError, match="twice"):
        restore("<p>RLFRAGMENT0X</p><p>RLFRAGMENT0X</p>", fragments, "papers/x.md")


SITE_PATHS = {"./", "papers/", "papers/galore/", "papers/lora/", "themes/data/", "tags/", "bib/galore.bib"}


def test_links_in_fragments_must_name_a_page_or_file_of_the_site():
    fragment = (
        '<a href="../lora/">ok</a> <a href="../../themes/data/">ok</a> <a href="../../bib/galore.bib">ok</a>'
        ' <a href="../../tags/#tag-x">anchor on a page</a> <a href="../../papers/?theme=data">query</a>'
        ' <a href="../../">home</a> <a href="#bibtex">same page</a> <a href="https://arxiv.org/abs/1">web</a>'
        ' <a href="mailto:a@b.c">mail</a>'
        ' <a href="../nope/">missing page</a> <a href="../../bib/nope.bib">missing file</a> <img src="../../x.png">'
    )
    page = '<h2 id="bibtex">BibTeX</h2>'
    assert broken_links([fragment], "papers/galore/", SITE_PATHS, page) == ["../nope/", "../../bib/nope.bib", "../../x.png"]


def test_links_are_resolved_without_directory_urls_too():
    paths = {"index.html", "papers/galore.html", "papers/lora.html", "bib/galore.bib"}
    fragment = '<a href="lora.html">ok</a> <a href="../bib/galore.bib">ok</a> <a href="../index.html">ok</a> <a href="zero.html">no</a>'
    assert broken_links([fragment], "papers/galore.html", paths) == ["zero.html"]


@pytest.mark.site
def test_a_broken_link_in_a_curator_note_fails_the_strict_build(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES[0], content)
    record = content / "papers" / "galore.yml"
    record.write_text(
        record.read_text("utf-8").replace("notes: |", "notes: |\n  See [a paper we never added](papers/not-in-the-library.md).", 1),
        "utf-8",
    )
    assert "not-in-the-library" in record.read_text("utf-8")
    run = mkdocs_build(make_site(tmp_path / "site", content))
    assert run.returncode != 0
    # Named where the curator wrote it (content/papers/galore.yml:LINE), as written.
    assert "galore.yml:" in run.stderr and "'papers/not-in-the-library.md'" in run.stderr


def test_same_page_anchors_must_exist_on_the_page():
    fragment = '<a href="#tag-memory">memory</a> <a href="#tag-gone">gone</a>'
    html = '<h2 id="tag-memory">memory</h2>'
    assert broken_links([fragment], "tags/", SITE_PATHS, html) == ["#tag-gone"]
