"""Accessibility: axe-core finds no serious or critical violation on the site's
pages, at desktop and phone widths, in the light and the dark (slate) palette.

axe-core (tools/package.json, installed into tools/node_modules by `bash
.ci/run`) is injected into each page after the page's own scripts ran (the
all-papers list has drawn its filter and sort controls). Pages: the home
page, the themes index, a theme page, a paper page and the all-papers list of
a site like the shipped one (tests/fixtures/shipped/), and the
same pages of the hostile fixture (tests/fixtures/site/hostile/), whose
titles and fields are markup and whose theme page has the review parts
(timeline, comparison table, citation graph), so odd content cannot break
the structure. The list is also checked filtered down to no paper, and the
comparison table once sorted.

The test skips when axe-core is not installed, except under CI (CI=true),
where a missing axe-core is a failure.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin

import pytest

try:
    import playwright.sync_api  # noqa: F401 - the chromium fixture (tests/browser_helpers.py) drives it
except ImportError:  # pragma: no cover - depends on the machine
    pytest.skip("browser tests need the playwright package: pip install -e '.[test]'", allow_module_level=True)

from browser_helpers import CHROMIUM, DESKTOP, PHONE, Watch, serve  # noqa: E402
from fixtures.site.sitetools import ROOT  # noqa: E402

if not CHROMIUM.exists():  # pragma: no cover - depends on the machine
    pytest.skip(f"browser tests need Chromium at {CHROMIUM} (bash .ci/run installs it)", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.site]

AXE = ROOT / "tools" / "node_modules" / "axe-core" / "axe.min.js"
TIMEOUT_MS = 30_000
REPORTED = ("serious", "critical")

# Violations that are Material's own markup, not ours: (rule id, CSS selector
# of the exact node, why). Each entry must still be hit on some page of every
# run, so one that Material (or an override) fixed cannot linger.
MATERIAL_OWNED: tuple[tuple[str, str, str], ...] = (
    # Material's own search dialog had no name (aria-dialog-name); overrides/partials/search.html names it.
)

# Runs axe on the page; returns the serious and critical violations, one
# entry per node; `material` is the index of the MATERIAL_OWNED entry it is, or -1.
RUN_AXE_JS = """
async ([impacts, owned]) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  const out = [];
  for (const v of result.violations) {
    if (!impacts.includes(v.impact)) continue;
    for (const node of v.nodes) {
      const el = node.target.length === 1 ? document.querySelector(node.target[0]) : null;
      const material = owned.findIndex(([rule, selector]) => rule === v.id && el && el.matches(selector));
      out.push({rule: v.id, impact: node.impact || v.impact, target: node.target.join(" "),
                html: node.html.slice(0, 160), summary: (node.failureSummary || "").slice(0, 240), material});
    }
  }
  return out;
}
"""


@pytest.fixture(scope="session")
def axe() -> str:
    """axe.min.js, or skip (fail under CI) when it is not installed; asked first, before any build."""
    if AXE.is_file():
        return AXE.read_text("utf-8")
    reason = f"the accessibility test needs axe-core at {AXE.relative_to(ROOT)}: npm install --prefix tools (bash .ci/run does it)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _pages(folder: Path) -> dict[str, str]:
    """Site-relative paths of the pages to check, chosen from the built site's papers.json."""
    papers = json.loads((folder / "papers.json").read_text("utf-8"))
    theme = Counter(t for p in papers for t in p["themes"]).most_common(1)[0][0]
    # The paper with the largest page: the one with the most parts to check.
    paper = max(papers, key=lambda p: ((folder / p["page"] / "index.html").stat().st_size, p["key"]))
    return {"home": "", "themes index": "themes/", "theme": f"themes/{theme}/", "paper": paper["page"], "papers index": "papers/"}


@pytest.fixture(scope="module")
def sites(built_shipped_site, built_hostile_site):
    """(label, base URL, {page name: path}) of both sites, served on localhost."""
    with serve(built_shipped_site) as shipped, serve(built_hostile_site) as hostile:
        yield [("shipped", shipped, _pages(built_shipped_site)), ("hostile", hostile, _pages(built_hostile_site))]


def _audit(axe: str, chromium, sites, device: dict, scheme: str) -> list[dict]:
    """Every serious or critical violation on every checked page of both sites."""
    allowed = frozenset(base.split("/")[2] for _, base, _ in sites)
    watch = Watch(allowed)
    context = chromium.new_context(color_scheme=scheme, **device)
    context.set_default_timeout(TIMEOUT_MS)
    watch.attach_context(context)
    found = []
    try:
        page = context.new_page()
        watch.attach_page(page)
        for label, base, pages in sites:
            for name, path in pages.items():
                response = page.goto(urljoin(base, path), wait_until="load")
                assert response is not None and response.ok, f"{label} {name}: {response and response.status}"
                _settle(page, scheme)
                page.add_script_tag(content=axe)
                found += _run_axe(page, f"{label} {name} ({path or '/'})")
                if page.locator("button.rl-sort").count():
                    # A comparison table sorted by its first sortable column (table-sort.js).
                    page.locator("button.rl-sort").first.click()
                    page.wait_for_selector("th[aria-sort] button.rl-sort")
                    found += _run_axe(page, f"{label} {name}, comparison sorted")
                if page.locator("input[data-rl-filter=text]").count():
                    # The list filtered down to nothing: an empty table, no "Show more".
                    page.fill("input[data-rl-filter=text]", "q" * 300)
                    page.wait_for_selector("[data-rl-filter-count]:text-matches('^0 of')")
                    assert page.locator("button.rl-more").is_hidden(), "'Show more' is on screen with nothing more to show"
                    found += _run_axe(page, f"{label} {name}, filtered to no paper")
        assert not watch.problems(), watch.problems()[:10]
    finally:
        context.close()
    return found


def _run_axe(page, where: str) -> list[dict]:
    # Colours mid-transition (Material fades the header's title in on scroll) are not the page's.
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
    owned = [list(m[:2]) for m in MATERIAL_OWNED]
    return [{"page": where, **item} for item in page.evaluate(RUN_AXE_JS, [list(REPORTED), owned])]


def _settle(page, scheme: str) -> None:
    """Wait for the page's own scripts: the list's controls drawn, the palette applied."""
    if page.locator("[data-rl-filter-count]").count():
        page.wait_for_selector("[data-rl-filter-count]:not(:empty)")
        assert page.locator(".rl-filter select, .rl-filter input").first.is_visible()
    expected = "slate" if scheme == "dark" else "default"
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected


def _describe(found: list[dict]) -> str:
    return "\n".join(f"{f['impact']} {f['rule']} on {f['page']}: {f['target']} {f['html']!r} -- {f['summary']}" for f in found)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_serious_or_critical_violation(axe, chromium, sites, device, scheme):
    """No page has a serious or critical axe violation but the listed Material ones."""
    everything = _audit(axe, chromium, sites, device, scheme)
    found = [f for f in everything if f["material"] < 0]
    counts = Counter((f["rule"], f["impact"]) for f in found)
    assert not found, f"{dict(counts)}\n{_describe(found[:40])}"
    hit = {f["material"] for f in everything}
    stale = [entry[:2] for index, entry in enumerate(MATERIAL_OWNED) if index not in hit]
    assert not stale, f"no page has these Material violations any more; remove them from MATERIAL_OWNED: {stale}"
