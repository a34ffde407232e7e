"""The build cache (generator/cache.py): a rebuild from cached results writes
the same bytes as a build from nothing, whatever was edited in between."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from generator import cache as cache_mod
from generator.build import build_site
from generator.cache import BuildCache, digest
from generator.render import pages


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _set_field(record: Path, field: str, value: str) -> None:
    """Replace one top-level scalar field of a record (or add it), keeping the rest."""
    lines = record.read_text("utf-8").splitlines(keepends=True)
    out, done = [], False
    for line in lines:
        if line.startswith(f"{field}:"):
            out.append(f"{field}: {value}\n")
            done = True
        elif done and line.startswith((" ", "\t")) and out[-1].startswith(f"{field}:"):
            continue  # a folded value's continuation lines
        else:
            out.append(line)
    if not done:
        out.append(f"{field}: {value}\n")
    record.write_text("".join(out), "utf-8")


def _random_edit(content: Path, rng: random.Random) -> str:
    records = sorted((content / "papers").glob("*.yml"))
    record = rng.choice(records)
    other = rng.choice(records)
    kind = rng.choice(["title", "abstract", "status", "notes", "delete", "mention"])
    if kind == "title":
        _set_field(record, "title", f"'Edited title {rng.randrange(10**6)} about sparse attention'")
    elif kind == "abstract":
        _set_field(record, "abstract", f"'We study mixture of experts routing {rng.randrange(10**6)} at scale.'")
    elif kind == "status":
        _set_field(record, "status", rng.choice(["key", "read", "skimmed"]))
    elif kind == "notes":
        _set_field(record, "notes", f"'Curator note {rng.randrange(10**6)}.'")
    elif kind == "delete":
        record.unlink()
    else:  # an abstract that names another paper's title: mentions and their pages change
        title = other.read_text("utf-8").split("title: ", 1)[1].split("\n", 1)[0].strip("'\"")
        _set_field(record, "abstract", repr(f"We build on {title} and extend it."))
    return f"{kind} {record.name}"


def test_digest_is_stable_and_tells_inputs_apart():
    assert digest("a", (1, 2)) == digest("a", (1, 2))
    assert digest("a", (1, 2)) != digest("a", (2, 1))


def test_cached_rebuilds_after_random_edits_match_clean_builds(shipped_content, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(shipped_content, content)
    cache = BuildCache(tmp_path / "cache")
    build_site(content, tmp_path / "incremental", cache=cache)
    rng = random.Random(16)
    for step in range(4):
        edits = [_random_edit(content, rng) for _ in range(rng.randint(1, 3))]
        if step % 2:  # a new process: the cache read back from disk
            cache = BuildCache(tmp_path / "cache")
        build_site(content, tmp_path / "incremental", cache=cache)
        clean = tmp_path / f"clean{step}"
        build_site(content, clean)
        assert _tree(tmp_path / "incremental") == _tree(clean), edits


def test_unchanged_records_are_not_parsed_again(shipped_content, tmp_path, monkeypatch):
    cache = BuildCache(tmp_path / "cache")
    build_site(shipped_content, tmp_path / "docs", cache=cache)
    import generator.library.records as records

    calls = []
    real = records.record_to_paper
    monkeypatch.setattr(records, "record_to_paper", lambda *a: calls.append(a) or real(*a))
    _, report = build_site(shipped_content, tmp_path / "docs", cache=BuildCache(tmp_path / "cache"))
    assert calls == [] and not report.written


def test_a_broken_or_foreign_cache_is_ignored(shipped_content, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    build_site(shipped_content, tmp_path / "a", cache=BuildCache(folder))
    stored = sorted(folder.glob("*.pickle"))
    assert stored
    stored[0].write_bytes(b"not a pickle")
    monkeypatch.setattr(cache_mod, "CODE_DIGEST", "another generator")  # as after an upgrade
    build_site(shipped_content, tmp_path / "b", cache=BuildCache(folder))
    build_site(shipped_content, tmp_path / "clean")
    assert _tree(tmp_path / "b") == _tree(tmp_path / "clean")


def test_stages_forget_what_a_build_no_longer_asks_for(shipped_content, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(shipped_content, content)
    cache = BuildCache(tmp_path / "cache")
    build_site(content, tmp_path / "docs", cache=cache)
    names = ["records", "text", "paper-pages", "bibtex"]
    before = {name: len(cache.stage(name).entries) for name in names}
    sorted((content / "papers").glob("*.yml"))[0].unlink()
    build_site(content, tmp_path / "docs", cache=cache)
    stored = BuildCache(tmp_path / "cache")
    after = {name: len(stored.stage(name).entries) for name in names}
    assert after == {name: count if name == "text" else count - 1 for name, count in before.items()}


def test_a_new_citation_rebuilds_the_cited_papers_page(shipped_content, tmp_path):
    """The cited paper's record does not change, but its page gains "Cited by in this list"."""
    content = tmp_path / "content"
    shutil.copytree(shipped_content, content)
    records = sorted((content / "papers").glob("*.yml"))
    citing, cited = records[0], records[1]
    _set_field(cited, "arxiv", "'2403.03507'")
    cache = BuildCache(tmp_path / "cache")
    build_site(content, tmp_path / "incremental", cache=cache)
    _set_field(citing, "references", "['arxiv:2403.03507']")
    build_site(content, tmp_path / "incremental", cache=cache)
    build_site(content, tmp_path / "clean")
    incremental, clean = _tree(tmp_path / "incremental"), _tree(tmp_path / "clean")
    assert incremental == clean
    assert b"Cited by in this list" in clean[f"papers/{cited.stem}.md"]


def test_fields_not_listed_change_no_listing_page(shipped_content, monkeypatch):
    """The listing pages are cached without NOT_LISTED fields: editing one must
    change no listing page (else a cached list would show a stale value)."""
    from dataclasses import replace

    from generator import build

    content, problems = build.load_content(shipped_content)
    assert not problems and build.NOT_LISTED, "nothing is left out of the listings' cache key"
    listing: set[str] = set()
    real = build._listing_pages

    def recording(site):
        found = real(site)
        listing.update(src for src, _ in found)
        return found

    monkeypatch.setattr(build, "_listing_pages", recording)
    before = build.generate(content)
    edited = [replace(p, **{name: f"An edited {name} naming [GaLore](galore.md) and *key*." for name in build.NOT_LISTED})
              for p in content.papers]
    after = build.generate(replace(content, papers=tuple(edited)))
    assert len(listing) > 5
    for src in listing:
        assert before.files[src] == after.files[src], src
    assert any(before.files[src] != after.files[src] for src in before.files), "the edit changed nothing at all"


def test_an_edit_renders_only_the_list_pages_and_data_lines_it_changes(shipped_content, tmp_path, monkeypatch):
    """Two papers swap their statuses: only the all-papers pages that list them
    (the list is by title) are rendered again, and papers.json makes again only
    the lines of the papers whose pages changed."""
    from generator.export import papers_json

    content = tmp_path / "content"
    shutil.copytree(shipped_content, content)
    records = sorted((content / "papers").glob("*.yml"))
    first, second = records[3], records[-3]  # far apart in title order, on two pages
    _set_field(first, "status", "read")
    _set_field(second, "status", "key")
    cache = BuildCache(tmp_path / "cache")
    build_site(content, tmp_path / "incremental", cache=cache)
    index_pages = [src for src in _tree(tmp_path / "incremental") if src.startswith("papers/page/")]
    assert len(index_pages) >= 3, "the shipped list should need several pages"
    rendered, lines = [], []
    real_render, real_line = pages._render, papers_json.paper_line
    monkeypatch.setattr(pages, "_render", lambda template, **kw: rendered.append((template, kw["page"].src)) or real_render(template, **kw))
    real_row, rows = pages._index_row, []
    monkeypatch.setattr(pages, "_index_row", lambda site, page, paper: rows.append(paper.slug) or real_row(site, page, paper))
    monkeypatch.setattr("generator.build.paper_line", lambda site, paper: lines.append(paper.key) or real_line(site, paper))
    _set_field(first, "status", "key")
    _set_field(second, "status", "read")
    build_site(content, tmp_path / "incremental", cache=cache)
    index = [src for template, src in rendered if template == "papers_index.md"]
    assert 1 <= len(index) <= 2, index
    assert sorted(rows) == sorted([first.stem, second.stem]), rows  # the other rows of those pages were kept
    # a theme's first page only where one of the two is a member (its count of key papers changed)
    from generator.build import load_content
    from generator.analysis.themes import assign_themes

    loaded, _ = load_content(content)
    placed = assign_themes(loaded.papers, loaded.themes)
    theirs = {f"themes/{a.theme}.md" for paper in loaded.papers if paper.slug in (first.stem, second.stem) for a in placed.get(paper.key, ())}
    themes = {src for template, src in rendered if template == "theme.md"}
    assert theirs and themes == theirs and len(themes) < len(loaded.themes), (themes, theirs)
    # the two papers, and the few whose pages show them (related, mentions): not the library
    assert {first.stem, second.stem} <= set(lines) and len(lines) < len(records) / 10, lines
    build_site(content, tmp_path / "clean")
    assert _tree(tmp_path / "incremental") == _tree(tmp_path / "clean")


def _library_and_cache(shipped_content, tmp_path, monkeypatch) -> tuple[Path, Path, BuildCache, list]:
    """A copy of the shipped content, an empty cache folder, and the functions registered to run at exit."""
    registered = []
    monkeypatch.setattr(cache_mod.atexit, "register", registered.append)
    content = tmp_path / "content"
    shutil.copytree(shipped_content, content)
    folder = tmp_path / "cache"
    return content, folder, BuildCache(folder), registered


def test_a_serve_cache_writes_its_later_builds_at_exit(shipped_content, tmp_path, monkeypatch):
    """Under `mkdocs serve` the first build's cache is written at once, later
    ones at exit: a save in between leaves the files as they were."""
    content, folder, cache, registered = _library_and_cache(shipped_content, tmp_path, monkeypatch)
    build_site(content, tmp_path / "docs", cache=cache)
    cache.write_at_exit()
    cache.write_at_exit()
    assert registered == [cache.write]
    before = {p.name: p.read_bytes() for p in folder.glob("*.pickle")}
    record = sorted((content / "papers").glob("*.yml"))[0]
    _set_field(record, "notes", "'A note written while serving.'")
    build_site(content, tmp_path / "docs", cache=cache)
    assert {p.name: p.read_bytes() for p in folder.glob("*.pickle")} == before
    registered[0]()  # the process ends
    assert {p.name: p.read_bytes() for p in folder.glob("*.pickle")} != before
    _, report = build_site(content, tmp_path / "docs", cache=BuildCache(folder))
    assert not report.written


def test_the_command_line_build_keeps_the_cache_beside_the_content_folder(shipped_content, tmp_path, capsys):
    """`python -m generator build` shares the hook's cache (.cache/build beside mkdocs.yml);
    `--no-cache` neither reads nor writes it, and both write the same docs."""
    from generator.cli import main

    content = tmp_path / "content"
    shutil.copytree(shipped_content, content)
    kept = tmp_path / ".cache" / "build"
    assert main(["build", "--content", str(content), "--docs", str(tmp_path / "cached")]) == 0
    stored = {p.name: p.stat().st_mtime_ns for p in kept.glob("*.pickle")}
    assert {"records.pickle", "text.pickle", "paper-pages.pickle"} <= set(stored)
    _random_edit(content, random.Random(3))
    _set_field(sorted((content / "papers").glob("*.yml"))[0], "title", "'Edited title about sparse attention'")
    assert main(["build", "--content", str(content), "--docs", str(tmp_path / "cached")]) == 0
    assert {p.name: p.stat().st_mtime_ns for p in kept.glob("*.pickle")} != stored  # the edit's results were kept
    stored = {p.name: p.stat().st_mtime_ns for p in kept.glob("*.pickle")}
    assert main(["build", "--content", str(content), "--docs", str(tmp_path / "clean"), "--no-cache"]) == 0
    assert {p.name: p.stat().st_mtime_ns for p in kept.glob("*.pickle")} == stored
    assert _tree(tmp_path / "cached") == _tree(tmp_path / "clean")


def test_the_exports_are_made_again_only_when_what_they_hold_changed(shipped_content, tmp_path, monkeypatch):
    """A note is in no export (feeds, .bib, CSL-JSON, theme downloads); a title is in all of them."""
    from generator import build

    content = tmp_path / "content"
    shutil.copytree(shipped_content, content)
    record = sorted((content / "papers").glob("*.yml"))[5]
    cache = BuildCache(tmp_path / "cache")
    build_site(content, tmp_path / "incremental", cache=cache)
    made = []
    real = build._exports
    monkeypatch.setattr(build, "_exports", lambda outputs, site, csl: made.append(1) or real(outputs, site, csl))
    _set_field(record, "notes", "'A note in no export.'")
    build_site(content, tmp_path / "incremental", cache=cache)
    assert made == []
    _set_field(record, "title", "'A title in every export'")
    build_site(content, tmp_path / "incremental", cache=cache)
    assert made == [1]
    build_site(content, tmp_path / "clean")
    assert _tree(tmp_path / "incremental") == _tree(tmp_path / "clean")


def test_unpickling_pauses_the_collector_and_turns_it_back_on():
    import gc
    import pickle

    import pytest

    from generator.cache import unpickle

    data = {"a": [1, 2, (3, "x")]}
    assert unpickle(pickle.dumps(data)) == data
    assert gc.isenabled()
    with pytest.raises(Exception):
        unpickle(b"not a pickle")
    assert gc.isenabled()
    gc.disable()
    try:
        unpickle(pickle.dumps(data))
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def test_a_build_cache_written_in_the_background_is_complete_after_waiting(shipped_content, tmp_path, monkeypatch):
    content, folder, cache, registered = _library_and_cache(shipped_content, tmp_path, monkeypatch)
    cache.write_in_background()
    build_site(content, tmp_path / "docs", cache=cache)
    cache.wait_for_writes()
    assert registered == [cache.wait_for_writes]  # also waited for at exit
    _, report = build_site(content, tmp_path / "docs", cache=BuildCache(folder))
    assert not report.written and (folder / "paper-pages.pickle").is_file()


def test_a_failed_background_write_is_raised_when_waited_for(tmp_path, monkeypatch):
    import pytest

    monkeypatch.setattr(cache_mod.atexit, "register", lambda f: None)
    cache = BuildCache(tmp_path / "cache")
    cache.write_in_background()
    cache.stage("records").put("x", "k", 1)

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(cache_mod, "write_atomic", fail)
    cache.save()
    with pytest.raises(OSError, match="disk full"):
        cache.wait_for_writes()
    cache.wait_for_writes()  # raised once


def test_a_server_started_on_a_cache_is_prepared_for_its_first_title_edit(shipped_content, tmp_path, monkeypatch):
    """`mkdocs serve` on the cache of an earlier session takes every stage from it, so
    nothing of the text stages is in memory; `prepare_for_edits` does that work after
    the first build, and the first title edit then splits only its own paper into words."""
    from generator.analysis import features, vocabulary
    from generator.build import prepare_for_edits

    content = tmp_path / "content"
    shutil.copytree(shipped_content, content)
    build_site(content, tmp_path / "docs", cache=BuildCache(tmp_path / "cache"))
    monkeypatch.setattr(features, "_FEATURES", {})  # a new process
    monkeypatch.setattr(vocabulary, "_VOCABULARY", vocabulary.Vocabulary())
    cache = BuildCache(tmp_path / "cache")
    loaded, _ = build_site(content, tmp_path / "docs", cache=cache)
    assert features._FEATURES == {}  # every stage from the cache: no text split into words
    prepare_for_edits(loaded.papers, cache)
    assert set(features._FEATURES) == {(p.title, p.abstract) for p in loaded.papers}
    assert vocabulary.current_vocabulary().names
    split = []
    real = features._Tokenizer.__call__
    monkeypatch.setattr(features._Tokenizer, "__call__", lambda self, text, *a, **k: split.append(text) or real(self, text, *a, **k))
    _set_field(sorted((content / "papers").glob("*.yml"))[3], "title", "'A title edited while serving'")
    build_site(content, tmp_path / "docs", cache=cache)
    assert len(split) == 2 and split[0] == "A title edited while serving"  # its title and abstract only
    build_site(content, tmp_path / "clean")
    assert _tree(tmp_path / "docs") == _tree(tmp_path / "clean")
