"""`mkdocs serve` in the curator's loop: one edit to a record is one rebuild,
the page shows the edit, and the build cache lives outside the watched folders."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from fixtures.site.sitetools import ROOT, SITE_CONTENT, make_site

BUILD_LINE = "Building documentation..."


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Serve:
    """`mkdocs serve` in a subprocess, its log lines collected as they come."""

    def __init__(self, root: Path, *extra: str):
        self.port = _free_port()
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=str(ROOT))
        args = [sys.executable, "-m", "mkdocs", "serve", "-f", str(root / "mkdocs.yml"), "-a", f"127.0.0.1:{self.port}", *extra]
        self.proc = subprocess.Popen(args, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    def wait_for(self, pattern: str, count: int = 1, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while sum(1 for line in self.lines if re.search(pattern, line)) < count:
            assert self.proc.poll() is None, "".join(self.lines)
            assert time.monotonic() < deadline, f"no {pattern!r} x{count} in:\n" + "".join(self.lines)
            time.sleep(0.1)

    def builds(self) -> int:
        return sum(1 for line in self.lines if BUILD_LINE in line)

    def get(self, path: str) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/reading-list/{path}", timeout=10) as answer:
            return answer.read().decode("utf-8")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def test_one_edit_is_one_rebuild_and_shows_on_the_page(tmp_path):
    root = make_site(tmp_path / "site", SITE_CONTENT)
    record = root / "content" / "papers" / "lora.yml"
    serve = _Serve(root)
    try:
        serve.wait_for("Serving on")
        assert serve.builds() == 1
        assert "Edited in the loop" not in serve.get("papers/lora/")
        time.sleep(1.5)  # let the watcher settle, as a curator would
        text = record.read_text("utf-8")
        record.write_text(re.sub(r"(?m)^title: .*$", "title: 'LoRA, Edited in the loop'", text, count=1), "utf-8")
        # MkDocs drops a repeated "Documentation built in 0.58 seconds" (its DuplicateFilter),
        # so the end of the rebuild is the live-reload server's own line.
        serve.wait_for(r"Reloading browsers", count=1)
        assert "Edited in the loop" in serve.get("papers/lora/")
        time.sleep(4)  # a second build, if one came, starts at once after the first
        assert serve.builds() == 2, "".join(serve.lines)
    finally:
        serve.stop()
    assert serve.proc.returncode is not None
    cache = root / ".cache" / "build"
    # the edit's page was pickled when the server was stopped (SIGTERM), not only the first build's
    from generator.cache import BuildCache

    pages = BuildCache(cache).stage("paper-pages").entries
    assert "Edited in the loop" in next(text for src, (key, text) in pages.items() if src.endswith("lora.md"))
    stored = sorted(p.name for p in cache.glob("*.pickle"))
    assert stored == sorted(f"{n}.pickle" for n in ("assignments", "bibtex", "csl", "exports", "list-pages", "list-rows", "listed-fields", "listings", "paper-pages", "papers-json", "records", "text", "themes"))
    assert not (root / "content" / ".cache").exists() and not list((root / "generated").rglob("*.pickle"))


def test_the_cache_can_be_turned_off(tmp_path):
    from fixtures.site.sitetools import mkdocs_build

    root = make_site(tmp_path / "site", SITE_CONTENT)
    run = mkdocs_build(root, READING_LIST_CACHE="off")
    assert run.returncode == 0, run.stderr[-3000:]
    assert not (root / ".cache").exists()
    run = mkdocs_build(root, site_dir="site2")
    assert run.returncode == 0, run.stderr[-3000:]
    assert (root / ".cache" / "build" / "paper-pages.pickle").is_file()
    assert (root / "site" / "papers" / "lora" / "index.html").read_bytes() == (root / "site2" / "papers" / "lora" / "index.html").read_bytes()


def test_a_dirty_rebuild_leaves_unchanged_paper_pages_as_built(tmp_path):
    """`mkdocs serve --dirty` gives MkDocs only the paper pages that changed (dirty_files.py):
    the others are served as first built, links to them still resolve, and nothing warns."""
    root = make_site(tmp_path / "site", SITE_CONTENT)
    record = root / "content" / "papers" / "lora.yml"
    serve = _Serve(root, "--dirty")
    try:
        serve.wait_for("Serving on")
        served = lambda path: re.sub(r"reload\(\d+, \d+\)", "", serve.get(path))  # noqa: E731 (live-reload's epoch)
        untouched = served("papers/zero/")
        assert "papers/zero/" in serve.get("sitemap.xml")
        time.sleep(1.5)
        text = record.read_text("utf-8")
        record.write_text(text + "notes: 'A note from the dirty loop'\n", "utf-8")
        serve.wait_for(r"Reloading browsers", count=1)
        assert "A note from the dirty loop" in serve.get("papers/lora/")
        assert served("papers/zero/") == untouched
        assert "papers/zero/" not in serve.get("sitemap.xml")  # left out of the rebuild
        assert "papers/lora/" in serve.get("sitemap.xml")
        # The next rebuilds leave the same files out without listing them again (served_files.py).
        other = root / "content" / "papers" / "zero.yml"
        time.sleep(1.5)
        other.write_text(other.read_text("utf-8") + "notes: 'A second note'\n", "utf-8")
        serve.wait_for(r"Reloading browsers", count=2)
        assert "A second note" in serve.get("papers/zero/")
        time.sleep(1.5)
        record.write_text(text + "notes: 'The first paper again'\n", "utf-8")
        serve.wait_for(r"Reloading browsers", count=3)
        assert "The first paper again" in serve.get("papers/lora/")
        assert "A second note" in serve.get("papers/zero/")
        log = "".join(serve.lines)
        assert "not found among documentation files" not in log and "ERROR" not in log, log
    finally:
        serve.stop()
