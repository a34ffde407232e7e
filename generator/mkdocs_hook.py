"""MkDocs hook: run the generator before every build, so `mkdocs build` and
`mkdocs serve` need no other step, and watch content/ and overrides/."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the hook is loaded by file path
    sys.path.insert(0, str(ROOT))

from generator.build import ContentError, build  # noqa: E402

log = logging.getLogger("mkdocs.hooks.generator")


def on_config(config, **kwargs):
    content = Path(config.config_file_path).parent / "content"
    for path in (content, Path(config.config_file_path).parent / "overrides"):
        if path.is_dir() and str(path) not in config.watch:
            config.watch.append(str(path))
    return config


def on_pre_build(config, **kwargs):
    content = Path(config.config_file_path).parent / "content"
    try:
        report = build(content, Path(config.docs_dir))
    except ContentError as err:
        for problem in err.problems:
            log.error(str(problem))
        raise SystemExit(f"generator: {len(err.problems)} problem(s) in {content}; run `python -m generator check`")
    log.info("generator: %d file(s) written, %d unchanged, %d removed", len(report.written), report.unchanged, len(report.removed))
