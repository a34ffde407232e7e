"""Render stage: the library, its themes and its cross-links -> Markdown pages.

Text from dumps is data, never markup. Every page is a Jinja2 template
(generator/templates/) whose variables are escaped by default, and the escape
is stronger than HTML's: besides `& < > " '`, every ASCII character that
means something to Markdown or to one of the site's Markdown extensions
(`* _ [ ] ( ) { } | # ! : \\ ` ~ ^ = + $ ...`) becomes a numeric character
reference (`&#42;`). Python-Markdown passes character references through
untouched and the browser shows them as the character, so a title such as
`[x](javascript:alert(1))`, `{: onclick=...}` or `A*` is the same plain text
in Markdown paragraphs, list items, table cells, link texts and raw HTML
blocks alike. One escape for every context means a template cannot pick the
wrong one; only values built here as `Markup` (URLs of our own pages,
sanitised curator HTML, the chart) bypass it.

Untrusted text never goes into a Markdown heading (the toc extension would
copy it into the sidebar); page titles are an HTML `<h1>` plus the front
matter `title:`, which holds HTML-escaped text because MkDocs' templates print
`page.meta.title` without escaping (the `<title>` tag, the header, the search
index's fallback title all expect HTML).

Curator Markdown (paper notes, theme introductions) is rendered here with
Python-Markdown and cleaned with nh3 (no script, no event attributes, no
`javascript:` URLs, no images from other hosts), then placed as a raw HTML
block. Links in it are written relative to the docs root (`papers/galore.md`)
and are rewritten for the page they appear on.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
import string
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any, Callable

import markdown
import nh3
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from generator.render.fragments import HTML_END, HTML_START
from generator.identifiers import is_arxiv_id, is_doi, web_url
from generator.model import STATUSES, Paper, ThemeAssignment

# --------------------------------------------------------------------------- escaping

# Characters dropped from any text before it is shown: C0/C1 controls (which
# include Python-Markdown's own placeholder markers STX/ETX), lone surrogates
# and non-characters.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACE_RE = re.compile(r"\s+")
# ASCII punctuation left as it is: it means nothing to Markdown in the middle of
# a line, and the first character of a text is always encoded (see md_text).
_PLAIN_PUNCTUATION = frozenset(" ,.-'/?;%")
_ENTITIES = {ord(c): f"&#{ord(c)};" for c in string.punctuation if c not in _PLAIN_PUNCTUATION}


# What the unencoded characters could still start at the beginning of a line:
# a list item ("- ", "1. ", "1) ") or a collapsible block ("??? ").
_LIST_START_RE = re.compile(r"\d+[.)]")


def plain(text: Any) -> str:
    """Text as one line: control characters dropped, any run of white space one space."""
    return _SPACE_RE.sub(" ", _CONTROL_RE.sub(" ", str(text)))


def md_text(value: Any) -> Markup:
    """`value` as literal text that is safe in Markdown and in HTML alike.

    White space is collapsed to single spaces (a newline could end a raw HTML
    block or start a Markdown block); Markdown and HTML syntax characters
    become character references; the first visible character is encoded too
    when it is ASCII but not a letter, so the text can never start a list
    (`1. `, `- `), a heading or a quote even at the start of a line.
    """
    if isinstance(value, Markup):
        return value
    return _md_text(str(value))


@lru_cache(maxsize=1 << 16)
def _md_text(value: str) -> Markup:
    # Cached: a title is escaped on every page that lists the paper.
    text = plain(value).translate(_ENTITIES)
    body = text.lstrip(" ")
    if body[:1] in ("-", "?") or _LIST_START_RE.match(body):
        text = text[: len(text) - len(body)] + f"&#{ord(body[0])};" + body[1:]
    return Markup(text)


def html_text(value: Any) -> str:
    """One-line text escaped for HTML (for front matter, which themes print raw)."""
    return html.escape(plain(value).strip(), quote=True)


# Characters a YAML double-quoted scalar may hold as they are; the rest are
# written as escapes (line and paragraph separators and the BOM included, which
# YAML would otherwise fold or drop).
_YAML_PRINTABLE_RE = re.compile("[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")


def yaml_str(value: Any) -> Markup:
    """A YAML double-quoted scalar holding exactly `value` (one line)."""

    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"

    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return Markup('"' + _YAML_PRINTABLE_RE.sub(escape, text) + '"')


def _one_line(markup: str) -> str:
    """HTML on one source line, with no brace a template engine could read.

    Newlines become `&#10;` (a blank line would end the raw HTML block the
    HTML is placed in) and braces `&#123;` / `&#125;`; both mean the same to
    a browser, in text and in attribute values alike.
    """
    return markup.replace("\r", "").replace("\n", "&#10;").replace("{", "&#123;").replace("}", "&#125;")


def code_block(text: str) -> Markup:
    """Text for a raw `<pre><code>` block, escaped, its line breaks as `&#10;`.

    Kept on one source line so that no blank line can end the raw HTML block.
    """
    text = _CONTROL_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")).rstrip("\n")
    return Markup(_one_line(html.escape(text, quote=True)))


@lru_cache(maxsize=1 << 16)
def excerpt(text: str, limit: int = 200) -> str:
    """The start of `text`, about `limit` characters, cut at a word boundary.

    Cached (a paper in three themes is excerpted three times), and only the
    opening is normalised: white space collapses, so the first `limit` + 1
    characters of the normalised opening are those of the whole text once
    the opening, normalised, is longer than that.
    """
    opening = plain(text[: 4 * limit + 8]).lstrip()
    if len(opening) > limit + 1 and len(text) > 4 * limit + 8:
        text = opening[: limit + 1]
        return _cut(text, limit)
    text = plain(text).strip()
    if len(text) <= limit:
        return text
    return _cut(text, limit)


def _cut(text: str, limit: int) -> str:
    """`text` (longer than `limit`) cut at the last space within `limit` + 1, with an ellipsis."""
    cut = text.rfind(" ", 0, limit + 1)
    if cut < limit * 0.6:
        cut = limit
    return text[:cut].rstrip(" ,;:-\u2013\u2014(") + "\u2026"


# --------------------------------------------------------------------------- URLs

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slug_segment(value: str, what: str) -> str:
    """A key or theme id used in a path; anything else is a bug upstream."""
    if not SLUG_RE.match(value):
        raise ValueError(f"{what} {value!r} cannot be used in a URL")
    return value


def page_url(src: str, use_directory_urls: bool = True) -> str:
    """Site-relative URL of a docs page, as MkDocs computes it ('' for the home page)."""
    path = PurePosixPath(src)
    parent = "" if str(path.parent) == "." else f"{path.parent}/"
    if path.name in ("index.md", "README.md"):
        return parent
    if use_directory_urls:
        return f"{parent}{path.stem}/"
    return f"{parent}{path.stem}.html"


def url_from(src: str, target: str, use_directory_urls: bool = True) -> str:
    """Relative URL from the page built from `src` to the site-relative `target`."""
    return _url_from_folder(_url_folder(src, use_directory_urls), target)


def _url_folder(src: str, use_directory_urls: bool) -> str:
    """The folder of the page's URL, that relative links start from ('' at the root)."""
    here = page_url(src, use_directory_urls)
    if here.endswith("/") or not here:
        return here
    folder = posixpath.dirname(here)
    return folder + "/" if folder else ""


def _url_from_folder(base: str, target: str) -> str:
    """posixpath.relpath for the clean site paths used here (no `.`, `..` or `//`),
    without its normalising: it runs for every link of every page."""
    here = base.split("/")[:-1] if base else []
    there = target.split("/")
    common = 0
    for a, b in zip(here, there[:-1]):
        if a != b:
            break
        common += 1
    rel = "../" * (len(here) - common) + "/".join(there[common:])
    return rel or "./"


def md_link(src: str, target_src: str) -> Markup:
    """A relative Markdown link target from one docs file to another (MkDocs validates it)."""
    return _relative(target_src, posixpath.dirname("/" + src))


@lru_cache(maxsize=1 << 16)
def _relative(target_src: str, base_dir: str) -> Markup:
    # Cached: thousands of pages share a few folders and link to the same pages.
    return Markup(posixpath.relpath("/" + target_src, base_dir))


def paper_src(key: str) -> str:
    return f"papers/{slug_segment(key, 'paper key')}.md"


def theme_src(theme_id: str) -> str:
    return f"themes/{slug_segment(theme_id, 'theme id')}.md"


def bib_path(key: str) -> str:
    return f"bib/{slug_segment(key, 'paper key')}.bib"


def theme_bib_path(theme_id: str) -> str:
    return f"bib/themes/{slug_segment(theme_id, 'theme id')}.bib"


def theme_csl_path(theme_id: str) -> str:
    return f"csl/themes/{slug_segment(theme_id, 'theme id')}.json"


def theme_feed_path(theme_id: str) -> str:
    return f"feeds/themes/{slug_segment(theme_id, 'theme id')}.xml"


LIBRARY_BIB = "bib/library.bib"
LIBRARY_CSL = "csl/library.json"
ALL_FEED = "feeds/all.xml"
PAPERS_JSON = "papers.json"

def arxiv_links(arxiv: str | None) -> tuple[Markup, Markup] | None:
    """(abstract URL, PDF URL) for a well-formed arXiv id."""
    value = (arxiv or "").strip()
    if not is_arxiv_id(value):
        return None
    return Markup(f"https://arxiv.org/abs/{value}"), Markup(f"https://arxiv.org/pdf/{value}")


def author_list(authors, shown: int = 3) -> Markup:
    """"A, B, C et al." as escaped text: theme pages name the first few authors."""
    names = [md_text(plain(a).strip()) for a in authors]
    text = Markup(", ").join(names[:shown])
    return text + Markup(" et al.") if len(names) > shown else text


def external_url(url: str | None) -> Markup | None:
    """An http(s) URL made safe for a Markdown link target, or None."""
    from urllib.parse import quote

    value = web_url(plain(url or ""))
    if value is None:
        return None
    return Markup(quote(value, safe="/:?#=&%+@~.,;!$*-_"))


def doi_url(doi: str | None) -> Markup | None:
    from urllib.parse import quote

    value = plain(doi or "").strip()
    if not is_doi(value):
        return None
    return Markup("https://doi.org/" + quote(value, safe="/.-_;:"))


def tag_anchor_ids(tags: Iterable[str]) -> dict[str, str]:
    """Every tag -> a unique, stable anchor id on the tags page."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for tag in sorted(set(tags), key=lambda t: (t.casefold(), t)):
        ascii_text = unicodedata.normalize("NFKD", tag).encode("ascii", "ignore").decode()
        base = "tag-" + (re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x")
        anchor, n = base, 2
        while anchor in used:
            anchor, n = f"{base}-{n}", n + 1
        used.add(anchor)
        ids[tag] = anchor
    return ids


# --------------------------------------------------------------------------- curator Markdown

_ALLOWED_TAGS = {
    "p", "br", "hr", "a", "em", "strong", "b", "i", "code", "pre", "kbd", "sub", "sup", "del", "ins",
    "abbr", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "span", "div",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}, "code": {"class"}}


class _CuratorLinks(markdown.treeprocessors.Treeprocessor):
    """Demote headings below the page's own and point `.md` links at their pages."""

    def __init__(self, md: markdown.Markdown, rewrite: Callable[[str], str]):
        super().__init__(md)
        self.rewrite = rewrite

    def run(self, root):
        for el in root.iter():
            if el.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                el.tag = f"h{min(6, int(el.tag[1]) + 2)}"
            elif el.tag == "a" and el.get("href"):
                el.set("href", self.rewrite(el.get("href")))


def curated_html(text: str | None, src: str, use_directory_urls: bool = True) -> Markup:
    """Curator Markdown as sanitised HTML for the page built from `src`, on one line."""
    if not text or not text.strip():
        return Markup("")

    def rewrite(href: str) -> str:
        if re.match(r"^[a-z][a-z0-9+.-]*:|^/|^#", href, re.I):
            return href
        path, _, fragment = href.partition("#")
        if not path.endswith(".md"):
            return href
        target = posixpath.normpath(path)
        if target.startswith(".."):
            return href
        url = url_from(src, page_url(target, use_directory_urls), use_directory_urls)
        return url + (f"#{fragment}" if fragment else "")

    md = markdown.Markdown(extensions=["tables", "fenced_code", "sane_lists"], output_format="html")
    md.treeprocessors.register(_CuratorLinks(md, rewrite), "curator-links", 1)
    rendered = md.convert(_CONTROL_RE.sub("", text))
    clean = nh3.clean(
        rendered,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return Markup(_one_line(clean.strip()))


# --------------------------------------------------------------------------- the site model


@dataclass(frozen=True)
class Settings:
    """How the site is addressed; set from mkdocs.yml."""

    site_url: str = ""  # absolute, ending in "/", or "" for relative links only
    site_name: str = "Reading list"  # names the feeds
    use_directory_urls: bool = True
    recent: int = 10  # papers in "Recently added" on the home page
    excerpt_chars: int = 200
    feed_limit: int = 50


@dataclass(frozen=True)
class SiteData:
    """Everything the pages are rendered from, computed once by the build."""

    papers: tuple[Paper, ...]  # in key order
    themes: tuple[Any, ...]  # generator.analysis.themes.Theme, in site order
    assignments: Mapping[str, tuple[ThemeAssignment, ...]]
    related: Mapping[str, tuple[Any, ...]]  # key -> Related(key, score, terms), best first
    mentions_out: Mapping[str, tuple[Any, ...]]  # key -> Mention(name, target, start, end)
    mentions_in: Mapping[str, tuple[str, ...]]  # key -> keys of papers that mention it
    bibtex: Mapping[str, str]  # key -> its BibTeX entry
    settings: Settings = Settings()
    home_intro: str | None = None  # trusted Markdown from content/pages/home.md
    by_key: dict[str, Paper] = field(default_factory=dict)
    theme_by_id: dict[str, Any] = field(default_factory=dict)
    tag_ids: dict[str, str] = field(default_factory=dict)  # tag -> anchor on the tags page
    _members: dict[str, tuple[Paper, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.by_key.update({p.key: p for p in self.papers})
        self.theme_by_id.update({t.id: t for t in self.themes})
        self.tag_ids.update(tag_anchor_ids(t for p in self.papers for t in p.tags))
        grouped: dict[str, list[Paper]] = {}
        for paper in self.papers:
            for assignment in self.assignments.get(paper.key, ()):
                grouped.setdefault(assignment.theme, []).append(paper)
        self._members.update({theme: tuple(sorted(found, key=reading_order)) for theme, found in grouped.items()})

    def members(self, theme_id: str) -> list[Paper]:
        """A theme's papers: key papers first, then by title."""
        return list(self._members.get(theme_id, ()))

    def unsorted(self) -> list[Paper]:
        return sorted((p for p in self.papers if not self.assignments.get(p.key)), key=reading_order)

    def related_to(self, key: str) -> list[Any]:
        return [r for r in self.related.get(key, ()) if r.score > 0 and r.key in self.by_key and r.key != key]

    def mentioned(self, key: str) -> list[str]:
        """Keys this paper mentions, in order of first mention, without repeats."""
        seen: dict[str, None] = {}
        for m in sorted(self.mentions_out.get(key, ()), key=lambda m: (m.start, m.end)):
            if m.target != key and m.target in self.by_key:
                seen.setdefault(m.target)
        return list(seen)

    def mentioned_by(self, key: str) -> list[str]:
        return sorted({k for k in self.mentions_in.get(key, ()) if k != key and k in self.by_key})

    def newest(self, limit: int) -> list[Paper]:
        return sorted(sorted(self.papers, key=lambda p: p.key), key=lambda p: p.added, reverse=True)[:limit]


def title_order(paper: Paper) -> tuple:
    """By title as a reader alphabetises it: case and leading punctuation ignored."""
    return (_LEADING_PUNCTUATION_RE.sub("", plain(paper.title).casefold()), paper.key)


_LEADING_PUNCTUATION_RE = re.compile(r"^[\W_]+")


def reading_order(paper: Paper) -> tuple:
    """Key papers first, then by title."""
    return (paper.status != "key", *title_order(paper))


# --------------------------------------------------------------------------- templates


def _finalize(value: Any) -> Any:
    """Every `{{ ... }}` goes through here: plain values become escaped text."""
    if value is None:
        return Markup("")
    if isinstance(value, Markup):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Markup(str(value))
    return md_text(value)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("generator.render", "templates"),
        autoescape=True,  # and _finalize escapes more than HTML needs
        finalize=_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # Filters that would return Markup built by plain HTML escaping are replaced
    # by ones that escape like every other value.
    env.filters["join"] = lambda items, sep="": Markup(md_text(sep)).join(md_text(i) for i in items)
    env.filters["e"] = env.filters["escape"] = md_text
    env.filters["yaml"] = yaml_str
    env.filters["html_yaml"] = lambda v: yaml_str(html_text(v))
    env.filters["excerpt"] = excerpt
    env.filters["author_list"] = author_list
    env.globals["html_start"] = Markup(HTML_START)
    env.globals["html_end"] = Markup(HTML_END)
    return env


def _render(template: str, **context: Any) -> str:
    text = environment().get_template(template).render(**context)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"


class _Page:
    """Helpers bound to one page: links from it, in MkDocs' terms."""

    def __init__(self, site: SiteData, src: str):
        self.site = site
        self.src = src
        self.dirs = site.settings.use_directory_urls  # for links in raw HTML (curator Markdown)
        self.folder = _url_folder(src, self.dirs)

    def md(self, target_src: str) -> Markup:
        """Link to another docs file (a .md page or a static file), checked by MkDocs."""
        return md_link(self.src, target_src)

    def paper(self, key: str) -> Markup:
        return self.md(paper_src(key))

    def theme(self, theme_id: str) -> Markup:
        return self.md(theme_src(theme_id))

    # Links in HTML fragments (see generator/fragments.py): MkDocs neither rewrites nor
    # checks those, so they are final URLs, and only to pages this build makes.

    def url(self, target_src: str) -> Markup:
        """URL of another docs file as the browser resolves it from this page."""
        return Markup(_url_from_folder(self.folder, _site_path(target_src, self.dirs)))

    def paper_url(self, key: str) -> Markup:
        if key not in self.site.by_key:
            raise KeyError(f"{self.src}: link to unknown paper {key!r}")
        return self.url(paper_src(key))

    def theme_url(self, theme_id: str) -> Markup:
        if theme_id not in self.site.theme_by_id:
            raise KeyError(f"{self.src}: link to unknown theme {theme_id!r}")
        return self.url(theme_src(theme_id))

    def tag_url(self, tag: str) -> Markup:
        return Markup(f"{self.url('tags.md')}#{self.site.tag_ids[tag]}")


@lru_cache(maxsize=1 << 16)
def _site_path(target_src: str, dirs: bool) -> str:
    """Where a docs file ends up in the site: a page's URL, or the file's own path."""
    return page_url(target_src, dirs) if target_src.endswith(".md") else target_src


def _theme_title(site: SiteData, theme_id: str) -> str:
    theme = site.theme_by_id.get(theme_id)
    return theme.title if theme is not None else theme_id


def _reason_sentence(reason: str) -> str:
    reason = plain(reason).strip()
    return f"it is {reason}" if reason.startswith("pinned") else reason


def _short(theme: Any) -> str:
    """The theme's one line for cards: `short`, or the intro's first sentence as plain text."""
    short = getattr(theme, "short", "") or ""
    if short.strip():
        return short
    from generator.analysis.themes import first_sentence

    as_html = markdown.markdown(_CONTROL_RE.sub("", theme.intro or ""))
    return first_sentence(html.unescape(nh3.clean(as_html, tags=set())))


def abstract_segments(paper: Paper, site: SiteData) -> list[tuple[str, str | None]]:
    """The abstract cut into (text, target key or None) at its mentions."""
    text = paper.abstract
    segments: list[tuple[str, str | None]] = []
    pos = 0
    for m in sorted(site.mentions_out.get(paper.key, ()), key=lambda m: (m.start, -m.end)):
        if m.start < pos or m.target == paper.key or m.target not in site.by_key:
            continue
        if not (0 <= m.start < m.end <= len(text)):
            continue
        segments.append((text[pos : m.start], None))
        segments.append((text[m.start : m.end], m.target))
        pos = m.end
    segments.append((text[pos:], None))
    # Collapse white space across the whole abstract, not per piece.
    out: list[tuple[str, str | None]] = []
    for index, (piece, target) in enumerate(segments):
        piece = plain(piece)
        if index == 0:
            piece = piece.lstrip()
        if index == len(segments) - 1:
            piece = piece.rstrip()
        if out and out[-1][0].endswith(" ") and piece.startswith(" "):
            piece = piece[1:]
        if piece:
            out.append((piece, target))
    return out


def _status_label(status: str | None) -> str:
    return {"key": "key paper", "to-read": "to read"}.get(status or "", status or "")


def render_paper(site: SiteData, paper: Paper) -> str:
    src = paper_src(paper.key)
    page = _Page(site, src)
    links = []
    arxiv = arxiv_links(paper.arxiv)
    if arxiv:
        links.append(("arXiv " + plain(paper.arxiv).strip(), arxiv[0]))
        links.append(("PDF", arxiv[1]))
    if (doi := doi_url(paper.doi)) is not None:
        links.append(("DOI", doi))
    if (url := external_url(paper.url)) is not None and (not arxiv or url not in (arxiv[0], arxiv[1])):
        links.append(("Web page", url))
    byline = []
    if paper.authors:
        byline.append(", ".join(plain(a).strip() for a in paper.authors))
    published = " ".join(plain(x).strip() for x in (paper.venue, paper.year) if x)
    if published:
        byline.append(published)
    return _render(
        "paper.md",
        page=page,
        paper=paper,
        byline=byline,
        segments=abstract_segments(paper, site),
        themes=[(a.theme, _theme_title(site, a.theme), _reason_sentence(a.reason)) for a in site.assignments.get(paper.key, ())],
        status=_status_label(paper.status),
        links=links,
        notes=curated_html(paper.notes, src, page.dirs),
        related=[(r, site.by_key[r.key]) for r in site.related_to(paper.key)],
        mentions=[site.by_key[k] for k in site.mentioned(paper.key)],
        mentioned_by=[site.by_key[k] for k in site.mentioned_by(paper.key)],
        bibtex=code_block(site.bibtex.get(paper.key, "")),
        bib=bib_path(paper.key),
    )


def render_theme(site: SiteData, theme: Any) -> str:
    src = theme_src(theme.id)
    page = _Page(site, src)
    members = site.members(theme.id)
    reasons = {p.key: next(a.reason for a in site.assignments[p.key] if a.theme == theme.id) for p in members}
    return _render(
        "theme.md",
        page=page,
        theme=theme,
        intro=curated_html(theme.intro, src, page.dirs),
        papers=members,
        key_count=sum(1 for p in members if p.status == "key"),
        reasons={k: _reason_sentence(r) for k, r in reasons.items()},
        limit=site.settings.excerpt_chars,
        bib=theme_bib_path(theme.id),
        csl=theme_csl_path(theme.id),
        feed=theme_feed_path(theme.id),
    )


def _theme_cards(site: SiteData, page: _Page) -> list[dict]:
    return [
        {"id": t.id, "title": t.title, "short": excerpt(_short(t), 160), "count": len(site.members(t.id)), "link": page.theme(t.id)}
        for t in site.themes
    ]


def render_home(site: SiteData, chart_svg: Markup) -> str:
    page = _Page(site, "index.md")
    sources = sorted({s.file for p in site.papers for s in p.sources})
    return _render(
        "home.md",
        page=page,
        intro=Markup(site.home_intro or "# Reading list\n"),  # trusted: a hand-written page
        total=len(site.papers),
        theme_count=len(site.themes),
        unsorted=len(site.unsorted()),
        key_count=sum(1 for p in site.papers if p.status == "key"),
        source_count=len(sources),
        cards=_theme_cards(site, page),
        chart=chart_svg,
        newest=site.newest(site.settings.recent),
        assignments=site.assignments,
        theme_title=lambda i: _theme_title(site, i),
    )


def render_themes_index(site: SiteData) -> str:
    page = _Page(site, "themes/index.md")
    return _render("themes_index.md", page=page, cards=_theme_cards(site, page), unsorted=len(site.unsorted()))


def render_papers_index(site: SiteData) -> str:
    page = _Page(site, "papers/index.md")
    rows = []
    for paper in sorted(site.papers, key=title_order):
        ids = [a.theme for a in site.assignments.get(paper.key, ())]
        rows.append(
            {
                "paper": paper,
                "themes": [(i, _theme_title(site, i)) for i in ids],
                "filter_themes": " ".join(ids) if ids else "unsorted",
                "status": paper.status or "none",
            }
        )
    statuses = [s for s in STATUSES if any(p.status == s for p in site.papers)]
    return _render(
        "papers_index.md",
        page=page,
        rows=rows,
        themes=site.themes,
        statuses=[(s, _status_label(s)) for s in statuses],
        has_unstatused=any(p.status is None for p in site.papers),
    )


def render_unsorted(site: SiteData) -> str:
    page = _Page(site, "unsorted.md")
    return _render("unsorted.md", page=page, papers=site.unsorted(), limit=site.settings.excerpt_chars, themes=site.themes)


def render_tags(site: SiteData) -> str:
    page = _Page(site, "tags.md")
    groups = []
    for tag, anchor in site.tag_ids.items():
        tagged = sorted((p for p in site.papers if tag in p.tags), key=reading_order)
        groups.append({"tag": tag, "anchor": anchor, "papers": tagged})
    return _render("tags.md", page=page, groups=groups)


# --------------------------------------------------------------------------- papers.json


def papers_json(site: SiteData) -> str:
    """The public data export: one object per paper, sorted by key, stable bytes."""
    dirs = site.settings.use_directory_urls
    items = []
    for paper in sorted(site.papers, key=lambda p: p.key):
        assigned = site.assignments.get(paper.key, ())
        items.append(
            {
                "key": paper.key,
                "title": paper.title,
                "abstract": paper.abstract,
                "authors": list(paper.authors),
                "year": paper.year,
                "venue": paper.venue,
                "arxiv": paper.arxiv,
                "doi": paper.doi,
                "url": web_url(paper.url),
                "added": paper.added,
                "status": paper.status,
                "tags": list(paper.tags),
                "themes": [a.theme for a in assigned],
                "theme_reasons": {a.theme: a.reason for a in assigned},
                "related": [r.key for r in site.related_to(paper.key)],
                "mentions": site.mentioned(paper.key),
                "mentioned_by": site.mentioned_by(paper.key),
                "sources": [{"file": s.file, "date": s.date} for s in paper.sources],
                "notes": paper.notes,
                "page": page_url(paper_src(paper.key), dirs),
                "bib": bib_path(paper.key),
            }
        )
    return json.dumps(items, ensure_ascii=False, indent=1) + "\n"


__all__ = [
    "Settings",
    "SiteData",
    "md_text",
    "html_text",
    "yaml_str",
    "excerpt",
    "page_url",
    "url_from",
    "curated_html",
    "render_paper",
    "render_theme",
    "render_home",
    "render_themes_index",
    "render_papers_index",
    "render_unsorted",
    "render_tags",
    "papers_json",
]

