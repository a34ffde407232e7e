"""Stable citation keys: kept from an imported .bib, or derived from titles.

A key is assigned once, when a paper is first imported, and stored in the
record's `key:` field; it is never recomputed. It is the BibTeX citation key,
so a key a .bib gives is kept exactly, case included (`Abawi:2004ks`). A key
derived from a title is ASCII, lower case and short. The record's file name
is the key when the key is such a plain key, and otherwise a lower-case
form of it (`abawi-2004ks.yml`), numbered when another record has that
name: folders on macOS and Windows ignore case, so `Smith2020` and
`smith2020` must not share a file.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable

MAX_KEY_CHARS = 48
KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Names the site uses for its own pages, and names Windows refuses as files.
_SITE_NAMES = frozenset({"index", "all", "tags", "unsorted", "themes", "papers", "search", "assets", "bib",
                         "feeds", "csl", "library", "about", "curating", "home"})
_WINDOWS_NAMES = frozenset({"con", "prn", "aux", "nul"} | {f"{device}{n}" for device in ("com", "lpt") for n in range(10)})
RESERVED_KEYS = _SITE_NAMES | _WINDOWS_NAMES
_STOPWORDS = frozenset(
    "a an the of for and or in on at to with from by via is are as its into toward towards "
    "using use we our your do does how what when why be can".split()
)
_SHORT_NAME_RE = re.compile(r"^\s*([^:]{1,40}?)\s*:\s+\S")


_SUBSCRIPT_RE = re.compile(r"(?<=[A-Za-z0-9])_(\d+|\{[A-Za-z0-9]+\})")


# Letters Unicode gives no decomposition, written as their usual ASCII spelling.
_NO_DECOMPOSITION = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d",
                                   "Đ": "D", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th", "ı": "i"})


def ascii_words(text: str) -> list[str]:
    """Lower-case ASCII words of a text, accents folded (Poké -> poke)."""
    # A subscript flattened by a dump (`H_2O`, `G_{stack}`) is one word: `h2o`, not `h-2o`.
    text = _SUBSCRIPT_RE.sub(lambda m: m.group(1).strip("{}"), text)
    # A mark folds away (é is e); any other letter or sign with no ASCII form
    # (an en dash, a CJK character) separates words: protein–protein is two.
    text = text.replace("\u2019", "'").translate(_NO_DECOMPOSITION)
    folded = "".join(ch if ch.isascii() else "" if unicodedata.combining(ch) else " "
                     for ch in unicodedata.normalize("NFKD", text))
    folded = folded.replace("'", "")
    return [w for w in re.split(r"[^a-z0-9]+", folded.lower()) if w]


def short_name(title: str) -> str | None:
    """The paper's short name: `GaLore` in `GaLore: Memory-Efficient ...`.

    Only a name, not a phrase: at most three words, and it must look like a
    coined name (a capital after the first letter, a digit, or a single word).
    """
    m = _SHORT_NAME_RE.match(title)
    if not m:
        return None
    name = m.group(1).strip()
    words = name.split()
    if not words or len(words) > 3:
        return None
    coined = len(words) == 1 or any(
        any(c.isdigit() for c in w) or any(c.isupper() for c in w[1:]) or "-" in w for w in words
    )
    return name if coined and ascii_words(name) else None


def _slug(words: list[str]) -> str:
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > MAX_KEY_CHARS:
            break
        slug = candidate
    if not slug and words:
        slug = words[0][:MAX_KEY_CHARS]
    return slug


def _fallback_key(title: str) -> str:
    """A key for a title with no ASCII letters or digits at all.

    Titles in Chinese, Greek or only punctuation have no readable ASCII slug;
    a short hash of the title keeps their keys unique and independent of the
    order papers are imported in.
    """
    digest = hashlib.sha1(unicodedata.normalize("NFC", " ".join(title.split())).encode("utf-8")).hexdigest()
    return f"paper-{digest[:8]}"


def key_candidates(title: str) -> list[str]:
    """Keys to try for a title, best first."""
    candidates: list[str] = []
    name = short_name(title)
    if name:
        candidates.append(_slug(ascii_words(name)))
    words = ascii_words(title)
    meaningful = [w for w in words if w not in _STOPWORDS] or words
    for count in (4, 5, 6, 8):
        candidates.append(_slug(meaningful[:count]))
    candidates.append(_slug(words))
    out = []
    for c in candidates:
        c = c.strip("-")
        if c and c not in out:
            out.append(c)
    return out or [_fallback_key(title)]


def is_valid_key(key: str) -> bool:
    """A key that is safe as a file name, URL segment and BibTeX key."""
    return len(key) <= MAX_KEY_CHARS and bool(KEY_RE.match(key)) and key not in RESERVED_KEYS


def assign_key(title: str, is_taken: Callable[[str], bool]) -> str:
    """The first free candidate key for `title`, numbered if all are taken."""
    candidates = key_candidates(title)
    for candidate in candidates:
        if is_valid_key(candidate) and not is_taken(candidate):
            return candidate
    number = 2
    while True:
        suffix = f"-{number}"
        # cut the base so that base + suffix fits, and never end it on a hyphen
        base = candidates[0][: MAX_KEY_CHARS - len(suffix)].rstrip("-") or "paper"
        key = base + suffix
        if is_valid_key(key) and not is_taken(key):
            return key
        number += 1


# What a kept BibTeX key may be: what BibTeX, biber, natbib and pandoc all
# read as one key, with nothing TeX or a shell would act on (no backslash,
# brace, `%`, `#`, `^`, `~`, `$`, `&`, quote, comma or space). `*` and `?`
# occur in real exports (`He.Zhang.Ren.ea.2016*1`, Mendeley's `Arnatkevi?iute2014`).
BIBKEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_:.+/*?-]*$")
# Only a bound on input: the file name and URL are cut to _MAX_STEM_CHARS apart,
# and real exports write long keys (Paperpile built one of 111 characters).
MAX_BIBKEY_CHARS = 200
_MAX_STEM_CHARS = 60


def is_usable_key(key: str) -> bool:
    """Whether a key an input gives can be kept as it is."""
    return (
        len(key) <= MAX_BIBKEY_CHARS
        and bool(BIBKEY_RE.match(key))
        and key.lower() not in RESERVED_KEYS
        and file_stem(key) not in RESERVED_KEYS
    )


def why_unusable(key: str) -> str | None:
    """Why `is_usable_key` refuses `key`, to follow "the BibTeX key ...", or None.

    The reason is the real one (a key of allowed characters refused for its
    length must not be told its characters are wrong), so the user can fix
    the key in the reference manager rather than guess.
    """
    if not key.strip():
        return "is empty"
    if len(key) > MAX_BIBKEY_CHARS:
        return f"is {len(key)} characters long (a key here has at most {MAX_BIBKEY_CHARS})"
    if not BIBKEY_RE.match(key):
        bad = list(dict.fromkeys(ch for ch in key if not re.match(r"[A-Za-z0-9_:.+/*?-]", ch)))
        if not bad:
            return "must start with a letter or digit"
        shown = ", ".join(repr(ch) for ch in bad[:-1]) + (" and " if len(bad) > 1 else "") + repr(bad[-1])
        return f"cannot be a key here: it has {shown} (only letters, digits and _ : . + / * ? - are kept)"
    for name in (key.lower(), file_stem(key)):
        if name in RESERVED_KEYS:
            whose = "the site uses for its own pages" if name in _SITE_NAMES else "Windows refuses as a file name"
            return f"is a name {whose}" if name == key.lower() else f"would be the file name {name!r}, a name {whose}"
    return None


def file_stem(key: str) -> str:
    """The record file name (without `.yml`) a key is first given.

    A plain key is its own file name; any other becomes lower case with each
    run of other characters a hyphen (`DBLP:conf/nips/X17` -> `dblp-conf-nips-x17`).
    """
    if is_valid_key(key):
        return key
    stem = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")[:_MAX_STEM_CHARS].rstrip("-")
    return stem or "paper"


def stem_fits_key(stem: str, key: str) -> bool:
    """Whether a record named `stem` may hold `key` (its file name, perhaps numbered)."""
    base = file_stem(key)
    return stem == base or bool(re.fullmatch(re.escape(base) + r"-(?:[2-9]|[1-9][0-9]+)", stem))


def free_stem(key: str, taken: Callable[[str], bool]) -> str:
    """A file name for a new record of `key` that no other record has, case ignored."""
    base = file_stem(key)
    if not taken(base.lower()):
        return base
    number = 2
    while taken(f"{base}-{number}".lower()):
        number += 1
    return f"{base}-{number}"
