"""Where every generated file goes, and the URLs between them.

The output paths (`paper_src`, `LIBRARY_BIB`, ...) are the layout of the
generated docs folder; the build writes to them and the pages link to them,
so they are named once, here. URLs follow MkDocs' rules (`use_directory_urls`)
so that links written in raw HTML, which MkDocs neither rewrites nor checks,
land where MkDocs puts each page. Links to other sites are built only from
identifiers and URLs that parse (generator/identifiers.py).
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import PurePosixPath
from urllib.parse import quote, urlsplit

from markupsafe import Markup

from generator.identifiers import is_arxiv_id, is_doi, web_url
from generator.render.escape import plain

# --------------------------------------------------------------------------- output paths

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

HOME_SRC = "index.md"
THEMES_INDEX_SRC = "themes/index.md"
PAPERS_INDEX_SRC = "papers/index.md"
UNSORTED_SRC = "unsorted.md"
TAGS_SRC = "tags.md"
LIBRARY_BIB = "bib/library.bib"
LIBRARY_CSL = "csl/library.json"
ALL_FEED = "feeds/all.xml"
PAPERS_JSON = "papers.json"


def slug_segment(value: str, what: str) -> str:
    """A key or theme id used in a path; anything else is a bug upstream."""
    if not SLUG_RE.match(value):
        raise ValueError(f"{what} {value!r} cannot be used in a URL")
    return value


def paper_src(slug: str) -> str:
    """The page of a paper, named by its record's file name (`Paper.slug`), not its key."""
    return f"papers/{slug_segment(slug, 'paper file name')}.md"


def theme_src(theme_id: str) -> str:
    return f"themes/{slug_segment(theme_id, 'theme id')}.md"


def bib_path(slug: str) -> str:
    return f"bib/{slug_segment(slug, 'paper file name')}.bib"


def theme_bib_path(theme_id: str) -> str:
    return f"bib/themes/{slug_segment(theme_id, 'theme id')}.bib"


def theme_csl_path(theme_id: str) -> str:
    return f"csl/themes/{slug_segment(theme_id, 'theme id')}.json"


def theme_feed_path(theme_id: str) -> str:
    return f"feeds/themes/{slug_segment(theme_id, 'theme id')}.xml"


# --------------------------------------------------------------------------- URLs inside the site


@lru_cache(maxsize=1 << 16)  # every link of every page asks it, and PurePosixPath is slow
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
    return url_from_folder(url_folder(src, use_directory_urls), target)


def url_folder(src: str, use_directory_urls: bool) -> str:
    """The folder of the page's URL, that relative links start from ('' at the root)."""
    here = page_url(src, use_directory_urls)
    if here.endswith("/") or not here:
        return here
    folder = posixpath.dirname(here)
    return folder + "/" if folder else ""


def url_from_folder(base: str, target: str) -> str:
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


@lru_cache(maxsize=1 << 16)
def site_path(target_src: str, dirs: bool) -> str:
    """Where a docs file ends up in the site: a page's URL, or the file's own path."""
    return page_url(target_src, dirs) if target_src.endswith(".md") else target_src


def md_link(src: str, target_src: str) -> Markup:
    """A relative Markdown link target from one docs file to another (MkDocs validates it)."""
    return _relative(target_src, posixpath.dirname("/" + src))


@lru_cache(maxsize=1 << 16)
def _relative(target_src: str, base_dir: str) -> Markup:
    # Cached: thousands of pages share a few folders and link to the same pages.
    return Markup(posixpath.relpath("/" + target_src, base_dir))


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


# --------------------------------------------------------------------------- URLs of other sites


def arxiv_links(arxiv: str | None) -> tuple[Markup, Markup] | None:
    """(abstract URL, PDF URL) for a well-formed arXiv id."""
    value = (arxiv or "").strip()
    if not is_arxiv_id(value):
        return None
    return Markup(f"https://arxiv.org/abs/{value}"), Markup(f"https://arxiv.org/pdf/{value}")


def external_url(url: str | None) -> Markup | None:
    """An http(s) URL made safe for a Markdown link target, or None."""
    value = web_url(plain(url or ""))
    if value is None:
        return None
    return Markup(quote(value, safe="/:?#=&%+@~.,;!$*-_"))


def doi_url(doi: str | None) -> Markup | None:
    """The doi.org URL of a well-formed DOI, or None."""
    value = plain(doi or "").strip()
    if not is_doi(value):
        return None
    return Markup("https://doi.org/" + quote(value, safe="/.-_;:"))


# Hosts whose pages are the paper's own, named by the host rather than as "Web page".
_VENUE_HOSTS = {
    "openreview.net": "OpenReview",
    "aclanthology.org": "ACL Anthology",
    "www.aclweb.org": "ACL Anthology",
    "aclweb.org": "ACL Anthology",
}
# Bidirectional formatting characters: invisible, and nothing a search should hold.
_BIDI_RE = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def url_label(url: str) -> str:
    """How a record's URL is named on the page: its venue when the host is one, else "Web page"."""
    host = (urlsplit(url).hostname or "").lower()
    return _VENUE_HOSTS.get(host, "Web page")


def search_query(title: str) -> str:
    """The title as a search engine should get it: one line, no control or bidi characters."""
    return plain(_BIDI_RE.sub("", title or "")).strip()


def search_links(title: str) -> list[tuple[str, Markup]]:
    """Title searches on arXiv, Semantic Scholar and Google Scholar, for a record with no link.

    The title is percent-encoded as one query value (every reserved character
    included), and the URL is HTML-escaped (`&` between parameters), so no
    title can add a parameter, leave the attribute or change the host.
    """
    query = quote(search_query(title), safe="")
    if not query:
        return []
    urls = (
        ("Search arXiv", f"https://arxiv.org/search/?query={query}&searchtype=title"),
        ("Semantic Scholar", f"https://www.semanticscholar.org/search?q={query}"),
        ("Google Scholar", f"https://scholar.google.com/scholar?q={query}"),
    )
    return [(label, Markup(url.replace("&", "&amp;"))) for label, url in urls]


def paper_links(arxiv: str | None, doi: str | None, url: str | None) -> list[tuple[str, Markup]]:
    """(label, URL) of every place the record names for the paper: arXiv, PDF, DOI, its URL."""
    links: list[tuple[str, Markup]] = []
    found = arxiv_links(arxiv)
    if found:
        links.append(("arXiv " + plain(arxiv).strip(), found[0]))
        links.append(("PDF", found[1]))
    if (doi_link := doi_url(doi)) is not None:
        links.append(("DOI", doi_link))
    web = external_url(url)
    if web is not None and web not in {target for _, target in links}:
        # `&` as `&amp;`: the URL goes into an HTML attribute, where `&lt;` would read as `<`.
        links.append((url_label(web), Markup(str(web).replace("&", "&amp;"))))
    return links
