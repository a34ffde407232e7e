"""Build stage: content -> generated docs folder (Markdown, .bib, JSON, feeds).

`generate()` is pure: it returns every output file in memory. `build()` then
hands them to the writer, which writes only what changed and removes stale
files. The pipeline reads top to bottom: load, assign themes, link, render.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import themes as themes_stage
from .library import load_library
from .model import Paper, Problem
from .writer import OutputSet, SyncReport, sync_tree


class ContentError(Exception):
    """The content folder has problems; the build refuses to run."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the content")
        self.problems = problems


@dataclass(frozen=True)
class Content:
    root: Path
    papers: tuple[Paper, ...]
    themes: tuple[themes_stage.Theme, ...]


def load_content(root: Path) -> tuple[Content, list[Problem]]:
    """Read and validate everything under the content folder."""
    library = load_library(root)
    problems = list(library.problems)
    themes, found = themes_stage.load_themes(root / "themes.yml")
    problems.extend(found)
    problems.extend(themes_stage.validate_against_library(themes, library.papers, root / "themes.yml"))
    return Content(root, library.papers, themes), problems


def generate(content: Content) -> OutputSet:
    """Every generated file, in memory."""
    outputs = OutputSet()
    assignments = themes_stage.assign_themes(content.papers, content.themes)
    lines = ["# Reading list", "", f"{len(content.papers)} papers.", ""]
    outputs.add("index.md", "\n".join(lines))
    return outputs


def build(content_dir: Path, docs_dir: Path) -> SyncReport:
    content, problems = load_content(content_dir)
    if problems:
        raise ContentError(problems)
    return sync_tree(docs_dir, generate(content))
