"""Hostile input meets the limits of generator/limits.py in every reader.

Each test feeds one attack (a chained `@string` bomb, a 5 MB abstract, an
API answer with 20,001 authors, a 50 MB answer, `Retry-After: 290`, a server
that sends one byte at a time) and asserts a clear message naming the file
and line, or the server, within seconds, and that nothing stored changed.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.cli import main
from generator.fetch.arxiv import ArxivClient, FetchError, title_query
from generator.fetch.http import PoliteClient
from generator.identifiers import Ref
from generator.fetch.resolve import Apis, resolve
from generator.library.records import load_library
from generator.reading.bibfile import read_bib

TITLE = "A Study of Hostile Servers"
RECORD = f"key: hostile\ntitle: {TITLE}\nabstract: Short.\nadded: 2025-01-01\n"


def _feed(authors: int = 3, name: str = "Ada Lovelace", title: str = TITLE) -> bytes:
    people = "".join(f"<author><name>{name} {i}</name></author>" for i in range(authors))
    return (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        '<opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">1</opensearch:totalResults>'
        f"<entry><id>http://arxiv.org/abs/2401.00001v1</id><updated>2024-01-01T00:00:00Z</updated>"
        f"<published>2024-01-01T00:00:00Z</published><title>{title}</title><summary>An abstract.</summary>{people}"
        "</entry></feed>"
    ).encode("utf-8")


class Server:
    """A local HTTP server; `answer(handler)` writes each response."""

    def __init__(self, answer):
        outer = self
        self.requests = 0

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.requests += 1
                answer(self)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api/query"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def _body(data: bytes, status: int = 200, headers: dict | None = None):
    def answer(handler):
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        try:
            handler.wfile.write(data)
        except OSError:
            pass
    return answer


@pytest.fixture
def serve():
    servers = []

    def start(answer):
        servers.append(Server(answer))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


# ------------------------------------------------------------------ .bib


def _string_bomb(path: Path) -> Path:
    lines = ['@string{s0 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}']
    lines += [f"@string{{s{i} = s{i - 1} # s{i - 1}}}" for i in range(1, 41)]
    lines += ["@article{bomb, title = s40, author = {A B}}", "@article{fine, title = {A fine paper}, author = {C D}}"]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_chained_string_macros_stop_at_the_limit_naming_file_and_line(tmp_path):
    bib = _string_bomb(tmp_path / "bomb.bib")
    assert bib.stat().st_size < 1300  # 2**40 copies if expanded
    started = time.monotonic()
    reading = read_bib(bib)
    assert time.monotonic() - started < 5
    assert [c.bibkey for c in reading.candidates] == ["fine"]
    messages = [str(p) for p in reading.problems]
    assert any(m.startswith(f"{bib}:") and "@string{s" in m and "expands past 200,000 characters" in m for m in messages), messages


def test_a_huge_abstract_or_title_in_a_bib_is_refused_with_its_line_and_only_what_is_too_big_is_lost(tmp_path):
    bib = tmp_path / "big.bib"
    bib.write_text(
        "@article{fine, title = {A fine paper}}\n"
        "@article{huge, title = {Huge}, abstract = {" + "word " * 1_000_000 + "}}\n"
        "@article{long, title = {" + "t" * 100_000 + "}}\n"
        "@article{wide, title = {Fine title}, abstract = {" + "a" * 25_000 + "}}\n",
        "utf-8",
    )
    reading = read_bib(bib)
    found = {p.line: p.message for p in reading.problems}
    assert "@article{huge: field abstract is longer than 200,000 characters; imported without it" in found[2]
    assert "@article{long: title is 100,000 characters; at most 600 expected; this entry was skipped" in found[3]
    assert "@article{wide: abstract is 25,000 characters; at most 20,000 expected; imported without it" in found[4]
    content = tmp_path / "content"
    (content / "papers").mkdir(parents=True)
    assert main(["import", str(bib), "--content", str(content)]) != 0
    stored = {p.key: p for p in load_library(content).papers}
    assert sorted(stored) == ["fine", "huge", "wide"]
    assert stored["huge"].abstract == stored["wide"].abstract == ""


# ------------------------------------------------------------------ add and enrich


def test_enrich_refuses_an_answer_with_20001_authors_naming_the_server(tmp_path, serve, capsys):
    server = serve(_body(_feed(authors=20_001)))
    content = tmp_path / "content"
    (content / "papers").mkdir(parents=True)
    record = content / "papers" / "hostile.yml"
    record.write_text(RECORD, "utf-8")
    started = time.monotonic()
    status = main(["enrich", "--content", str(content), "--api-url", server.url, "--delay", "0.01"])
    assert time.monotonic() - started < 30
    err = capsys.readouterr()
    text = err.out + err.err
    assert status != 0
    assert f"the answer of {server.url} was refused: 20,001 authors; at most 5,000 expected" in text
    assert record.read_text("utf-8") == RECORD


def test_add_refuses_an_author_name_of_a_megabyte_naming_the_server(serve):
    server = serve(_body(_feed(authors=1, name="N" * 1_000_000)))
    ref = Ref("arxiv", "2401.00001")
    result = resolve([ref], PoliteClient(delay=0), Apis(arxiv=server.url))
    assert not result.found
    assert result.failed[ref].startswith(f"the answer of {server.url} was refused: an author name is 1,000,002 characters")


def test_arxiv_client_refuses_an_answer_of_50_mb(serve):
    chunk = b"<feed>" + b" " * (1 << 20)

    def answer(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", str(50 * len(chunk)))
        handler.end_headers()
        try:
            for _ in range(50):
                handler.wfile.write(chunk)
        except OSError:
            pass

    server = serve(answer)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"larger than 5,000,000 bytes"):
        ArxivClient(api_url=server.url, delay=0).fetch(title_query(TITLE))
    assert time.monotonic() - started < 10


def test_arxiv_client_does_not_wait_290_seconds(serve):
    server = serve(_body(b"busy", 503, {"Retry-After": "290"}))
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"asks to wait 290 s"):
        ArxivClient(api_url=server.url, delay=0).fetch(title_query(TITLE))
    assert time.monotonic() - started < 5 and server.requests == 1


def test_a_server_sending_a_byte_at_a_time_meets_the_per_paper_deadline(serve):
    def answer(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        try:
            for _ in range(100_000):
                handler.wfile.write(b" ")
                handler.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass

    server = serve(answer)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"per-paper deadline \(2 s\) passed while .* was still answering"):
        ArxivClient(api_url=server.url, delay=0, paper_deadline=2.0).fetch(title_query(TITLE))
    assert time.monotonic() - started < 6


def test_the_run_deadline_stops_the_next_lookup(serve):
    server = serve(_body(b"busy", 503))
    clock = [0.0]
    client = ArxivClient(api_url=server.url, delay=0, run_deadline=10.0, clock=lambda: clock[0], sleep=lambda s: None)
    with pytest.raises(FetchError):
        client.fetch("a")
    clock[0] = 11.0
    sent = server.requests
    with pytest.raises(FetchError, match=r"the run's deadline \(10 s\)"):
        client.fetch("b")
    assert server.requests == sent


def test_the_arxiv_cache_never_replays_another_endpoints_answer(tmp_path, serve):
    first = serve(_body(_feed(title="From the first server")))
    second = serve(_body(_feed(title="From the second server")))
    cache = tmp_path / "cache"
    query = title_query(TITLE)
    assert ArxivClient(api_url=first.url, delay=0, cache_dir=cache).lookup(query).entries[0].title == "From the first server"
    again = ArxivClient(api_url=second.url, delay=0, cache_dir=cache)
    assert again.lookup(query).entries[0].title == "From the second server"
    assert second.requests == 1 and again.cache_hits == 0


# ------------------------------------------------------------------ theme regexes

HOSTILE_REGEXES = ["(.*a){25}", "((a+))+$", r"((\w)+)+!", "(a|aa)+$", ".*a.*a.*a.*a.*a.*b"]


def test_check_refuses_catastrophic_theme_regexes_naming_their_lines(tmp_path):
    content = tmp_path / "content"
    (content / "papers").mkdir(parents=True)
    long_a = "a" * 5000
    (content / "papers" / "hostile.yml").write_text(
        f"key: hostile\ntitle: {TITLE}\nabstract: {long_a}\nadded: 2025-01-01\n", "utf-8")
    rules = "".join(f"      - regex: '{rx}'\n" for rx in HOSTILE_REGEXES)
    themes = content / "themes.yml"
    themes.write_text("themes:\n  - id: data\n    title: Data\n    intro: Data.\n    match:\n" + rules + "      - curation\n", "utf-8")
    before = themes.read_bytes()
    started = time.monotonic()
    from generator.curation.check import check_content

    report = check_content(content)
    assert time.monotonic() - started < 20
    lines = {p.line for p in report.problems if p.file == str(themes) and "can take very long" in p.message}
    assert lines == set(range(6, 6 + len(HOSTILE_REGEXES))), [str(p) for p in report.problems]
    assert themes.read_bytes() == before


# ------------------------------------------------------------------ aliases in themes.yml


def _themes_library(tmp_path: Path, themes: str) -> Path:
    content = tmp_path / "content"
    (content / "papers").mkdir(parents=True)
    (content / "papers" / "hostile.yml").write_text(RECORD, "utf-8")
    (content / "themes.yml").write_text(themes, "utf-8")
    return content


def test_an_alias_bomb_in_themes_yml_is_one_problem_with_file_and_line(tmp_path):
    from generator.curation.check import check_content

    bomb = "".join(f"      - &{c} [" + ", ".join([f"*{p}"] * 9) + "]\n" for p, c in zip("abcdefg", "bcdefgh"))
    themes = ("themes:\n  - id: data\n    title: Data\n    intro: Data.\n    match: [curation]\n"
              "    hints:\n      - &a [x, x, x, x, x, x, x, x, x]\n" + bomb)
    content = _themes_library(tmp_path, themes)
    started = time.monotonic()
    report = check_content(content)
    assert time.monotonic() - started < 5
    found = [p for p in report.problems if p.file == str(content / "themes.yml")]
    assert len(found) == 1, [str(p) for p in found]
    assert "YAML aliases expand to more than 10,000 values" in found[0].message and found[0].line == 11


def test_a_few_anchors_in_themes_yml_still_load(tmp_path):
    from generator.curation.check import check_content

    themes = ("themes:\n  - id: data\n    title: Data\n    intro: Data.\n    match: [curation]\n"
              "    hints: &common [benchmark*, leaderboard]\n"
              "  - id: evals\n    title: Evals\n    intro: Evals.\n    match: [evaluation]\n    hints: *common\n")
    report = check_content(_themes_library(tmp_path, themes))
    assert not report.problems, [str(p) for p in report.problems]


# ------------------------------------------------------------------ Markdown in notes


@pytest.mark.parametrize("kind", ["deep-list", "deep-quote", "brackets", "intro"])
def test_markdown_beyond_its_budget_is_a_check_problem_with_file_and_line(tmp_path, kind):
    from generator.build import ContentError, build_site
    from generator.curation.check import check_content

    content = tmp_path / "content"
    (content / "papers").mkdir(parents=True)
    deep = "\n".join("  " * i + "- level" for i in range(150))
    notes = {"deep-list": deep, "deep-quote": "> " * 400 + "quoted"}.get(kind, "[" * 15_000 + "(" * 15_000)
    body = "" if kind == "intro" else "notes: |\n" + "".join(f"  {line}\n" for line in notes.splitlines())
    record = content / "papers" / "hostile.yml"
    record.write_text(RECORD + body, "utf-8")
    themes = content / "themes.yml"
    intro = ("    intro: |\n" + "".join(f"      {line}\n" for line in deep.splitlines())) if kind == "intro" else "    intro: Data.\n"
    themes.write_text("themes:\n  - id: data\n    title: Data\n" + intro + "    match: [curation]\n", "utf-8")
    started = time.monotonic()
    report = check_content(content)
    assert time.monotonic() - started < 20
    where = (str(themes), 4) if kind == "intro" else (str(record), 5)
    expected = "opening brackets; at most 1,000" if kind == "brackets" else "levels deep (lists, quotes or indents); at most 50"
    assert [(p.file, p.line) for p in report.problems if expected in p.message] == [where], [str(p) for p in report.problems]
    with pytest.raises(ContentError):
        build_site(content, tmp_path / "docs")
    assert not (tmp_path / "docs" / "papers").exists()


# ------------------------------------------------------------------ smaller


def test_bidi_controls_in_titles_never_reach_the_site(tmp_path):
    import json

    from generator.build import generate, load_content
    from generator.render.escape import html_text, md_text

    title = "Safe title \u202eraw desrever\u2066 isolate"
    assert "\u202e" not in md_text(title) and "\u2066" not in html_text(title)
    content = tmp_path / "content"
    (content / "papers").mkdir(parents=True)
    (content / "papers" / "hostile.yml").write_text(
        f'key: hostile\ntitle: "{title}"\nabstract: Short.\nadded: 2025-01-01\ndoi: "javascript:alert(5)"\n', "utf-8")
    loaded, problems = load_content(content)
    outputs = generate(loaded)
    page = outputs.files["papers/hostile.md"]
    page = page.decode("utf-8") if isinstance(page, bytes) else page
    assert "Safe title raw desrever isolate" in page and "\u202e" not in page
    exported = json.loads(outputs.files["papers.json"])
    csl = json.loads(outputs.files["csl/library.json"])
    assert exported[0]["doi"] is None and "DOI" not in csl[0]
    assert "javascript" not in json.dumps(exported) + json.dumps(csl)


def test_suggest_apply_keeps_a_crlf_records_line_endings(tmp_path):
    from generator.curation.suggest import PaperSuggestion, Proposal, Suggestions, apply_pins
    from generator.library.records import load_library

    content = tmp_path / "content"
    (content / "papers").mkdir(parents=True)
    record = content / "papers" / "hostile.yml"
    record.write_bytes(RECORD.replace("\n", "\r\n").replace("abstract:", "# kept\r\nabstract:").encode("utf-8"))
    (paper,) = load_library(content).papers
    pick = Suggestions(1, (PaperSuggestion("hostile", TITLE, (Proposal("data", 0.9),)),), (), ())
    files, done = apply_pins([paper], pick, 0.0)
    text = files[record]
    assert done and "data" in text and "# kept" in text
    assert text.count("\r\n") == text.count("\n")  # every line ends in CRLF, none in a lone LF


def test_a_twin_in_one_dump_whose_abstract_is_dropped_gets_a_note(tmp_path):
    from generator.reading.dumps import read_dump
    from generator.reading.merge import merge_readings

    content = tmp_path / "content"
    (content / "papers").mkdir(parents=True)
    dump = tmp_path / "dump.txt"
    first = "Sparse Mixtures of Experts at Scale"
    twin = "SPARSE MIXTURES OF EXPERTS AT SCALE"
    dump.write_text(
        f"{first}\nWe study sparse mixtures of experts and how they scale with data.\n\n"
        f"{twin}\nA different abstract for the upper-case twin, describing routing.\n",
        "utf-8",
    )
    report = merge_readings(content, [read_dump(dump)], today="2025-01-01")
    assert len(report.added) == 1, [str(p) for p in report.problems]
    notes = [p for p in report.notes if "this one's, which differs, is not" in p.message]
    assert [(p.file, p.line) for p in notes] == [(str(dump), 4)], [str(p) for p in report.notes]
    (record,) = (content / "papers").iterdir()
    assert "how they scale with data" in record.read_text("utf-8")


def test_csl_json_and_ris_readers_meet_the_same_limits(tmp_path, capsys):
    """Every reader's candidates pass one size check in the merge: a 5 MB abstract
    from CSL-JSON or RIS is refused with its file and line, the paper imported without it."""
    import json

    from generator.cli import main

    content = tmp_path / "content"
    huge = "x" * 5_000_000
    csl = tmp_path / "refs.json"
    csl.write_text(json.dumps([
        {"id": "big2020", "type": "article-journal", "title": "A Huge Abstract", "abstract": huge, "issued": {"date-parts": [[2020]]}},
        {"id": "small2021", "type": "article-journal", "title": "A Small Paper", "issued": {"date-parts": [[2021]]}},
    ]), "utf-8")
    ris = tmp_path / "refs.ris"
    ris.write_text(f"TY  - JOUR\nTI  - Another Huge Abstract\nAB  - {huge}\nPY  - 2019\nER  - \n", "utf-8")
    import time

    start = time.monotonic()
    status = main(["import", str(csl), str(ris), "--content", str(content), "--date", "2026-01-15"])
    assert time.monotonic() - start < 30
    assert status == 1
    err = capsys.readouterr().err
    assert f"{csl}:1: abstract is 5,000,000 characters; at most 20,000 expected; imported without it" in err
    assert f"{ris}:1: abstract is 5,000,000 characters" in err
    stored = {p.title: p for p in load_library(content).papers}
    assert sorted(stored) == ["A Huge Abstract", "A Small Paper", "Another Huge Abstract"]
    assert stored["A Huge Abstract"].abstract == stored["Another Huge Abstract"].abstract == ""


def test_a_csl_json_file_nested_thousands_deep_is_named_not_a_traceback(tmp_path):
    from generator.reading.merge import import_bibtex

    deep = tmp_path / "deep.json"
    deep.write_text("[" * 5000 + "]" * 5000, "utf-8")
    report = import_bibtex(tmp_path / "content", [deep], today="2026-01-15")
    assert [(p.file, p.line, p.message) for p in report.problems] == [(str(deep), 1, "nested too deeply to be a CSL-JSON export")]


def test_a_record_nested_thousands_deep_is_a_problem_at_its_line_and_the_next_record_loads():
    from generator.library.yamlio import load_yaml

    deep = "key: x\ntitle: T\nnotes:\n  " + "[" * 3000 + "]" * 3000 + "\n"
    data, problems = load_yaml(deep, "x.yml")
    assert data is None and [(p.file, p.line, p.message) for p in problems] == [("x.yml", 4, "invalid YAML: nested too deeply")]
    assert load_yaml("key: y\ntitle: U\n", "y.yml") == ({"key": "y", "title": "U"}, [])
