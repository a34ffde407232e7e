"""A real `mkdocs build --strict` of a small content folder, checked from the outside.

The site is laid out like a fresh clone (generated/ holds only its
.gitignore), so this also checks that MkDocs runs the generator itself.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fixtures.site.sitetools import (  # noqa: E402
    ROOT,
    SITE_CONTENT,
    SITE_NAME,
    SITE_URL,
    pagefind_records,
    read_page,
    resolve,
    squash,
    url_attributes,
    build_site,
    make_site,
    mkdocs_build,
)

from generator.build import load_content  # noqa: E402

pytestmark = pytest.mark.site  # every test here builds a site, or reads one built here

THEMES = ("optimizers-memory", "distributed-training", "scaling-laws", "fine-tuning")
PAPERS = ("chinchilla", "galore", "lora", "megatron-lm", "pokechamp", "quip-sharp", "zero")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    started = time.monotonic()
    built = build_site(tmp_path_factory.mktemp("site"), SITE_CONTENT)
    assert time.monotonic() - started < 20, "the small site should build in seconds"
    return built


@pytest.fixture(scope="module")
def html_pages(site) -> dict[Path, object]:
    return {path: read_page(path) for path in sorted(site.rglob("*.html"))}


def test_fixture_lists_every_paper_and_theme():
    content, problems = load_content(SITE_CONTENT)
    assert not problems
    assert tuple(sorted(p.key for p in content.papers)) == PAPERS
    assert tuple(t.id for t in content.themes) == THEMES


def test_pages_exist(site):
    expected = ["index.html", "themes/index.html", "papers/index.html", "unsorted/index.html", "tags/index.html",
                "about/index.html", "curating/index.html", "404.html", "papers.json", "bib/library.bib",
                "csl/library.json", "feeds/all.xml", "search/search_index.json", "sitemap.xml"]
    expected += [f"themes/{t}/index.html" for t in THEMES]
    expected += ["bib/themes.json", "papers-list.json", "assets/images/rl-icons.svg"]
    expected += [f"feeds/themes/{t}.xml" for t in THEMES]
    expected += [f"papers/{k}/index.html" for k in PAPERS] + [f"bib/{k}.bib" for k in PAPERS]
    missing = [path for path in expected if not (site / path).is_file()]
    assert not missing
    assert not (site / "home").exists(), "content/pages/home.md opens the home page; it is not a page"


def test_every_internal_link_resolves(site, html_pages):
    broken = []
    for path, page in html_pages.items():
        for el, attr, url in url_attributes(page):
            if url.startswith(("mailto:", "data:")):
                continue
            found = resolve(site, path, url)
            if found is None:
                continue
            target, fragment = found
            where = f"{path.relative_to(site)}: <{el.tag} {attr}={url!r}>"
            if not target.is_file():
                broken.append(f"{where} -> missing {target}")
            elif fragment and target.suffix == ".html" and fragment not in read_page(target).ids:
                broken.append(f"{where} -> no #{fragment}")
    assert not broken, "\n".join(broken[:20])


def test_nothing_is_loaded_from_other_hosts(site, html_pages):
    outside = []
    for path, page in html_pages.items():
        for el in page.elements:
            for attr in ("src", "href", "srcset"):
                value = el.attrs.get(attr) or ""
                if el.tag in ("script", "link", "img", "iframe", "source", "video", "audio", "embed", "object") and re.match(r"^(https?:)?//", value) and not value.startswith(SITE_URL):
                    outside.append(f"{path.relative_to(site)}: <{el.tag} {attr}={value!r}>")
        assert not [e for e in page.elements if e.tag == "link" and "preconnect" in (e.attrs.get("rel") or "")]
    for css in site.rglob("*.css"):
        text = css.read_text("utf-8", errors="replace")
        outside += [f"{css.relative_to(site)}: {m}" for m in re.findall(r"@import[^;]*https?://[^;]*|url\(\s*['\"]?(?:https?:)?//[^)]*\)", text)]
    assert not outside, "\n".join(outside[:20])
    # Material's repository widget would fetch stars and forks from api.github.com.
    assert not [e for e in html_pages[site / "index.html"].elements if e.attrs.get("data-md-component") == "source"]


def test_navigation_has_themes_and_index_pages_but_no_paper_pages(site, html_pages):
    page = html_pages[site / "index.html"]
    nav_links = page.nav_links
    for theme in THEMES:
        assert f"themes/{theme}/" in nav_links
    for wanted in ("papers/", "unsorted/", "tags/", "about/", "curating/"):
        assert wanted in nav_links
    assert not [href for href in nav_links if re.match(r"^papers/[a-z0-9-]+/$", href)]
    for title in ("Optimizers & memory", "Distributed training", "All papers", "Unsorted", "Tags"):
        assert title in page.nav


def test_paper_page(site, html_pages):
    page = html_pages[site / "papers" / "galore" / "index.html"]
    assert page.title == f"GaLore: Memory-Efficient LLM Training by Gradient Low-Rank Projection - {SITE_NAME}"
    text = page.article
    assert "Jiawei Zhao, Zhenyu Zhang, Beidi Chen" in text
    assert "In Optimizers & memory because the title mentions 'Memory-Efficient'." in text
    assert "In Fine-tuning because the abstract mentions 'low-rank adaptation'." in text
    assert "Tags: memory, low-rank" in text
    assert "Seen in: 000_listing.txt (Mar 12); 002_listing.txt" in text
    hrefs = {e.attrs.get("href"): e for e in page.find("a")}
    assert "https://arxiv.org/abs/2403.03507" in hrefs and "https://arxiv.org/pdf/2403.03507" in hrefs
    assert "../lora/" in hrefs  # the mention of LoRA in the abstract, and the related paper
    download = hrefs["../../bib/galore.bib"]
    assert download.attrs.get("download") == "galore.bib"
    code = [e for e in page.find("code") if "@misc{galore," in e.text or "@article{galore," in e.text]
    assert code and "title = {{GaLore}" in code[0].text
    # Curator notes: Markdown rendered, links pointed at pages, script removed.
    assert "Projection keeps full-rank updates." in text
    assert "../../themes/scaling-laws/" in hrefs
    assert not [e for e in page.find("script") if "notes" in e.text]
    # The feed of all papers is announced in the head of every page.
    feeds = [e for e in page.find("link") if e.attrs.get("type") == "application/atom+xml"]
    assert [e.attrs["href"] for e in feeds] == ["../../feeds/all.xml"]


def hrefs_of(page) -> dict[str, str | None]:
    """Each link's target and its download name."""
    return {e.attrs.get("href"): e.attrs.get("download") for e in page.find("a")}


def test_theme_page(site, html_pages):
    page = html_pages[site / "themes" / "optimizers-memory" / "index.html"]
    assert page.title == f"Optimizers &amp; memory - {SITE_NAME}".replace("&amp;", "&")
    text = page.article
    # Key papers first, then by title; each with an excerpt and its reason.
    listing = text[text.index("Comparison"):]
    listing = listing[listing.index("Papers"):]  # after the reading path, the pictures and the table
    order = [listing.index(t) for t in ("GaLore: Memory-Efficient", "LoRA: Low-Rank", "ZeRO: Memory")]
    assert order == sorted(order)
    # The reading path comes first, in the curator's order, each step with its reason.
    path = text[text.index("Start here") : text.index("Timeline")]
    assert path.index("LoRA: Low-Rank") < path.index("GaLore: Memory-Efficient") and "read it second." in path
    sortable = [e for e in page.find("table") if "data-rl-sortable" in e.attrs]
    assert sortable and [e for e in page.find("script") if (e.attrs.get("src") or "").endswith("table-sort.js")]
    assert hrefs_of(page)["../../csv/themes/optimizers-memory.csv"] == "optimizers-memory.csv"
    assert (site / "csv" / "themes" / "optimizers-memory.csv").read_text("utf-8").startswith("key,title,year,Method,")
    assert "In this theme because the abstract mentions 'optimizer states'." in text
    assert "How optimizers work and how to fit their state in memory" in text
    assert "bad link" in text and not [e for e in page.find("a") if (e.attrs.get("href") or "").startswith("javascript")]
    hrefs = {e.attrs.get("href"): e for e in page.find("a")}
    # The theme's .bib and CSL-JSON are cut from the library files (theme-downloads.js); without it, the library.
    bib, csl = hrefs["../../bib/library.bib"], hrefs["../../csl/library.json"]
    assert (bib.attrs.get("data-rl-theme-file"), bib.attrs.get("data-rl-theme"), bib.attrs.get("download")) == ("bib", "optimizers-memory", "library.bib")
    assert (csl.attrs.get("data-rl-theme-file"), csl.attrs.get("data-rl-theme")) == ("csl", "optimizers-memory")
    assert "../../feeds/themes/optimizers-memory.xml" in hrefs
    feeds = {e.attrs["href"]: e.attrs.get("title") for e in page.find("link") if e.attrs.get("type") == "application/atom+xml"}
    assert feeds["../../feeds/themes/optimizers-memory.xml"] == "Optimizers & memory"


def test_home_page(site, html_pages):
    page = html_pages[site / "index.html"]
    text = page.article
    assert "7 papers in 4 themes" in text
    assert "1 not yet sorted" in text
    assert "Optimizers and the memory they need." in text
    cards = [e for e in page.elements if e.tag == "div" and "cards" in (e.attrs.get("class") or "")]
    assert cards
    svg = page.find("svg")
    assert any(e.attrs.get("role") == "img" for e in svg)
    assert [e.text for e in page.elements if e.tag == "title" and e.attrs.get("id")] == ["Papers per theme"]
    assert text.index("GaLore") < text.index("Pok\\'eChamp")  # newest first


def test_index_pages(site, html_pages):
    table = html_pages[site / "papers" / "index.html"]
    rows = [e for e in table.find("a") if "data-themes" in e.attrs]
    assert len(rows) == len(PAPERS)
    assert {e.attrs["data-status"] for e in rows} == {"key", "read", "to-read", "none"}
    assert [e for e in rows if e.attrs["href"] == "pokechamp/"][0].attrs["data-themes"] == "unsorted"
    assert "hidden" in [e for e in table.elements if e.tag == "div" and "rl-filter" in (e.attrs.get("class") or "")][0].attrs
    assert [e for e in table.find("script") if (e.attrs.get("src") or "").endswith("papers-list.js")]
    unsorted = html_pages[site / "unsorted" / "index.html"].article
    assert "Pok\\'eChamp" in unsorted and "GaLore" not in unsorted
    tags = html_pages[site / "tags" / "index.html"]
    assert {"tag-memory", "tag-low-rank"} <= tags.ids


def test_papers_json_is_valid_and_complete(site):
    items = json.loads((site / "papers.json").read_text("utf-8"))
    assert [item["key"] for item in items] == sorted(PAPERS)
    required = {"key", "title", "abstract", "themes", "related", "sources", "page", "bib", "authors", "year",
                "tags", "status", "added", "mentions"}
    for item in items:
        assert required <= set(item), item["key"]
        assert (site / item["page"] / "index.html").is_file()
        assert (site / item["bib"]).is_file()
        assert set(item["themes"]) <= set(THEMES)
        assert set(item["related"]) <= set(PAPERS) and item["key"] not in item["related"]
    galore = next(item for item in items if item["key"] == "galore")
    assert galore["page"] == "papers/galore/" and galore["bib"] == "bib/galore.bib"
    assert galore["themes"] == ["optimizers-memory", "fine-tuning"]
    assert galore["mentions"] == ["lora"]
    assert galore["sources"] == [{"file": "000_listing.txt", "date": "Mar 12"}, {"file": "002_listing.txt", "date": None}]
    assert next(item for item in items if item["key"] == "pokechamp")["themes"] == []


def test_search_index_has_papers_but_not_bibtex_or_index_tables(site):
    records = pagefind_records(site)
    galore = records["/papers/galore/"]
    assert {"optimizer", "states", "trainable"} <= set(re.split(r"[^a-z]+", galore["content"].lower()))
    everything = json.dumps(records)
    assert "archivePrefix" not in everything and "@misc{" not in everything
    # why papers are related is said on the page, not indexed: "· both mention ..."
    assert "both mention" not in everything and "Seen in" not in everything
    assert not {"/papers/", "/tags/", "/unsorted/"} & set(records)


def test_generation_is_quiet_on_a_second_build(site):
    """A rebuild writes nothing into generated/, so `mkdocs serve` does not loop."""
    root = site.parent
    before = {p: p.stat().st_mtime_ns for p in (root / "generated").rglob("*") if p.is_file()}
    run = mkdocs_build(root)
    assert run.returncode == 0, run.stderr[-3000:]
    after = {p: p.stat().st_mtime_ns for p in (root / "generated").rglob("*") if p.is_file()}
    assert after == before


def test_invalid_content_fails_the_build(tmp_path):
    root = make_site(tmp_path, SITE_CONTENT)
    record = root / "content" / "papers" / "lora.yml"
    record.write_text(record.read_text("utf-8").replace("status: read", "status: finished"), "utf-8")
    run = mkdocs_build(root)
    assert run.returncode != 0
    assert "lora.yml" in run.stdout + run.stderr and "status" in squash(run.stdout + run.stderr)


def test_shared_frame_and_markdown_are_what_material_renders_for_each_page(site):
    """Paper pages reuse one rendered sidebar and header, generated pages one Python-Markdown
    instance; the site is byte-identical without any reuse."""
    run = mkdocs_build(site.parent, site_dir="site-unshared", READING_LIST_SHARED_NAV="off", READING_LIST_SHARED_MARKDOWN="off")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    unshared = site.parent / "site-unshared"
    pages = sorted(p.relative_to(site) for p in site.rglob("*.html"))
    assert pages == sorted(p.relative_to(unshared) for p in unshared.rglob("*.html"))
    assert len([p for p in pages if p.parts[0] == "papers"]) > len(PAPERS)
    for page in pages:
        assert (site / page).read_bytes() == (unshared / page).read_bytes(), page


# --------------------------------------------------------------------------- without the MkDocs hook


def _generate_then(root: Path, *command: str) -> subprocess.CompletedProcess:
    """`python -m generator build` in a site folder, then another engine's build there."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=str(ROOT))
    gen = subprocess.run([sys.executable, "-m", "generator", "build"], cwd=root, env=env,
                         capture_output=True, text=True, timeout=120)
    assert gen.returncode == 0, gen.stdout + gen.stderr
    return subprocess.run(list(command), cwd=root, env=env, capture_output=True, text=True, timeout=300)


def _without_hooks(root: Path) -> None:
    config = root / "mkdocs.yml"
    text, n = re.subn(r"(?m)^hooks:\n(  - .*\n)+", "", config.read_text("utf-8"))
    assert n == 1, "mkdocs.yml names the hook under hooks:"
    config.write_text(text, "utf-8")


def _assert_every_paper_page(built: Path) -> None:
    """Every paper has its page, showing its abstract as text and its fragments as HTML."""
    papers = json.loads((built / "papers.json").read_text("utf-8"))
    assert sorted(p["key"] for p in papers) == list(PAPERS)
    for paper in papers:
        page = read_page(built / paper["page"] / "index.html")
        assert squash(paper["abstract"])[:200] in page.article, paper["key"]
        # the BibTeX download is a raw HTML fragment: an element, not escaped text
        assert [e for e in page.find("a") if e.in_article and e.attrs.get("download") == f"{paper['key']}.bib"], paper["key"]
    for theme in THEMES:
        assert (built / "themes" / theme / "index.html").is_file(), theme


def test_the_theme_overrides_work_without_the_hook(tmp_path):
    """Generated docs plus mkdocs.yml without `hooks:`: the sidebar falls back to Material's own."""
    root = make_site(tmp_path, SITE_CONTENT)
    _without_hooks(root)
    run = _generate_then(root, sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(root / "site"))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    _assert_every_paper_page(root / "site")
    nav = read_page(root / "site" / "papers" / "galore" / "index.html").nav
    assert "All papers" in nav and "Optimizers & memory" not in nav  # the hook lists the themes
    # No Pagefind index without the hook: Material's own search worker and index stay.
    home = (root / "site" / "index.html").read_text("utf-8")
    assert "search-config.js" not in home and not (root / "site" / "pagefind").exists()
    docs = json.loads((root / "site" / "search" / "search_index.json").read_text("utf-8"))["docs"]
    assert any(doc["location"] == "papers/galore/" for doc in docs)


ZENSICAL = shutil.which("zensical", path=str(Path(sys.executable).parent)) or shutil.which("zensical")


needs_zensical = pytest.mark.skipif(ZENSICAL is None, reason="zensical is not installed (pip install zensical)")


@pytest.fixture(scope="module")
def zensical_site(tmp_path_factory) -> Path:
    """Zensical reads mkdocs.yml and ignores the hook: generate first, then `zensical build`."""
    root = make_site(tmp_path_factory.mktemp("zensical"), SITE_CONTENT)
    run = _generate_then(root, ZENSICAL, "build", "--strict")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return root / "site"


@needs_zensical
def test_zensical_builds_every_paper_page(zensical_site):
    built = zensical_site
    _assert_every_paper_page(built)
    search = json.loads((built / "search.json").read_text("utf-8"))
    located = {item["location"].split("#")[0] for item in search["items"]}
    assert {f"papers/{key}/" for key in PAPERS} <= located


@needs_zensical
@pytest.mark.xfail(strict=True, reason="Zensical rewrites relative links inside raw HTML as if they were relative "
                   "to the Markdown file; the generator writes them relative to the page's URL, as MkDocs keeps them")
def test_zensical_keeps_the_links_of_generated_html(zensical_site):
    page = read_page(zensical_site / "papers" / "galore" / "index.html")
    hrefs = {e.attrs.get("href") for e in page.find("a") if e.in_article}
    assert "../../bib/galore.bib" in hrefs and "../lora/" in hrefs


def test_sitemap_dates_come_from_the_content_not_the_clock(site):
    """The same content, the same bytes on any day: lastmod is the day the newest paper was added."""
    content, problems = load_content(SITE_CONTENT)
    assert not problems
    newest = max(p.added for p in content.papers)
    dates = set(re.findall(r"<lastmod>([^<]+)</lastmod>", (site / "sitemap.xml").read_text("utf-8")))
    assert dates == {newest}, (dates, newest)


def test_a_build_date_the_user_set_is_kept(tmp_path):
    root = make_site(tmp_path, SITE_CONTENT)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}  # 2023-11-14
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(root / "site")], cwd=root, env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    dates = set(re.findall(r"<lastmod>([^<]+)</lastmod>", (root / "site" / "sitemap.xml").read_text("utf-8")))
    assert dates == {"2023-11-14"}
