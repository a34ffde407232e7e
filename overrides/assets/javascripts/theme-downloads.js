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
 *
 * The index names the library file it was made for (size and SHA-256). A
 * browser may hold one of the two from before the site's last deploy; then
 * both are asked of the server again, and if they still do not match the
 * library file itself is downloaded, never entries cut from the wrong file.
 */
(function () {
  "use strict";

  var cache = {};

  function get(url, kind, reload) {
    if (!cache[url] || reload) {
      cache[url] = fetch(url, reload ? { cache: "reload" } : undefined).then(function (response) {
        if (!response.ok) throw new Error(url + ": " + response.status);
        return kind === "json" ? response.json() : response.arrayBuffer();
      });
    }
    return cache[url];
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  /* True when `library` is the file the index's ranges were cut for (its hash where the browser can compute one). */
  function matches(spec, library) {
    if (typeof spec.size !== "number" || spec.size !== library.byteLength) return Promise.resolve(false);
    if (!spec.sha256 || !(window.crypto && window.crypto.subtle)) return Promise.resolve(true);
    return window.crypto.subtle.digest("SHA-256", library).then(function (digest) { return hex(digest) === spec.sha256; });
  }

  /* The index and the library file it was made for, asking the server again once if they differ. */
  function matching(indexUrl, libraryUrl, kind) {
    function both(reload) {
      return Promise.all([get(indexUrl, "json", reload), get(libraryUrl, "bytes", reload)]).then(function (got) {
        return matches(got[0][kind], got[1]).then(function (ok) { return ok ? got : null; });
      });
    }
    return both(false).then(function (got) { return got || both(true); }).then(function (got) {
      if (!got) throw new Error(libraryUrl + " does not match " + indexUrl);
      return got;
    });
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
    matching(indexUrl.href, libraryUrl.href, kind)
      .then(function (got) {
        save(assemble(got[0], got[1], kind, theme), theme + (kind === "bib" ? ".bib" : ".json"));
      })
      .catch(function () { window.location.href = libraryUrl.href; })
      .then(function () { link.removeAttribute("aria-busy"); });
  }

  document.addEventListener("click", onClick);
})();
