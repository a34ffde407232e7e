"""The links in curator Markdown (paper notes, theme intros), checked where they are written.

`mkdocs build --strict` refuses a page whose HTML links to nothing in the
site (generator/render/fragments.py::broken_links), but it names the generated
page and the rewritten link. Here the same rendering and the same link check
run on each note and intro against the files the build generates, so `check`
and `build` refuse the same links, named by record file, line and the link as
the curator wrote it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from pathlib import Path

from generator.limits import markdown_budget
from generator.model import Problem
from generator.render.curated import curated_html
from generator.render.fragments import broken_links
from generator.render.urls import page_url, paper_src, theme_src


def site_paths(paths: Iterable[str], use_directory_urls: bool) -> set[str]:
    """Every docs path as MkDocs' `File.url` gives it (`papers/galore/`, `./`, `bib/galore.bib`)."""
    found = set()
    for path in paths:
        if path.endswith(".md"):
            found.add(page_url(path, use_directory_urls) or "./")
        else:
            found.add(path)
    return found


def _line(text: str, field: str, start: int = 1) -> int | None:
    """1-based line of the first `field:` at or after line `start`."""
    lines = text.splitlines()
    pattern = re.compile(rf"^\s*(?:-\s+)?{re.escape(field)}\s*:")
    for number in range(max(start, 1), len(lines) + 1):
        if pattern.match(lines[number - 1]):
            return number
    return None


def _read(path: Path | None) -> str:
    try:
        return path.read_text("utf-8") if path is not None else ""
    except (OSError, UnicodeError):
        return ""


# Ids a generated page's Markdown gives its headings (`## Notes { #notes }`).
_ATTR_ID_RE = re.compile(r"\{[^}\n]*#([\w-]+)[^}\n]*\}")


def _page_ids(page: bytes | str | None) -> str:
    """The ids of the generated page, as `id="..."` text for `broken_links`."""
    text = page.decode("utf-8", "replace") if isinstance(page, bytes) else page or ""
    return text + "".join(f' id="{name}"' for name in _ATTR_ID_RE.findall(text))


def _broken(text: str, src: str, paths: set[str], dirs: bool, page: bytes | str | None) -> list[str]:
    """The links of `text` that the hook would call broken on the page `src`, as written."""
    links: list[tuple[str, str]] = []
    html = str(curated_html(text, src, dirs, links))
    written = {}
    for original, rewritten in links:
        written.setdefault(rewritten, original)
    broken = broken_links([html], page_url(src, dirs), paths, html + _page_ids(page))
    return list(dict.fromkeys(written.get(href.replace("&amp;", "&"), written.get(href, href)) for href in broken))


def _message(where: str, href: str, src: str, paths: set[str], dirs: bool) -> str:
    hint = _from_the_root(href, src, paths, dirs)
    return (
        f"{where} links to {href!r}, which is no page or file of the site; "
        + (f"write it from the docs root: {hint!r}" if hint else
           "expected a path from the docs root such as papers/KEY.md or themes/ID.md")
    )


def _from_the_root(href: str, src: str, paths: set[str], dirs: bool) -> str | None:
    """The docs-root form of a link written relative to its own page (`other.md` in a
    paper's note is `papers/other.md`), when that names a page: what the curator meant."""
    path, sep, fragment = href.partition("#")
    if not path.endswith(".md"):
        return None
    target = posixpath.normpath(posixpath.join(posixpath.dirname(src), path))
    if target.startswith("..") or (page_url(target, dirs) or "./") not in paths:
        return None
    return target + sep + fragment


def curated_link_problems(papers, themes, themes_file: Path, outputs: dict, dirs: bool) -> list[Problem]:
    """Broken links in notes and intros, by record file and line, as written.

    `outputs` maps each generated docs path to its content (OutputSet.files).
    """
    paths = site_paths(outputs, dirs)
    problems = []
    for paper in papers:
        if not paper.notes:
            continue
        src = paper_src(paper.slug)
        broken = _broken(paper.notes, src, paths, dirs, outputs.get(src))
        if broken:
            line = _line(_read(paper.path), "notes")
            name = str(paper.path) if paper.path is not None else paper.key
            problems.extend(Problem(name, _message("notes", href, src, paths, dirs), line, "notes") for href in broken)
    themes_text = None
    for theme in themes:
        if not theme.intro:
            continue
        budget = markdown_budget(theme.intro)
        if budget:
            themes_text = _read(themes_file) if themes_text is None else themes_text
            line = _line(themes_text, "intro", theme.line or 1) or theme.line
            problems.append(Problem(str(themes_file), f"intro: {budget}", line, f"{theme.keypath}.intro"))
            continue
        src = theme_src(theme.id)
        broken = _broken(theme.intro, src, paths, dirs, outputs.get(src))
        if broken:
            themes_text = _read(themes_file) if themes_text is None else themes_text
            line = _line(themes_text, "intro", theme.line or 1) or theme.line
            problems.extend(
                Problem(str(themes_file), _message("intro", href, src, paths, dirs), line, f"{theme.keypath}.intro") for href in broken
            )
    return problems
