/* The all-papers list: sort and filter over every paper, not only this page's.
 *
 * Without JavaScript the list is pages of 100 papers in title order, linked
 * to each other. With it, this script loads papers-list.json (one short row
 * per paper, already in title order: the same order as the pages), shows the
 * controls, and draws the matching rows 100 at a time with a "Show more"
 * button. ?theme=, ?status=, ?q= and ?sort= preselect the controls, so a
 * theme page can link to its papers here. Rows are built with textContent:
 * titles from dumps are text, never markup. Self-hosted, no dependencies.
 */
(function () {
  "use strict";

  var STEP = 100;
  var STATUS_RANK = { key: 0, read: 1, reading: 2, "to-read": 3 };

  function text(tag, value, className) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    node.textContent = value;
    return node;
  }

  function shortAuthors(authors) {
    var names = authors ? authors.split(", ") : [];
    return names.slice(0, 3).join(", ") + (names.length > 3 ? " et al." : "");
  }

  function textBox(box) {
    /* Made here, not in the page: without JavaScript it could filter nothing. */
    var label = text("label", "Title or author ");
    var input = document.createElement("input");
    input.type = "search";
    input.autocomplete = "off";
    input.setAttribute("data-rl-filter", "text");
    label.appendChild(input);
    var count = box.querySelector("[data-rl-filter-count]");
    box.insertBefore(label, count);
    return input;
  }

  function setup() {
    var box = document.querySelector(".rl-filter");
    var holder = document.querySelector("[data-rl-list]");
    if (!box || !holder || box.getAttribute("data-rl-ready")) return;
    box.setAttribute("data-rl-ready", "1");
    var listUrl = new URL(holder.getAttribute("data-rl-list"), window.location.href);
    var root = new URL(holder.getAttribute("data-rl-root") || "./", window.location.href);
    fetch(listUrl.href)
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) { start(box, holder, root, data); })
      .catch(function () { /* the static pages stay as they are */ });
  }

  function start(box, holder, root, data) {
    var f = {};
    data.fields.forEach(function (name, i) { f[name] = i; });
    var titles = {}, pages = {};
    data.themes.forEach(function (t) { titles[t[0]] = t[1]; pages[t[0]] = t[2]; });
    var unsortedLink = holder.querySelector('a[href$="unsorted/"], a[href$="unsorted.html"]');
    var rows = data.papers.map(function (p, rank) {
      return {
        p: p, rank: rank,
        themes: p[f.themes].length ? p[f.themes] : ["unsorted"],
        status: p[f.status] || "none",
        haystack: (p[f.title] + " " + p[f.authors]).toLowerCase()
      };
    });
    var sort = box.querySelector("select[data-rl-sort]");
    var theme = box.querySelector('select[data-rl-filter="theme"]');
    var status = box.querySelector('select[data-rl-filter="status"]');
    var query = textBox(box);
    var count = box.querySelector("[data-rl-filter-count]");
    var tbody = holder.querySelector("tbody");
    var pager = document.querySelector(".rl-pager");
    var more = document.createElement("button");
    more.type = "button";
    more.className = "md-button rl-more";
    holder.after(more);
    if (pager) pager.hidden = true;
    var matching = [];
    var shown = 0;

    function cmp(key) {
      var byTitle = function (a, b) { return a.rank - b.rank; };
      if (key === "year") return function (a, b) { return (b.p[f.year] || 0) - (a.p[f.year] || 0) || byTitle(a, b); };
      if (key === "added") return function (a, b) { return (b.p[f.added] || "").localeCompare(a.p[f.added] || "") || byTitle(a, b); };
      if (key === "status") return function (a, b) {
        var ra = a.status in STATUS_RANK ? STATUS_RANK[a.status] : 9, rb = b.status in STATUS_RANK ? STATUS_RANK[b.status] : 9;
        return ra - rb || byTitle(a, b);
      };
      return byTitle;
    }

    function cell(label, child) {
      var td = document.createElement("td");
      td.setAttribute("data-label", label);
      if (typeof child === "string") td.textContent = child; else if (child) td.appendChild(child);
      return td;
    }

    function drawRow(item) {
      var p = item.p;
      var tr = document.createElement("tr");
      var first = document.createElement("td");
      first.setAttribute("data-label", "Paper");
      var link = text("a", p[f.title]);
      link.href = new URL(p[f.page], root).href;
      link.setAttribute("data-themes", item.themes.join(" "));
      link.setAttribute("data-status", item.status);
      first.appendChild(link);
      if (p[f.authors]) {
        first.appendChild(document.createElement("br"));
        first.appendChild(text("span", shortAuthors(p[f.authors]), "rl-authors"));
      }
      tr.appendChild(first);
      tr.appendChild(cell("Year", p[f.year] ? String(p[f.year]) : ""));
      var themes = document.createDocumentFragment();
      p[f.themes].forEach(function (id, i) {
        if (i) themes.appendChild(document.createTextNode(", "));
        var a = text("a", titles[id] || id);
        a.href = new URL(pages[id] || "", root).href;
        themes.appendChild(a);
      });
      if (!p[f.themes].length) {
        if (unsortedLink) { var u = text("a", "unsorted"); u.href = unsortedLink.href; themes.appendChild(u); }
        else themes.appendChild(document.createTextNode("none yet"));
      }
      tr.appendChild(cell("Themes", themes));
      tr.appendChild(cell("Status", p[f.status] || ""));
      tr.appendChild(cell("Added", p[f.added] || ""));
      return tr;
    }

    function drawMore() {
      var part = document.createDocumentFragment();
      var end = Math.min(matching.length, shown + STEP);
      for (var i = shown; i < end; i++) part.appendChild(drawRow(matching[i]));
      tbody.appendChild(part);
      shown = end;
      more.hidden = shown >= matching.length;
      more.textContent = "Show " + Math.min(STEP, matching.length - shown) + " more";
    }

    function apply() {
      var t = theme ? theme.value : "";
      var s = status ? status.value : "";
      var words = query ? query.value.toLowerCase().split(/\s+/).filter(Boolean) : [];
      matching = rows.filter(function (item) {
        if (t && item.themes.indexOf(t) === -1) return false;
        if (s && item.status !== s) return false;
        for (var i = 0; i < words.length; i++) if (item.haystack.indexOf(words[i]) === -1) return false;
        return true;
      });
      matching.sort(cmp(sort ? sort.value : "title"));
      tbody.textContent = "";
      shown = 0;
      drawMore();
      if (count) count.textContent = matching.length + " of " + rows.length + " papers";
      if (window.history && window.history.replaceState) {
        var params = new URLSearchParams();
        if (sort && sort.value !== "title") params.set("sort", sort.value);
        if (t) params.set("theme", t);
        if (s) params.set("status", s);
        if (query && query.value) params.set("q", query.value);
        var q = params.toString();
        window.history.replaceState(null, "", window.location.pathname + (q ? "?" + q : "") + window.location.hash);
      }
    }

    function choose(select, value) {
      if (!select || !value) return;
      for (var i = 0; i < select.options.length; i++) if (select.options[i].value === value) select.value = value;
    }

    var params = new URLSearchParams(window.location.search);
    choose(sort, params.get("sort"));
    choose(theme, params.get("theme"));
    choose(status, params.get("status"));
    if (query && params.get("q")) query.value = params.get("q");
    [sort, theme, status].forEach(function (el) { if (el) el.addEventListener("change", apply); });
    if (query) query.addEventListener("input", apply);
    more.addEventListener("click", drawMore);
    box.hidden = false;
    apply();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
