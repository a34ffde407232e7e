"""The generated docs folder's static files hard-linked into the site, not copied.

At ten thousand papers the docs folder holds ten thousand `.bib` files (one
per paper) besides the pages; MkDocs copied them byte by byte on every build
and every `mkdocs serve` rebuild (0.75 s here; a hard link takes 0.06 s).
The generator writes each file by renaming a new one into place
(writer.py), so a linked site file keeps the bytes of the build that linked
it, as a copy would, and it is never written through: nothing writes into a
site file that came from the docs folder. Where a link cannot be made (the
site on another file system, a file system without links), the file is
copied as MkDocs copies it.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from mkdocs import utils


def link_static_files(files, docs_dir: str) -> None:
    """Make each static file of `docs_dir` in `files` link itself into the site when MkDocs copies it."""
    docs = os.path.abspath(docs_dir) + os.sep
    for file in files:
        if file.is_documentation_page() or file.abs_src_path is None or getattr(file, "_content", None) is not None:
            continue
        if os.path.abspath(file.abs_src_path).startswith(docs):
            file.copy_file = functools.partial(_link_or_copy, file)


def _link_or_copy(file, dirty: bool = False) -> None:
    """MkDocs' `File.copy_file`, with a hard link in place of the copy."""
    if dirty and not file.is_modified():
        return
    source, target = Path(file.abs_src_path), Path(file.abs_dest_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if target.exists() or target.is_symlink():
            if os.path.samefile(source, target):
                return
            target.unlink()
        os.link(source, target)
    except OSError:
        utils.copy_file(str(source), str(target))


__all__ = ["link_static_files"]
