"""The build stage without MkDocs: golden pages, determinism, quiet rebuilds,
and the small pieces (URLs, excerpts, curator Markdown, the chart, settings).

Golden files live in tests/golden/; rewrite them with `pytest --update-golden`
after an intended change, and read the diff before committing.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.build import build, generate, load_content
from generator.render.chart import bar_chart
from generator.mkdocs_integration.hook import expand_theme_nav
from generator.render.curated import curated_html
from generator.render.escape import excerpt, md_text, plain
from generator.render.urls import page_url, url_from
from generator.settings import Settings, read_mkdocs_settings, settings_from
from generator.writer import sync_tree

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site" / "content"
GOLDEN = ROOT / "tests" / "golden"
SETTINGS = Settings(site_url="https://example.github.io/reading-list/", site_name="Test reading list")


@pytest.fixture(scope="module")
def outputs():
    content, problems = load_content(FIXTURE)
    assert not problems
    return generate(content, SETTINGS)


@pytest.fixture
def content_copy(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURE, target)
    return target


# --------------------------------------------------------------------------- golden pages


@pytest.mark.parametrize(
    "relpath,golden",
    [
        ("themes/optimizers-memory.md", "theme-optimizers-memory.md"),
        ("papers/galore.md", "paper-galore.md"),
        ("papers/pokechamp.md", "paper-pokechamp.md"),
    ],
    ids=["theme-page", "paper-page", "unsorted-paper-page"],
)
def test_golden_page(outputs, relpath, golden, update_golden):
    actual = outputs.files[relpath].decode("utf-8")
    path = GOLDEN / golden
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, "utf-8")
    assert path.exists(), f"no golden file {path}; run pytest --update-golden"
    assert actual == path.read_text("utf-8"), f"{relpath} differs from {path}; if intended, run pytest --update-golden"


def test_layout(outputs):
    files = set(outputs.files)
    pages = {"index.md", "themes/index.md", "papers/index.md", "unsorted.md", "tags.md", "about.md", "curating.md"}
    assert pages <= files
    assert "home.md" not in files  # it opens index.md
    themes = ("optimizers-memory", "distributed-training", "scaling-laws", "fine-tuning")
    for theme in themes:
        assert {f"themes/{theme}.md", f"feeds/themes/{theme}.xml"} <= files  # .bib and CSL: cut from the library's
    for key in ("galore", "lora", "zero", "pokechamp"):
        assert {f"papers/{key}.md", f"bib/{key}.bib"} <= files
    assert {"bib/library.bib", "csl/library.json", "bib/themes.json", "feeds/all.xml", "papers.json", "papers-list.json"} <= files


def test_generate_is_pure(content_copy, tmp_path):
    before = sorted(p for p in tmp_path.rglob("*"))
    content, _ = load_content(content_copy)
    generate(content, SETTINGS)
    assert sorted(p for p in tmp_path.rglob("*")) == before


def test_generate_reads_no_file(content_copy, outputs):
    """load_content reads the hand-written pages and home.md too: with the folder gone, nothing changes."""
    content, _ = load_content(content_copy)
    shutil.rmtree(content_copy)
    again = generate(content, SETTINGS)
    assert again.files == outputs.files
    assert "about.md" in again.files and b"A fixture library" in again.files["index.md"]


def test_papers_json(outputs):
    items = json.loads(outputs.files["papers.json"])
    assert [i["key"] for i in items] == sorted(i["key"] for i in items)
    lora = next(i for i in items if i["key"] == "lora")
    assert lora["page"] == "papers/lora/" and lora["bib"] == "bib/lora.bib"
    assert lora["mentioned_by"] == ["galore"] and lora["status"] == "read"
    assert lora["related"][0] == "galore"
    assert lora["theme_reasons"]["fine-tuning"] == "the title mentions 'Low-Rank Adaptation'"
    flat = Settings(use_directory_urls=False)
    content, _ = load_content(FIXTURE)
    items = json.loads(generate(content, flat).files["papers.json"])
    assert next(i for i in items if i["key"] == "lora")["page"] == "papers/lora.html"


def test_feeds_use_site_url(outputs):
    feed = ET.fromstring(outputs.files["feeds/themes/scaling-laws.xml"])
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert feed.find("a:title", ns).text == "Test reading list: Scaling laws"
    links = [e.get("href") for e in feed.findall("a:entry/a:link", ns)]
    assert links == ["https://example.github.io/reading-list/papers/chinchilla/"]


# --------------------------------------------------------------------------- determinism and quiet rebuilds


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical(tmp_path):
    """Two processes with different hash seeds write the same bytes."""
    trees = []
    for seed in ("1", "2"):
        docs = tmp_path / f"docs-{seed}"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        run = subprocess.run(
            [sys.executable, "-m", "generator", "build", "--content", str(FIXTURE), "--docs", str(docs), "--no-cache"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )
        assert run.returncode == 0, run.stderr
        trees.append(_tree(docs))
    assert trees[0].keys() == trees[1].keys()
    assert [k for k in trees[0] if trees[0][k] != trees[1][k]] == []


def test_second_build_writes_nothing(content_copy, tmp_path):
    docs = tmp_path / "docs"
    first = build(content_copy, docs, SETTINGS)
    assert len(first.written) > 30
    second = build(content_copy, docs, SETTINGS)
    assert second.written == () and second.removed == ()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def test_editing_a_record_rewrites_only_what_depends_on_it(content_copy, tmp_path):
    docs = tmp_path / "docs"
    build(content_copy, docs, SETTINGS)
    # Notes show on the paper's page and in the data export only.
    _edit(content_copy / "papers" / "lora.yml", "status: read", "status: read\nnotes: Pairs well with *GaLore*.")
    report = build(content_copy, docs, SETTINGS)
    assert set(report.written) == {"papers/lora.md", "papers.json"} and report.removed == ()
    # A status orders theme pages (key papers first), counts on the home page, the table.
    _edit(content_copy / "papers" / "zero.yml", "status: to-read", "status: key")
    report = build(content_copy, docs, SETTINGS)
    assert set(report.written) == {
        "papers/zero.md", "papers.json", "papers-list.json", "papers/index.md", "index.md",
        "themes/optimizers-memory.md", "themes/distributed-training.md",
    }
    # A paper that goes away takes its files with it.
    (content_copy / "papers" / "pokechamp.yml").unlink()
    report = build(content_copy, docs, SETTINGS)
    assert {"papers/pokechamp.md", "bib/pokechamp.bib"} <= set(report.removed)
    assert not (docs / "papers" / "pokechamp.md").exists()


def test_build_reads_site_url_from_mkdocs_yml(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "content")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: x\nsite_url: https://lab.example.org/list\nuse_directory_urls: false\n"
        "markdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n",
        "utf-8",
    )
    assert read_mkdocs_settings(tmp_path / "mkdocs.yml") == Settings(site_url="https://lab.example.org/list/", site_name="x", use_directory_urls=False)
    build(tmp_path / "content", tmp_path / "docs")
    items = json.loads((tmp_path / "docs" / "papers.json").read_text("utf-8"))
    assert items[0]["page"].endswith(".html")
    assert "https://lab.example.org/list/papers/" in (tmp_path / "docs" / "feeds" / "all.xml").read_text("utf-8")
    assert read_mkdocs_settings(tmp_path / "missing.yml") == Settings()
    assert settings_from("", True) == Settings()


def test_sync_tree_keeps_files_it_did_not_write(tmp_path, outputs):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / ".gitignore").write_text("*\n!.gitignore\n")
    sync_tree(docs, outputs)
    assert (docs / ".gitignore").exists()


# --------------------------------------------------------------------------- small pieces


@pytest.mark.parametrize(
    "src,dirs,url",
    [
        ("index.md", True, ""),
        ("papers/index.md", True, "papers/"),
        ("papers/galore.md", True, "papers/galore/"),
        ("papers/galore.md", False, "papers/galore.html"),
        ("tags.md", False, "tags.html"),
        ("papers/index.md", False, "papers/"),
    ],
)
def test_page_url(src, dirs, url):
    assert page_url(src, dirs) == url


@pytest.mark.parametrize(
    "src,target,dirs,url",
    [
        ("papers/galore.md", "bib/galore.bib", True, "../../bib/galore.bib"),
        ("papers/galore.md", "bib/galore.bib", False, "../bib/galore.bib"),
        ("papers/galore.md", "papers/lora/", True, "../lora/"),
        ("index.md", "themes/data/", True, "themes/data/"),
        ("papers/index.md", "", True, "../"),
        ("index.md", "", True, "./"),
        ("tags.md", "papers/x.html", False, "papers/x.html"),
    ],
)
def test_url_from(src, target, dirs, url):
    assert url_from(src, target, dirs) == url


@pytest.mark.parametrize(
    "text,limit,expected",
    [
        ("Short.", 200, "Short."),
        ("one two three four five", 14, "one two three…"),
        ("a\n\nb   c", 200, "a b c"),
        ("x" * 30, 10, "x" * 10 + "…"),
        ("Words, more (words here", 14, "Words, more…"),
        ("Words, more ( words", 14, "Words, more…"),
    ],
)
def test_excerpt(text, limit, expected):
    assert excerpt(text, limit) == expected


def test_excerpt_of_the_opening_equals_excerpt_of_the_whole_text():
    """excerpt() normalises only the opening of long texts; the result must not change."""
    rnd = random.Random(7)
    alphabet = "ab cd\n\t  ,;-(\u2014x"

    def whole(text: str, limit: int) -> str:
        flat = plain(text).strip()
        if len(flat) <= limit:
            return flat
        cut = flat.rfind(" ", 0, limit + 1)
        cut = cut if cut >= limit * 0.6 else limit
        return flat[:cut].rstrip(" ,;:-\u2013\u2014(") + "\u2026"

    for index in range(5000):
        text = " " * rnd.randint(0, 900) * (index % 2) + "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 1500)))
        limit = rnd.choice([5, 20, 200])
        assert excerpt(text, limit) == whole(text, limit), (text, limit)


def test_curated_html_is_sanitised_and_links_are_rewritten():
    notes = (
        "# Heading\n\nSee [LoRA](papers/lora.md#method), [site](https://example.org) and [mail](mailto:a@b.c).\n\n"
        "<script>alert(1)</script><img src=x onerror=alert(2)> [bad](javascript:alert(3))\n"
        "<a href=\"javascript:alert(4)\" onclick=\"alert(5)\">y</a> <p style=\"color:red\" onmouseover=\"x\">z</p>\n\n"
        "```\ncode {{ x }}\n\nmore\n```\n"
    )
    out = str(curated_html(notes, "themes/data.md"))
    assert "\n" not in out and "{" not in out
    assert "<h3>Heading</h3>" in out
    assert 'href="../../papers/lora/#method"' in out
    assert 'href="https://example.org"' in out and 'href="mailto:a@b.c"' in out
    for bad in ("<script", "<img", "onerror", "onclick", "onmouseover", "javascript:", "style="):
        assert bad not in out
    assert "code &#123;&#123; x &#125;&#125;&#10;&#10;more" in out
    flat = str(curated_html("[LoRA](papers/lora.md)", "papers/galore.md", use_directory_urls=False))
    assert 'href="lora.html"' in flat
    assert curated_html(None, "x.md") == "" and curated_html("  ", "x.md") == ""


def test_md_text_leaves_ordinary_text_readable():
    assert md_text("GaLore, 8-bit Adam's states/step 65.5%?") == "GaLore, 8-bit Adam's states/step 65.5%?"
    assert md_text("1. item") == "&#49;. item"
    assert md_text("2024-03-12") == "2024-03-12"
    assert md_text("a\x02wzxhzdk:0\x03b") == "a wzxhzdk&#58;0 b"


def test_chart_is_valid_accessible_svg():
    svg = str(bar_chart([("Optimizers & memory", 30), ("<script>x</script>", 10), ("{{ config }}", 0)], title="Papers <per> theme"))
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img" and root.get("viewBox")
    assert root.find(f"{ns}title").text == "Papers <per> theme"
    labels = [t.text for t in root.iter(f"{ns}text")]
    assert labels == ["Optimizers & memory", "30", "<script>x</script>", "10", "{{ config }}", "0"]
    widths = [float(r.get("width")) for r in root.iter(f"{ns}rect")]
    assert widths[0] > widths[1] > widths[2] == 0
    assert widths[0] == pytest.approx(3 * widths[1], rel=0.02)
    assert "<script" not in svg and "{" not in svg
    assert ET.fromstring(str(bar_chart([], title="Empty"))).get("viewBox")


def test_theme_nav_expansion():
    nav = [{"Home": "index.md"}, {"Themes": "themes/index.md"}, {"About": "about.md"}]
    pages = ["themes/a.md", "themes/b.md"]
    expanded = expand_theme_nav(nav, pages)
    assert expanded == [{"Home": "index.md"}, {"Themes": ["themes/index.md", "themes/a.md", "themes/b.md"]}, {"About": "about.md"}]
    assert expand_theme_nav(expanded, pages) == expanded  # idempotent (mkdocs serve rebuilds)
    assert expand_theme_nav(["index.md", "themes/index.md"], pages)[1] == {"Themes": ["themes/index.md", *pages]}


def test_a_hand_written_page_may_not_replace_a_generated_one(content_copy):
    from generator.build import ContentError

    (content_copy / "pages" / "tags.md").write_text("# Mine\n", "utf-8")
    content, _ = load_content(content_copy)
    with pytest.raises(ContentError) as err:
        generate(content, SETTINGS)
    assert "tags.md" in str(err.value.problems[0])


def test_joined_bibtex_equals_encoding_the_papers_together(library):
    """The library and theme .bib files reuse the per-paper entries (and their alias copies)."""
    from generator.export.aliases import with_alias_copies
    from generator.export.bibtex import bibtex_for
    from generator.build import _joined_bibtex
    papers = library[:40]

    class _Site:
        bib_files = with_alias_copies(papers, {p.key: bibtex_for([p], aliases=False) for p in papers},
                                      lambda p: bibtex_for([p], aliases=False), "\n")

    assert _joined_bibtex(_Site, papers) == bibtex_for(papers)


def test_relative_urls_equal_posixpath_relpath():
    """The link helper skips relpath's normalising; on clean site paths it must agree with it."""
    import itertools
    import posixpath

    from generator.render.urls import url_from_folder

    def expected(base: str, target: str) -> str:
        rel = posixpath.relpath("/" + target, "/" + base)
        if target.endswith("/") or not target:
            rel = "./" if rel == "." else rel + "/"
        return rel

    parts = ["a", "b", "papers", "x"]
    bases = [""] + ["/".join(p) + "/" for n in (1, 2, 3) for p in itertools.product(parts, repeat=n)]
    targets = [""] + ["/".join(p) + end for n in (1, 2, 3) for p in itertools.product(parts, repeat=n) for end in ("/", ".bib")]
    for base in bases:
        for target in targets:
            assert url_from_folder(base, target) == expected(base, target), (base, target)


# --------------------------------------------------------------------------- theme cards


def test_theme_without_short_shows_its_intro_as_text_on_cards(content_copy):
    """No `short:`: the card line is the intro's first sentence as a reader sees it, not its Markdown."""
    _edit(content_copy / "themes.yml", "    short: Optimizers and the memory they need.\n", "")
    content, problems = load_content(content_copy)
    assert not problems
    outputs = generate(content, SETTINGS)
    expected = "How optimizers work and how to fit their state in memory; see also LoRA and distributed training."
    for page in ("index.md", "themes/index.md"):
        text = outputs.files[page].decode("utf-8")
        assert md_text(expected) in text, page
        assert "&#42;&#42;state" not in text and "papers/lora.md&#41;" not in text, page
        assert "alert" not in text, page  # the intro's second paragraph is not part of the line


def test_theme_short_as_written_or_from_the_intro():
    from generator.analysis.themes import Theme, first_sentence
    from generator.render.pages import theme_short

    given = Theme(id="t", title="T", intro="Some *intro*.", short="<b>As</b> *written*")
    assert theme_short(given) == "<b>As</b> *written*"  # plain text, escaped later like any value
    intro = "# Heading\n\nUses [`AdamW`](https://x.example) &amp; **8-bit** states. Second sentence."
    derived = Theme(id="t", title="T", intro=intro, short=first_sentence(intro))
    assert theme_short(derived) == "Heading"
    intro = "Uses [`AdamW`](https://x.example) &amp; **8-bit** states. Second sentence."
    assert theme_short(Theme(id="t", title="T", intro=intro, short=first_sentence(intro))) == "Uses AdamW & 8-bit states."
    assert theme_short(Theme(id="t", title="T", intro=intro)) == "Uses AdamW & 8-bit states."
    assert theme_short(Theme(id="t", title="T", intro="")) == ""
