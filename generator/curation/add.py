"""Add papers by identifier: `python -m generator add REF...`, and the text import.

Each REF (arXiv id or link, DOI, Hugging Face, OpenReview or ACL Anthology
link) is fetched from the source that owns it, then matched to the library
(by arXiv id, DOI or URL, then by exact normalised title) and either merged
into the record it matches, filling only what the record lacks, or added as a
new record keyed like any other. A REF that cannot be fetched is added as a
stub (`stub: true`: its title is its link text or a placeholder, it has no
abstract; its year may come from its arXiv id and its authors from its list,
each marked so in `provenance:`) when there is text to take them from; a later
`add --stubs`, `add` or `import` of it completes it, replacing such a value only
while it is unchanged (`enrich` only fills what is missing and leaves the stub).

Everything is planned in memory and written in one all-or-nothing step, so
the library is never left half-changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from generator.fetch.metadata import FetchedPaper
from generator.fetch.resolve import Apis, Progress, Resolution, make_client, resolve
from generator.identifiers import Ref, arxiv_date, arxiv_id, parse_ref
from generator.library.keys import assign_key
from generator.library.edit import commented_gaps, new_record, set_field, source_map
from generator.library.records import load_library, papers_dir, record_path
from generator.library.yamlio import dump_yaml, load_yaml
from generator.model import Paper, Problem, SourceRef
from generator.reading.dumps import read_dump_text
from generator.reading.links import Found, Scan, find_refs
from generator.reading.merge import SOURCES_DIR, plan_sources
from generator.textnorm import title_identity
from generator.writer import write_all_or_nothing

FILLED = ("authors", "year", "url", "arxiv", "doi", "venue", "primary_class")
TITLE_MATCH_MIN_WORDS = 4  # a shorter link text ("Paper", "Mistral 7B") never merges by title alone
_STUB_RE = re.compile(r"^stub:\s*true\s*$", re.M)
_URL_LINE_RE = re.compile(r"^url:\s*(\S+)\s*$", re.M)


@dataclass(frozen=True)
class Wanted:
    """One paper asked for: its REF, and what the text around it says."""

    ref: Ref
    title_hint: str = ""  # link text, for a stub
    source: str | None = None  # file name for the record's `sources:`
    line: int | None = None
    authors: tuple[str, ...] = ()  # the names the list gives, for a stub


@dataclass
class AddReport:
    added: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    stubs: list[str] = field(default_factory=list)  # keys left as stubs by this run
    not_found: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)  # "key: missing abstract, venue"
    notes: list[str] = field(default_factory=list)  # "key: ..." worth a curator's look
    problems: list[Problem] = field(default_factory=list)
    requests: int = 0
    cache_hits: int = 0
    files_written: int = 0

    def summary(self) -> str:
        return (
            f"added {len(self.added)}, merged {len(self.merged)}, unchanged {len(self.unchanged)}, "
            f"stubs {len(self.stubs)}, not found {len(self.not_found)}, failed {len(self.failed)}, "
            f"problems {len(self.problems)}; {self.requests} request(s) sent, {self.cache_hits} answered from the cache"
        )


def stubs(content: Path) -> dict[str, str | None]:
    """Records marked `stub: true`, key -> the link they know (read as text:
    cheap on a large library)."""
    folder = papers_dir(content)
    if not folder.is_dir():
        return {}
    found: dict[str, str | None] = {}
    for path in sorted(folder.glob("*.yml")):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if b"stub:" not in data:
            continue
        text = data.decode("utf-8", errors="replace")
        if _STUB_RE.search(text):
            url = _URL_LINE_RE.search(text)
            found[path.stem] = url.group(1).strip("'\"") if url else None
    return found


def stub_keys(content: Path) -> list[str]:
    return list(stubs(content))


def stub_notes(content: Path) -> list[Problem]:
    """One note per stub, for `check`: worth saying, not an error."""
    return [Problem(str(record_path(content, key)), f"stub: only its link is known ({url or 'no link'}); "
                    "`python -m generator add --stubs` fetches the rest", key=key) for key, url in stubs(content).items()]


def ref_url(ref: Ref) -> str:
    """The landing page of a REF, for a stub that knows nothing else."""
    return {
        "arxiv": f"https://arxiv.org/abs/{ref.value}",
        "doi": f"https://doi.org/{ref.value}",
        "openreview": f"https://openreview.net/forum?id={ref.value}",
        "acl": f"https://aclanthology.org/{ref.value}/",
    }[ref.kind]


# ------------------------------------------------------------------ matching


class _Index:
    """Which key holds a paper: by arXiv id, DOI, URL, then title."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.titles: dict[str, str] = {}

    def remember(self, key: str, *, arxiv: str | None = None, doi: str | None = None, url: str | None = None,
                 title: str | None = None) -> None:
        for name in (f"arxiv:{arxiv_id(arxiv)}" if arxiv_id(arxiv) else None,
                     f"doi:{doi.lower()}" if doi else None, f"url:{url}" if url else None):
            if name:
                self.ids.setdefault(name, key)
        if title and len(title.split()) >= TITLE_MATCH_MIN_WORDS:
            self.titles.setdefault(title_identity(title), key)

    def remember_paper(self, paper: Paper) -> None:
        self.remember(paper.key, arxiv=paper.arxiv, doi=paper.doi, url=paper.url, title=paper.title)

    def find(self, ref: Ref, fetched: FetchedPaper | None, hint: str) -> str | None:
        names = [f"arxiv:{ref.value}" if ref.kind == "arxiv" else f"doi:{ref.value.lower()}" if ref.kind == "doi"
                 else f"url:{ref_url(ref)}"]
        if fetched is not None:
            names += [f"arxiv:{fetched.arxiv}" if fetched.arxiv else "", f"doi:{fetched.doi.lower()}" if fetched.doi else "",
                      f"url:{fetched.url}" if fetched.url else ""]
        for name in names:
            if name in self.ids:
                return self.ids[name]
        title = fetched.title if fetched is not None else hint
        if title and len(title.split()) >= TITLE_MATCH_MIN_WORDS:
            return self.titles.get(title_identity(title))
        return None


# ------------------------------------------------------------------ records


@dataclass
class _Planned:
    data: CommentedMap
    text: str  # the record as read ("" for a new one)
    new: bool
    changed: bool = False
    notes: list[str] = field(default_factory=list)  # for the run's report


def _missing(data: CommentedMap, name: str) -> bool:
    value = data.get(name)
    return value is None or (isinstance(value, (str, list)) and not value)


def _old_stub_abstract(ref: Ref) -> str:
    """The placeholder abstract stubs were once given: not a curator's words."""
    return f"Not fetched yet: {ref.label}."


def _id_marker(arxiv: object) -> str:
    """How `provenance:` says a value came from the arXiv id itself."""
    return f"arXiv id {arxiv}"


def _mark(data: CommentedMap, name: str, marker: str, avoid: set[str], new: set[str]) -> None:
    """Say in `provenance:` where a stub's value came from, so that a fetch knows
    it may replace the value while it is still that one."""
    if not isinstance(data.get("provenance"), dict):
        set_field(data, "provenance", CommentedMap(), avoid, new)
    data["provenance"][name] = marker


def _date_from_id(data: CommentedMap, avoid: set[str], new: set[str]) -> bool:
    """A stub's year and month as its arXiv id states them, marked as such so
    that a fetch may refine them; True if the record changed."""
    date = arxiv_date(data.get("arxiv")) if data.get("stub") is True else None
    if date is None:
        return False
    filled = [name for name in ("year", "month") if _missing(data, name)]
    for name, value in zip(("year", "month"), date):
        if name in filled:
            set_field(data, name, value, avoid, new)
            _mark(data, name, _id_marker(data["arxiv"]), avoid, new)
    return bool(filled)


def _forget_id_date(data: CommentedMap, fetched: FetchedPaper) -> None:
    """Drop the year (and month) the arXiv id gave, while still as it gave them,
    so the fetched year fills in; a value a curator changed stays."""
    date, provenance = arxiv_date(data.get("arxiv")), data.get("provenance")
    if date is None or not fetched.year or not isinstance(provenance, dict):
        return
    marker = _id_marker(data["arxiv"])
    unchanged = {name for name, value in zip(("year", "month"), date)
                 if provenance.get(name) == marker and data.get(name) == value}
    if "year" not in unchanged:
        return
    forget = ("year", "month") if fetched.year != date[0] and "month" in unchanged else ("year",)
    for name in forget:  # a month with another year would be a date nobody gave
        del data[name]
        del provenance[name]


def _listed_marker(source: str) -> str:
    """How `provenance:` says a value (the authors, the title) is what a list in content/sources/ gives."""
    return f"listed in {source}"


def _authors_from_list(data: CommentedMap, authors: tuple[str, ...], source: str | None, avoid: set[str],
                       new: set[str]) -> bool:
    """A stub's authors as its list gives them, marked as such so that a fetch
    may replace them; True if the record changed."""
    if not authors or not source or data.get("stub") is not True or not _missing(data, "authors"):
        return False
    seq = CommentedSeq()
    seq.extend(authors)
    set_field(data, "authors", seq, avoid, new)
    _mark(data, "authors", _listed_marker(source), avoid, new)
    return True


class _KeptLists:
    """What each list kept in content/sources/ says of its papers (link text,
    authors), read once a file."""

    def __init__(self, content: Path) -> None:
        self.folder = content / SOURCES_DIR
        self.read: dict[str, dict[Ref, Found]] = {}

    def entry(self, source: str, refs: list[Ref]) -> Found | None:
        if source not in self.read:
            scan = scan_link_file(self.folder / source) if Path(source).name == source else None
            self.read[source] = {f.ref: f for f in scan.found} if scan is not None else {}
        return next((self.read[source][ref] for ref in refs if ref in self.read[source]), None)

    def authors(self, source: str, refs: list[Ref]) -> tuple[str, ...] | None:
        found = self.entry(source, refs)
        return found.authors if found is not None else None


def _refs_of(data: CommentedMap, ref: Ref) -> list[Ref]:
    """The identifiers a record is known by here: the REF asked for and its arXiv id."""
    return [ref] + ([Ref("arxiv", str(data["arxiv"]))] if data.get("arxiv") else [])


def _listed_source(data: CommentedMap, name: str) -> str | None:
    """The list a stub's value came from, as its `provenance:` marks it."""
    provenance = data.get("provenance")
    marker = provenance.get(name) if isinstance(provenance, dict) else None
    if not isinstance(marker, str) or not marker.startswith(_listed_marker("")):
        return None
    return marker[len(_listed_marker("")):]


def _forget_listed_authors(data: CommentedMap, ref: Ref, fetched: FetchedPaper, lists: _KeptLists) -> None:
    """Drop the authors a list gave, while still as that list gives them, so the
    fetched ones fill in; names a curator changed stay."""
    source = _listed_source(data, "authors")
    if not fetched.authors or source is None:
        return
    listed = lists.authors(source, _refs_of(data, ref))
    if listed and isinstance(data.get("authors"), list) and tuple(map(str, data["authors"])) == listed:
        del data["authors"]
        del data["provenance"]["authors"]


def _imported_title(data: CommentedMap, ref: Ref, lists: _KeptLists | None) -> bool:
    """Whether a stub's title is still the one its import gave it: the placeholder
    naming its identifier, or the link text its list still gives it. The list is
    the one `provenance:` names, else those of its `sources:` (a stub imported
    before titles were marked)."""
    title, refs = str(data.get("title") or ""), _refs_of(data, ref)
    if title in {r.label for r in refs}:
        return True
    if lists is None:
        return False
    marked = _listed_source(data, "title")
    sources = [marked] if marked else [str(s.get("file")) for s in data.get("sources") or () if isinstance(s, dict)]
    return any(getattr(lists.entry(source, refs), "hint", None) == title for source in sources)


def _complete_title(item: _Planned, ref: Ref, fetched: FetchedPaper, lists: _KeptLists | None) -> None:
    """A stub's fetched title replaces the one its import gave; a title a curator
    changed stays, with a note, since the fetched one may still be worth a look."""
    data = item.data
    if _imported_title(data, ref, lists):
        data["title"] = fetched.title
    elif str(data.get("title")) != fetched.title:
        item.notes.append(f"{data.get('key')}: kept the title a curator gave the stub, {str(data.get('title'))!r}; "
                          f"{fetched.source} calls it {fetched.title!r}")
    if _listed_source(data, "title") is not None:  # the title is now the source's or the curator's
        del data["provenance"]["title"]
        if not data["provenance"]:
            del data["provenance"]


def _values(ref: Ref, fetched: FetchedPaper | None) -> dict[str, object]:
    if fetched is None:
        url = ref_url(ref)
        return {"url": url, "arxiv": ref.value if ref.kind == "arxiv" else None, "doi": ref.value if ref.kind == "doi" else None}
    return {name: getattr(fetched, name) for name in FILLED}


def apply(item: _Planned, ref: Ref, fetched: FetchedPaper | None, source: str | None,
          authors: tuple[str, ...] = (), lists: _KeptLists | None = None) -> bool:
    """Fill what the record lacks from `fetched` (or the REF alone); True if it changed.

    A fetched answer replaces a stub's title while it is the one the import
    gave, fills the abstract a curator has not written, and the mark goes;
    every other field a record has is kept.
    """
    data = item.data
    avoid = commented_gaps(data, item.text) if item.text else set()
    new: set[str] = set()
    changed = False
    if fetched is not None and data.get("stub") is True:
        _complete_title(item, ref, fetched, lists)
        if _missing(data, "abstract") or data["abstract"] == _old_stub_abstract(ref):
            set_field(data, "abstract", fetched.abstract or f"No abstract was given by {fetched.source} for {ref.label}.",
                      avoid, new)
        del data["stub"]
        changed = True
    if fetched is not None:
        _forget_id_date(data, fetched)
    filled = []
    for name, value in _values(ref, fetched).items():
        if not value or not _missing(data, name):
            continue
        if isinstance(value, tuple):
            seq = CommentedSeq()
            seq.extend(value)
            value = seq
        set_field(data, name, value, avoid, new)
        filled.append(name)
    if filled and fetched is not None:
        if not isinstance(data.get("provenance"), dict):
            set_field(data, "provenance", CommentedMap(), avoid, new)
        for name in filled:
            data["provenance"].setdefault(name, f"{fetched.source} {ref.value}")
    changed |= bool(filled)
    if fetched is None:
        changed |= _date_from_id(data, avoid, new)
        changed |= _authors_from_list(data, authors, source, avoid, new)
    if source:
        sources = data.get("sources")
        if not isinstance(sources, list):
            sources = CommentedSeq()
            set_field(data, "sources", sources, avoid, new)
        if source not in {str(s.get("file")) for s in sources if isinstance(s, dict)}:
            sources.append(source_map(SourceRef(source)))
            changed = True
    return changed


def _new(key: str, ref: Ref, fetched: FetchedPaper | None, hint: str, today: str,
         source: str | None) -> _Planned:
    if fetched is not None:
        abstract = fetched.abstract or f"No abstract was given by {fetched.source} for {ref.label}."
        data = new_record(key, fetched.title, abstract, today, [])
    else:
        data = new_record(key, hint or ref.label, "", today, [])  # no abstract until one is fetched
        data["stub"] = True
        if hint and source:
            _mark(data, "title", _listed_marker(source), set(), set())
    return _Planned(data, "", True, True)


# ------------------------------------------------------------------ plan


def plan(content: Path, wanted: list[Wanted], resolution: Resolution, library_papers: tuple[Paper, ...],
         today: str, *, stub_not_found: bool) -> tuple[dict[Path, str], AddReport]:
    """Match every wanted paper, merge or add it; the files to write and the report."""
    report = AddReport()
    index = _Index()
    for paper in library_papers:
        index.remember_paper(paper)
    paths = {p.key: p.path for p in library_papers}
    taken = set(paths) | ({p.stem.lower() for p in papers_dir(content).iterdir()} if papers_dir(content).is_dir() else set())
    planned: dict[str, _Planned] = {}
    lists = _KeptLists(content)
    for w in wanted:
        fetched = resolution.found.get(w.ref)
        key = index.find(w.ref, fetched, w.title_hint)
        if fetched is None and w.ref in resolution.failed:  # offline, refused: a stub, completed later
            report.failed.append(f"{w.ref.label}: {resolution.failed[w.ref]}")
        elif fetched is None and key is None and w.ref in resolution.not_found:
            report.not_found.append(f"{w.ref.label}: {resolution.not_found[w.ref]}")
            if not stub_not_found:
                continue
        if key is None:
            key = assign_key(fetched.title if fetched else (w.title_hint or w.ref.label), lambda k: k in taken)
            taken.add(key)
            planned[key] = _new(key, w.ref, fetched, w.title_hint, today, w.source)
            report.added.append(key)
        elif key not in planned:
            text = paths[key].read_text("utf-8")
            data, problems = load_yaml(text, str(paths[key]))
            if problems or not isinstance(data, CommentedMap):
                report.problems.extend(problems or [Problem(str(paths[key]), "record is not a mapping")])
                continue
            planned[key] = _Planned(data, text, False)
        item = planned[key]
        if fetched is not None:
            _forget_listed_authors(item.data, w.ref, fetched, lists)
        item.changed |= apply(item, w.ref, fetched, w.source, w.authors, lists)
        if not item.new and item.changed and key not in report.merged:
            report.merged.append(key)
        data = item.data
        index.remember(key, arxiv=data.get("arxiv"), doi=data.get("doi"), url=data.get("url"), title=data.get("title"))
        index.remember(key, url=ref_url(w.ref), **({"arxiv": w.ref.value} if w.ref.kind == "arxiv" else {}))
    files: dict[Path, str] = {}
    for key, item in planned.items():
        report.notes.extend(item.notes)
        if item.data.get("stub") is True:
            report.stubs.append(key)
        elif any(_missing(item.data, name) for name in ("authors", "year", "venue", "url")):
            gaps = [n for n in ("authors", "year", "venue", "url") if _missing(item.data, n)]
            report.incomplete.append(f"{key}: no {', '.join(gaps)} in the source's answer")
        if not item.changed:
            report.unchanged.append(key)
            continue
        files[record_path(content, key) if item.new else paths[key]] = dump_yaml(item.data)
    return files, report


# ------------------------------------------------------------------ run


def complete_keys(papers: tuple[Paper, ...], stubs: set[str]) -> _Index:
    """An index of the records that need no request: complete and not stubs."""
    index = _Index()
    for paper in papers:
        if paper.key not in stubs and paper.authors and paper.year and paper.url:
            index.remember(paper.key, arxiv=paper.arxiv, doi=paper.doi, url=paper.url)
    return index


def add_wanted(content: Path, wanted: list[Wanted], *, apis: Apis = Apis(), client=None, today: str | None = None,
               stub_not_found: bool = False, extra_files: dict[Path, bytes] | None = None,
               log: Callable[[str], None] | None = None, progress: Progress | None = None) -> AddReport:
    """Fetch, plan and write: the whole of `add` (and of a text import)."""
    try:
        today = Date.fromisoformat(today).isoformat() if today else Date.today().isoformat()
    except ValueError:
        return AddReport(problems=[Problem("--date", f"expected a date such as 2024-03-12, found {today!r}")])
    library = load_library(content)
    if library.problems:
        return AddReport(problems=list(library.problems))
    client = client or make_client(content)
    done = complete_keys(library.papers, set(stub_keys(content)))
    # arXiv ids go in one batched request whatever the library holds, so that
    # the same input asks the same query (answered by the cache next time);
    # other sources cost a request per paper and are asked only when needed.
    to_fetch = [w.ref for w in wanted if w.ref.kind == "arxiv" or done.find(w.ref, None, "") is None]
    resolution = resolve(to_fetch, client, apis, log=log, progress=progress)
    files, report = plan(content, wanted, resolution, library.papers, today, stub_not_found=stub_not_found)
    report.requests, report.cache_hits = client.requests, client.cache_hits
    if report.problems:
        return report
    all_files: dict[Path, bytes | str] = dict(files)
    all_files.update(extra_files or {})
    try:
        report.files_written = len(write_all_or_nothing(all_files))
    except OSError as err:
        report.problems.append(Problem(str(getattr(err, "filename", None) or content),
                                       f"could not write the library ({err.strerror or err}); nothing was changed"))
    return report


def add_refs(content: Path, texts: list[str], *, apis: Apis = Apis(), client=None, today: str | None = None,
             log: Callable[[str], None] | None = None, progress: Progress | None = None) -> tuple[AddReport, list[str]]:
    """`add REF...`: (report, the REFs not understood). A REF that is not found adds nothing."""
    wanted, unknown = [], []
    for text in dict.fromkeys(texts):
        ref = parse_ref(text)
        if ref is None:
            unknown.append(f"{text!r}: not an arXiv id or link, DOI, Hugging Face, OpenReview or ACL Anthology link")
        else:
            wanted.append(Wanted(ref))
    if not wanted:
        return AddReport(), unknown
    return add_wanted(content, wanted, apis=apis, client=client, today=today, log=log, progress=progress), unknown


# ------------------------------------------------------------------ text import


def scan_link_file(path: Path, problems: list[Problem] | None = None) -> Scan | None:
    """The identifiers of one link text, read the one way both an import and
    a later look at its kept copy read it; None when it cannot be read."""
    text, found = read_dump_text(path)
    if problems is not None:
        problems.extend(found)
    if text is None:
        return None
    return find_refs(text, html_page=True if path.suffix.lower() in (".html", ".htm") else None)


def import_link_texts(content: Path, paths: list[Path], *, apis: Apis = Apis(), client=None, today: str | None = None,
                      log: Callable[[str], None] | None = None, progress: Progress | None = None) -> tuple[AddReport, list[str]]:
    """`import` for texts that are not dumps: every identifier they hold, added
    as `add` would, unfetchable ones as stubs; (report, notes on skipped links)."""
    wanted: list[Wanted] = []
    notes: list[str] = []
    problems: list[Problem] = []
    for path in paths:
        scan = scan_link_file(path, problems)
        if scan is None:
            continue
        if not scan.found:
            problems.append(Problem(str(path), "no paper link or identifier found (arXiv, DOI, Hugging Face, OpenReview, ACL Anthology)"))
        wanted.extend(Wanted(f.ref, f.hint, path.name, f.line, f.authors) for f in scan.found)
        notes.extend(f"{path}:{line}: {link}: links to a paper site but names no paper; skipped" for line, link in scan.unresolved)
        notes.append(f"{path}: {len(scan.found)} paper identifier(s) found")
    sources, found = plan_sources(content, paths)
    problems.extend(found)
    if problems:
        return AddReport(problems=problems), notes
    report = add_wanted(content, wanted, apis=apis, client=client, today=today, stub_not_found=True,
                        extra_files=sources, log=log, progress=progress)
    return report, notes
