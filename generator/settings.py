"""How the site is addressed, read from mkdocs.yml exactly as MkDocs reads it.

`python -m generator build` and `mkdocs build` must write the same feeds and
`papers.json`, so both take `site_url`, `site_name` and `use_directory_urls`
from the same place: MkDocs' own YAML loading (`!ENV` tags, with or without a
default, and `INHERIT:`), with a safe loader underneath. Tags that name Python
objects (`!!python/name:...`, used by Markdown extensions) and `!relative` do
not matter here and read as nothing, so reading the settings imports no theme
or extension code.
"""

from __future__ import annotations

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
    return settings_from(data.get("site_url"), data.get("use_directory_urls", True), data.get("site_name"))


def settings_from(site_url: object, use_directory_urls: object = True, site_name: object = None) -> Settings:
    """Settings from configuration values as MkDocs holds them (the hook passes its validated config)."""
    url = str(site_url).strip() if isinstance(site_url, str) and site_url.strip() else ""
    if url and not url.endswith("/"):
        url += "/"
    name = str(site_name).strip() if isinstance(site_name, str) and site_name.strip() else Settings.site_name
    return Settings(site_url=url, site_name=name, use_directory_urls=use_directory_urls is not False)


__all__ = ["Settings", "read_mkdocs_settings", "settings_from"]
