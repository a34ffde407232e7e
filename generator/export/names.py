"""Author names split into the parts citation software reads.

Records hold each author as one text ("Alberto Del Bimbo", "de la Cruz,
Juana Inés", "The LLM Consortium"). BibTeX and CSL both need the parts:
given, particle ("van", "de la"), family and suffix ("Jr."), or a literal
name that must never be split (an organisation). A wrong split changes who
is cited: "Del Bimbo" read by BibTeX's "First von Last" rule is "Bimbo".
So the split is decided once, here, and written explicitly in each format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Lower-case particles that open a family name ("van der Berg").
PARTICLES = frozenset(
    "van von der den de del della delle dei degli di da dal dos das do du le la lo ter ten "
    "bin ibn al el zu zum zur af av y".split()
)
# The same words capitalised ("Del Bimbo", "Da Vinci", "Van Gogh") also stay
# with the family name when they come between the given and the last name.
_CAPITAL_PARTICLES = frozenset(p.capitalize() for p in PARTICLES if len(p) > 1) | {"St.", "Mac"}
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "v"})
# Names that are organisations, handles or anything with digits: never split.
_ORG_WORDS = (
    "and|team|group|lab|labs|laboratory|laboratories|inc|ltd|llc|corp|corporation|company|university|"
    "institute|foundation|project|workshop|collaboration|consortium|committee|association|society|"
    "center|centre|council|initiative|research|organization|organisation|authors|contributors|ai"
)
_LITERAL_RE = re.compile(rf"\d|@|\b(?:{_ORG_WORDS})\b|^the\s", re.I)
# Han, kana and Hangul names are written family name first, without the
# comma that would say so: kept as written rather than reversed.
_CJK_RE = re.compile("[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]")


@dataclass(frozen=True)
class Name:
    """One author: either `literal`, or family with optional given/particle/suffix."""

    family: str = ""
    given: str = ""
    particle: str = ""
    suffix: str = ""
    literal: str = ""


def parse_name(text: str) -> Name:
    """Split one author text, as written in a record, into a Name.

    Accepts "Given [particles] Family [Jr.]", "[particles] Family, Given" and
    "Family, Jr., Given"; one word, an organisation or anything BibTeX-like
    that would not split cleanly stays a literal, so it is never mangled.
    """
    name = " ".join(text.split())
    if not name or _LITERAL_RE.search(name) or _CJK_RE.search(name):
        return Name(literal=name)
    if "," in name:
        return _parse_comma_form([p.strip() for p in name.split(",")], name)
    words = name.split()
    suffix = words.pop() if len(words) > 2 and words[-1].lower() in _SUFFIXES else ""
    if len(words) < 2:
        return Name(literal=name)
    first_particle = next((i for i in range(1, len(words) - 1) if words[i] in PARTICLES), None)
    if first_particle is not None:
        # BibTeX's rule: the family name is everything after the last particle
        # ("Charles de la Vallée Poussin": particle "de la", family "Vallée Poussin").
        start = cut = first_particle
        while cut < len(words) - 1 and words[cut] in PARTICLES:
            cut += 1
    else:
        cut = len(words) - 1
        while cut > 1 and words[cut - 1] in _CAPITAL_PARTICLES:
            cut -= 1  # "Alberto Del Bimbo": "Del" is part of the family name
        start = cut
    return Name(
        family=" ".join(words[cut:]),
        given=" ".join(words[:start]),
        particle=" ".join(words[start:cut]),
        suffix=suffix,
    )


def _parse_comma_form(parts: list[str], name: str) -> Name:
    """"von Last, First" or "von Last, Jr, First" (BibTeX's own comma forms)."""
    if len(parts) not in (2, 3) or not all(parts):
        return Name(literal=name)
    family_words = parts[0].split()
    start = 0
    while start < len(family_words) - 1 and family_words[start] in PARTICLES:
        start += 1
    suffix = parts[1] if len(parts) == 3 else ""
    return Name(
        family=" ".join(family_words[start:]),
        given=parts[-1],
        particle=" ".join(family_words[:start]),
        suffix=suffix,
    )


def bibtex_name(name: Name, encode) -> str:
    """The name in BibTeX's "von Last, Jr, First" form, each part encoded.

    A literal is braced whole (`{The LLM Consortium}`); a family name of
    several words is braced so no style splits it (`{Del Bimbo}`).
    """
    if name.literal:
        return "{" + encode(name.literal) + "}"
    family = encode(name.family)
    if " " in name.family or name.family[:1].islower():
        family = "{" + family + "}"
    last = f"{encode(name.particle)} {family}" if name.particle else family
    if "," in name.family and not name.suffix:
        # biber counts the commas of a name, braced or not ("too many commas",
        # the entry is skipped), except in "{First} von {Last, with commas}".
        return f"{{{encode(name.given)}}} {last}" if name.given else last
    parts = [last, encode(name.suffix)] if name.suffix else [last]
    if name.given:
        parts.append(encode(name.given))
    elif name.suffix:
        parts.append("")
    return ", ".join(parts)


def csl_name(name: Name) -> dict[str, str]:
    """The name as a CSL-JSON name object."""
    if name.literal:
        return {"literal": name.literal}
    out = {"family": name.family}
    if name.given:
        out["given"] = name.given
    if name.particle:
        out["non-dropping-particle"] = name.particle
    if name.suffix:
        out["suffix"] = name.suffix
    return out
