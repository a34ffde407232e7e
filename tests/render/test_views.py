"""Public and curator views: one setting in mkdocs.yml (`extra.reading_list.public`,
set by the deploy workflow through `!ENV READING_LIST_PUBLIC`) hides curator
internals from readers; the local preview keeps them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from mkdocs.config import load_config

from fixtures.site.sitetools import ROOT, SITE_CONTENT, make_site, mkdocs_build, pagefind_records, read_page  # noqa: E402

from generator.build import generate, load_content  # noqa: E402
from generator.mkdocs_integration.hook import expand_theme_nav  # noqa: E402
from generator.settings import CURATOR_PAGES, Settings, apply_view, is_public, public_nav, read_mkdocs_settings  # noqa: E402

SITE = "https://example.github.io/reading-list/"


@pytest.mark.parametrize(
    "env,expected",
    [(None, False), ("true", True), ("false", False), ("1", True), ("0", False), ("yes", True), ("", False)],
)
def test_the_project_setting_follows_the_environment(monkeypatch, env, expected):
    if env is None:
        monkeypatch.delenv("READING_LIST_PUBLIC", raising=False)
    else:
        monkeypatch.setenv("READING_LIST_PUBLIC", env)
    assert read_mkdocs_settings(ROOT / "mkdocs.yml").public is expected
    # MkDocs reads the same value: the hook passes its config.extra on.
    extra = load_config(config_file=str(ROOT / "mkdocs.yml")).extra
    assert is_public(extra) is expected


@pytest.mark.parametrize(
    "extra,expected",
    [
        ({"reading_list": {"public": True}}, True),
        ({"reading_list": {"public": "TRUE "}}, True),
        ({"reading_list": {"public": False}}, False),
        ({"reading_list": {"public": "no"}}, False),
        ({"reading_list": {"public": None}}, False),
        ({"reading_list": "public"}, False),
        ({"reading_list": {"public": ["true"]}}, False),
        ({}, False),
        (None, False),
    ],
)
def test_is_public(extra, expected):
    assert is_public(extra) is expected


def _project_nav() -> list:
    class _Loader(yaml.SafeLoader):
        pass

    _Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    return yaml.load((ROOT / "mkdocs.yml").read_text("utf-8"), Loader=_Loader)["nav"]


def test_public_nav_drops_the_curator_pages_only():
    nav = expand_theme_nav(_project_nav(), ["themes/a.md", "themes/b.md"])
    public = public_nav(nav)
    flat = yaml.safe_dump(public)
    assert "unsorted.md" in yaml.safe_dump(nav) and "curating.md" in yaml.safe_dump(nav)
    assert "unsorted.md" not in flat and "curating.md" not in flat
    assert len(public) == len(nav) - 2
    assert {"Themes": ["themes/index.md", "themes/a.md", "themes/b.md"]} in public
    nested = [{"Curators": ["curating.md", {"Triage": "unsorted.md"}]}, "unsorted.md", {"Home": "index.md"}]
    assert public_nav(nested) == [{"Home": "index.md"}]


def test_apply_view_excludes_the_curator_pages_and_keeps_other_exclusions(tmp_path):
    (tmp_path / "docs").mkdir()
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text(
        "site_name: x\ndocs_dir: docs\nexclude_docs: |\n  drafts/\nnav:\n  - Home: index.md\n  - Unsorted: unsorted.md\n  - How to curate: curating.md\n",
        "utf-8",
    )
    config = load_config(config_file=str(config_file))
    apply_view(config, Settings())
    assert config.exclude_docs.match_file("drafts/x.md") and not config.exclude_docs.match_file("unsorted.md")
    apply_view(config, Settings(public=True))
    assert config.nav == [{"Home": "index.md"}]
    for page in CURATOR_PAGES:
        assert config.exclude_docs.match_file(page)
    assert config.exclude_docs.match_file("drafts/x.md")
    assert not config.exclude_docs.match_file("papers/unsorted.md") and not config.exclude_docs.match_file("index.md")


@pytest.fixture(scope="module")
def content():
    found, problems = load_content(SITE_CONTENT)
    assert not problems
    return found


def _links_to_curator_pages(text: str) -> list[str]:
    return re.findall(r"(?:href=\"|\]\()[^\"\)]*(?:unsorted|curating)(?:\.md|/)", text)


@pytest.mark.parametrize("public", [False, True])
def test_generated_pages_hide_curator_internals_in_the_public_view(content, public):
    outputs = generate(content, Settings(site_url=SITE, public=public))
    pokechamp = outputs.files["papers/pokechamp.md"].decode()  # unsorted, seen in a dump
    galore = outputs.files["papers/galore.md"].decode()
    for page in (pokechamp, galore):
        assert ("Seen in:" in page) is not public
        assert ("Record: content/papers/" in page) is not public
        # The BibTeX block is the export's (its `note` names the dump: export/bibtex.py's to hide).
        before_bibtex = page.split("## BibTeX")[0]
        assert (".txt" in before_bibtex) is not public
    assert "Not in any theme yet" in pokechamp
    linking = sorted(
        path for path, data in outputs.files.items()
        if path.endswith(".md") and path not in CURATOR_PAGES and _links_to_curator_pages(data.decode())
    )
    if public:
        assert linking == []
    else:
        assert {"index.md", "themes/index.md", "papers/index.md", "papers/pokechamp.md"} <= set(linking)


# The hook as it is plus the two calls this view needs from it (see the report
# of the branch): `settings_from(..., config.extra)` and `apply_view(config, settings)`.


@pytest.fixture(scope="module")
def public_site(tmp_path_factory) -> Path:
    root = make_site(tmp_path_factory.mktemp("public"), SITE_CONTENT)
    run = mkdocs_build(root, READING_LIST_PUBLIC="true")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    return root / "site"


@pytest.mark.site
def test_the_public_site_has_no_curator_pages_or_internals(public_site):
    assert not (public_site / "unsorted").exists() and not (public_site / "curating").exists()
    assert (public_site / "about" / "index.html").is_file()
    home = read_page(public_site / "index.html")
    assert "Unsorted" not in home.nav and "How to curate" not in home.nav
    assert "All papers" in home.nav and "About" in home.nav
    for path in sorted(public_site.rglob("papers/*/index.html")):
        text = read_page(path).article
        assert "Seen in:" not in text and "Record: content/" not in text, path
    sitemap = (public_site / "sitemap.xml").read_text("utf-8")
    assert "unsorted" not in sitemap and "curating" not in sitemap
    searchable = pagefind_records(public_site)
    assert "/papers/galore/" in searchable or len(searchable) > 10
    assert not [url for url in searchable if url.startswith(("/unsorted/", "/curating/"))]
