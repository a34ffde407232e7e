"""Paper identifiers, parsed in one place: arXiv ids, DOIs, web URLs and REFs.

Every reader, the merge, the exports and the pages ask this module whether a
text is an arXiv id or a DOI, so that an id accepted on the way in is the same
id linked on the way out.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

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


def arxiv_date(text: str | None) -> tuple[int, int] | None:
    """(year, month) an arXiv id states: `2407.20485` is July 2024, `hep-th/9901001`
    January 1999 (old-style ids ran from 1991 to 2007). None for anything else."""
    found = arxiv_id(text)
    if found is None:
        return None
    digits = found.split("/")[-1]
    yy, month = int(digits[:2]), int(digits[2:4])
    year = 2000 + yy if "/" not in found or yy < 91 else 1900 + yy
    return (year, month) if 1 <= month <= 12 else None


# The archives of old-style ids (1991 to March 2007), current and retired.
OLD_ARXIV_ARCHIVES = frozenset({
    "astro-ph", "cond-mat", "cs", "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math", "math-ph", "nlin",
    "nucl-ex", "nucl-th", "physics", "q-bio", "q-fin", "quant-ph", "stat", "acc-phys", "adap-org", "alg-geom",
    "ao-sci", "atom-ph", "bayes-an", "chao-dyn", "chem-ph", "cmp-lg", "comp-gas", "dg-ga", "funct-an", "mtrl-th",
    "patt-sol", "plasm-ph", "q-alg", "solv-int", "supr-con",
})
_OLD_NUMBER_RE = re.compile(r"(\d{2})(\d{2})\d{3}(v\d+)?")
_CLASS_RE = re.compile(r"(?:arxiv:)?([a-z]+(?:-[a-z]+)?)(?:\.[A-Za-z-]+)?", re.IGNORECASE)


def joined_arxiv_id(number: str, category: str) -> str | None:
    """The old-style id a number and a class written apart give: `0308036v2` with
    `arXiv:cs`, `cs.LG` or `cs` is `cs/0308036`, as Mendeley splits it.

    None unless both are unambiguous: a 7-digit number of a month arXiv gave
    such ids in, and one class naming an old-style archive.
    """
    number_match = _OLD_NUMBER_RE.fullmatch(number.strip())
    class_match = _CLASS_RE.fullmatch(category.strip())
    if number_match is None or class_match is None:
        return None
    yy, month = int(number_match.group(1)), int(number_match.group(2))
    archive = class_match.group(1).lower()
    if not (yy >= 91 or yy <= 7) or not 1 <= month <= 12 or archive not in OLD_ARXIV_ARCHIVES:
        return None
    return arxiv_id(f"{archive}/{number.strip()}")


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


# ------------------------------------------------------------------ references
#
# A REF is what a curator pastes: an arXiv id or link, a DOI or doi.org link,
# a Hugging Face paper page, an OpenReview forum or an ACL Anthology page. It
# is parsed into a typed `Ref` naming the source that owns the metadata.

_ARXIV_CORE = r"(?:\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})"
_ARXIV_URL_RE = re.compile(
    rf"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|format)/({_ARXIV_CORE})(v\d+)?(?:\.pdf)?/?$", re.I
)
_HF_URL_RE = re.compile(rf"^(?:https?://)?(?:www\.)?(?:hf\.co|huggingface\.co)/papers/({_ARXIV_CORE})(v\d+)?/?$", re.I)
_ARXIV_PREFIX_RE = re.compile(r"^arxiv:\s*", re.I)
_OPENREVIEW_RE = re.compile(r"^(?:https?://)?(?:www\.)?openreview\.net/(?:forum|pdf|attachment)\?(.+)$", re.I)
_OPENREVIEW_ID_RE = re.compile(r"^[A-Za-z0-9_-]{5,40}$")
# New-style (2023.acl-long.1, 2020.emnlp-main.550) and old-style (P19-1001, N19-1423) ids.
ACL_ID_RE = re.compile(r"\d{4}\.[a-z0-9]+(?:-[a-z0-9]+)*\.\d+|[A-Z]\d{2}-\d{4}")
_ACL_URL_RE = re.compile(
    rf"^(?:https?://)?(?:www\.)?(?:aclanthology\.org|aclweb\.org/anthology)/({ACL_ID_RE.pattern})(?:\.pdf|\.bib)?/?$"
)
_TRAILING = ".,;:)]}>\"'"


@dataclass(frozen=True)
class Ref:
    """A parsed paper reference: `kind` is arxiv, doi, openreview or acl."""

    kind: str
    value: str  # arXiv id without version, DOI (compare it lower-cased), OpenReview forum id, ACL id

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"

    @property
    def label(self) -> str:
        names = {"arxiv": "arXiv", "doi": "DOI", "openreview": "OpenReview", "acl": "ACL Anthology"}
        return f"{names[self.kind]} {self.value}"


def _doi_ref(doi: str) -> Ref | None:
    doi = urllib.parse.unquote(doi).strip().rstrip(_TRAILING)
    if not is_doi(doi):
        return None
    m = ARXIV_DOI_RE.match(doi)
    if m and is_arxiv_id(m.group(1)):
        return Ref("arxiv", arxiv_id(m.group(1)) or m.group(1))
    return Ref("doi", doi)


def parse_ref(text: str | None) -> Ref | None:
    """The identifier a pasted REF names, or None when it names none we know."""
    raw = (text or "").strip().strip("<>").rstrip(_TRAILING.replace(")", "")).strip()
    if not raw:
        return None
    bare = _ARXIV_PREFIX_RE.sub("", raw)
    found = split_arxiv_version(bare)
    if found is not None:
        return Ref("arxiv", found[0])
    for pattern in (_ARXIV_URL_RE, _HF_URL_RE):
        m = pattern.match(raw)
        if m:
            return Ref("arxiv", m.group(1))
    if DOI_PREFIX_RE.match(raw) or DOI_RE.fullmatch(raw):
        return _doi_ref(strip_doi_prefix(raw))
    m = _OPENREVIEW_RE.match(raw)
    if m:
        forum = urllib.parse.parse_qs(m.group(1)).get("id", [""])[0]
        return Ref("openreview", forum) if _OPENREVIEW_ID_RE.match(forum) else None
    m = _ACL_URL_RE.match(raw)
    if m:
        return Ref("acl", m.group(1))
    if ACL_ID_RE.fullmatch(raw):
        return Ref("acl", raw)
    return None


def external_id(text: str | None) -> str | None:
    """One canonical id for an arXiv id or a DOI in any spelling `parse_ref` reads, else None.

    `arXiv:2106.09685v2`, `https://arxiv.org/abs/2106.09685`, its Hugging Face
    page and the arXiv DOI `10.48550/arXiv.2106.09685` are all
    `arxiv:2106.09685`; a DOI, with or without its doi.org prefix, is `doi:`
    and the DOI in lower case (DOIs ignore case). A record's `references:` and
    a paper's own ids are compared in this form.
    """
    ref = parse_ref(text)
    if ref is None or ref.kind not in ("arxiv", "doi"):
        return None
    return f"arxiv:{ref.value}" if ref.kind == "arxiv" else f"doi:{ref.value.lower()}"
