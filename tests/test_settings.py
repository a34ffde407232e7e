"""Settings: mkdocs.yml read as MkDocs reads it, so a build with or without MkDocs addresses the site alike."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from mkdocs.config import load_config

from generator.build import build
from generator.settings import Settings, read_mkdocs_settings, settings_from

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "site" / "content"


def _config(tmp_path: Path, text: str) -> Path:
    (tmp_path / "docs").mkdir(exist_ok=True)  # MkDocs checks docs_dir exists
    path = tmp_path / "mkdocs.yml"
    path.write_text("site_name: Lab list\ndocs_dir: docs\n" + text, "utf-8")
    return path


def _mkdocs_site_url(path: Path) -> str:
    """site_url as `mkdocs build` sees it, after MkDocs' own validation."""
    return load_config(config_file=str(path)).site_url or ""


@pytest.mark.parametrize(
    "line,env,expected",
    [
        ("site_url: !ENV SITE_URL\n", {"SITE_URL": "https://lab.example.org/list"}, "https://lab.example.org/list/"),
        ("site_url: !ENV SITE_URL\n", {}, ""),
        ("site_url: !ENV [SITE_URL, 'https://default.example.org/']\n", {}, "https://default.example.org/"),
        ("site_url: !ENV [SITE_URL, 'https://default.example.org/']\n", {"SITE_URL": "https://ci.example.org/x/"}, "https://ci.example.org/x/"),
        ("site_url: !ENV [RL_FIRST, SITE_URL, 'https://d.example.org/']\n", {"SITE_URL": "https://second.example.org/"}, "https://second.example.org/"),
        ("site_url: https://plain.example.org/a\n", {"SITE_URL": "https://ignored.example.org/"}, "https://plain.example.org/a/"),
    ],
    ids=["env-set", "env-unset", "default-used", "default-overridden", "first-set-variable", "no-tag"],
)
def test_site_url_is_the_one_mkdocs_sees(tmp_path, monkeypatch, line, env, expected):
    for name in ("SITE_URL", "RL_FIRST"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    path = _config(tmp_path, line)
    assert read_mkdocs_settings(path).site_url == expected
    assert _mkdocs_site_url(path) == expected


def test_other_tags_and_inherit(tmp_path, monkeypatch):
    """Tags naming Python objects are not imported; `INHERIT:` merges like MkDocs."""
    monkeypatch.setenv("RL_SITE_NAME", "From the environment")
    (tmp_path / "base.yml").write_text("site_url: https://base.example.org/\nuse_directory_urls: false\n", "utf-8")
    path = tmp_path / "mkdocs.yml"
    path.write_text(
        "INHERIT: base.yml\nsite_name: !ENV RL_SITE_NAME\n"
        "markdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:no_such_module.anything\n"
        "  - pymdownx.snippets:\n      base_path: !relative $config_dir\n",
        "utf-8",
    )
    assert read_mkdocs_settings(path) == Settings(
        site_url="https://base.example.org/", site_name="From the environment", use_directory_urls=False
    )


@pytest.mark.parametrize(
    "text",
    ["site_url: [unclosed\n", "- a list\n- not a mapping\n", "INHERIT: missing.yml\nsite_name: x\n", ""],
    ids=["bad-yaml", "not-a-mapping", "missing-parent", "empty"],
)
def test_unreadable_config_gives_defaults(tmp_path, text):
    path = tmp_path / "mkdocs.yml"
    path.write_text(text, "utf-8")
    assert read_mkdocs_settings(path) == Settings()
    assert read_mkdocs_settings(tmp_path / "absent.yml") == Settings()


def test_settings_from_config_values():
    assert settings_from("https://x.example.org/list", False, " Lab ") == Settings("https://x.example.org/list/", "Lab", False)
    assert settings_from(None, None, None) == Settings()
    assert settings_from("  ", True, 3) == Settings()


def test_build_without_mkdocs_uses_the_env_site_url(tmp_path, monkeypatch):
    """`python -m generator build` writes the feed and papers.json URLs `mkdocs build` would."""
    shutil.copytree(FIXTURE, tmp_path / "content")
    _config(tmp_path, "site_url: !ENV [SITE_URL, '']\n")
    monkeypatch.setenv("SITE_URL", "https://deploy.example.org/list/")
    build(tmp_path / "content", tmp_path / "out")
    feed = (tmp_path / "out" / "feeds" / "all.xml").read_text("utf-8")
    assert "https://deploy.example.org/list/papers/" in feed
    assert "<id>https://deploy.example.org/list/feeds/all.xml</id>" in feed
    assert json.loads((tmp_path / "out" / "papers.json").read_text("utf-8"))[0]["page"].startswith("papers/")


@pytest.mark.parametrize(
    ("repo_url", "expected"),
    [
        ("https://github.com/lab/reading-list", "https://github.com/lab/reading-list/issues/new?template=suggest-paper.yml"),
        ("https://github.com/lab/reading-list.git/", "https://github.com/lab/reading-list/issues/new?template=suggest-paper.yml"),
        ("https://gitlab.com/lab/reading-list", None),  # the issue form is GitHub's
        ("https://github.com/lab", None),
        ("javascript:alert(1)//github.com/a/b", None),
        (None, None),
    ],
)
def test_suggest_a_paper_links_to_the_issue_form_of_a_github_repository(repo_url, expected):
    assert settings_from("", True, None, None, repo_url).suggest_url == expected


def test_the_home_page_offers_suggest_a_paper_only_with_a_repository(tmp_path):
    from generator.build import generate, load_content

    content = tmp_path / "content"
    (content / "papers").mkdir(parents=True)
    (content / "themes.yml").write_text("themes: []\n", "utf-8")
    loaded, problems = load_content(content)
    assert not problems
    with_repo = generate(loaded, settings_from("", True, None, None, "https://github.com/lab/list")).files["index.md"]
    without = generate(loaded, settings_from("", True, None, None, None)).files["index.md"]
    assert b"[Suggest a paper](https://github.com/lab/list/issues/new?template=suggest-paper.yml)" in with_repo
    assert b"Suggest a paper" not in without
