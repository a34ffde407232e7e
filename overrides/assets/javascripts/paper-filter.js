/* Filter the table of all papers by theme and status.
 *
 * The table is plain HTML and shows every paper without JavaScript. Each
 * paper link carries data-themes (space-separated theme ids, or "unsorted")
 * and data-status; this script shows the filter controls and hides rows that
 * do not match. ?theme=<id>&status=<status> in the URL preselects a filter.
 * Self-hosted, no dependencies, nothing fetched.
 */
(function () {
  "use strict";

  function setup() {
    var box = document.querySelector(".rl-filter");
    if (!box || box.getAttribute("data-rl-ready")) return;
    box.setAttribute("data-rl-ready", "1");
    var theme = box.querySelector('select[data-rl-filter="theme"]');
    var status = box.querySelector('select[data-rl-filter="status"]');
    var count = box.querySelector("[data-rl-filter-count]");
    var rows = [];
    document.querySelectorAll("a[data-themes]").forEach(function (link) {
      var row = link.closest("tr");
      if (row) {
        rows.push({
          row: row,
          themes: (link.getAttribute("data-themes") || "").split(/\s+/),
          status: link.getAttribute("data-status") || "none"
        });
      }
    });

    function choose(select, value) {
      if (!select || !value) return;
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === value) select.value = value;
      }
    }

    function apply() {
      var t = theme ? theme.value : "";
      var s = status ? status.value : "";
      var shown = 0;
      rows.forEach(function (item) {
        var ok = (!t || item.themes.indexOf(t) !== -1) && (!s || item.status === s);
        item.row.hidden = !ok;
        if (ok) shown += 1;
      });
      if (count) count.textContent = shown + " of " + rows.length + " papers";
      if (window.history && window.history.replaceState) {
        var params = new URLSearchParams();
        if (t) params.set("theme", t);
        if (s) params.set("status", s);
        var query = params.toString();
        window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
      }
    }

    var params = new URLSearchParams(window.location.search);
    choose(theme, params.get("theme"));
    choose(status, params.get("status"));
    if (theme) theme.addEventListener("change", apply);
    if (status) status.addEventListener("change", apply);
    box.hidden = false;
    apply();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
