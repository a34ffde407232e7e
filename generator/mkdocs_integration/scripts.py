"""Material's three inline scripts as shared files that pages point to.

Every Material page carries the same three small scripts inline: the
localStorage helpers in <head>, the colour-palette restore in the header and
the tab-from-hash check after the content, about 1.1 KB a page (11 MB at
10,000 papers). `share_scripts` replaces each, when it appears exactly as
listed here, by a classic `<script src>` of a file holding the same text, at
the same place: a script without async or defer runs where it stands, before
the parser goes on, so the page behaves as before and the browser fetches
each file once. A script not listed exactly (another Material version) stays
inline. The files are `script_files()`; tests compare them with the shipped
overrides/assets/javascripts/ files and the texts with Material's partials.
"""

from __future__ import annotations

import re

FOLDER = "assets/javascripts"

# The <head> script starts with the page's own scope (kept inline: it differs
# per page and share_icons reads it); the helpers after it are the same on every page.
STORAGE_FILE = "rl-md-storage.js"
STORAGE = (
    '__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),'
    '__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e)),'
    '__md_set=(e,_,t=localStorage,a=__md_scope)=>{try{t.setItem(a.pathname+"."+e,JSON.stringify(_))}catch(e){}}'
)

# (file, the whole script as Material writes it: partials/javascripts/palette.html, content.html)
WHOLE: tuple[tuple[str, str], ...] = (
    ("rl-md-palette.js",
     'var palette=__md_get("__palette");if(palette&&palette.color){if("(prefers-color-scheme)"===palette.color.media)'
     '{var media=matchMedia("(prefers-color-scheme: light)"),input=document.querySelector(media.matches?'
     '"[data-md-color-media=\'(prefers-color-scheme: light)\']":"[data-md-color-media=\'(prefers-color-scheme: dark)\']");'
     'palette.color.media=input.getAttribute("data-md-color-media"),palette.color.scheme=input.getAttribute("data-md-color-scheme"),'
     'palette.color.primary=input.getAttribute("data-md-color-primary"),palette.color.accent=input.getAttribute("data-md-color-accent")}'
     'for(var[key,value]of Object.entries(palette.color))document.body.setAttribute("data-md-color-"+key,value)}'),
    ("rl-md-tabbed.js",
     'var target=document.getElementById(location.hash.slice(1));'
     'target&&target.name&&(target.checked=target.name.startsWith("__tabbed_"))'),
)

_STORAGE_RE = re.compile(r'<script>(__md_scope=new URL\("[^"<>]*",location\)),' + re.escape(STORAGE) + "</script>")


def script_files() -> dict[str, str]:
    """File name -> text of every shared script file (as shipped in overrides/assets/javascripts/)."""
    return {STORAGE_FILE: STORAGE + "\n", **{name: text + "\n" for name, text in WHOLE}}


def share_scripts(html: str, prefix: str | None) -> str:
    """The listed inline scripts -> `<script src>` of their files; `prefix` leads to the
    site root (None, a page without Material's scope line: left as it is)."""
    if prefix is None:
        return html
    html = _STORAGE_RE.sub(
        lambda m: f'<script>{m.group(1)}</script><script src="{prefix}{FOLDER}/{STORAGE_FILE}"></script>', html, count=1
    )
    for name, text in WHOLE:
        html = html.replace(f"<script>{text}</script>", f'<script src="{prefix}{FOLDER}/{name}"></script>')
    return html


__all__ = ["FOLDER", "STORAGE", "STORAGE_FILE", "WHOLE", "script_files", "share_scripts"]
