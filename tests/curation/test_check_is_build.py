"""`check` refuses what the build and `mkdocs build --strict` refuse, by the same code.

A link in a note or a theme intro to nothing in the site is named by the
record file, its line and the link as the curator wrote it, by `check` and by
the build alike; what `check` passes, `mkdocs build --strict` builds. During
`mkdocs serve` a content problem shows on the served page instead of
stopping the server.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError

from fixtures.site.sitetools import SITE_CONTENT, make_site, mkdocs_build
from generator.build import ContentError, build_site
from generator.curation.check import check_content
from generator.mkdocs_integration import hook

BROKEN_NOTE = (
    "notes: |\n"
    "  Compare [PaLM](papers/palm.md), [the .bib](bib/galore.bib) and [below](#nowhere).\n"
    "  Fine: [LoRA](papers/lora.md), [notes](#notes), [the theme](themes/fine-tuning.md#top), [web](https://example.org/x.md).\n"
)
PLACEHOLDER_INTRO = "    intro: RLFRAGMENT0X\n"


def _site(tmp_path: Path, broken: bool) -> Path:
    """The site fixture with hostile notes on galore and a placeholder as a theme intro."""
    root = make_site(tmp_path / ("broken" if broken else "fine"), SITE_CONTENT)
    record = root / "content" / "papers" / "galore.yml"
    text = record.read_text("utf-8")
    text = text[: text.index("notes: |")]
    note = BROKEN_NOTE if broken else BROKEN_NOTE.replace("papers/palm.md", "papers/lora.md").replace(
        "bib/galore.bib", "../../bib/galore.bib").replace("#nowhere", "#notes")
    record.write_text(text + note, "utf-8")
    themes = root / "content" / "themes.yml"
    text = themes.read_text("utf-8")
    themes.write_text(text.replace("    intro: Splitting training across many accelerators.\n", PLACEHOLDER_INTRO), "utf-8")
    return root


def _notes_line(root: Path) -> int:
    lines = (root / "content" / "papers" / "galore.yml").read_text("utf-8").splitlines()
    return lines.index("notes: |") + 1


@pytest.mark.site
def test_broken_links_in_notes_are_named_as_written_by_check_build_and_mkdocs(tmp_path):
    root = _site(tmp_path, broken=True)
    record = str(root / "content" / "papers" / "galore.yml")
    report = check_content(root / "content")
    found = sorted((p.file, p.line, re.search(r"'([^']*)'", p.message).group(1)) for p in report.problems)
    line = _notes_line(root)
    assert found == [(record, line, "#nowhere"), (record, line, "bib/galore.bib"), (record, line, "papers/palm.md")]
    with pytest.raises(ContentError) as err:  # the build runs the same check
        build_site(root / "content", root / "generated")
    assert sorted(map(str, err.value.problems)) == sorted(map(str, report.problems))
    assert not (root / "generated" / "papers" / "galore.md").exists()  # nothing written
    run = mkdocs_build(root)
    assert run.returncode != 0
    assert f"galore.yml:{line}" in run.stderr and "'papers/palm.md'" in run.stderr


@pytest.mark.site
def test_what_check_passes_mkdocs_build_strict_builds(tmp_path):
    root = _site(tmp_path, broken=False)
    report = check_content(root / "content")
    assert report.ok, [str(p) for p in report.problems]
    run = mkdocs_build(root)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    page = (root / "site" / "themes" / "distributed-training" / "index.html").read_text("utf-8")
    assert "RL&#70;RAGMENT0X" in page and "<p>RLFRAGMENT0X</p>" not in page


def _serve_config(tmp_path: Path):
    root = _site(tmp_path, broken=True)
    return load_config(str(root / "mkdocs.yml")), root


def test_a_content_error_shows_on_the_served_page_with_file_and_line(tmp_path, monkeypatch):
    monkeypatch.setitem(hook._PROCESS, "command", None)
    config, root = _serve_config(tmp_path)
    hook.on_startup("serve", dirty=False)
    hook.on_config(config)
    hook.on_pre_build(config)  # does not raise: the server keeps running
    page = type("P", (), {"file": type("F", (), {"src_uri": "index.md"})(), "meta": {}, "url": ""})()
    html = hook.on_page_content("<p>home</p>", page, config, files=[])
    line = _notes_line(root)
    assert f"galore.yml:{line}" in html and "papers/palm.md" in html and html.endswith("<p>home</p>")
    assert (root / "generated" / "index.md").is_file()  # something to serve the message on
    assert not (root / "generated" / "papers").exists()


def test_a_content_error_still_fails_mkdocs_build(tmp_path, monkeypatch):
    monkeypatch.setitem(hook._PROCESS, "command", None)
    config, _root = _serve_config(tmp_path)
    hook.on_startup("build", dirty=False)
    hook.on_config(config)
    with pytest.raises(PluginError, match="problem"):
        hook.on_pre_build(config)


@pytest.mark.site
def test_a_link_written_from_its_own_page_is_named_with_its_docs_root_form(tmp_path):
    root = _site(tmp_path, broken=False)
    record = root / "content" / "papers" / "galore.yml"
    text = record.read_text("utf-8")
    record.write_text(text.replace("[LoRA](papers/lora.md)", "[LoRA](lora.md#notes), [PaLM](palm.md)"), "utf-8")
    messages = [p.message for p in check_content(root / "content").problems]
    assert len(messages) == 2, messages
    assert "'lora.md#notes'" in messages[0] and "write it from the docs root: 'papers/lora.md#notes'" in messages[0]
    assert "'palm.md'" in messages[1] and "expected a path from the docs root" in messages[1]  # no such paper
