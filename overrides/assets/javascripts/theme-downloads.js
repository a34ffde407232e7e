/* A theme's BibTeX and CSL-JSON, cut from the library files when asked for.
 *
 * The site stores each entry once per download unit: one .bib per paper and
 * the library's .bib and CSL-JSON. A theme's links (data-rl-theme-file="bib"
 * or "csl", data-rl-theme="<id>") point at the library file, which is what
 * they download without JavaScript. With it, a click fetches bib/themes.json
 * (where each paper's entry sits in the library file, and each theme's
 * papers) and the library file, joins the theme's entries and saves them as
 * <id>.bib or <id>.json: the same bytes as a stored theme file would hold
 * (generator/export/downloads.py). Self-hosted, no dependencies.
 */
(function () {
  "use strict";

  var cache = {};

  function get(url, kind) {
    if (!cache[url]) {
      cache[url] = fetch(url).then(function (response) {
        if (!response.ok) throw new Error(url + ": " + response.status);
        return kind === "json" ? response.json() : response.arrayBuffer();
      });
    }
    return cache[url];
  }

  function assemble(index, library, kind, theme) {
    var spec = index[kind];
    var encoder = new TextEncoder();
    var chosen = (index.themes[theme] || []).map(function (i) { return spec.entries[i]; });
    if (!chosen.length) return encoder.encode(spec.empty);
    var bytes = new Uint8Array(library);
    var parts = [encoder.encode(spec.head)];
    var join = encoder.encode(spec.join);
    chosen.forEach(function (range, i) {
      if (i) parts.push(join);
      parts.push(bytes.subarray(range[0], range[0] + range[1]));
    });
    parts.push(encoder.encode(spec.tail));
    return new Blob(parts, { type: kind === "bib" ? "application/x-bibtex" : "application/json" });
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob instanceof Blob ? blob : new Blob([blob]));
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  function onClick(event) {
    var link = event.target.closest && event.target.closest("a[data-rl-theme-file]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var kind = link.getAttribute("data-rl-theme-file");
    var theme = link.getAttribute("data-rl-theme");
    var libraryUrl = new URL(link.getAttribute("href"), window.location.href);
    var indexUrl = new URL(kind === "bib" ? "themes.json" : "../bib/themes.json", libraryUrl);
    event.preventDefault();
    link.setAttribute("aria-busy", "true");
    Promise.all([get(indexUrl.href, "json"), get(libraryUrl.href, "bytes")])
      .then(function (got) {
        save(assemble(got[0], got[1], kind, theme), theme + (kind === "bib" ? ".bib" : ".json"));
      })
      .catch(function () { window.location.href = libraryUrl.href; })
      .then(function () { link.removeAttribute("aria-busy"); });
  }

  document.addEventListener("click", onClick);
})();
