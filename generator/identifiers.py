"""Paper identifiers, parsed in one place: arXiv ids, DOIs and web URLs.

Every reader, the merge, the exports and the pages ask this module whether a
text is an arXiv id or a DOI, so that an id accepted on the way in is the same
id linked on the way out.
"""

from __future__ import annotations

import re

# New-style ids (2403.03507, 0704.0001) and old-style ones (hep-th/9901001,
# math.GT/0309136), with an optional version. Group 1 is the id, group 2 the version.
ARXIV_ID_RE = re.compile(r"(\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(v\d+)?")
DOI_RE = re.compile(r"10\.\d{4,9}/\S+")
DOI_PREFIX_RE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
ARXIV_DOI_RE = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_WEB_URL_RE = re.compile(r"^https?://[^\s/?#]+", re.I)  # a scheme and a host


def split_arxiv_version(raw: str) -> tuple[str, int | None] | None:
    """`2403.03507v2` -> (`2403.03507`, 2); None when `raw` is not an arXiv id."""
    m = ARXIV_ID_RE.fullmatch(raw.strip())
    if not m:
        return None
    return m.group(1), int(m.group(2)[1:]) if m.group(2) else None


def arxiv_id(text: str | None) -> str | None:
    """The arXiv id of `text` without its version, when the whole text is one."""
    if not text:
        return None
    found = split_arxiv_version(text)
    return found[0] if found else None


def is_arxiv_id(text: str | None) -> bool:
    """True for a well-formed arXiv id, with or without a version."""
    return bool(text) and ARXIV_ID_RE.fullmatch(text.strip()) is not None


def strip_doi_prefix(text: str) -> str:
    """`https://doi.org/10.1/x` and `doi:10.1/x` -> `10.1/x`."""
    return DOI_PREFIX_RE.sub("", text.strip())


def is_doi(text: str | None) -> bool:
    return bool(text) and DOI_RE.fullmatch(text.strip()) is not None


def web_url(url: str | None) -> str | None:
    """`url` when it is an http(s) address, else None.

    Records may carry any text in `url` (a .bib import, a typo, a hostile
    record); exports and pages only ever link to the web.
    """
    value = (url or "").strip()
    return value if _WEB_URL_RE.match(value) else None


_ARXIV_PREFIX_RE = re.compile(r"^(?:arxiv:\s*|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)", re.IGNORECASE)


def external_id(text: str | None) -> str | None:
    """One canonical id for an arXiv id or a DOI in any usual spelling, else None.

    `arXiv:2106.09685v2`, `https://arxiv.org/abs/2106.09685` and the arXiv DOI
    `10.48550/arXiv.2106.09685` are all `arxiv:2106.09685`; a DOI, with or
    without its doi.org prefix, is `doi:` and the DOI in lower case (DOIs
    ignore case). References and a paper's own ids are compared in this form.
    """
    value = (text or "").strip()
    if not value:
        return None
    bare = _ARXIV_PREFIX_RE.sub("", value).removesuffix(".pdf")
    if (found := arxiv_id(bare)) is not None:
        return f"arxiv:{found}"
    doi = strip_doi_prefix(value)
    if not is_doi(doi):
        return None
    if (m := ARXIV_DOI_RE.match(doi)) and (found := arxiv_id(m.group(1))) is not None:
        return f"arxiv:{found}"
    return f"doi:{doi.lower()}"
