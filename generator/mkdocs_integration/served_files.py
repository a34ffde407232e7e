"""Under `mkdocs serve --dirty`, the per-paper files left out of the last rebuild
are not made again for the next one while the generator has not rewritten them.

MkDocs lists the docs folder afresh for every rebuild: at 10,000 papers it
made 20,000 file objects, matched each against the exclusion patterns and
compared dates for each, only for `dirty_files.py` to leave the unchanged
paper pages and `.bib` files out again. The generator knows which files it
wrote (its sync report), so a per-paper file left out last time, and not
written since the last rebuild that finished, is left out again as the same
object. Every other file is made and checked as MkDocs does. A per-paper
file this rebuild built is left out of the next one too, once its built
copy is current: otherwise the first edit after the server started listed
and dated all 20,000 files again (0.7 s at 10,000 papers).

The served site folder is the server's own; a file deleted from it by hand
behind the server's back stays missing until a paper's page changes again
or the server restarts.
"""

from __future__ import annotations

import logging
import os

from mkdocs.structure.files import File, Files, _file_sort_key, set_exclusions  # get_files' own order

from generator.mkdocs_integration.dirty_files import per_paper

log = logging.getLogger("mkdocs.plugins.generator")


class ServedFiles:
    """What one server keeps between its rebuilds."""

    def __init__(self) -> None:
        self.left_out: dict[str, File] = {}  # src_uri -> a per-paper file left out of the last rebuild
        self.written: set[str] = set()  # per-paper files the generator wrote since the last finished rebuild
        self.where: tuple | None = None  # the folders and URL style those files were made for
        self.reused: list[File] = []  # of this rebuild, for on_files

    def forget(self) -> None:
        self.left_out = {}

    def generated(self, paths) -> None:
        self.written.update(path for path in paths if per_paper(path))

    def finished(self, left_out: dict[str, File], built=()) -> None:
        """The rebuild went through: its left-out files may be left out again next time,
        and so may the per-paper files it `built` whose built copy is now current."""
        self.left_out = dict(left_out)
        for file in built:
            if not file.is_modified():
                file.page = None  # the page of this build is not kept alive until the next one
                self.left_out[file.src_uri] = file
        self.written.clear()

    def get_files(self, config) -> Files | None:
        """The docs folder's files but for the reusable ones (kept in `reused`); None to let MkDocs list them."""
        where = (os.path.abspath(config["docs_dir"]), os.path.abspath(config["site_dir"]), config["use_directory_urls"])
        if where != self.where:
            self.where, self.left_out = where, {}
        self.reused = []
        if not self.left_out:
            return None
        docs = config["docs_dir"]
        fresh: list[File] = []
        for folder, dirnames, filenames in os.walk(docs, followlinks=True):
            relative = os.path.relpath(folder, docs)
            dirnames.sort()
            if any(name.lower() == "readme.md" for name in filenames):
                return None  # MkDocs' README/index rule: let it decide
            for name in sorted(filenames, key=_file_sort_key):
                src = name if relative == "." else f"{relative}/{name}".replace(os.sep, "/")
                kept = self.left_out.get(src)
                if kept is not None and src not in self.written:
                    self.reused.append(kept)
                else:
                    fresh.append(File(os.path.join(relative, name), docs, config["site_dir"], config["use_directory_urls"]))
        set_exclusions(fresh, config)
        log.debug("generator: %d unchanged per-paper file(s) left out without listing them", len(self.reused))
        return Files(fresh)


def install(served: ServedFiles) -> None:
    """Have MkDocs' build ask `served` for the files first."""
    from mkdocs.commands import build as mkdocs_build

    original = getattr(mkdocs_build.get_files, "original", mkdocs_build.get_files)

    def get_files(config):
        found = served.get_files(config)
        return found if found is not None else original(config)

    get_files.original = original
    mkdocs_build.get_files = get_files


__all__ = ["ServedFiles", "install"]
