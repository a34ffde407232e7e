"""Material's site-wide page parts, written at their place by one shared script.

Two parts of every Material page are the same on all pages of a site except
for the relative way back to the site root: the search dialog (its form,
icons and result list, about 1.3 KB) and the page config
`<script id="__config">` that Material's bundle reads (about 0.8 KB, mostly
translations): together about 1.8 KB of every page. `SharedParts` learns
each part from the first page that has it, split at the root paths, and on
every page where the part is exactly that (paths aside) puts in its place a
classic `<script src>` of a file (`files()`, written by the hook after the
build) that writes the same markup there, with the page's own root taken
from the script's own `src`. A script without async or defer runs where it
stands, before the parser goes on and before Material's bundle at the end of
the page reads either part, so the page works as before. A part that differs
stays inline. Both parts only serve Material's JavaScript: without
JavaScript the search box did nothing before either.
"""

from __future__ import annotations

import json
import re

from generator.mkdocs_integration.scripts import FOLDER

# (file name, the part as the page holds it after compaction)
PARTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("rl-search-box.js", re.compile(r"<!--rl:search-->(.*?)<!--/rl:search-->", re.S)),
    ("rl-md-config.js", re.compile(r'(<script id="__config" type="application/json">.*?</script>)', re.S)),
)
ROOT, BASE = 0, 1  # what goes between the learnt pieces: the root prefix ("../../"), or Material's base ("../..")


def _base(prefix: str) -> str:
    return prefix.rstrip("/") or "."


def split_at_root(part: str, prefix: str) -> list:
    """The part as text pieces with ROOT/BASE markers where the page's own paths were."""
    pattern = re.compile("(" + "|".join(filter(None, [
        re.escape(f'"base":"{_base(prefix)}"'),
        re.escape(f"{prefix}assets/") if prefix else r'(?<=")assets/',
    ])) + ")")
    pieces: list = []
    last = 0
    for match in pattern.finditer(part):
        pieces.append(part[last:match.start()])
        if match.group(0).startswith('"base"'):
            pieces += ['"base":"', BASE, '"']
        else:
            pieces += [ROOT, "assets/"]
        last = match.end()
    pieces.append(part[last:])
    return pieces


def join_at_root(pieces: list, prefix: str) -> str:
    """The part for a page whose root prefix is `prefix` (what the shared script writes)."""
    return "".join(prefix if p == ROOT else _base(prefix) if p == BASE else p for p in pieces)


_SCRIPT = """(function () {{
  var script = document.currentScript, pieces = {pieces};
  var root = script.getAttribute("src").slice(0, -{tail});
  var base = root.replace(/\\/$/, "") || ".";
  script.insertAdjacentHTML("beforebegin", pieces.map(function (p) {{
    return p === {root_mark} ? root : p === {base_mark} ? base : p;
  }}).join(""));
  script.remove();
}})();
"""


class SharedParts:
    """What one build learnt of each part; `share` swaps parts on a page, `files` are the scripts."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.learnt: dict[str, list] = {}

    def share(self, html: str, prefix: str | None) -> str:
        if not self.enabled or prefix is None:
            return html
        for name, pattern in PARTS:
            match = pattern.search(html)
            if match is None:
                continue
            pieces = split_at_root(match.group(1), prefix)
            known = self.learnt.setdefault(name, pieces)
            if known == pieces:
                html = html[:match.start()] + f'<script src="{prefix}{FOLDER}/{name}"></script>' + html[match.end():]
        return html

    def files(self) -> dict[str, str]:
        """File name (under assets/javascripts/) -> script text, for every part learnt."""
        return {name: self.script(name) for name in sorted(self.learnt)}

    def script(self, name: str) -> str:
        # The markers are the numbers ROOT and BASE in the JSON list, so no text piece can be taken for one.
        text = json.dumps(self.learnt[name], ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e")
        return _SCRIPT.format(pieces=text, tail=len(f"{FOLDER}/{name}"), root_mark=ROOT, base_mark=BASE)


__all__ = ["PARTS", "SharedParts", "split_at_root", "join_at_root"]
