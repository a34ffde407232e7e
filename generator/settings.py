"""How the site is addressed, read from mkdocs.yml exactly as MkDocs reads it.

`python -m generator build` and `mkdocs build` must write the same feeds and
`papers.json`, so both take `site_url`, `site_name` and `use_directory_urls`
from the same place: MkDocs' own YAML loading (`!ENV` tags, with or without a
default, and `INHERIT:`), with a safe loader underneath. Tags that name Python
objects (`!!python/name:...`, used by Markdown extensions) and `!relative` do
not matter here and read as nothing, so reading the settings imports no theme
or extension code.

One setting is the reading list's own: `extra: reading_list: public:` (the
deploy workflow sets it through `!ENV READING_LIST_PUBLIC`). On, the site is
the readers' view: no provenance file names or record paths on the pages, and
the curator pages (Unsorted, How to curate) neither in the navigation nor in
the built site. Off (the local preview), curators see everything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from mkdocs.exceptions import ConfigurationError
from mkdocs.utils.yaml import get_yaml_loader, yaml_load


@dataclass(frozen=True)
class Settings:
    """How the site is addressed; set from mkdocs.yml."""

    site_url: str = ""  # absolute, ending in "/", or "" for relative links only
    site_name: str = "Reading list"  # names the feeds
    use_directory_urls: bool = True
    recent: int = 10  # papers in "Recently added" on the home page
    excerpt_chars: int = 200
    feed_limit: int = 50
    public: bool = False  # the readers' view: curator internals hidden
    repo_url: str = ""  # the site's repository (mkdocs.yml `repo_url`)

    @property
    def suggest_url(self) -> str | None:
        """The "Suggest a paper" issue form (.github/ISSUE_TEMPLATE/suggest-paper.yml), on GitHub only."""
        m = _GITHUB_REPO_RE.match(self.repo_url)
        return f"https://github.com/{m.group(1)}/issues/new?template=suggest-paper.yml" if m else None


_GITHUB_REPO_RE = re.compile(r"^https://github\.com/([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+?)(?:\.git)?/?$")


# Pages for curators only, left out of the public site (docs paths).
CURATOR_PAGES = ("unsorted.md", "curating.md")
_TRUE = {"true", "yes", "on", "1"}


class _SafeLoader(yaml.SafeLoader):
    """A safe loader on which tags other than MkDocs' `!ENV` construct None."""


_SafeLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def read_mkdocs_settings(config_file: Path) -> Settings:
    """The settings in `config_file` with `!ENV` resolved now; defaults if it is missing or unreadable.

    An unreadable file is MkDocs' to report (`mkdocs build` stops on it); a
    build without MkDocs then links relatively, as with no `site_url`.
    """
    path = Path(config_file)
    if not path.is_file():
        return Settings()
    try:
        with path.open("rb") as stream:
            data = yaml_load(stream, get_yaml_loader(loader=_SafeLoader))
    except (ConfigurationError, OSError, yaml.YAMLError):
        return Settings()
    if not isinstance(data, dict):
        return Settings()
    return settings_from(
        data.get("site_url"), data.get("use_directory_urls", True), data.get("site_name"), data.get("extra"), data.get("repo_url")
    )


def settings_from(
    site_url: object, use_directory_urls: object = True, site_name: object = None, extra: object = None, repo_url: object = None
) -> Settings:
    """Settings from configuration values as MkDocs holds them (the hook passes its validated config)."""
    url = str(site_url).strip() if isinstance(site_url, str) and site_url.strip() else ""
    if url and not url.endswith("/"):
        url += "/"
    name = str(site_name).strip() if isinstance(site_name, str) and site_name.strip() else Settings.site_name
    repo = repo_url.strip() if isinstance(repo_url, str) else ""
    return Settings(
        site_url=url, site_name=name, use_directory_urls=use_directory_urls is not False, public=is_public(extra), repo_url=repo
    )


def is_public(extra: object) -> bool:
    """`extra.reading_list.public` as a yes/no; an `!ENV` value may arrive as text ("true", "1")."""
    section = extra.get("reading_list") if isinstance(extra, Mapping) else None  # MkDocs' config is a Mapping
    value = section.get("public") if isinstance(section, Mapping) else None
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return value is True or (isinstance(value, int) and value == 1)


def public_nav(nav: object) -> object:
    """The MkDocs `nav` without entries for curator pages (nested sections kept, emptied ones dropped)."""
    if isinstance(nav, list):
        kept = [public_nav(item) for item in nav if not _names_curator_page(item)]
        return [item for item in kept if not (isinstance(item, dict) and _empty_section(item))]
    if isinstance(nav, dict) and len(nav) == 1:
        ((title, value),) = nav.items()
        return {title: public_nav(value)} if isinstance(value, list) else nav
    return nav


def _names_curator_page(item: object) -> bool:
    if isinstance(item, str):
        return item.lstrip("/") in CURATOR_PAGES
    if isinstance(item, dict) and len(item) == 1:
        (value,) = item.values()
        return isinstance(value, str) and value.lstrip("/") in CURATOR_PAGES
    return False


def _empty_section(item: dict) -> bool:
    return len(item) == 1 and list(item.values())[0] == []


def apply_view(config, settings: Settings) -> None:
    """Make MkDocs build the readers' view when `settings.public`: the hook calls this in on_pre_build.

    Curator pages leave the navigation and are excluded from the site
    (`exclude_docs`, as if listed there in mkdocs.yml); `mkdocs serve` and a
    build without the setting are untouched.
    """
    if not settings.public:
        return
    import pathspec  # MkDocs' own dependency, for its exclude_docs

    if config.get("nav"):
        config["nav"] = public_nav(config["nav"])
    current = config.get("exclude_docs")
    lines = [*(p.pattern for p in getattr(current, "patterns", ()) if getattr(p, "pattern", None))]
    lines += [f"/{page}" for page in CURATOR_PAGES]
    config["exclude_docs"] = pathspec.gitignore.GitIgnoreSpec.from_lines(lines)


__all__ = ["Settings", "CURATOR_PAGES", "read_mkdocs_settings", "settings_from", "is_public", "public_nav", "apply_view"]
