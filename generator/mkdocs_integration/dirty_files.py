"""Under `mkdocs serve --dirty`, a rebuild leaves out the paper pages and
per-paper `.bib` files that are already built and unchanged.

A dirty build renders and copies only what changed, but MkDocs still makes,
fills and dates a page object for every paper, checks every file's dates
and lists every page in the sitemap: at 10,000 papers, seconds of every
rebuild spent on pages it then skipped. Left out of `files`, such a page
keeps its built copy in the served site (a dirty build removes nothing).

Links to them still resolve (`KnownFiles`), so MkDocs checks a rebuilt
page's Markdown links as before. A build that shows content problems keeps
every file. The served sitemap.xml then lists only the pages that were
rebuilt; `mkdocs build` and a served build without `--dirty` are not affected.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from mkdocs.structure.files import Files

from generator.render.urls import LIBRARY_BIB, PAPERS_INDEX_SRC, SLUG_RE

_SLUG = SLUG_RE.pattern.strip("^$")
PER_PAPER_RE = re.compile(rf"(?:papers/{_SLUG}\.md|bib/{_SLUG}\.bib)")  # paper_src and bib_path
KEPT = {PAPERS_INDEX_SRC, LIBRARY_BIB}


def per_paper(src_uri: str) -> bool:
    """A paper's page or its `.bib` file (generator/render/urls.py)."""
    return src_uri not in KEPT and PER_PAPER_RE.fullmatch(src_uri) is not None


class KnownFiles(Files):
    """The files of this build, which still resolve a link to the files left out of it."""

    def __init__(self, files: list, left_out: list):
        super().__init__(files)
        self.left_out = {file.src_uri: file for file in left_out}

    def get_file_from_path(self, path: str):
        return super().get_file_from_path(path) or self.left_out.get(PurePath(path).as_posix())


def without_unchanged(files: Files, left_out_already: list = ()) -> KnownFiles:
    """`files` without the per-paper pages and files whose built copy is up to date;
    `left_out_already` (served_files.py) are known to be, and only resolve links too."""
    kept, left_out = [], list(left_out_already)
    for file in files:
        (left_out if per_paper(file.src_uri) and not file.is_modified() else kept).append(file)
    return KnownFiles(kept, left_out)


__all__ = ["KnownFiles", "per_paper", "without_unchanged"]
