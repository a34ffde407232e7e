"""MkDocs hook: run the generator before every build, so `mkdocs build` and
`mkdocs serve` need no other step, and watch content/ and overrides/.

The content folder is `content/` next to mkdocs.yml. site_url and
use_directory_urls come from mkdocs.yml, so feeds, papers.json and links in
raw HTML agree with the site MkDocs builds. The theme pages are added to the
navigation under the entry that names `themes/index.md`; paper pages are never
in the navigation (see `not_in_nav`), they are reached by links and search.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the hook is loaded by file path
    sys.path.insert(0, str(ROOT))

from mkdocs.exceptions import PluginError  # noqa: E402

from generator.build import ContentError, build_site, settings_from  # noqa: E402
from generator.postprocess import compact_html, compact_search_index  # noqa: E402
from generator.render import theme_src  # noqa: E402
from generator.writer import write_atomic  # noqa: E402

log = logging.getLogger("mkdocs.hooks.generator")

THEMES_INDEX = "themes/index.md"


def _site_root(config) -> Path:
    return Path(config.config_file_path).resolve().parent


def on_config(config, **kwargs):
    root = _site_root(config)
    for path in (root / "content", root / "overrides"):
        if path.is_dir() and str(path) not in config.watch:
            config.watch.append(str(path))
    return config


def on_pre_build(config, **kwargs):
    content_dir = _site_root(config) / "content"
    settings = settings_from(config.site_url, config.use_directory_urls, config.site_name)
    try:
        content, report = build_site(content_dir, Path(config.docs_dir), settings)
    except ContentError as err:
        for problem in err.problems:
            log.error(str(problem))
        raise PluginError(
            f"generator: {len(err.problems)} problem(s) in {content_dir}; run `python -m generator check`"
        ) from None
    log.info(
        "generator: %d file(s) written, %d unchanged, %d removed",
        len(report.written), report.unchanged, len(report.removed),
    )
    if config.nav:
        config.nav = expand_theme_nav(config.nav, [theme_src(t.id) for t in content.themes])


def on_post_page(output, page, config, **kwargs):
    return compact_html(output)


def on_post_build(config, **kwargs):
    """Runs after the search plugin has written its index (hooks run last)."""
    index = Path(config.site_dir) / "search" / "search_index.json"
    if index.is_file():
        write_atomic(index, compact_search_index(index.read_text("utf-8")))


def expand_theme_nav(nav: list, theme_pages: list[str]) -> list:
    """The nav with the entry naming themes/index.md turned into a section of every theme."""
    out = []
    for item in nav:
        if item == THEMES_INDEX:
            out.append({"Themes": [THEMES_INDEX, *theme_pages]})
        elif isinstance(item, dict) and len(item) == 1:
            (title, value), = item.items()
            if value == THEMES_INDEX or (isinstance(value, list) and value and value[0] == THEMES_INDEX):
                out.append({title: [THEMES_INDEX, *theme_pages]})
            else:
                out.append(item)
        else:
            out.append(item)
    return out
