"""Reading-list and literature-review site generator.

Pipeline: dumps (content/sources) -> import -> library (content/papers) ->
build (themes, cross-links, render) -> generated docs -> MkDocs -> site.
"""
