"""Generated static files reach the site as hard links that keep each build's bytes."""

from __future__ import annotations

import os

from mkdocs.structure.files import File

from generator.mkdocs_integration import static_files
from generator.mkdocs_integration.static_files import link_static_files
from generator.writer import write_atomic


def _setup(tmp_path):
    docs, site, theme = tmp_path / "generated", tmp_path / "site", tmp_path / "theme"
    write_atomic(docs / "bib" / "galore.bib", "@article{galore, title = {One}}\n")
    write_atomic(docs / "papers" / "galore.md", "# GaLore\n")
    write_atomic(theme / "assets" / "main.css", "body{}\n")
    files = [
        File("bib/galore.bib", str(docs), str(site), True),
        File("papers/galore.md", str(docs), str(site), True),
        File("assets/main.css", str(theme), str(site), True),
    ]
    link_static_files(files, str(docs))
    return docs, site, files


def test_a_generated_file_is_linked_and_a_new_version_is_linked_again(tmp_path):
    docs, site, (bib, page, _) = _setup(tmp_path)
    bib.copy_file()
    built = site / "bib" / "galore.bib"
    assert os.path.samefile(built, docs / "bib" / "galore.bib")
    write_atomic(docs / "bib" / "galore.bib", "@article{galore, title = {Two}}\n")  # the generator's next build
    assert "One" in built.read_text("utf-8")  # the site keeps the bytes of the build that linked it
    bib.copy_file(dirty=True)
    assert "Two" in built.read_text("utf-8") and os.path.samefile(built, docs / "bib" / "galore.bib")
    assert "copy_file" not in vars(page)  # pages are rendered, not copied


def test_theme_files_are_copied_as_mkdocs_copies_them(tmp_path):
    _, site, (_, _, css) = _setup(tmp_path)
    assert "copy_file" not in vars(css)
    css.copy_file()
    assert not os.path.samefile(site / "assets" / "main.css", tmp_path / "theme" / "assets" / "main.css")


def test_without_links_the_file_is_copied(tmp_path, monkeypatch):
    def no_links(source, target):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(static_files.os, "link", no_links)
    docs, site, (bib, _, _) = _setup(tmp_path)
    bib.copy_file()
    built = site / "bib" / "galore.bib"
    assert built.read_bytes() == (docs / "bib" / "galore.bib").read_bytes()
    assert not os.path.samefile(built, docs / "bib" / "galore.bib")
