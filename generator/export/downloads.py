"""A theme's BibTeX and CSL-JSON, cut from the library files instead of stored again.

Every theme file repeated entries that the library files already hold: at
10,000 papers the theme .bib and .json files were 68 MB of a 390 MB site,
each paper about 2.4 times. `bib/themes.json` says where each paper's entry
sits in `bib/library.bib` and `csl/library.json` (UTF-8 byte offset and
length) and which papers each theme has; theme-downloads.js assembles a
theme's file from those ranges when its link is clicked, the same bytes the
stored file had. Without JavaScript the link downloads the library file.

    {"bib": {"file": "bib/library.bib", "entries": [[offset, length], ...], "join": "\\n",
             "head": "", "tail": "", "size": <bytes>, "sha256": "<hex>"},
     "csl": {"file": "csl/library.json", "entries": [...], "join": ",\\n", "head": "[\\n", "tail": "\\n]\\n", "empty": "[]\\n", ...},
     "themes": {"<id>": [index into entries, ...]}}

`size` and `sha256` name the library file the ranges were cut for. A browser
can hold one of the two files from before the last deploy (GitHub Pages
lets it keep them ten minutes); cut from the wrong file, the ranges would
give broken entries, so the script checks them, asks the server again, and
otherwise downloads the library file itself.

Entries are in key order, as in the library files; a theme lists its
papers in key order too, as its files did.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

from generator.render.urls import LIBRARY_BIB, LIBRARY_CSL

THEME_DOWNLOADS = "bib/themes.json"


def bib_ranges(entries: Sequence[str]) -> list[tuple[int, int]]:
    """(byte offset, length) of each entry in `"\\n".join(entries)`."""
    ranges, offset = [], 0
    for entry in entries:
        size = len(entry.encode())
        ranges.append((offset, size))
        offset += size + 1
    return ranges


def theme_downloads(
    keys: Sequence[str],
    bib: Sequence[tuple[int, int]],
    csl: Sequence[tuple[int, int]],
    members: Mapping[str, Sequence[str]],
    libraries: Mapping[str, bytes],
) -> str:
    """The index file: ranges per paper (in `keys` order), each theme's papers, and
    the size and hash of the library files (`libraries`: "bib" and "csl") they point into."""
    position = {key: index for index, key in enumerate(keys)}
    data = {
        "bib": {"file": LIBRARY_BIB, "head": "", "join": "\n", "tail": "", "empty": "", "entries": [list(r) for r in bib],
                **_named(libraries["bib"])},
        "csl": {"file": LIBRARY_CSL, "head": "[\n", "join": ",\n", "tail": "\n]\n", "empty": "[]\n", "entries": [list(r) for r in csl],
                **_named(libraries["csl"])},
        "themes": {theme: sorted(position[k] for k in found) for theme, found in members.items()},
    }
    return json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n"


def _named(library: bytes) -> dict:
    return {"size": len(library), "sha256": hashlib.sha256(library).hexdigest()}


def assemble(index: dict, library: bytes, kind: str, theme: str) -> bytes:
    """A theme's file from the library file, as the browser builds it (for tests and tools)."""
    spec = index[kind]
    chosen = [spec["entries"][i] for i in index["themes"].get(theme, [])]
    if not chosen:
        return spec["empty"].encode()
    body = spec["join"].encode().join(library[o : o + n] for o, n in chosen)
    return spec["head"].encode() + body + spec["tail"].encode()


__all__ = ["THEME_DOWNLOADS", "bib_ranges", "theme_downloads", "assemble"]
