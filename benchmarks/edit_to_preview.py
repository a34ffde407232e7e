#!/usr/bin/env python3
"""Benchmark of the curator's loop: from saving one record to the rebuilt page
being served by `mkdocs serve`.

    .venv/bin/python benchmarks/edit_to_preview.py [--sizes 1000,10000] [--modes main,cache,cache-dirty]
                                                   [--main-repo /work/main] [--code REPO] [--out benchmarks/out/serve.json]

For each synthetic corpus (made as benchmarks/run.py makes them) and each mode it
starts `mkdocs serve`, waits for the first build, then makes two edits one
after the other: a curator's note (the text stages stay cached) and a title
(related papers and mentions are computed again). For each edit it reports the
seconds from the write to the paper's page answering with the edit over HTTP,
and the number of builds the edit started (should be 1).

Modes: `main` runs the generator of --main-repo (the code before this work),
`nocache` this generator with READING_LIST_CACHE=off, `cache` with the build
cache, `cache-dirty` the same under `mkdocs serve --dirty`. A mode ending in
`-again` (`cache-dirty-again`) times a server started a second time, on the
cache and site the first one left when it stopped: a curator's next session,
whose first build finds everything in the cache. `--code` runs the modes other
than `main` with another checkout's generator (the code before a change).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run as bench  # noqa: E402  (benchmarks/run.py: the corpora and the site folder)

MOUNT = "/reading-list/"
SETTLE_S = 4.0  # after a rebuild, how long a second one has to start


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_corpus(size: int, folder: Path, seed: int) -> Path:
    """A site folder with a synthetic library of `size` papers; reused when already made."""
    content = folder / "content"
    if (folder / "ready").is_file():
        return folder
    bench._prepare_dir(folder)
    rng = random.Random(seed + size)
    seeds = bench.load_seeds(sorted((bench.REPO / "content" / "sources").glob("*.txt")))
    bench.setup_site_folder(folder)
    bench.copy_curated_content(content)
    dumps = bench.write_dumps(bench.make_corpus(size, seeds, rng), folder / "dumps", rng)
    bench.run_step("import", [sys.executable, "-m", "generator", "import", *map(str, dumps), "--content", str(content),
                              "--date", bench.IMPORT_DATE], folder, folder / "logs")
    bench.prune_missing_paper_references(content)
    (folder / "ready").write_text("", "utf-8")
    return folder


def _point_at(folder: Path, repo: Path) -> None:
    """Make the site folder's generator/ the one of `repo`."""
    link = folder / "generator"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(repo / "generator", target_is_directory=True)


class Serve:
    def __init__(self, folder: Path, repo: Path, dirty: bool, env: dict[str, str]):
        self.port = _free_port()
        args = [sys.executable, "-m", "mkdocs", "serve", "-f", str(folder / "mkdocs.yml"), "-a", f"127.0.0.1:{self.port}"]
        if dirty:
            args.append("--dirty")
        full_env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=str(repo), PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1", **env)
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(args, cwd=folder, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[tuple[float, str]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append((time.perf_counter(), line))

    def count(self, pattern: str) -> int:
        return sum(1 for _, line in self.lines if pattern in line)

    def wait(self, pattern: str, count: int, timeout: float = 900) -> float:
        deadline = time.perf_counter() + timeout
        while self.count(pattern) < count:
            if self.proc.poll() is not None or time.perf_counter() > deadline:
                raise SystemExit("mkdocs serve stopped or hung:\n" + "".join(line for _, line in self.lines[-30:]))
            time.sleep(0.05)
        return [t for t, line in self.lines if pattern in line][count - 1]

    def page_has(self, path: str, marker: str) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{MOUNT}{path}", timeout=30) as answer:
                return marker in answer.read().decode("utf-8", "replace")
        except OSError:
            return False

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _edit(record: Path, field: str, value: str) -> None:
    text = record.read_text("utf-8")
    if re.search(rf"(?m)^{field}: ", text):
        text = re.sub(rf"(?m)^{field}: .*$", f"{field}: {value}", text, count=1)
    else:
        text += f"{field}: {value}\n"
    record.write_text(text, "utf-8")


def edit_to_preview(folder: Path, repo: Path, mode: str) -> dict:
    """Start serve, make a note edit and a title edit, time each to its page."""
    dirty = "dirty" in mode
    _point_at(folder, repo)
    shutil.rmtree(folder / "generated", ignore_errors=True)  # every mode starts like a fresh clone
    (folder / "generated").mkdir()
    content = folder / "content"
    records = sorted((content / "papers").glob("*.yml"))
    record = records[len(records) // 2]
    original = record.read_text("utf-8")
    page = f"papers/{record.stem}/"
    env = {"READING_LIST_CACHE": "off"} if mode in ("main", "nocache") else {}
    if mode.endswith("-again"):  # a first session builds the cache and site, and stops
        first = Serve(folder, repo, dirty, env)
        try:
            first.wait("Serving on", 1)
        finally:
            first.stop()
    serve = Serve(folder, repo, dirty, env)
    result: dict = {"mode": mode, "papers": len(records)}
    try:
        ready = serve.wait("Serving on", 1)
        result["first_build_s"] = round(ready - serve.started, 2)
        time.sleep(2)
        for n, (what, field) in enumerate((("note", "notes"), ("title", "title")), start=1):
            marker = f"Edited{n}x{int(time.time())}"
            value = f"'{marker}'" if field == "notes" else f"'{marker} of a paper'"
            builds_before = serve.count("Building documentation...")
            start = time.perf_counter()
            _edit(record, field, value)
            while not serve.page_has(page, marker):
                if time.perf_counter() - start > 900:
                    raise SystemExit(f"{mode}: the edit never showed on {page}")
                time.sleep(0.1)
            shown = time.perf_counter() - start
            done = serve.wait("Documentation built in", builds_before + 1)
            time.sleep(SETTLE_S)
            while serve.count("Building documentation...") > serve.count("Documentation built in"):
                time.sleep(0.2)  # a second build started: let it end before counting
            began = [t for t, line in serve.lines if "Building documentation..." in line][builds_before]
            generated = [t for t, line in serve.lines if "generator:" in line and t >= began]
            result[what] = {
                "edit_to_page_s": round(shown, 2),
                "generation_s": round(generated[0] - began, 2) if generated else None,  # config load + hook's generation
                "edit_to_build_done_s": round(done - start, 2),
                "builds": serve.count("Building documentation...") - builds_before,
            }
            print(f"  [{mode}] {what}: page in {shown:.2f}s, builds {result[what]['builds']}", file=sys.stderr, flush=True)
    finally:
        serve.stop()
        record.write_text(original, "utf-8")
        _point_at(folder, bench.REPO)
    return result


def figures(sizes: list[int], modes: list[str], work: Path, seed: int, code: Path = bench.REPO,
            main_repo: Path | None = None, prefix: str = "") -> list[dict]:
    """`edit_to_preview` for each size (a corpus folder `work/<prefix>synthetic-<size>`) and mode,
    each mode from an empty cache; `code` runs the modes but `main`, which runs `main_repo`."""
    results = []
    for size in sizes:
        folder = prepare_corpus(size, work / f"{prefix}synthetic-{size}", seed)
        for mode in modes:
            print(f"[{folder.name}] {mode} ...", file=sys.stderr, flush=True)
            shutil.rmtree(folder / ".cache", ignore_errors=True)
            results.append(edit_to_preview(folder, main_repo if mode == "main" else code, mode))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--modes", default="main,cache,cache-dirty")
    parser.add_argument("--main-repo", type=Path, default=Path("/work/main"), help="the code to compare with (mode main)")
    parser.add_argument("--code", type=Path, default=bench.REPO, help="the generator the other modes run")
    parser.add_argument("--work", type=Path, default=HERE / "out" / "serve-work")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "serve.json")
    parser.add_argument("--seed", type=int, default=bench.SEED)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    results = figures(sizes, modes, args.work.resolve(), args.seed, args.code.resolve(), args.main_repo.resolve())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    print("| papers | mode | first build | note edit -> page (generation, builds) | title edit -> page (generation, builds) |")
    print("| --- | --- | --- | --- | --- |")
    for r in results:
        cell = lambda e: f"{r[e]['edit_to_page_s']:.1f} s ({r[e]['generation_s']} s, {r[e]['builds']})"  # noqa: E731
        print(f"| {r['papers']:,} | {r['mode']} | {r['first_build_s']:.1f} s | {cell('note')} | {cell('title')} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
