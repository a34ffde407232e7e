"""Under `mkdocs serve`, a content problem is shown on whichever page the browser holds.

A rebuild that fails on the content leaves the last good pages in place. The
box that names the problems used to be put into each page as it was rendered
again, but `mkdocs serve --dirty` renders only pages whose Markdown changed,
and a failed generation changes none: the problems reached the terminal and
no page. So the server adds the box to each HTML page as it serves it (the
step at which MkDocs' live-reload server adds its own script), on every page
at once, with nothing rendered again. When the next build succeeds the box
goes, and the live reload shows the pages without it.
"""

from __future__ import annotations

_ARTICLE = b'class="md-content__inner md-typeset"'  # Material's page body


class ServedProblems:
    """The box of the last failed build (HTML bytes), or nothing."""

    def __init__(self) -> None:
        self.html = b""

    def show(self, html: str) -> None:
        self.html = html.encode("utf-8")

    def clear(self) -> None:
        self.html = b""

    def into(self, page: bytes) -> bytes:
        """`page` with the box at the top of its text (of its body when it has no Material article)."""
        if not self.html:
            return page
        start = page.find(_ARTICLE)
        if start >= 0 and (end := page.find(b">", start)) >= 0:
            return page[: end + 1] + self.html + page[end + 1 :]
        body = page.find(b"<body")
        end = page.find(b">", body) if body >= 0 else -1
        box = b'<div class="md-typeset">' + self.html + b"</div>"
        return page[: end + 1] + box + page[end + 1 :] if end >= 0 else box + page


def install(server, problems: ServedProblems) -> bool:
    """Have `server` (MkDocs' LiveReloadServer) add the box to the pages it serves; False when it cannot."""
    inject = getattr(server, "_inject_js_into_html", None)
    if not callable(inject):
        return False

    def with_problems(content: bytes, epoch) -> bytes:
        return problems.into(inject(content, epoch))

    server._inject_js_into_html = with_problems
    return True


__all__ = ["ServedProblems", "install"]
