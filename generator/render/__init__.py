"""Render stage: the site model -> Markdown pages.

escape.py     text from outside as data (one escape for Markdown and HTML)
urls.py       output paths of every generated file, and URLs between pages
curated.py    curator Markdown (notes, theme intros) -> sanitised HTML
site.py       SiteData, the model pages are rendered from, and list orders
pages.py      one render_* function per kind of page (Jinja2 templates/)
chart.py      the papers-per-theme SVG
fragments.py  finished HTML kept away from Python-Markdown
"""
