"""Size reductions of the built site change nothing a reader sees or a search finds."""

from __future__ import annotations

import json
import re
from pathlib import Path

from generator.mkdocs_integration.postprocess import compact_html, compact_search_index, compact_search_text

SEPARATOR = re.compile(r'[\s\-,:;!?=\[\]()"/]+|\.(?!\d)|&[lg]t;|&amp;')


def _tokens(text: str) -> set[str]:
    stop = {"the", "a", "of", "and", "to", "in", "is", "we", "with", "for", "on", "by", "this", "that", "as"}
    return {t.lower() for t in SEPARATOR.split(re.sub(r"<[^>]+>", " ", text)) if t and t.lower() not in stop}


def test_indentation_and_blank_lines_go_outside_pre():
    html = "<div>\n      <p>a  b</p>\n\n      \n   <pre><code>  keep\n    this\n</code></pre>\n    <textarea>\n  x</textarea>\n"
    out = compact_html(html)
    assert "<pre><code>  keep\n    this\n</code></pre>" in out
    assert "<textarea>\n  x</textarea>" in out
    assert "<div>\n<p>a  b</p>\n<pre>" in out
    assert len(out) < len(html)


def test_text_never_runs_together():
    assert compact_html("<p>one\n      two</p>") == "<p>one\ntwo</p>"


def test_search_text_keeps_every_token_and_the_preview():
    words = [f"word{i % 97}" for i in range(600)]
    text = "<p>" + " ".join(words) + " 65.5% GaLore-style A* the and Zebra</p>"
    out = compact_search_text(text, SEPARATOR, title="Zebra crossings")
    assert len(out) < len(text) / 2
    # The preview is the text as written, up to a word boundary near 200 characters.
    preview, hidden = re.fullmatch(r"<p>(.*?) … <span hidden>(.*)</span></p>", out).groups()
    assert 150 < len(preview) <= 200 and text[3:].startswith(preview)
    # Every other word is still there once, hidden; title words are not repeated.
    assert (_tokens(out) - {"…"}) | _tokens("Zebra crossings") == _tokens(text) | _tokens("Zebra crossings")
    assert "Zebra" not in hidden and len(hidden.split()) == len(set(hidden.lower().split()))


def test_search_preview_never_shows_the_word_list_in_a_result():
    """Material shows the paragraph holding a match; the word list in it stays hidden."""
    text = "<p>" + " ".join(f"w{i}" for i in range(400)) + "</p>"
    out = compact_search_text(text, SEPARATOR)
    assert out.count("<p>") == 1 and out.endswith("</span></p>")
    assert re.sub(r"<span hidden>.*?</span>", "", out).count(" ") < 70


def test_short_text_is_untouched():
    assert compact_search_text("<p>Short abstract.</p>", SEPARATOR) == "<p>Short abstract.</p>"


def test_only_paper_entries_are_compacted():
    long = "<p>" + " ".join(["alpha beta gamma delta"] * 200) + "</p>"
    index = {
        "config": {"separator": SEPARATOR.pattern},
        "docs": [{"location": "papers/x/", "title": "X", "text": long},
                 {"location": "about/", "title": "About", "text": long}],
    }
    out = json.loads(compact_search_index(json.dumps(index)))
    assert len(out["docs"][0]["text"]) < len(long) / 4
    assert out["docs"][1]["text"] == long
    assert out["config"] == index["config"]


def _index(texts: list[str]) -> str:
    docs = [{"location": f"papers/p{i}/", "title": f"Paper {i}", "text": t} for i, t in enumerate(texts)]
    return json.dumps({"config": {"separator": SEPARATOR.pattern}, "docs": docs})


def _hidden(doc: dict) -> set[str]:
    match = re.search(r"<span hidden>(.*?)</span>", doc["text"])
    return set(match.group(1).lower().split()) if match else set()


def test_an_index_over_budget_drops_the_most_common_hidden_words_first():
    filler = " ".join(f"opening{i}" for i in range(60))  # past the preview
    texts = [f"<p>{filler} common{i % 1} frequent{i % 2} rare{i} words{i}</p>" for i in range(40)]
    raw = _index(texts)
    full = compact_search_index(raw, budget=10**9)
    squeezed = compact_search_index(raw, budget=len(full.encode()) - 200)
    assert len(squeezed.encode()) <= len(full.encode()) - 200
    before = [_hidden(d) for d in json.loads(full)["docs"]]
    after = [_hidden(d) for d in json.loads(squeezed)["docs"]]
    lost = set().union(*before) - set().union(*after)
    # "common0" is in all 40 papers and goes first; every rare word stays.
    assert "common0" in lost
    assert all(f"rare{i}" in after[i] for i in range(40))
    # The preview is never cut.
    for a, b in zip(json.loads(full)["docs"], json.loads(squeezed)["docs"]):
        assert a["text"].split(" … ")[0] == b["text"].split(" … ")[0]


def test_an_index_under_budget_keeps_every_word():
    filler = " ".join(f"opening{i}" for i in range(60))
    raw = _index([f"<p>{filler} common rare{i}</p>" for i in range(5)])
    assert compact_search_index(raw) == compact_search_index(raw, budget=10**9)
    assert all("common" in _hidden(d) for d in json.loads(compact_search_index(raw))["docs"])


def test_icons_come_from_the_sprite_relative_to_the_page():
    from generator.mkdocs_integration.icons import ICONS, icon_sprite

    name, box, inner = ICONS[0]
    icon = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{box}">{inner}</svg>'
    other = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M0 0h1"/></svg>'
    deep = f'<script>__md_scope=new URL("../..",location)</script><a>{icon}</a>{other}<pre>{icon}</pre>'
    out = compact_html(deep)
    assert f'<a><svg viewBox="{box}"><use href="../../assets/images/rl-icons.svg#{name}"/></svg></a>' in out
    assert other in out  # an icon the sprite does not hold stays inline
    root = compact_html(f'<script>__md_scope=new URL(".",location)</script>{icon}')
    assert f'<use href="assets/images/rl-icons.svg#{name}"/>' in root
    assert compact_html(icon) == icon  # no Material scope line: nothing to point from
    # The shipped sprite holds every listed icon, licence comments and all.
    sprite = (Path(__file__).resolve().parents[2] / "overrides" / "assets" / "images" / "rl-icons.svg").read_text("utf-8")
    assert sprite == icon_sprite()
    for name, box, inner in ICONS:
        assert f'<symbol id="{name}" viewBox="{box}">{inner}</symbol>' in sprite
