#!/usr/bin/env python3
"""Benchmark: fast at the seed size, linear to ten thousand papers.

    .venv/bin/python benchmarks/run.py [--sizes 1000,10000] [--out benchmarks/out/results.json]
                                       [--work benchmarks/out/work] [--include-shipped | --no-shipped]
                                       [--serve-modes cache-dirty,cache-dirty-again]

For each corpus (synthetic ones of N papers recombined from the seed dumps,
plus a copy of the shipped content/) it times, each step in its own
subprocess with its peak memory taken from wait4()'s rusage:

  import    `python -m generator import DUMPS --content W/content` into a fresh library
  generate  `python -m generator build --content W/content --docs W/generated` (fresh docs)
  mkdocs    `mkdocs build` with the generator hook; the docs are already generated, so
            the hook's generation writes nothing ("including a no-op generation"). The hook's
            own time is measured in-process (benchmarks/_mkdocs_timed.py) and reported apart.
  incremental  append a tag to one paper record, rerun generate, count rewritten files

and reports the built site's size, paper page sizes and search index size. For each
synthetic size it then times the curator's loop under `mkdocs serve --dirty`
(benchmarks/edit_to_preview.py: a note and a title edit, saved to shown), on a
new server and on one restarted on the cache of the one before.
The figures are printed as a table and written as JSON (schema: see
`RESULT_SCHEMA_VERSION` and benchmarks/README.md); targets print PASS/FAIL
but never fail the run. Nothing in the repository is touched: every corpus
lives in its own folder under --work, with a copy of mkdocs.yml and
overrides/, and a symlink to generator/ so the `hooks:` entry resolves.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gzip
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from generator.reading.dumps import parse_dump  # noqa: E402
from generator.library.keys import short_name  # noqa: E402
from generator.textnorm import title_identity  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import browser_figures  # noqa: E402
from site_pages import PAGE_BUDGET_KB, breakdown, page_figures  # noqa: E402

RESULT_SCHEMA_VERSION = 3
SEED = 20240312
IMPORT_DATE = "2025-01-01"
PAPERS_PER_DUMP = 500
REPEAT_FRACTION = 0.06  # share of each dump (after the first) repeated from earlier dumps
NAMED_FRACTION = 0.4  # share of synthetic titles with a "Name: ..." short name
MENTION_FRACTION = 0.35  # share of abstracts that mention other papers' short names
MARKER = ".benchmark-work"
INDEXES = {"bib/themes.json": ("bib/library.bib", "csl/library.json")}  # a file -> the files it indexes
INCREMENTAL_TAG = "benchmark-edit"

TARGETS = {
    "generation_share": 0.10,  # generation <= 10% of the total, at every size
    "per_paper_ratio": 1.3,  # per-paper cost at the largest size <= 1.3x the smallest
    "end_to_end_10k_s": 75.0,  # "about a minute" for 10,000 papers (60 s + 25%)
    "cached_build_10k_s": 40.0,  # issue 16: `mkdocs build` at 10,000 papers with the build cache restored
    "cached_generation_share": 0.15,  # issue 16: generation's share of that build
    "site_mb": 250.0,  # issue 16 (was 400)
    "page_kb": PAGE_BUDGET_KB,  # every list page, at every size
    "first_search_s": 0.5,
    "first_search_mb": 1.5,
    "median_page_kb": 40.0,
    "search_index_mb": 10.0,
    "edit_to_preview_s": 5.0,  # issue 16: an edit to one record, saved to shown by `mkdocs serve`
}


# --------------------------------------------------------------------------- synthetic corpus

@dataclass(frozen=True)
class Seed:
    title: str
    name: str | None  # short name, e.g. "GaLore"
    description: str  # the title without its "Name: " prefix
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class SynthPaper:
    title: str
    abstract: str


_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")
_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]  # 70 syllables, 343,000 words


def load_seeds(sources: list[Path]) -> list[Seed]:
    seeds: dict[str, Seed] = {}
    for path in sources:
        for record in parse_dump(path).records:
            identity = title_identity(record.title)
            if identity in seeds:
                continue
            name = short_name(record.title)
            description = record.title
            if name and ":" in record.title:
                description = record.title.split(":", 1)[1].strip()
            sentences = tuple(s.strip() for s in _SENTENCE_RE.split(record.abstract) if len(s.strip()) > 20)
            if sentences:
                seeds[identity] = Seed(record.title, name, description, sentences)
    if not seeds:
        raise SystemExit(f"no seed records found in {', '.join(map(str, sources)) or '(no dumps)'}")
    return list(seeds.values())


def coined_word(index: int) -> str:
    """A distinct pronounceable made-up word per index (a bijection on 0..342,999)."""
    n = len(_SYLLABLES)
    space = n**3
    if index >= space:
        return coined_word(index % space) + coined_word(index // space)
    value = (index * 7919 + 1237) % space  # 7919 is coprime with 70**3
    return "".join(_SYLLABLES[(value // n**k) % n] for k in range(3))


def _clean_tail(words: list[str]) -> list[str]:
    while words and (words[-1].lower() in {"a", "an", "the", "of", "for", "and", "with", "in", "on", "to", "via", "by"}
                     or not re.search(r"[A-Za-z0-9]", words[-1])):
        words = words[:-1]
    return words


def make_corpus(count: int, seeds: list[Seed], rng: random.Random) -> list[SynthPaper]:
    """`count` distinct papers recombined from the seeds' titles and abstracts."""
    names = [s.name.split()[0] for s in seeds if s.name and len(s.name.split()[0]) <= 16]
    made_names: list[str] = []
    papers: list[SynthPaper] = []
    identities: set[str] = set()
    index = 0
    while len(papers) < count:
        word = coined_word(index).capitalize()
        index += 1
        a, b, c, d = rng.sample(seeds, 4)
        head = a.description.split()
        tail = b.description.split()
        head = head[: max(2, (len(head) + 1) // 2)]
        tail = tail[len(tail) // 2:]
        named = rng.random() < NAMED_FRACTION
        if named:
            base = rng.choice(names) if names and rng.random() < 0.7 else rng.choice(["LM", "MoE", "Scale", "Tune", "Q"])
            name = f"{word}-{base}"
            title_words = _clean_tail(head + tail)
            title = f"{name}: {' '.join(title_words)}"
        else:
            name = None
            title_words = _clean_tail(head[:2] + [word] + head[2:] + tail)
            title = " ".join(title_words)
        title = title.rstrip(" .:;,-")[:240].rstrip(" .:;,-")
        identity = title_identity(title)
        if identity in identities:
            continue
        identities.add(identity)

        sentences: list[str] = list(a.sentences[: rng.randint(2, 3)])
        if a.name and name:
            sentences = [s.replace(a.name, name) for s in sentences]
        sentences.append(f"We call the resulting approach {name or word}.")
        for donor in (b, c, d):
            start = rng.randrange(len(donor.sentences))
            sentences.extend(donor.sentences[start: start + rng.randint(1, 2)])
        if made_names and rng.random() < MENTION_FRACTION:
            others = rng.sample(made_names, min(len(made_names), rng.randint(1, 2)))
            sentences.append(f"Compared with {' and '.join(others)}, it is simpler to train and cheaper to run.")
        abstract = " ".join(sentences)
        if len(abstract) > 3000:
            abstract = abstract[:3000].rsplit(" ", 1)[0]
        if not abstract.endswith((".", "!", "?")):
            abstract = abstract.rstrip(" ,;:") + "."
        if name:
            made_names.append(name)
        papers.append(SynthPaper(title, abstract))
    return papers


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def render_dump(records: list[SynthPaper], number: int) -> str:
    """A dump in one of the two real layouts (blank-line separated, or compact and glued)."""
    if number % 3 == 2:  # compact: no blank lines, first title glued to "Subscribe"
        lines = ["Get trending papers in your email inbox once a day!", "Get trending papers in your email inbox!"]
        first = True
        for paper in records:
            lines.append(("Subscribe" + paper.title) if first else paper.title)
            lines.append(paper.abstract)
            first = False
        return "\n".join(lines) + "\n"
    date = f"{_MONTHS[number % 12]} {number % 28 + 1}"
    lines = ["new", "Get trending papers in your email inbox!", "Subscribe", "byAK and the research community", date]
    for paper in records:
        lines += [paper.title, paper.abstract]
    return "\n\n".join(lines) + "\n"


def write_dumps(papers: list[SynthPaper], folder: Path, rng: random.Random) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, start in enumerate(range(0, len(papers), PAPERS_PER_DUMP)):
        chunk = list(papers[start: start + PAPERS_PER_DUMP])
        if start:  # papers seen in earlier dumps come back, as on the real pages
            repeats = rng.sample(papers[:start], max(1, int(len(chunk) * REPEAT_FRACTION)))
            for paper in repeats:
                chunk.insert(rng.randrange(len(chunk) + 1), paper)
        path = folder / f"bench_{number:03d}.txt"
        path.write_text(render_dump(chunk, number), "utf-8")
        paths.append(path)
    return paths


# --------------------------------------------------------------------------- work folders

def _prepare_dir(folder: Path) -> None:
    """Empty a corpus folder, refusing to delete anything this script did not create."""
    if folder.exists():
        if not (folder / MARKER).exists() and any(folder.iterdir()):
            raise SystemExit(f"{folder} exists and was not made by benchmarks/run.py; choose another --work")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / MARKER).write_text("made by benchmarks/run.py; deleted on the next run\n", "utf-8")


def _mkdocs_setting(text: str, name: str, default: str) -> str:
    m = re.search(rf"^{name}:\s*['\"]?([^'\"#\n]+?)['\"]?\s*(?:#.*)?$", text, re.MULTILINE)
    return m.group(1).strip() if m else default


def setup_site_folder(folder: Path) -> tuple[Path, Path]:
    """mkdocs.yml, overrides/ and generator/ next to the corpus' content/.

    The hook finds the content as `content/` next to mkdocs.yml and is named by a
    path relative to it, so generator/ is symlinked (the hook resolves its own
    path back to the repository) and mkdocs.yml is copied unchanged. Returns the
    docs folder and the site folder as MkDocs will use them.
    """
    config = REPO / "mkdocs.yml"
    text = config.read_text("utf-8")
    (folder / "mkdocs.yml").write_text(text, "utf-8")
    docs = folder / _mkdocs_setting(text, "docs_dir", "docs")
    site = folder / _mkdocs_setting(text, "site_dir", "site")
    skip = {"content", docs.name, site.name, "benchmarks", "tests", ".git", ".venv"}
    for entry in sorted(REPO.iterdir()):
        if entry.name in skip or entry.name.startswith(".") or not entry.is_dir():
            continue
        referenced = entry.name == "generator" or re.search(rf"(?<![\w.-]){re.escape(entry.name)}(?![\w-])", text)
        if not referenced:
            continue
        target = folder / entry.name
        if entry.name == "generator":
            target.symlink_to(entry, target_is_directory=True)
        else:
            shutil.copytree(entry, target, ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
    return docs, site


def copy_curated_content(destination: Path) -> None:
    """content/ minus the library and the dumps: themes.yml, pages, anything new."""
    destination.mkdir(parents=True, exist_ok=True)
    source = REPO / "content"
    for entry in sorted(source.iterdir()):
        if entry.name in {"papers", "sources", ".cache"}:
            continue
        if entry.is_dir():
            shutil.copytree(entry, destination / entry.name, ignore=shutil.ignore_patterns(".cache"))
        else:
            shutil.copy2(entry, destination / entry.name)


def prune_missing_paper_references(content: Path) -> int:
    """Drop references in themes.yml to real papers the synthetic library lacks.

    themes.yml may pin shipped papers by key; a synthetic library has other
    keys, so those pins would (rightly) fail validation. Only strings equal to a
    shipped paper's key and to no key of this library or theme id are removed,
    and `start_here:` steps whose `paper` is such a key.
    """
    path = content / "themes.yml"
    if not path.is_file():
        return 0
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.width = 1_000_000
    yaml.preserve_quotes = True
    data = yaml.load(path.read_text("utf-8"))
    present = {p.stem for p in (content / "papers").glob("*.yml")}
    shipped = {p.stem for p in (REPO / "content" / "papers").glob("*.yml")}
    theme_ids = set()
    for item in (data or {}).get("themes", []) if isinstance(data, dict) else []:
        if isinstance(item, dict) and "id" in item:
            theme_ids.add(str(item["id"]))
    stale = shipped - present - theme_ids
    removed = 0

    def walk(node):
        nonlocal removed
        if isinstance(node, dict):
            for key in [k for k in node if isinstance(k, str) and k in stale]:
                del node[key]
                removed += 1
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for i in range(len(node) - 1, -1, -1):
                item = node[i]
                if (isinstance(item, str) and item in stale) or (isinstance(item, dict) and item.get("paper") in stale):  # a pin, a start_here step
                    del node[i]
                    removed += 1
                else:
                    walk(node[i])

    walk(data)
    if removed:
        import io

        stream = io.StringIO()
        yaml.dump(data, stream)
        path.write_text(stream.getvalue(), "utf-8")
    return removed


# --------------------------------------------------------------------------- measured steps

@dataclass
class Step:
    name: str
    seconds: float
    max_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("PYTHONHASHSEED", "0")
    env.pop("MKDOCS_SERVE", None)
    return env


def run_step(name: str, argv: list[str], cwd: Path, logs: Path, check: bool = True) -> Step:
    """Run one step as its own process; wall time and that process' peak RSS."""
    logs.mkdir(parents=True, exist_ok=True)
    out_path, err_path = logs / f"{name}.out", logs / f"{name}.err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=_env())
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    step = Step(name, seconds, usage.ru_maxrss / 1024.0, proc.returncode,
                out_path.read_text("utf-8", "replace"), err_path.read_text("utf-8", "replace"))
    if check and step.returncode != 0:
        tail = "\n".join((step.stdout + step.stderr).splitlines()[-40:])
        raise SystemExit(f"step {name!r} failed (exit {step.returncode}): {' '.join(argv)}\n{tail}")
    return step


_WRITTEN_RE = re.compile(r"(\d+) file\(s\) written")


def files_written(step: Step) -> int | None:
    m = _WRITTEN_RE.search(step.stdout + step.stderr)
    return int(m.group(1)) if m else None


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    out = {}
    for path in root.rglob("*"):
        if path.is_file():
            st = path.stat()
            out[path.relative_to(root).as_posix()] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return out


def _dir_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def site_figures(site: Path) -> dict:
    pages = [p for p in site.glob("papers/*/index.html")]
    if not pages:  # another URL layout: any page below papers/ but its index
        pages = [p for p in site.glob("papers/**/*.html") if p != site / "papers" / "index.html"]
    sizes = sorted(p.stat().st_size for p in pages)
    index = site / "search" / "search_index.json"
    largest = max(pages, key=lambda p: p.stat().st_size) if pages else None
    return {
        "site_mb": _dir_bytes(site) / 1e6 if site.is_dir() else 0.0,
        "site_files": sum(1 for p in site.rglob("*") if p.is_file()) if site.is_dir() else 0,
        "paper_pages": len(sizes),
        "median_page_kb": statistics.median(sizes) / 1e3 if sizes else 0.0,
        "max_page_kb": sizes[-1] / 1e3 if sizes else 0.0,
        "max_page": largest.relative_to(site).as_posix() if largest else None,
        "search_index_mb": index.stat().st_size / 1e6 if index.is_file() else 0.0,
        "search_index_gz_mb": len(gzip.compress(index.read_bytes(), 6)) / 1e6 if index.is_file() else 0.0,
        # Pagefind's chunked index: on disk in all; a search fetches a few chunks of it
        "search_bundle_mb": _dir_bytes(site / "pagefind") / 1e6 if (site / "pagefind").is_dir() else 0.0,
        "papers_json": (site / "papers.json").is_file(),
    }


def cached_build(folder: Path, site: Path, logs: Path, repeat: int, content: Path, docs: Path) -> tuple[Step, float | None, int | None]:
    """`mkdocs build` into an empty site folder with the build cache of the build before
    (`.cache/build`) after a curator's note on one paper: what the deploy workflow does
    after a content edit, and a curator's `mkdocs build`. The cache was filled by the
    `mkdocs` step; each run edits the note again, so no run finds its pages kept whole.
    Returns the step, the hook's generation and how many pages were kept (page_cache.py)."""
    timings = logs / "mkdocs-cached-timings.json"
    record = content / "papers" / f"{_pick_paper(content, docs)}.yml"
    by_run: list[tuple[Step, float | None, int | None]] = []

    def run() -> Step:
        shutil.rmtree(site, ignore_errors=True)
        set_note(record, f"Benchmark note {len(by_run) + 1}: read again before the review.")
        step = run_step("mkdocs-cached", [sys.executable, str(REPO / "benchmarks" / "_mkdocs_timed.py"), str(timings), "build",
                                          "-f", str(folder / "mkdocs.yml")], folder, logs)
        by_run.append((step, _hook_seconds(timings), _pages_kept(logs / "mkdocs-cached.err")))
        return step

    step = best_of(repeat, run)
    return next((found, hook, kept) for found, hook, kept in by_run if found is step)


def set_note(record: Path, note: str) -> None:
    """The record's `notes` set to `note` (a curator's edit that changes only its own page and the exports)."""
    text = record.read_text("utf-8")
    line = f"notes: {json.dumps(note)}"
    text = re.sub(r"(?m)^notes: .*$", line, text, count=1) if re.search(r"(?m)^notes: ", text) else text.rstrip("\n") + "\n" + line + "\n"
    record.write_text(text, "utf-8")


def _pages_kept(log: Path) -> int | None:
    found = re.findall(r"(\d+) page\(s\) kept from the last build", log.read_text("utf-8", "replace")) if log.is_file() else []
    return int(found[-1]) if found else None


def _hook_seconds(timings_path: Path) -> float | None:
    """The hook's no-op generation (its `pre_build` event), which `generate` already counted.

    Only that event: the hook's other events (fragments, compaction, the
    Pagefind index after the build) are part of what `mkdocs build` costs.
    """
    try:
        data = json.loads(timings_path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    total = 0.0
    found = False
    for origin, events in data.get("by_origin", {}).items():
        if "mkdocs_integration" in origin or origin.startswith("generator"):
            total += events.get("pre_build", 0.0)
            found = True
    return total if found else None


def _pick_paper(content: Path, docs: Path) -> str:
    """A paper that is in themes and has related papers when the export says so."""
    keys = sorted(p.stem for p in (content / "papers").glob("*.yml"))
    export = docs / "papers.json"
    if export.is_file():
        try:
            rows = json.loads(export.read_text("utf-8"))
            good = sorted(r["key"] for r in rows if isinstance(r, dict) and r.get("themes") and r.get("related"))
            if good:
                return good[len(good) // 2]
        except (ValueError, KeyError, TypeError):
            pass
    return keys[len(keys) // 2]


def add_tag(record: Path, tag: str) -> None:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.width = 1_000_000
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    data = yaml.load(record.read_text("utf-8"))
    tags = data.get("tags")
    if tags is None:
        data["tags"] = [tag]
    elif tag not in tags:
        tags.append(tag)
    import io

    stream = io.StringIO()
    yaml.dump(data, stream)
    record.write_text(stream.getvalue(), "utf-8")


def incremental(content: Path, docs: Path, logs: Path, folder: Path) -> dict:
    key = _pick_paper(content, docs)
    record = content / "papers" / f"{key}.yml"
    title = ""
    try:
        from ruamel.yaml import YAML

        title = str(YAML(typ="safe").load(record.read_text("utf-8")).get("title", ""))
    except Exception:  # noqa: BLE001 - only used to explain rewritten files
        pass
    build_cmd = [sys.executable, "-m", "generator", "build", "--content", str(content), "--docs", str(docs)]
    # A build with nothing changed must write nothing; it also settles the docs
    # folder if the generator's code changed since the full build.
    noop = run_step("noop-build", build_cmd, folder, logs)
    before = snapshot(docs)
    add_tag(record, INCREMENTAL_TAG)
    step = run_step("incremental", build_cmd, folder, logs)
    after = snapshot(docs)
    changed = sorted(p for p, sig in after.items() if before.get(p) != sig and not p.startswith(".generated"))
    removed = sorted(set(before) - set(after))
    # A file "depends on" the paper when it names it (its key, or its title), or when it
    # is the index of a rewritten file that names it (bib/themes.json: where each entry
    # sits in the library files, and their hashes).
    unexplained = []
    for rel in changed:
        try:
            text = (docs / rel).read_text("utf-8", "replace")
        except OSError:
            continue
        if key not in text and key not in rel and (not title or title[:60] not in text) and INCREMENTAL_TAG not in text:
            unexplained.append(rel)
    unexplained = [rel for rel in unexplained
                   if not any(target in changed and target not in unexplained for target in INDEXES.get(rel, ()))]
    return {
        "paper": key,
        "noop_seconds": noop.seconds,
        "noop_rewritten": files_written(noop),
        "seconds": step.seconds,
        "rewritten": files_written(step) if files_written(step) is not None else len(changed),
        "changed_files": len(changed),
        "removed_files": len(removed),
        "generated_files": len(after),
        "sample": changed[:15],
        "not_naming_the_paper": unexplained[:15],
        "not_naming_the_paper_count": len(unexplained),
        "max_rss_mb": max(step.max_rss_mb, noop.max_rss_mb),
    }


# --------------------------------------------------------------------------- one corpus

def best_of(repeat: int, run) -> Step:
    """The fastest of `repeat` runs of a step: on a shared machine the slow runs
    measure the neighbours, the fastest one measures the code."""
    steps = [run() for _ in range(max(1, repeat))]
    return min(steps, key=lambda step: step.seconds)


def bench_corpus(name: str, folder: Path, *, papers: list[SynthPaper] | None, rng: random.Random, repeat: int = 1,
                 browser: bool = True) -> dict:
    """Build one corpus end to end; `papers=None` means a copy of the shipped content/."""
    _prepare_dir(folder)
    logs = folder / "logs"
    content = folder / "content"
    docs, site = setup_site_folder(folder)
    py = sys.executable
    pruned = 0
    if papers is None:
        shutil.copytree(REPO / "content", content, ignore=shutil.ignore_patterns(".cache"))
        # time a fresh import of the shipped dumps into a scratch library; the build
        # then uses the real, curated library
        scratch = folder / "import-scratch"
        copy_curated_content(scratch)
        dumps = sorted((REPO / "content" / "sources").glob("*.txt"))
        imp = run_step("import", [py, "-m", "generator", "import", *map(str, dumps), "--content", str(scratch), "--date", IMPORT_DATE], folder, logs)
        imported = len(list((scratch / "papers").glob("*.yml")))
        shutil.rmtree(scratch)
        dump_count = len(dumps)
    else:
        copy_curated_content(content)
        dumps = write_dumps(papers, folder / "dumps", rng)
        imp = run_step("import", [py, "-m", "generator", "import", *map(str, dumps), "--content", str(content), "--date", IMPORT_DATE], folder, logs)
        imported = len(list((content / "papers").glob("*.yml")))
        pruned = prune_missing_paper_references(content)
        dump_count = len(dumps)
    count = len(list((content / "papers").glob("*.yml")))

    def generate() -> Step:  # into a fresh docs folder every time
        shutil.rmtree(docs, ignore_errors=True)
        docs.mkdir(parents=True)
        return run_step("generate", [py, "-m", "generator", "build", "--content", str(content), "--docs", str(docs), "--no-cache"],
                        folder, logs)

    timings = logs / "mkdocs-timings.json"
    timings_by_run: list[tuple[Step, str]] = []

    def mkdocs() -> Step:
        step = run_step("mkdocs", [py, str(REPO / "benchmarks" / "_mkdocs_timed.py"), str(timings), "build", "-f", str(folder / "mkdocs.yml")], folder, logs)
        timings_by_run.append((step, timings.read_text("utf-8")))
        return step

    gen = best_of(repeat, generate)
    mk = best_of(repeat, mkdocs)
    # Keep the per-event timings of the fastest mkdocs run, for the hook's own time.
    timings.write_text(next(text for step, text in timings_by_run if step is mk), "utf-8")
    hook_s = _hook_seconds(timings)
    cached, cached_hook_s, cached_kept = cached_build(folder, site, logs, repeat, content, docs)
    mkdocs_only = mk.seconds - hook_s if hook_s is not None else mk.seconds
    figures = site_figures(site)
    pages = page_figures(site)
    where = breakdown(site)
    seen = browser_figures(site) if browser else None  # before the incremental edit changes the docs
    inc = incremental(content, docs, logs, folder)

    build = gen.seconds + mkdocs_only  # the site from the library: what `mkdocs build` costs on a fresh checkout
    total = imp.seconds + build
    per = lambda s: 1000.0 * s / count if count else 0.0  # noqa: E731
    warnings = sum(1 for line in mk.stderr.splitlines() if line.startswith("WARNING"))
    return {
        "name": name,
        "papers": count,
        "dumps": dump_count,
        "imported_papers": imported,
        "themes_refs_pruned": pruned,
        "import_s": round(imp.seconds, 3),
        "generate_s": round(gen.seconds, 3),
        "mkdocs_s": round(mk.seconds, 3),
        "mkdocs_hook_s": round(hook_s, 3) if hook_s is not None else None,
        "mkdocs_only_s": round(mkdocs_only, 3),
        "build_s": round(build, 3),
        "cached_build_s": round(cached.seconds, 3),
        "cached_pages_kept": cached_kept,
        "cached_hook_s": round(cached_hook_s, 3) if cached_hook_s is not None else None,
        "cached_generation_share": round(cached_hook_s / cached.seconds, 4) if cached_hook_s is not None and cached.seconds else None,
        "total_s": round(total, 3),
        "generation_share": round(gen.seconds / build, 4) if build else 0.0,
        "per_paper_ms": {
            "import": round(per(imp.seconds), 3),
            "generate": round(per(gen.seconds), 3),
            "mkdocs": round(per(mkdocs_only), 3),
            "build": round(per(build), 3),
            "total": round(per(total), 3),
        },
        "generated_files_written": files_written(gen),
        "mkdocs_warnings": warnings,
        "site_mb": round(figures["site_mb"], 3),
        "site_files": figures["site_files"],
        "paper_pages": figures["paper_pages"],
        "median_page_kb": round(figures["median_page_kb"], 2),
        "max_page_kb": round(figures["max_page_kb"], 2),
        "max_page": figures["max_page"],
        "search_index_mb": round(figures["search_index_mb"], 3),
        "search_index_gz_mb": round(figures["search_index_gz_mb"], 3),
        "search_bundle_mb": round(figures["search_bundle_mb"], 2),
        "papers_json": figures["papers_json"],
        "pages": pages,
        "site_breakdown": where,
        "browser": seen,
        "peak_rss_mb": round(max(imp.max_rss_mb, gen.max_rss_mb, mk.max_rss_mb, inc["max_rss_mb"]), 1),
        "rss_mb": {"import": round(imp.max_rss_mb, 1), "generate": round(gen.max_rss_mb, 1),
                   "mkdocs": round(mk.max_rss_mb, 1), "incremental": round(inc["max_rss_mb"], 1)},
        "incremental_rewritten": inc["rewritten"],
        "incremental": {k: (round(v, 3) if isinstance(v, float) else v) for k, v in inc.items() if k != "max_rss_mb"},
        "work_dir": str(folder),
    }


# --------------------------------------------------------------------------- report

def machine_info() -> dict:
    info = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cpu_model": None,
        "memory_gb": None,
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "loadavg_at_end": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    try:
        info["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip() or None
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "generator", "mkdocs.yml", "overrides", "content"],
                               cwd=REPO, capture_output=True, text=True).stdout
        info["dirty"] = bool(dirty.strip())
    except OSError:
        info["commit"], info["dirty"] = None, None
    from importlib import metadata

    for package in ("mkdocs", "mkdocs-material"):
        try:
            info[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            info[package] = None
    return info


def compute_ratios(corpora: list[dict]) -> dict:
    synthetic = sorted((c for c in corpora if c["name"].startswith("synthetic")), key=lambda c: c["papers"])
    if len(synthetic) < 2:
        return {"small": None, "large": None, "import": None, "generate": None, "mkdocs": None, "build": None, "total": None}
    small, large = synthetic[0], synthetic[-1]
    out = {"small": small["papers"], "large": large["papers"]}
    for part in ("import", "generate", "mkdocs", "build", "total"):
        a, b = small["per_paper_ms"][part], large["per_paper_ms"][part]
        out[part] = round(b / a, 3) if a else None
    return out


def check_targets(corpora: list[dict], ratios: dict, served: list[dict] = ()) -> dict:
    def target(description, value, passed):
        return {"target": description, "value": value, "pass": passed}

    served_big = [r for r in served if r["papers"] >= 10_000]

    shares = {c["name"]: c["generation_share"] for c in corpora}
    big = [c for c in corpora if c["papers"] >= 10_000]
    out = {
        "generation_share": target(f"generation <= {TARGETS['generation_share']:.0%} of the build at every size", shares,
                                   all(v <= TARGETS["generation_share"] for v in shares.values()) if shares else None),
        "generate_per_paper_ratio": target(f"generation per-paper cost at {ratios['large']} <= {TARGETS['per_paper_ratio']}x at {ratios['small']}",
                                           ratios["generate"], None if ratios["generate"] is None else ratios["generate"] <= TARGETS["per_paper_ratio"]),
        "build_per_paper_ratio": target(f"whole-build per-paper cost at {ratios['large']} <= {TARGETS['per_paper_ratio']}x at {ratios['small']}",
                                        ratios["build"], None if ratios["build"] is None else ratios["build"] <= TARGETS["per_paper_ratio"]),
        "cached_build_10k": target(f"10,000-paper `mkdocs build` with the build cache restored <= {TARGETS['cached_build_10k_s']:.0f} s, "
                                   f"generation <= {TARGETS['cached_generation_share']:.0%} of it",
                                   [big[-1]["cached_build_s"], big[-1]["cached_generation_share"]] if big else None,
                                   big[-1]["cached_build_s"] <= TARGETS["cached_build_10k_s"]
                                   and (big[-1]["cached_generation_share"] or 0) <= TARGETS["cached_generation_share"] if big else None),
        "end_to_end_10k": target(f"10,000-paper site built end to end about a minute (<= {TARGETS['end_to_end_10k_s']:.0f} s)",
                                 big[-1]["build_s"] if big else None, big[-1]["build_s"] <= TARGETS["end_to_end_10k_s"] if big else None),
        "site_size": target(f"site <= {TARGETS['site_mb']:.0f} MB", {c["name"]: c["site_mb"] for c in corpora},
                            all(c["site_mb"] <= TARGETS["site_mb"] for c in corpora) if corpora else None),
        "list_pages": target(f"every page <= {TARGETS['page_kb']:.0f} KB (largest page, all-papers list, theme pages)",
                             {c["name"]: [c["pages"]["largest_page"]["kb"], c["pages"]["papers_index"]["kb"], c["pages"]["theme_pages"]["kb"]] for c in corpora},
                             all(c["pages"]["pages_over_budget"] == 0 for c in corpora) if corpora else None),
        "first_search": target(f"first search results <= {TARGETS['first_search_s']} s (median of the first searches) "
                               f"and <= {TARGETS['first_search_mb']} MB fetched (the most any fetched)",
                               {c["name"]: c["browser"] and [c["browser"]["search"]["first_results_s"], c["browser"]["search"].get("fetched_max_mb", c["browser"]["search"]["fetched_mb"])] for c in corpora},
                               all(c["browser"]["search"]["first_results_s"] <= TARGETS["first_search_s"]
                                   and c["browser"]["search"].get("fetched_max_mb", c["browser"]["search"]["fetched_mb"]) <= TARGETS["first_search_mb"] for c in corpora)
                               if corpora and all(c["browser"] for c in corpora) else None),
        "median_page": target(f"median paper page < {TARGETS['median_page_kb']:.0f} KB", {c["name"]: c["median_page_kb"] for c in corpora},
                              all(0 < c["median_page_kb"] < TARGETS["median_page_kb"] for c in corpora) if corpora else None),
        "search_index": target(f"search index < {TARGETS['search_index_mb']:.0f} MB", {c["name"]: c["search_index_mb"] for c in corpora},
                               all(c["search_index_mb"] < TARGETS["search_index_mb"] for c in corpora) if corpora else None),
        "noop_build": target("a build with nothing changed writes nothing",
                             {c["name"]: c["incremental"]["noop_rewritten"] for c in corpora},
                             all(c["incremental"]["noop_rewritten"] == 0 for c in corpora) if corpora else None),
        "incremental": target("one edited paper rewrites only files that name it (its page, .bib, lists, exports)",
                              {c["name"]: {"rewritten": c["incremental_rewritten"], "not_naming_it": c["incremental"]["not_naming_the_paper_count"]} for c in corpora},
                              all(c["incremental"]["not_naming_the_paper_count"] == 0 and c["incremental_rewritten"] < c["incremental"]["generated_files"]
                                  for c in corpora) if corpora else None),
        "edit_to_preview_10k": target(f"10,000 papers under `mkdocs serve --dirty`: a note and a title edit each on the served page "
                                      f"<= {TARGETS['edit_to_preview_s']:.0f} s after saving, one build each, on a new and a restarted server",
                                      {r["mode"]: [r["note"]["edit_to_page_s"], r["title"]["edit_to_page_s"]] for r in served_big} or None,
                                      all(r[e]["edit_to_page_s"] <= TARGETS["edit_to_preview_s"] and r[e]["builds"] == 1
                                          for r in served_big for e in ("note", "title")) if served_big else None),
    }
    return out


def serve_figures(sizes: list[int], work: Path, seed: int, modes: list[str]) -> list[dict]:
    """edit_to_preview.py's figures for each size and mode, in corpus folders of their own."""
    import edit_to_preview  # benchmarks/: it imports this module for the corpora

    return edit_to_preview.figures(sizes, modes, work, seed, prefix="serve-")


def print_report(results: dict) -> None:
    cols = [("corpus", "name", "{}"), ("papers", "papers", "{}"), ("import s", "import_s", "{:.2f}"),
            ("generate s", "generate_s", "{:.2f}"), ("mkdocs s*", "mkdocs_s", "{:.2f}"), ("hook s", "mkdocs_hook_s", "{:.2f}"), ("mk-only s", "mkdocs_only_s", "{:.2f}"),
            ("build s", "build_s", "{:.2f}"), ("gen share", "generation_share", "{:.1%}"), ("+import s", "total_s", "{:.2f}"),
            ("cached build s", "cached_build_s", "{:.2f}"), ("cached gen share", "cached_generation_share", "{:.1%}"),
            ("pages kept", "cached_pages_kept", "{}"),
            ("gen ms/p", ("per_paper_ms", "generate"), "{:.2f}"), ("build ms/p", ("per_paper_ms", "build"), "{:.2f}"),
            ("site MB", "site_mb", "{:.1f}"), ("median KB", "median_page_kb", "{:.1f}"), ("max KB", "max_page_kb", "{:.1f}"),
            ("search MB", "search_index_mb", "{:.2f}"), ("pagefind MB", "search_bundle_mb", "{:.1f}"), ("peak RSS MB", "peak_rss_mb", "{:.0f}"), ("incr. rewritten", "incremental_rewritten", "{}")]
    rows = []
    for c in results["corpora"]:
        row = []
        for _, field, fmt in cols:
            value = c[field[0]][field[1]] if isinstance(field, tuple) else c[field]
            row.append("-" if value is None else fmt.format(value))
        rows.append(row)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, (h, _, _) in enumerate(cols)]
    print()
    print("  ".join(h.rjust(w) for (h, _, _), w in zip(cols, widths)))
    for row in rows:
        print("  ".join(v.rjust(w) for v, w in zip(row, widths)))
    print("* mkdocs s = `mkdocs build` including a no-op generation by the hook (hook s); "
          "build = generate + (mkdocs - hook), the site from the library; +import = import + build;\n"
          "  cached build = `mkdocs build` into an empty site folder with the build cache of the build before "
          "after a note on one paper\n  (the deploy workflow after a content edit), gen share = its hook's generation; pages kept = pages not rendered again")
    view = results["settings"].get("view", "published")
    print(f"view: {view} ({'what the deploy workflow publishes' if view == 'published' else 'the curators local preview'})")
    print("\npages and what a reader waits for (headless Chromium, local server):")
    for c in results["corpora"]:
        pg, b = c["pages"], c["browser"]
        line = (f"  {c['name']}: largest page {pg['largest_page']['kb']:.0f} KB ({pg['largest_page']['page']}), "
                f"all-papers {pg['papers_index']['kb']:.0f} KB x {pg['papers_index']['count']}, "
                f"theme pages up to {pg['theme_pages']['kb']:.0f} KB ({pg['theme_pages']['count']}), over {PAGE_BUDGET_KB:.0f} KB: {pg['pages_over_budget']}")
        if b:
            s_, i_ = b["search"], b["papers_index"]
            line += (f"; {len(s_.get('runs', [s_]))} first searches ({', '.join(map(repr, s_.get('words', [s_['word']])))}): "
                     f"results {s_['first_results_s']:.2f} s after typing (median; slowest {s_.get('first_results_max_s', s_['first_results_s']):.2f} s; "
                     f"{s_.get('seen_from_here_s', 0):.2f} s as this process saw it, {s_.get('from_first_key_s', 0):.2f} s from the first key), up to {s_.get('fetched_max_mb', s_['fetched_mb']):.2f} MB fetched; "
                     f"all-papers page {i_['open_s']:.2f} s, {i_['fetched_mb']:.2f} MB")
        print(line)
        print(f"    MB by folder: {json.dumps(c['site_breakdown']['folders_mb'])}")
    r = results["ratios"]
    if r["small"]:
        print(f"\nper-paper cost, {r['large']} vs {r['small']}: import {r['import']}x, generate {r['generate']}x, "
              f"mkdocs {r['mkdocs']}x, build {r['build']}x, with import {r['total']}x")
    print("\nincremental (one record gains a tag, then `generator build`):")
    for c in results["corpora"]:
        inc = c["incremental"]
        print(f"  {c['name']}: no-op build wrote {inc['noop_rewritten']} file(s) in {inc['noop_seconds']:.2f}s; then paper {inc['paper']!r}: "
              f"{inc['rewritten']} of {inc['generated_files']} generated files rewritten in {inc['seconds']:.2f}s; e.g. {', '.join(inc['sample'][:8])}")
        if inc["not_naming_the_paper_count"]:
            print(f"    {inc['not_naming_the_paper_count']} rewritten file(s) do not name the paper, e.g. {', '.join(inc['not_naming_the_paper'][:8])}")
    if results.get("serve"):
        print("\nthe curator's loop (`mkdocs serve`: a record saved -> its page served with the edit; generation; builds):")
        for r in results["serve"]:
            cell = lambda e: f"{r[e]['edit_to_page_s']:.2f} s ({r[e]['generation_s']} s, {r[e]['builds']})"  # noqa: E731
            print(f"  synthetic-{r['papers']} {r['mode']}: first build {r['first_build_s']:.1f} s; note {cell('note')}; title {cell('title')}")
    print("\ntargets:")
    for name, t in results["targets"].items():
        verdict = "n/a " if t["pass"] is None else ("PASS" if t["pass"] else "FAIL")
        print(f"  {verdict}  {t['target']}: {json.dumps(t['value'])}")


# --------------------------------------------------------------------------- main

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="synthetic corpus sizes, comma separated (default: 1000,10000)")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "results.json", help="JSON results file")
    parser.add_argument("--work", type=Path, default=REPO / "benchmarks" / "out" / "work", help="work folder (one sub-folder per corpus)")
    shipped = parser.add_mutually_exclusive_group()
    shipped.add_argument("--include-shipped", dest="shipped", action="store_true", default=True, help="also build a copy of content/ (default)")
    shipped.add_argument("--no-shipped", dest="shipped", action="store_false", help="synthetic corpora only")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed for the synthetic corpora")
    parser.add_argument("--no-browser", dest="browser", action="store_false", default=True,
                        help="skip the headless-Chromium figures (search latency and bytes, opening the all-papers page)")
    parser.add_argument("--repeat", type=int, default=1, help="run generate and mkdocs N times and keep the fastest (default: 1)")
    parser.add_argument("--serve-modes", default="cache-dirty,cache-dirty-again",
                        help="edit_to_preview.py modes timed at each synthetic size ('' for none; default: "
                             "cache-dirty,cache-dirty-again)")
    parser.add_argument("--view", choices=("published", "preview"), default="published",
                        help="build the readers' view that the deploy workflow publishes (READING_LIST_PUBLIC=true, "
                             "default), or the curators' local preview")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        raise SystemExit(f"--sizes: expected numbers such as 1000,10000, got {args.sizes!r}")
    if any(n < 1 for n in sizes):
        raise SystemExit("--sizes: every size must be at least 1")
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    # Every step's process reads it, as .github/workflows/deploy.yml sets it for the published site.
    os.environ["READING_LIST_PUBLIC"] = "true" if args.view == "published" else "false"
    load_at_start = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
    seeds = load_seeds(sorted((REPO / "content" / "sources").glob("*.txt")))
    corpora = []
    plan = ([("shipped", None)] if args.shipped else []) + [(f"synthetic-{n}", n) for n in sizes]
    for name, size in plan:
        rng = random.Random(args.seed + (size or 0))
        papers = make_corpus(size, seeds, rng) if size else None
        print(f"[{name}] building in {work / name} ...", file=sys.stderr, flush=True)
        result = bench_corpus(name, work / name, papers=papers, rng=rng, repeat=args.repeat, browser=args.browser)
        print(f"[{name}] {result['papers']} papers: import {result['import_s']:.1f}s, generate {result['generate_s']:.1f}s, "
              f"mkdocs {result['mkdocs_s']:.1f}s", file=sys.stderr, flush=True)
        corpora.append(result)
    ratios = compute_ratios(corpora)
    served = serve_figures(sizes, work, args.seed, [m.strip() for m in args.serve_modes.split(",") if m.strip()])
    results = {
        "schema": RESULT_SCHEMA_VERSION,
        "machine": {**machine_info(), "loadavg_at_start": load_at_start},
        "settings": {"sizes": sizes, "shipped": args.shipped, "seed": args.seed, "papers_per_dump": PAPERS_PER_DUMP,
                     "repeat_fraction": REPEAT_FRACTION, "seed_papers": len(seeds), "repeat": args.repeat,
                     "browser": args.browser, "view": args.view, "serve_modes": args.serve_modes},
        "corpora": corpora,
        "ratios": ratios,
        "serve": served,
        "targets": check_targets(corpora, ratios, served),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    print_report(results)
    print(f"\nresults written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
