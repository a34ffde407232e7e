"""Pages kept between full builds (page_cache.py): the site is the same as
one rendered from nothing, an edited page is rendered again, and links to
and from kept pages are checked as before."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from fixtures.site.sitetools import SITE_CONTENT, make_site, mkdocs_build
from generator.mkdocs_integration import page_cache

pytestmark = pytest.mark.site


def _tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _kept(run) -> int:
    found = re.findall(r"(\d+) page\(s\) kept from the last build", run.stderr)
    assert found, run.stderr[-3000:]
    return int(found[-1])


def _build(root: Path, site_dir: str, strict: bool = True, **env):
    run = mkdocs_build(root, site_dir=site_dir, strict=strict, **env)
    assert run.returncode == 0 or not strict, run.stderr[-4000:]
    return run


def _set_note(root: Path, key: str, note: str) -> None:
    record = root / "content" / "papers" / f"{key}.yml"
    record.write_text(record.read_text("utf-8") + f"notes: '{note}'\n", "utf-8")


@pytest.fixture()
def root(tmp_path) -> Path:
    return make_site(tmp_path / "site", SITE_CONTENT)


def test_kept_pages_give_the_site_rendered_from_nothing(root):
    first = _build(root, "first")
    assert _kept(first) == 0
    second = _build(root, "second")
    paper_pages = len(list((root / "first" / "papers").glob("*/index.html")))
    assert _kept(second) >= paper_pages > 0
    assert _tree(root / "second") == _tree(root / "first")

    _set_note(root, "lora", "Read again: the rank ablation.")
    edited = _build(root, "edited")
    assert _kept(edited) < _kept(second)
    assert "the rank ablation" in (root / "edited" / "papers" / "lora" / "index.html").read_text("utf-8")
    fresh = _build(root, "fresh", READING_LIST_PAGE_CACHE="off")
    assert _tree(root / "edited") == _tree(root / "fresh")


def test_a_page_that_warned_warns_again(root):
    colophon = root / "content" / "pages" / "colophon.md"
    colophon.write_text(colophon.read_text("utf-8") + "\nSee [a page that is not there](missing.md).\n", "utf-8")
    warned = _build(root, "warned", strict=False)
    assert "missing.md" in warned.stderr and "no page kept" in warned.stderr
    again = mkdocs_build(root, site_dir="again")
    assert again.returncode != 0 and "missing.md" in again.stderr


def test_links_to_anchors_of_kept_pages_are_checked(root):
    colophon = root / "content" / "pages" / "colophon.md"
    text = colophon.read_text("utf-8")
    colophon.write_text(text + "\nSee [its BibTeX](papers/galore.md#bibtex).\n", "utf-8")
    _build(root, "first")
    kept = _build(root, "second")  # strict: galore's anchors come from the kept page
    assert _kept(kept) > 0
    colophon.write_text(text + "\nSee [nothing](papers/galore.md#no-such-part).\n", "utf-8")
    broken = mkdocs_build(root, site_dir="broken")
    assert broken.returncode != 0 and "no-such-part" in broken.stderr


class _File:
    def __init__(self, src_uri: str):
        self.src_uri = src_uri


def test_a_stand_in_gives_mkdocs_what_rendering_would_have():
    target = _File("papers/galore.md")
    files = SimpleNamespace(get_file_from_path=lambda src: target if src == target.src_uri else None)
    page = SimpleNamespace(meta={}, title="LoRA", present_anchor_ids={"bibtex", "notes"},
                           links_to_anchors={target: {"bibtex": "galore.md#bibtex"}})
    kept = page_cache.kept_page("k", page, "<html></html>", None)
    fresh = SimpleNamespace(meta={})
    page_cache.stand_in(fresh, kept, files)
    fresh.render(None, files)
    assert fresh.meta["title"] == "LoRA" and fresh.meta["template"] == page_cache.TEMPLATE
    assert fresh.content == "" and fresh.present_anchor_ids == {"bibtex", "notes"}
    assert fresh.links_to_anchors == {target: {"bibtex": "galore.md#bibtex"}}


def test_the_frame_digest_does_not_depend_on_set_order():
    assert page_cache._stable({"b", "a"}) == page_cache._stable({"a", "b"})
    assert page_cache._stable({"x": {2, 1}, "a": [1]}) == [("a", [1]), ("x", ["1", "2"])]


def test_a_new_build_date_keeps_pages_unless_a_template_shows_it(root):
    # The deploy workflow dates every build by its last commit.
    _build(root, "first", SOURCE_DATE_EPOCH="1700000000")
    assert _kept(_build(root, "second", SOURCE_DATE_EPOCH="1700086400")) > 0
    main = root / "overrides" / "main.html"
    main.write_text(main.read_text("utf-8") + "\n{# dated: {{ build_date_utc }} #}\n", "utf-8")
    _build(root, "third", SOURCE_DATE_EPOCH="1700086400")
    assert _kept(_build(root, "fourth", SOURCE_DATE_EPOCH="1700172800")) == 0
