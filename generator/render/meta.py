"""What a paper page tells machines: citation managers, search engines, link previews.

Zotero's connector and Google Scholar read Highwire Press `citation_*` meta
tags; chat and social previews read Open Graph; search engines read a
schema.org `ScholarlyArticle` in JSON-LD. The values are the record's, built
here once as plain text and carried, HTML-escaped like the page's `title`, in
its front matter (`rl_head`), which overrides/partials/rl-paper-meta.html
prints. Only identifiers that parse are named, and only URLs built from them
(generator/identifiers.py).
"""

from __future__ import annotations

import json
import re
from typing import Any

from generator.model import Paper
from generator.render.escape import excerpt, plain
from generator.render.urls import arxiv_links, doi_url, external_url, page_url, paper_src
from generator.settings import Settings
from generator.identifiers import is_arxiv_id, is_doi

# Venues that are journals (citation_journal_title); any other venue is taken as a conference.
_JOURNAL_RE = re.compile(r"journal|transactions|\btmlr\b|\bjmlr\b|letters|review|proceedings of the ieee|nature|science", re.I)
# A "venue" that only says where the preprint is: no venue for a citation manager.
_PREPRINT_RE = re.compile(r"^\s*(arxiv|preprint|arxiv preprint.*|corr)\s*$", re.I)


def _text(value: Any) -> str:
    return plain(value or "").strip()


def description(paper: Paper, settings: Settings) -> str:
    """The page's description: the abstract's opening, one line ("" when there is no abstract)."""
    return excerpt(paper.abstract or "", settings.excerpt_chars)


def page_address(paper: Paper, settings: Settings) -> str:
    """The page's absolute URL when the site has a site_url, else ""."""
    if not settings.site_url:
        return ""
    return settings.site_url + page_url(paper_src(paper.slug), settings.use_directory_urls)


def _pdf_url(paper: Paper) -> str:
    links = arxiv_links(paper.arxiv)
    if links:
        return str(links[1])
    web = external_url(paper.url)
    return str(web) if web is not None and web.lower().split("?")[0].endswith(".pdf") else ""


def venue_tag(venue: str | None) -> tuple[str, str] | None:
    """(`citation_journal_title` or `citation_conference_title`, venue), or None for no venue."""
    text = _text(venue)
    if not text or _PREPRINT_RE.match(text):
        return None
    return ("citation_journal_title" if _JOURNAL_RE.search(text) else "citation_conference_title", text)


def citation_tags(paper: Paper) -> list[tuple[str, str]]:
    """Highwire Press tags, in the order Google Scholar documents them; one per author."""
    tags = [("citation_title", _text(paper.title))]
    tags += [("citation_author", _text(a)) for a in paper.authors if _text(a)]
    if paper.year:
        tags += [("citation_publication_date", str(paper.year)), ("citation_date", str(paper.year))]
    if (venue := venue_tag(paper.venue)) is not None:
        tags.append(venue)
    if is_arxiv_id(paper.arxiv):
        tags.append(("citation_arxiv_id", _text(paper.arxiv)))
    if is_doi(_text(paper.doi)):
        tags.append(("citation_doi", _text(paper.doi)))
    if pdf := _pdf_url(paper):
        tags.append(("citation_pdf_url", pdf))
    return tags


def open_graph(paper: Paper, settings: Settings) -> list[tuple[str, str]]:
    """Open Graph properties: what a link preview shows."""
    props = [("og:type", "article"), ("og:title", _text(paper.title))]
    if text := description(paper, settings):
        props.append(("og:description", text))
    if url := page_address(paper, settings):
        props.append(("og:url", url))
    return props


def scholarly_article(paper: Paper, settings: Settings) -> dict[str, Any]:
    """A schema.org ScholarlyArticle for the paper, with only the fields the record has.

    Its title is `headline` alone and it has no description: the page's own
    `<meta name="description">` and Open Graph already carry the abstract's
    opening, and at ten thousand papers each repeat is 2 MB of the site.
    """
    item: dict[str, Any] = {"@context": "https://schema.org", "@type": "ScholarlyArticle", "headline": _text(paper.title)}
    authors = [{"@type": "Person", "name": _text(a)} for a in paper.authors if _text(a)]
    if authors:
        item["author"] = authors
    if paper.year:
        item["datePublished"] = str(paper.year)
    if (venue := venue_tag(paper.venue)) is not None:
        item["isPartOf"] = {"@type": "Periodical" if venue[0] == "citation_journal_title" else "CreativeWork", "name": venue[1]}
    if url := page_address(paper, settings):
        item["url"] = url
    identifiers = []
    if is_arxiv_id(paper.arxiv):
        identifiers.append({"@type": "PropertyValue", "propertyID": "arXiv", "value": _text(paper.arxiv)})
    if is_doi(_text(paper.doi)):
        identifiers.append({"@type": "PropertyValue", "propertyID": "DOI", "value": _text(paper.doi)})
    if identifiers:
        item["identifier"] = identifiers
    same = [str(u) for u in (arxiv_links(paper.arxiv) or (None,))[:1] + (doi_url(paper.doi), external_url(paper.url)) if u]
    if same:
        item["sameAs"] = list(dict.fromkeys(same))
    if pdf := _pdf_url(paper):
        item["encoding"] = {"@type": "MediaObject", "encodingFormat": "application/pdf", "contentUrl": pdf}
    return item


def script_json(value: Any) -> str:
    """JSON for a `<script>` element: `<`, `>` and `&` as \\u escapes, so no text can end the script."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def head_meta(paper: Paper, settings: Settings) -> dict[str, Any]:
    """Everything the page's <head> carries for the paper, as plain values for the front matter."""
    return {
        "citation": citation_tags(paper),
        "og": open_graph(paper, settings),
        "jsonld": script_json(scholarly_article(paper, settings)),
    }


__all__ = ["description", "page_address", "venue_tag", "citation_tags", "open_graph", "scholarly_article", "script_json", "head_meta"]
