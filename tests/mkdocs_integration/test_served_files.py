"""What a `mkdocs serve --dirty` server keeps between rebuilds (generator/mkdocs_integration/served_files.py)."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

from mkdocs.config import load_config
from mkdocs.structure.files import File

from generator.mkdocs_integration.served_files import ServedFiles


def _site(tmp_path: Path, sources: list[str]):
    root = tmp_path / "site-root"
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: x\ndocs_dir: docs\nsite_dir: built\n", "utf-8")
    for src in sources:
        path = root / "docs" / src
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(src, "utf-8")
    return load_config(str(root / "mkdocs.yml"))


def _built(config, src: str, newer_source: bool = False) -> File:
    """The file as a rebuild had it, with a built copy older or newer than its source."""
    file = File(src, config["docs_dir"], config["site_dir"], config["use_directory_urls"])
    file.page = SimpleNamespace(title="a page of that build")
    dest = Path(file.abs_dest_path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text("built", "utf-8")
    stamp = os.stat(file.abs_src_path).st_mtime
    os.utime(dest, (stamp + (-10 if newer_source else 10),) * 2)
    return file


def test_per_paper_files_a_rebuild_built_are_left_out_of_the_next_one(tmp_path):
    config = _site(tmp_path, ["index.md", "papers/galore.md", "papers/lora.md", "bib/galore.bib"])
    served = ServedFiles()
    assert served.get_files(config) is None  # nothing known yet: MkDocs lists the folder
    galore, bib = _built(config, "papers/galore.md"), _built(config, "bib/galore.bib")
    lora = _built(config, "papers/lora.md", newer_source=True)  # edited after it was built
    served.finished({}, [galore, bib, lora])
    files = served.get_files(config)
    assert sorted(f.src_uri for f in served.reused) == ["bib/galore.bib", "papers/galore.md"]
    assert served.reused[0] in (galore, bib) and galore.page is None  # the same objects, without their pages
    assert sorted(f.src_uri for f in files) == ["index.md", "papers/lora.md"]


def test_a_file_the_generator_wrote_again_is_listed_again(tmp_path):
    config = _site(tmp_path, ["papers/galore.md"])
    served = ServedFiles()
    served.get_files(config)
    served.finished({}, [_built(config, "papers/galore.md")])
    served.generated(["papers/galore.md"])
    files = served.get_files(config)
    assert served.reused == [] and [f.src_uri for f in files] == ["papers/galore.md"]
