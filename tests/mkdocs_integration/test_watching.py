"""`mkdocs serve` hears of edits from the operating system: a saved record starts a
rebuild at once, reading records (as every rebuild does) starts none."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.livereload import LiveReloadServer
from watchdog.observers.polling import PollingObserver

from generator.mkdocs_integration import hook
from generator.mkdocs_integration.watching import watch_natively


def _server(tmp_path: Path) -> LiveReloadServer:
    return LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path / "site"))


def _wants_rebuild(server: LiveReloadServer, within: float = 2.0) -> bool:
    with server._rebuild_cond:
        return server._rebuild_cond.wait_for(lambda: server._want_rebuild, timeout=within)


@pytest.fixture
def served(tmp_path):
    """A server set up as `mkdocs serve` sets it up: docs folder and config watched, on_serve, then content/."""
    docs, content = tmp_path / "generated", tmp_path / "content" / "papers"
    docs.mkdir()
    content.mkdir(parents=True)
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text("site_name: x\n")
    record = content / "a.yml"
    record.write_text("title: A\n")
    server = _server(tmp_path)
    server.watch(str(docs))
    server.watch(str(config_file))
    server = hook.on_serve(server, config=SimpleNamespace(docs_dir=str(docs)), builder=None)
    server.watch(str(tmp_path / "content"))
    server.observer.start()
    time.sleep(0.3)  # the watches are set
    yield server, record, config_file
    server.observer.stop()
    server.observer.join()


def test_the_server_watches_natively_what_it_watched(served, tmp_path):
    server, _, config_file = served
    assert not isinstance(server.observer, PollingObserver)
    assert set(server._watched_paths) == {str(config_file), str(tmp_path / "content")}  # docs folder dropped


def test_reading_records_starts_no_rebuild_and_saving_one_does(served):
    server, record, _ = served
    for _ in range(3):
        record.read_text()  # what every rebuild does to every record
    assert not _wants_rebuild(server, within=0.5)
    record.write_text("title: B\n")
    assert _wants_rebuild(server)


def test_a_record_saved_by_renaming_a_new_file_in_starts_a_rebuild(served):
    server, record, _ = served
    new = record.with_name(".a.yml.tmp")
    new.write_text("title: C\n")
    new.replace(record)  # how editors and the generator's own writer save
    assert _wants_rebuild(server)


def test_polling_is_kept_when_asked_for(tmp_path, monkeypatch):
    monkeypatch.setenv("READING_LIST_WATCH", "poll")
    server = _server(tmp_path)
    assert watch_natively(server) is False and isinstance(server.observer, PollingObserver)


def test_the_system_is_not_asked_to_report_files_being_read(served):
    """Told of every open and close, the observer's thread held the interpreter lock
    30,000 times per rebuild at 10,000 papers: the inotify mask leaves them out."""
    inotify = pytest.importorskip("watchdog.observers.inotify")
    server, _, _ = served
    emitters = [e for e in server.observer.emitters if isinstance(e, inotify.InotifyEmitter)]
    if not emitters:
        pytest.skip("not inotify")
    constants = inotify.InotifyConstants
    for emitter in emitters:
        mask = emitter.get_event_mask_from_filter()
        assert not mask & (constants.IN_OPEN | constants.IN_CLOSE_NOWRITE | constants.IN_ACCESS)
        assert mask & constants.IN_MODIFY and mask & constants.IN_MOVED_TO and mask & constants.IN_DELETE
