"""Pagefind fed each finished page while MkDocs builds the rest.

Run after the build, Pagefind reads the whole site again (a quarter of a
full build at ten thousand papers, about 30 s). Its service mode
(`pagefind --service`, the protocol of its own Python and Node APIs) takes
pages one at a time: the hook hands it each searchable page as MkDocs
finishes it, Pagefind indexes it on the other core, and after the build only
the writing of the bundle is left. Pagefind's own Python client waits 0.1 s
for every answer, so this one speaks the protocol itself: base64-encoded
JSON messages ended by a comma, each way, answers read by a thread of their
own so that neither pipe can fill up.

The bundle is asked for in memory (`GetFiles`) and written here, not left
to the service (`WriteFiles`): the service answers `WriteFiles` while its
last writes are still in flight, and exits the moment its input closes, so
now and then a bundle file was left empty or cut short.

The bundle depends on the order pages are added in; MkDocs builds pages in
the same order every time, so the same site gives the same bundle. Only a
full build knows every page: `--dirty` builds and `mkdocs serve` index the
written site afterwards (search.index_site).
"""

from __future__ import annotations

import base64
import json
import subprocess
import threading
from pathlib import Path, PurePosixPath

from generator.mkdocs_integration.search import SearchIndexError

WRITE_TIMEOUT_S = 600


def _executable() -> str:
    from pagefind.service import get_executable  # the binary of PyPI's pagefind[bin]

    found = get_executable()
    if found is None:
        raise SearchIndexError("pagefind: no binary found (pip install 'pagefind[bin]')")
    return str(found)


class LiveIndex:
    """One Pagefind index in a `pagefind --service` process."""

    def __init__(self, exclude_selectors: list[str]):
        try:
            self._process = subprocess.Popen([_executable(), "--service"], stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError as err:
            raise SearchIndexError(f"pagefind --service could not start: {err}") from None
        self._answers: dict[int, dict] = {}
        self._errors: list[str] = []
        self._done = threading.Condition()
        self._closed = False
        self._last_id = 0
        self._pages: set[int] = set()  # the messages that add a page, and how many Pagefind answered
        self._answered = 0
        threading.Thread(target=self._read_answers, daemon=True).start()
        answer = self._wait(self._send({"type": "NewIndex", "config": {"exclude_selectors": exclude_selectors}}), 60)
        self._index_id = answer["index_id"]

    def add(self, source_path: str, html: str) -> None:
        """Index one page (its path in the site, e.g. `papers/x/index.html`, gives its URL); answers are checked at `write`."""
        self._send({"type": "AddFile", "index_id": self._index_id, "file_path": source_path,
                    "url": None, "file_contents": html}, page=True)

    def write(self, out_dir: Path) -> None:
        """Write the bundle of every page added so far into `out_dir` (a new folder), then stop the service."""
        try:
            with self._done:  # every page indexed before the bundle is written
                if not self._done.wait_for(lambda: self._answered >= len(self._pages) or self._closed, WRITE_TIMEOUT_S):
                    raise SearchIndexError(f"pagefind --service indexed {self._answered} of {len(self._pages)} pages in {WRITE_TIMEOUT_S} s")
            answer = self._wait(self._send({"type": "GetFiles", "index_id": self._index_id}), WRITE_TIMEOUT_S)
            if self._errors:
                raise SearchIndexError(f"pagefind --service: {len(self._errors)} page(s) not indexed: {self._errors[0]}")
        finally:
            self.close()
        write_bundle(out_dir, answer.get("files"))

    def close(self) -> None:
        if self._process.poll() is None:
            try:
                self._process.stdin.close()
            except OSError:
                pass
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()

    def _send(self, payload: dict, page: bool = False) -> int:
        self._last_id += 1
        if page:
            with self._done:  # known as a page before its answer can arrive
                self._pages.add(self._last_id)
        message = json.dumps({"message_id": self._last_id, "payload": payload}).encode("utf-8")
        try:
            self._process.stdin.write(base64.b64encode(message) + b",")
            self._process.stdin.flush()
        except (OSError, ValueError):
            raise SearchIndexError(f"pagefind --service stopped ({self._exit_detail()})") from None
        return self._last_id

    def _wait(self, message_id: int, timeout: float) -> dict:
        with self._done:
            if not self._done.wait_for(lambda: message_id in self._answers or self._closed, timeout):
                raise SearchIndexError(f"pagefind --service gave no answer in {timeout:.0f} s")
            if message_id not in self._answers:
                raise SearchIndexError(f"pagefind --service stopped ({self._exit_detail()})")
            answer = self._answers.pop(message_id)
        if answer.get("type") == "Error":
            raise SearchIndexError(f"pagefind --service: {answer.get('message')}")
        return answer

    def _read_answers(self) -> None:
        parts: list[bytes] = []  # of the message not yet ended (the bundle's answer is tens of MB)
        while chunk := self._process.stdout.read1(1 << 16):
            *ends, rest = chunk.split(b",")
            for end in ends:
                parts.append(end)
                self._take(b"".join(parts))
                parts = []
            if rest:
                parts.append(rest)
        with self._done:
            self._closed = True
            self._done.notify_all()

    def _take(self, message: bytes) -> None:
        try:
            answer = json.loads(base64.b64decode(message))
        except ValueError:
            return  # not a message (the service prints nothing else on stdout)
        payload = answer.get("payload") or {}
        with self._done:
            if answer.get("message_id") in self._pages:  # a page's answer: counted, not kept
                self._answered += 1
                if payload.get("type") == "Error":
                    self._errors.append(str(payload.get("message")))
            else:
                self._answers[answer.get("message_id")] = payload
            self._done.notify_all()

    def _exit_detail(self) -> str:
        code = self._process.poll()
        return f"exit code {code}" if code is not None else "no exit code yet"


def write_bundle(out_dir: Path, files) -> None:
    """Write the service's `GetFiles` answer (paths inside the bundle, contents in base64) into `out_dir`."""
    if not isinstance(files, list) or not files:
        raise SearchIndexError("pagefind --service returned no bundle files")
    out_dir.mkdir(parents=True, exist_ok=True)
    for file in files:
        relative = PurePosixPath(str(file.get("path", "")) if isinstance(file, dict) else "")
        if not relative.parts or relative.is_absolute() or ".." in relative.parts:
            raise SearchIndexError(f"pagefind --service returned a bundle file outside the bundle: {relative}")
        target = out_dir.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            content = base64.b64decode(file.get("content", ""), validate=True)
        except (ValueError, TypeError):
            raise SearchIndexError(f"pagefind --service returned an unreadable bundle file: {relative}") from None
        target.write_bytes(content)
