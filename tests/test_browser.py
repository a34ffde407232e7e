"""End-to-end tests in headless Chromium (Python playwright, sync API).

Two sites are built with `mkdocs build --strict`, each in a temporary folder
laid out like a fresh clone (see tests/fixtures/site/sitetools.py), and served
from 127.0.0.1 by a local HTTP server:

- the shipped site: the four seed dumps imported with the shipped themes and
  pages (tests/fixtures/seeds/, tests/fixtures/shipped/), never the live
  content/, which curators change;
- the hostile site: tests/fixtures/site/hostile/content, whose titles,
  abstracts, themes and curator fields are HTML, Markdown, Jinja and
  attribute-list injections.

The site is built for https://example.github.io/reading-list/ but served at
the root of localhost: every click and every asset load below only works
because the site's links are relative.

Every page every test opens is watched (tests/browser_helpers.py): console
errors, uncaught exceptions, dialogs, calls of alert/confirm/prompt, requests
to any host but the local server (aborted) and local requests that fail.

Screenshots land in test-artifacts/screenshots/ (git-ignored).

The tests skip only when playwright or /usr/bin/chromium is missing;
`bash .ci/run` installs both.
"""

from __future__ import annotations

import html as html_module
import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

try:
    from playwright.sync_api import expect  # the chromium fixture (tests/browser_helpers.py) drives playwright
except ImportError:  # pragma: no cover - depends on the machine
    pytest.skip("browser tests need the playwright package: pip install -e '.[test]'", allow_module_level=True)

from browser_helpers import (  # noqa: E402
    CHROMIUM,
    DESKTOP,
    OVERFLOW_JS,
    PHONE,
    SCRIPT_SURFACE_JS,
    Watch,
    serve,
    squash,
)
from fixtures.site.sitetools import ROOT, SITE_NAME, pagefind_records  # noqa: E402

if not CHROMIUM.exists():  # pragma: no cover - depends on the machine
    pytest.skip(f"browser tests need Chromium at {CHROMIUM} (bash .ci/run installs it)", allow_module_level=True)

import bibtexparser  # noqa: E402
from generator.export.bibtex import without_abstract  # noqa: E402

pytestmark = pytest.mark.browser


SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
SEARCH_SEPARATOR = re.compile(r"[\s\-,:;!?=\[\]()\"/]+|\.(?!\d)")  # the search separator in mkdocs.yml
TIMEOUT_MS = 15_000
LIST_STEP = 100  # rows the all-papers list shows at once (papers-list.js, generator/render/listing.py)

# Every problem any watched page had, over the whole session.
SESSION_PROBLEMS: list[str] = []


# --------------------------------------------------------------------------- sites and servers


class Site:
    """A built site served on localhost."""

    def __init__(self, folder: Path, base: str):
        self.folder = folder
        self.base = base
        self.papers = json.loads((folder / "papers.json").read_text("utf-8"))
        self.by_key = {p["key"]: p for p in self.papers}

    def url(self, path: str = "") -> str:
        return urljoin(self.base, path)

    def path_of(self, url: str) -> str:
        """The site-relative path of a URL on this site ('' for the home page)."""
        assert url.startswith(self.base), f"{url} is not on {self.base}"
        return urlsplit(url).path.lstrip("/")


# Both sites are built with `mkdocs build --strict` by the sitetools plugin, each
# laid out like a fresh clone in its own folder (nothing is written into the
# working tree); the hostile one is shared with tests/render/test_escaping.py.


@pytest.fixture(scope="session")
def shipped_site(built_shipped_site):
    """A site like the shipped one: the four seed dumps, the shipped themes and pages."""
    with serve(built_shipped_site) as base:
        yield Site(built_shipped_site, base)


@pytest.fixture(scope="session")
def hostile_site(built_hostile_site):
    with serve(built_hostile_site) as base:
        yield Site(built_hostile_site, base)


class Browse:
    """Opens watched browser contexts and pages; closes them at the end of the test."""

    def __init__(self, browser, allowed: frozenset[str]):
        self.browser = browser
        self.watch = Watch(allowed)
        self.contexts = []

    def page(self, device: dict = DESKTOP, **options):
        context = self.browser.new_context(color_scheme="light", accept_downloads=True, **device, **options)
        context.set_default_timeout(TIMEOUT_MS)
        self.watch.attach_context(context)
        self.contexts.append(context)
        page = context.new_page()
        self.watch.attach_page(page)
        return page

    def visit(self, page, url: str):
        response = page.goto(url, wait_until="load")
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        self.settle(page)
        return page

    def settle(self, page) -> None:
        page.wait_for_load_state("load")
        self.watch.settle(page)

    def assert_clean(self) -> None:
        problems = self.watch.problems()
        assert not problems, "\n".join(problems[:30])

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        SESSION_PROBLEMS.extend(self.watch.problems())


@pytest.fixture
def browse(chromium, shipped_site, hostile_site):
    allowed = frozenset(urlsplit(s.base).netloc for s in (shipped_site, hostile_site))
    session = Browse(chromium, allowed)
    yield session
    session.close()


def h1(page) -> str:
    return squash(page.inner_text("article h1"))


def article(page) -> str:
    return squash(page.inner_text("article"))


def link_path(site: Site, page, locator) -> str:
    """The site-relative path a link points at, resolved against the page (as the browser does)."""
    return site.path_of(urljoin(page.url, locator.get_attribute("href")))


def screenshot(page, name: str, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def assert_fits_phone(page) -> None:
    width = PHONE["viewport"]["width"]
    # A mobile browser widens the layout viewport to fit content wider than the
    # screen (and zooms out), so innerWidth must still be the phone's width.
    scroll_width, inner_width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if inner_width != width or scroll_width > width + 1:
        culprits = page.evaluate(OVERFLOW_JS, width)
        pytest.fail(f"{page.url} is wider than a {width}px phone: scrollWidth {scroll_width}, innerWidth {inner_width}; {culprits}")


def rare_abstract_word(site: Site, beyond: int = 0) -> tuple[str, dict]:
    """A word (alphabetic, 7+ letters) in exactly one abstract, and that paper.

    With `beyond`, a word that first appears after that many characters of
    its abstract (late in a long abstract).

    Deterministic: the alphabetically first such word whose first seven
    letters Pagefind indexed on no other page (so that stemming cannot match
    another page).
    """
    per_word: dict[str, set[str]] = {}
    for paper in site.papers:
        opening = {w.lower() for w in SEARCH_SEPARATOR.split(paper["abstract"][:beyond])}
        for word in SEARCH_SEPARATOR.split(paper["abstract"]):
            if len(word) >= 7 and word.isascii() and word.isalpha() and word.lower() not in opening:
                per_word.setdefault(word.lower(), set()).add(paper["key"])
    records = pagefind_records(site.folder)
    for word in sorted(w for w, keys in per_word.items() if len(keys) == 1):
        (key,) = per_word[word]
        page = "/" + site.by_key[key]["page"]
        stem = word[:7]
        if not [url for url, r in records.items() if url != page and stem in (r["meta"].get("title", "") + " " + r["content"]).lower()]:
            return word, site.by_key[key]
    raise AssertionError("no abstract has a word of its own")


# --------------------------------------------------------------------------- the watch itself


EVIL_PAGE = """<!doctype html><html><head><title>evil</title></head><body>
<div class="md-content"><article>
<img src="x" onerror="alert('onerror')"><a href="javascript:alert('link')">click</a>
<a href=" JavaScript:alert('spaced')">spaced</a><img src="https://evil.example/track.png">
</article></div>
<script>console.error("boom"); confirm("direct"); setTimeout(() => { throw new Error("uncaught") });</script>
</body></html>"""


def test_the_watch_sees_what_it_must(chromium, tmp_path):
    """The checks below would see an injection: a page that does everything wrong trips each one."""
    (tmp_path / "evil.html").write_text(EVIL_PAGE, "utf-8")
    with serve(tmp_path) as base:
        session = Browse(chromium, frozenset({urlsplit(base).netloc}))
        try:
            page = session.page()
            page.goto(base + "evil.html", wait_until="load")
            page.wait_for_timeout(300)
            session.settle(page)
            surface = page.evaluate(SCRIPT_SURFACE_JS)
        finally:
            for context in session.contexts:
                context.close()
    watch = session.watch
    assert any("onerror" in t for t in watch.trapped) and any("direct" in t for t in watch.trapped), watch.trapped
    assert len(watch.dialogs) >= 2, watch.dialogs
    assert watch.foreign == ["https://evil.example/track.png"]
    assert any("boom" in e for e in watch.console_errors), watch.console_errors
    assert any("uncaught" in e for e in watch.page_errors), watch.page_errors
    assert any(b.startswith("404 ") and b.endswith("/x") for b in watch.broken), watch.broken
    for expected in ("onerror=", "javascript:alert('link')", "JavaScript:alert('spaced')", "<img> inside the content"):
        assert any(expected in item for item in surface), (expected, surface)


# --------------------------------------------------------------------------- the shipped site


def test_reader_clicks_home_theme_paper_related(browse, shipped_site):
    """Home -> a theme card -> a paper of that theme -> its best related paper, by clicks."""
    site = shipped_site
    page = browse.visit(browse.page(), site.url())
    assert page.title().endswith(SITE_NAME)

    card = page.locator(".rl-cards a").first
    theme_title = squash(card.inner_text())
    theme_path = link_path(site, page, card)
    assert re.fullmatch(r"themes/[a-z0-9-]+/", theme_path), theme_path
    card.click()
    page.wait_for_url(site.url(theme_path))
    browse.settle(page)
    assert h1(page) == theme_title
    assert page.title() == f"{theme_title} - {SITE_NAME}"
    theme_id = theme_path.split("/")[1]

    paper_link = page.locator("h2#papers + ul > li a").first
    paper_path = link_path(site, page, paper_link)
    key = re.fullmatch(r"papers/([a-z0-9-]+)/", paper_path).group(1)
    paper = site.by_key[key]
    assert theme_id in paper["themes"]
    assert squash(paper_link.inner_text()) == squash(paper["title"])
    paper_link.click()
    page.wait_for_url(site.url(paper["page"]))
    browse.settle(page)
    assert h1(page) == squash(paper["title"])
    assert squash(paper["abstract"]) in article(page)

    assert paper["related"], f"{key} has no related papers"
    related_link = page.locator("h2#related + ul > li > a").first
    related = site.by_key[paper["related"][0]]  # the best related paper is listed first
    assert link_path(site, page, related_link) == related["page"]
    related_link.click()
    page.wait_for_url(site.url(related["page"]))
    browse.settle(page)
    assert h1(page) == squash(related["title"])
    assert page.title() == f"{squash(related['title'])} - {SITE_NAME}"
    browse.assert_clean()


def test_search_finds_a_paper_by_a_word_of_its_abstract(browse, shipped_site):
    """Material's box, answered from Pagefind: a word late in one abstract finds that paper first."""
    site = shipped_site
    word, paper = rare_abstract_word(site, beyond=600)
    page = browse.page()
    fetched = []
    page.context.on("requestfinished", lambda request: fetched.append(request.url))
    page = browse.visit(page, site.url())
    query = page.locator("input.md-search__input")
    query.click()  # on a desktop the search field sits in the header
    query.press_sequentially(word, delay=20)
    first = page.locator(".md-search-result__item a").first
    first.wait_for()
    hits = [site.path_of(urljoin(page.url, a.get_attribute("href"))) for a in page.locator(".md-search-result__item > a").all()]
    assert hits and hits[0].split("?")[0].split("#")[0] == paper["page"], (word, paper["key"], hits)
    # The result shows the title and an excerpt around the word, which is marked.
    result = page.locator(".md-search-result__item").first
    assert squash(result.locator("h1").inner_text()) == squash(paper["title"])
    assert word in result.locator("mark").first.inner_text().lower()
    assert "1 matching document" in page.locator(".md-search-result__meta").inner_text()
    # Pagefind's chunks were fetched, and Material's index carried no page.
    assert any("/pagefind/index/" in url for url in fetched) and any("/pagefind/fragment/" in url for url in fetched)
    first.click()
    page.wait_for_url(re.compile(re.escape(site.url(paper["page"]))))
    browse.settle(page)
    assert h1(page) == squash(paper["title"])
    assert word in article(page).lower()
    browse.assert_clean()


def test_search_keys_are_materials(browse, shipped_site):
    """`/` opens search from anywhere, arrows walk the results, Enter opens one, Escape closes."""
    site = shipped_site
    word, paper = rare_abstract_word(site)
    page = browse.visit(browse.page(), site.url("themes/"))
    page.keyboard.press("/")
    page.keyboard.type(word, delay=20)
    page.locator(".md-search-result__item a").first.wait_for()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.classList.contains('md-search-result__link')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(site.url(paper["page"]))))
    browse.settle(page)
    assert h1(page) == squash(paper["title"])
    page.locator("input.md-search__input").wait_for(state="attached")
    page.keyboard.press("/")
    page.wait_for_function("document.getElementById('__search').checked")
    assert page.evaluate("document.activeElement.classList.contains('md-search__input')")
    page.keyboard.press("Escape")
    page.wait_for_function("!document.getElementById('__search').checked")
    browse.assert_clean()


def test_a_common_word_shows_the_best_results_and_leads_to_the_full_list(browse, shipped_site):
    """More matches than the box shows: the last entry opens the all-papers list filtered by the query."""
    site = shipped_site
    page = browse.visit(browse.page(), site.url())
    query = page.locator("input.md-search__input")
    query.click()
    query.press_sequentially("training", delay=10)
    page.locator(".md-search-result__item").first.wait_for()
    more = page.locator(".md-search-result__item a[href*='papers/?q=training']")
    wrap = page.locator(".md-search__scrollwrap")
    for _ in range(40):  # Material draws four more results each time the list is scrolled to its end
        if more.count():
            break
        wrap.evaluate("wrap => { wrap.scrollTop = wrap.scrollHeight - wrap.clientHeight - 100 }")
        page.wait_for_timeout(100)
        wrap.evaluate("wrap => { wrap.scrollTop = wrap.scrollHeight }")
        page.wait_for_timeout(100)
    assert more.count() == 1
    assert re.search(r"All \d[\d,]* matches", more.inner_text())
    more.click()
    page.wait_for_url(re.compile(r"papers/\?q=training"))
    page.locator("[data-rl-filter-count]:not(:empty)").wait_for()
    assert page.locator("input[data-rl-filter=text]").input_value() == "training"
    browse.assert_clean()


def test_copy_bibtex_and_download_bib(browse, shipped_site, tmp_path):
    site = shipped_site
    key = "galore" if "galore" in site.by_key else site.papers[0]["key"]
    paper = site.by_key[key]
    page = browse.page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.base.rstrip("/"))
    browse.visit(page, site.url(paper["page"]))

    block = page.locator(".rl-bibtex")
    block.hover()
    # Material 9.8 puts the copy button in a nav over the code block; older ones used .md-clipboard.
    copy = block.locator('button[data-md-type="copy"], button.md-clipboard')
    copy.click()
    page.locator(".md-dialog--active").wait_for()  # Material's "Copied to clipboard"
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.lstrip().startswith("@") and f"{{{key}," in copied, copied[:200]

    link = page.locator(f'a[download][href$="bib/{key}.bib"]')
    assert link.get_attribute("download") == f"{key}.bib"
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == f"{key}.bib"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = saved.read_text("utf-8")
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    assert [entry.key for entry in library.entries] == [key]
    # What the copy button copies is what the download holds, but for the
    # abstract (shown on the page above it); every other field is the same.
    assert squash(copied) == squash(without_abstract(text))
    assert "abstract = {" in text and "abstract = {" not in copied
    browse.assert_clean()


def test_papers_table_filter_from_a_theme_page(browse, shipped_site):
    """A theme page's "In the table of all papers" opens the table filtered to that theme."""
    site = shipped_site
    theme_id = next(t for p in site.papers for t in p["themes"])
    members = sum(1 for p in site.papers if theme_id in p["themes"])
    page = browse.visit(browse.page(), site.url(f"themes/{theme_id}/"))
    page.get_by_role("link", name="In the table of all papers").click()
    page.wait_for_url(re.compile(r"/papers/\?theme="))
    browse.settle(page)
    # The script picks the theme once papers.json has arrived, after the load event: wait for it.
    expect(page.locator('select[data-rl-filter="theme"]')).to_have_value(theme_id, timeout=TIMEOUT_MS)
    expect(page.locator("[data-rl-filter-count]")).to_have_text(f"{members} of {len(site.papers)} papers")
    expect(page.locator("tr:has(a[data-themes]):visible")).to_have_count(min(members, LIST_STEP))
    # Back to every paper.
    page.select_option('select[data-rl-filter="theme"]', "")
    expect(page.locator("[data-rl-filter-count]")).to_have_text(f"{len(site.papers)} of {len(site.papers)} papers")
    expect(page.locator("tr:has(a[data-themes]):visible")).to_have_count(min(len(site.papers), LIST_STEP))
    page.wait_for_function("window.location.search === ''")
    assert urlsplit(page.url).query == ""
    browse.assert_clean()


def test_comparison_table_sorts_and_the_citation_picture_links(chromium, tmp_path):
    """A theme's table sorts by a heading (numbers as numbers, empty cells last), both ways.

    The site fixture (tests/fixtures/site/content) declares columns and facts
    and its papers cite each other; it is built and served for this test alone.
    """
    from fixtures.site.sitetools import SITE_CONTENT, build_site

    with serve(build_site(tmp_path, SITE_CONTENT)) as base:
        session = Browse(chromium, frozenset({urlsplit(base).netloc}))
        try:
            page = session.visit(session.page(), urljoin(base, "themes/optimizers-memory/"))
            table = page.locator("table[data-rl-sortable]")

            def column(index: int) -> list[str]:
                return table.locator(f"tbody tr td:nth-child({index + 1})").evaluate_all("cells => cells.map(c => c.textContent)")

            year = table.locator("thead th").nth(1)
            year.get_by_role("button").click()
            assert column(1) == ["2019", "2021", "2024"] and year.get_attribute("aria-sort") == "ascending"
            year.get_by_role("button").click()
            assert column(1) == ["2024", "2021", "2019"] and year.get_attribute("aria-sort") == "descending"
            assert table.locator("thead th[aria-sort]").count() == 1
            saving = table.locator("thead th").nth(3)  # only GaLore has the fact: empty cells stay last both ways
            for _ in range(2):
                saving.get_by_role("button").click()
                assert column(3) == ["65.5", "", ""]
            # A paper of the citation picture is a link to its page.
            page.locator("svg.rl-citegraph__svg a").first.click()
            page.wait_for_url(re.compile(r"/papers/[^/]+/$"))
            session.settle(page)
            assert "Cited by in this list" in article(page)
            session.assert_clean()
        finally:
            session.close()


def _shipped_pages(site: Site) -> dict[str, str]:
    theme = next(t for p in site.papers for t in p["themes"])
    paper = "galore" if "galore" in site.by_key else site.papers[0]["key"]
    return {"home": "", "theme": f"themes/{theme}/", "paper": site.by_key[paper]["page"], "papers-index": "papers/"}


def test_screenshots_and_phone_layout(browse, shipped_site, hostile_site):
    """Desktop and phone screenshots; on a phone no page scrolls sideways."""
    site = shipped_site
    shots = _shipped_pages(site)
    desktop = browse.page(DESKTOP)
    phone = browse.page(PHONE)
    for name, path in shots.items():
        for device, page in (("desktop", desktop), ("phone", phone)):
            browse.visit(page, site.url(path))
            screenshot(page, f"{device}-{name}", full_page=name in ("home", "paper"))
        assert_fits_phone(phone)

    # The other pages of the navigation, the paper with the longest title, the
    # largest theme, and the hostile site's pages (whose theme has a reading path, pictures and a table).
    members = Counter(t for p in site.papers for t in p["themes"])
    longest = max(site.papers, key=lambda p: len(p["title"]))["page"]
    extra = ["themes/", "unsorted/", "tags/", "about/", "curating/", longest, f"themes/{members.most_common(1)[0][0]}/"]
    for path in extra:
        browse.visit(phone, site.url(path))
        assert_fits_phone(phone)
    for path in ["", "themes/", "unsorted/", "tags/"] + [f"themes/{t}/" for t in ("everything", "scripts")] + [p["page"] for p in hostile_site.papers]:
        browse.visit(phone, hostile_site.url(path))
        assert_fits_phone(phone)
    for name, path in (("hostile-paper", "papers/all-fields/"), ("hostile-papers-index", "papers/")):
        for device, page in (("desktop", desktop), ("phone", phone)):
            browse.visit(page, hostile_site.url(path))
            screenshot(page, f"{device}-{name}", full_page=name == "hostile-paper")
        assert_fits_phone(phone)
    browse.assert_clean()


def test_phone_menu_and_search_open(browse, shipped_site):
    """On a phone the navigation drawer and the search open from the header buttons."""
    site = shipped_site
    word, paper = rare_abstract_word(site)
    page = browse.visit(browse.page(PHONE), site.url())
    page.locator('label.md-header__button[for="__drawer"]').click()
    page.locator(".md-nav--primary").get_by_role("link", name="All papers").wait_for(state="visible")
    screenshot(page, "phone-menu")
    page.keyboard.press("Escape")
    page.goto(site.url())
    browse.settle(page)
    page.locator('label.md-header__button[for="__search"]').click()
    query = page.locator("input.md-search__input")
    query.wait_for(state="visible")
    query.press_sequentially(word, delay=20)
    page.locator(".md-search-result__item").first.wait_for()
    screenshot(page, "phone-search")
    href = page.locator(".md-search-result__item > a").first.get_attribute("href")
    assert site.path_of(urljoin(page.url, href)).split("?")[0] == paper["page"]
    assert_fits_phone(page)
    browse.assert_clean()


# --------------------------------------------------------------------------- the hostile site


def _assert_no_script_surface(page) -> None:
    bad = page.evaluate(SCRIPT_SURFACE_JS)
    assert not bad, f"{page.url}:\n" + "\n".join(bad[:20])


def test_hostile_content_stays_text(browse, hostile_site):
    """Every page of the hostile site: its strings show as text, nothing from them runs."""
    site = hostile_site
    page = browse.page()
    themes = sorted(p.parent.name for p in (site.folder / "themes").glob("*/index.html"))
    assert {"everything", "scripts"} <= set(themes)
    pages = ["", "themes/", "papers/", "unsorted/", "tags/", "about/", "curating/"] + [f"themes/{t}/" for t in themes]
    for path in pages:
        browse.visit(page, site.url(path))
        _assert_no_script_surface(page)

    # Home: the theme cards show the theme's title and summary as written.
    browse.visit(page, site.url())
    home = article(page)
    assert "<b>Everything</b> & {{ config }} [x](javascript:alert(20))" in home
    assert "<script>alert(21)</script> short" in home

    browse.visit(page, site.url("themes/everything/"))
    assert h1(page) == "<b>Everything</b> & {{ config }} [x](javascript:alert(20))"
    assert page.title() == f"<b>Everything</b> & {{{{ config }}}} [x](javascript:alert(20)) - {SITE_NAME}"

    for paper in site.papers:
        browse.visit(page, site.url(paper["page"]))
        _assert_no_script_surface(page)
        title = squash(paper["title"])
        assert h1(page) == title
        assert page.title() == f"{title} - {SITE_NAME}"
        assert squash(paper["abstract"]) in article(page), paper["key"]

    browse.visit(page, site.url("papers/case-script-tag/"))
    assert "<script>alert(1)</script> in an abstract. It says <script>alert(1)</script> again." in article(page)
    browse.visit(page, site.url("papers/case-jinja-expression/"))
    assert "{{ config }} in an abstract. It says {{ config }} again." in article(page)
    browse.visit(page, site.url("papers/all-fields/"))
    text = article(page)
    for shown in ("<b>Eve</b>", "[x](javascript:alert(5))", "<script>alert(6)</script>", "<script>alert(10)</script>",
                  "{: onclick=alert(11) }", "<b>dump</b>.txt", "<i>Mar 1</i>"):
        assert shown in text, shown
    assert "hover" in text and "alert(13)" not in text  # curator notes: Markdown kept, script removed

    # The table of all papers, filtered by every theme and status.
    browse.visit(page, site.url("papers/"))
    table = article(page)
    for paper in site.papers:
        assert squash(paper["title"]) in table, paper["key"]
    rows = page.locator("tr:has(a[data-themes])")
    counts = Counter(t for p in site.papers for t in (p["themes"] or ["unsorted"]))
    for value in page.locator('select[data-rl-filter="theme"] option').evaluate_all("os => os.map(o => o.value)"):
        page.select_option('select[data-rl-filter="theme"]', value)
        expected = counts[value] if value else len(site.papers)
        assert rows.locator("visible=true").count() == expected, value
        assert page.inner_text("[data-rl-filter-count]") == f"{expected} of {len(site.papers)} papers"
    page.select_option('select[data-rl-filter="theme"]', "")
    statuses = Counter(p["status"] or "none" for p in site.papers)
    for value in page.locator('select[data-rl-filter="status"] option').evaluate_all("os => os.map(o => o.value)"):
        page.select_option('select[data-rl-filter="status"]', value)
        assert rows.locator("visible=true").count() == (statuses[value] if value else len(site.papers)), value
    browse.settle(page)
    _assert_no_script_surface(page)
    browse.assert_clean()


def test_hostile_search_results_stay_text(browse, hostile_site):
    """Search results render titles and excerpts from the index; they must not run either."""
    site = hostile_site
    page = browse.visit(browse.page(), site.url())
    query = page.locator("input.md-search__input")
    query.click()
    for term in ("alert", "script", "config", "onerror", "javascript"):
        query.fill("")
        query.press_sequentially(term, delay=10)
        page.locator(".md-search-result__item").first.wait_for()
        page.wait_for_timeout(200)
        browse.settle(page)
        _assert_no_script_surface(page)
    query.fill("")
    query.press_sequentially("alert", delay=10)
    page.locator(".md-search-result__item").first.wait_for()
    results = squash(page.inner_text(".md-search-result"))
    assert "<script>alert(1)</script>" in results, results[:500]
    browse.assert_clean()


# --------------------------------------------------------------------------- everything, watched


def test_no_console_error_or_foreign_request_on_any_page(browse, shipped_site):
    """The navigation pages and a sample of paper pages, then every page of the session."""
    site = shipped_site
    page = browse.page()
    paths = ["", "themes/", "papers/", "unsorted/", "tags/", "about/", "curating/"]
    paths += [p["page"] for p in site.papers[:: max(1, len(site.papers) // 8)]]
    for path in paths:
        browse.visit(page, site.url(path))
        # No link or asset is addressed from the root of the host or to where the
        # site is deployed (the canonical link names it, and is never fetched):
        # the site works wherever it is served.
        absolute = page.evaluate(
            """() => [...document.querySelectorAll('[href], [src]')]
                 .filter(el => !(el.tagName === 'LINK' && el.rel === 'canonical'))
                 .map(el => el.getAttribute('href') || el.getAttribute('src'))
                 .filter(v => /^\\/(?!\\/)/.test(v) || v.includes('example.github.io'))"""
        )
        assert not absolute, f"{page.url}: {absolute[:5]}"
        # Feed autodiscovery still finds the Atom feeds (rel holds the `alternate` token).
        feeds = page.evaluate("""() => [...document.querySelectorAll('link[type="application/atom+xml"]')]
                                   .map(l => l.relList.contains('alternate'))""")
        assert feeds and all(feeds), f"{page.url}: {feeds}"
    browse.assert_clean()
    assert not SESSION_PROBLEMS, "\n".join(SESSION_PROBLEMS[:30])


# --------------------------------------------------------------------------- the all-papers list at scale


def _sort_title(title: str) -> str:
    from generator.render.listing import sort_title

    return sort_title(title)


def _shown_titles(page) -> list[str]:
    return [squash(t) for t in page.locator("tbody tr td:first-child > a").all_inner_texts()]


def test_papers_list_pages_without_javascript(browse, shipped_site):
    """Without JavaScript the list is pages of 100 in title order, and the pages together hold every paper once."""
    site = shipped_site
    page = browse.visit(browse.page(java_script_enabled=False), site.url("papers/"))
    assert page.locator(".rl-filter").is_hidden()
    pager = page.locator("nav.rl-pager a:not([rel])")
    numbers = pager.all_inner_texts()
    expected_pages = -(-len(site.papers) // LIST_STEP)
    assert numbers == [str(n) for n in range(2, expected_pages + 1)]
    titles = _shown_titles(page)
    assert len(titles) == LIST_STEP
    hrefs = [urljoin(page.url, h) for h in pager.evaluate_all("as => as.map(a => a.getAttribute('href'))")]
    for href in hrefs:
        browse.visit(page, href)
        assert page.locator("nav.rl-pager strong[aria-current=page]").inner_text() == str(hrefs.index(href) + 2)
        titles += _shown_titles(page)
    by_title = sorted(site.papers, key=lambda p: (_sort_title(p["title"]), p["key"]))
    assert titles == [squash(p["title"]) for p in by_title]
    browse.assert_clean()


def test_papers_list_sorts_and_filters_every_paper(browse, shipped_site):
    """With JavaScript the controls sort and filter over all papers, not only the first page's."""
    site = shipped_site
    page = browse.visit(browse.page(), site.url("papers/"))
    page.wait_for_selector("[data-rl-filter-count]:not(:empty)")
    assert page.locator("nav.rl-pager").is_hidden()
    total = len(site.papers)
    assert page.inner_text("[data-rl-filter-count]") == f"{total} of {total} papers"

    # Year, newest first, over every paper: the first rows are the newest years of the library.
    page.select_option("select[data-rl-sort]", "year")
    years = [int(y) if y else 0 for y in page.locator("tbody tr td:nth-child(2)").all_inner_texts()]
    assert years == sorted(years, reverse=True) and len(years) == min(total, LIST_STEP)
    assert years[0] == max(p["year"] or 0 for p in site.papers)
    assert "sort=year" in urlsplit(page.url).query

    # Date added, newest first.
    page.select_option("select[data-rl-sort]", "added")
    added = page.locator("tbody tr td:nth-child(5)").all_inner_texts()
    assert added == sorted(added, reverse=True) and added[0] == max(p["added"] for p in site.papers)

    # Status: key papers first.
    page.select_option("select[data-rl-sort]", "status")
    keys = sum(1 for p in site.papers if p["status"] == "key")
    statuses = page.locator("tbody tr td:nth-child(4)").all_inner_texts()
    assert statuses[: min(keys, LIST_STEP)] == ["key"] * min(keys, LIST_STEP)

    # Title, leading articles ignored: the first rows are the first titles of the whole library.
    page.select_option("select[data-rl-sort]", "title")
    by_title = sorted(site.papers, key=lambda p: (_sort_title(p["title"]), p["key"]))
    assert _shown_titles(page) == [squash(p["title"]) for p in by_title[:LIST_STEP]]

    # "Show more" draws the next hundred.
    if total > LIST_STEP:
        page.click("button.rl-more")
        assert _shown_titles(page) == [squash(p["title"]) for p in by_title[: 2 * LIST_STEP]]

    # The text box matches title and authors, every word, across all papers.
    word = Counter(w for p in site.papers for w in set(p["title"].lower().split()) if len(w) > 5).most_common(1)[0][0]
    page.fill('input[data-rl-filter="text"]', word.upper())
    expected = [p for p in site.papers if word in (p["title"] + " " + ", ".join(p["authors"])).lower()]
    assert page.inner_text("[data-rl-filter-count]") == f"{len(expected)} of {total} papers"
    assert all(word in t.lower() for t in _shown_titles(page) if t)

    # Theme and status together, with the text.
    theme = Counter(t for p in expected for t in p["themes"]).most_common(1)[0][0]
    page.select_option('select[data-rl-filter="theme"]', theme)
    narrowed = [p for p in expected if theme in p["themes"]]
    assert page.inner_text("[data-rl-filter-count]") == f"{len(narrowed)} of {total} papers"
    query = dict(pair.split("=") for pair in urlsplit(page.url).query.split("&"))
    assert query["theme"] == theme and query["q"].lower() == word
    # The URL keeps the choice: reloading shows the same rows.
    page.reload()
    page.wait_for_selector("[data-rl-filter-count]:not(:empty)")
    assert page.inner_text("[data-rl-filter-count]") == f"{len(narrowed)} of {total} papers"
    browse.assert_clean()


def test_papers_list_is_cards_on_a_phone(browse, shipped_site):
    """On a phone each paper is a card: no table header, rows as wide as the screen, nothing scrolls sideways."""
    page = browse.visit(browse.page(PHONE), shipped_site.url("papers/"))
    page.wait_for_selector("[data-rl-filter-count]:not(:empty)")
    assert page.locator(".rl-papers thead").is_hidden()
    first = page.locator("tbody tr").first.bounding_box()
    assert first["width"] > PHONE["viewport"]["width"] * 0.8
    assert_fits_phone(page)
    screenshot(page, "papers-list-phone")
    browse.assert_clean()


def test_long_theme_lists_are_paged(browse, shipped_site):
    """A theme with more papers than a page links its next pages, which list the rest."""
    site = shipped_site
    counts = Counter(t for p in site.papers for t in p["themes"])
    theme, members = counts.most_common(1)[0]
    page = browse.visit(browse.page(), site.url(f"themes/{theme}/"))
    if members <= LIST_STEP:
        assert page.locator("nav.rl-pager").count() == 0
        return
    links = page.locator("nav.rl-pager a:not([rel])")
    assert links.count() == -(-members // LIST_STEP) - 1
    seen = [squash(t) for t in page.locator("article li strong > a").all_inner_texts()]
    assert len(seen) == LIST_STEP
    for href in [urljoin(page.url, h) for h in links.evaluate_all("as => as.map(a => a.getAttribute('href'))")]:
        browse.visit(page, href)
        seen += [squash(t) for t in page.locator("article li strong > a").all_inner_texts()]
    assert sorted(seen) == sorted(squash(p["title"]) for p in site.papers if theme in p["themes"])
    browse.assert_clean()


def _theme_page_with_a_stale_library(browse, site, stale_answers: int):
    """A theme page whose first `stale_answers` answers for bib/library.bib are another library file
    (one from before a deploy, as a browser's cache can hold), and a record of each request for it."""
    real = (site.folder / "bib" / "library.bib").read_bytes()
    stale = real.replace(b"@", b"@ ", 1)  # one byte longer: every range after it is off
    asked = []
    page = browse.page()

    def answer(route):
        asked.append(route.request.headers.get("cache-control"))
        if len(asked) <= stale_answers:
            route.fulfill(status=200, body=stale, content_type="application/x-bibtex")
        else:
            route.continue_()

    page.route("**/bib/library.bib", answer)
    theme = Counter(t for p in site.papers for t in p["themes"]).most_common(1)[0][0]
    return browse.visit(page, site.url(f"themes/{theme}/")), theme, asked, stale


def test_a_stale_library_file_is_asked_for_again(browse, shipped_site):
    from generator.export.downloads import assemble

    page, theme, asked, _ = _theme_page_with_a_stale_library(browse, shipped_site, stale_answers=1)
    index = json.loads((shipped_site.folder / "bib" / "themes.json").read_text("utf-8"))
    with page.expect_download() as info:
        page.click('a[data-rl-theme-file="bib"]')
    assert info.value.suggested_filename == f"{theme}.bib"
    assert Path(info.value.path()).read_bytes() == assemble(index, (shipped_site.folder / "bib/library.bib").read_bytes(), "bib", theme)
    assert len(asked) == 2  # asked again (with `cache: "reload"`, past the browser's cache)
    browse.assert_clean()


def test_entries_are_never_cut_from_a_library_file_that_does_not_match(browse, shipped_site):
    page, _, asked, stale = _theme_page_with_a_stale_library(browse, shipped_site, stale_answers=99)
    with page.expect_download() as info:
        page.click('a[data-rl-theme-file="bib"]')
    assert info.value.suggested_filename == "library.bib"  # the whole library file, as without JavaScript
    assert Path(info.value.path()).read_bytes() == stale
    assert len(asked) == 3  # fetched, fetched again, then downloaded
    browse.assert_clean()


def test_theme_downloads_are_cut_from_the_library(browse, shipped_site):
    """A theme's BibTeX and CSL-JSON links save <id>.bib / <id>.json holding exactly the theme's papers."""
    from generator.export.downloads import assemble

    site = shipped_site
    theme = Counter(t for p in site.papers for t in p["themes"]).most_common(1)[0][0]
    index = json.loads((site.folder / "bib" / "themes.json").read_text("utf-8"))
    page = browse.visit(browse.page(), site.url(f"themes/{theme}/"))
    for kind, name, library in (("bib", f"{theme}.bib", "bib/library.bib"), ("csl", f"{theme}.json", "csl/library.json")):
        with page.expect_download() as info:
            page.click(f'a[data-rl-theme-file="{kind}"]')
        download = info.value
        assert download.suggested_filename == name
        got = Path(download.path()).read_bytes()
        assert got == assemble(index, (site.folder / library).read_bytes(), kind, theme)
    members = {p["key"] for p in site.papers if theme in p["themes"]}
    bib = bibtexparser.parse_string(assemble(index, (site.folder / "bib/library.bib").read_bytes(), "bib", theme).decode())
    assert len(bib.entries) == len(members) and not bib.failed_blocks
    assert len(json.loads(got)) == len(members)
    browse.assert_clean()
