"""Which files a `mkdocs serve --dirty` rebuild leaves out (generator/mkdocs_integration/dirty_files.py)."""

from __future__ import annotations

import os

from mkdocs.structure.files import File, Files

from generator.mkdocs_integration import dirty_files


def test_only_per_paper_pages_and_bib_files_count():
    assert dirty_files.per_paper("papers/galore.md")
    assert dirty_files.per_paper("bib/zero-offload.bib")
    for src in ("papers/index.md", "papers/page/2.md", "bib/library.bib", "bib/themes/data.bib",
                "themes/data.md", "index.md", "papers/GaLore.md", "papers/x/y.md", "csl/library.json"):
        assert not dirty_files.per_paper(src), src


def _file(docs, site, src: str, built: bool, newer_source: bool = False) -> File:
    path = docs / src
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(src, "utf-8")
    file = File(src, str(docs), str(site), use_directory_urls=True)
    if built:
        dest = site / file.dest_uri
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text("built", "utf-8")
        stamp = os.stat(path).st_mtime
        os.utime(dest, (stamp + (-10 if newer_source else 10),) * 2)
    return file


def test_unchanged_built_paper_files_are_left_out_but_still_resolve(tmp_path):
    docs, site = tmp_path / "docs", tmp_path / "site"
    files = Files([
        _file(docs, site, "papers/galore.md", built=True),  # unchanged: left out
        _file(docs, site, "bib/galore.bib", built=True),  # unchanged: left out
        _file(docs, site, "papers/lora.md", built=True, newer_source=True),  # edited: kept
        _file(docs, site, "papers/zero.md", built=False),  # never built: kept
        _file(docs, site, "papers/index.md", built=True),  # a list page: always kept
    ])
    kept = dirty_files.without_unchanged(files)
    assert sorted(file.src_uri for file in kept) == ["papers/index.md", "papers/lora.md", "papers/zero.md"]
    assert kept.get_file_from_path("papers/galore.md").src_uri == "papers/galore.md"
    assert kept.get_file_from_path("papers/missing.md") is None
    assert sorted(file.src_uri for file in kept.documentation_pages()) == ["papers/index.md", "papers/lora.md", "papers/zero.md"]
