/* Material's search box, answered by Pagefind.
 *
 * Material for MkDocs runs search in a web worker named by its configuration
 * (overrides/main.html points it here) and speaks a small message protocol:
 * SETUP (0) -> READY (1), QUERY (2) -> RESULT (3). This worker keeps that
 * protocol, so the search box, its keyboard keys and its result list stay
 * Material's, but answers from the chunked Pagefind index in pagefind/: a
 * search fetches the few index chunks its words need and the fragments of the
 * results it shows, never the whole library.
 *
 * Everything put into a result is HTML-escaped here (titles) or by Pagefind
 * (excerpts, which carry only its own <mark> tags): Material inserts both as
 * HTML.
 */
"use strict";

const SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;
const FIRST = 10;   /* results sent at once, so the first ones show quickly */
const MOST = 50;    /* results loaded in all; beyond that a link to the full list */
const PAUSE_MS = 80; /* a query waits this long for the next keystroke: one search per word typed, not per letter */
const params = new URL(self.location.href).searchParams;
const root = new URL("../../", self.location.href);  /* this file is assets/javascripts/ */
let pagefind = null;
let latest = 0;

function escapeHTML(text) {
  return String(text).replace(/[&<>"']/g, c => (
    { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function words(query) {
  return query.toLowerCase().split(/[\s\-,:;!?=\[\]()"/]+/).filter(Boolean);
}

/* One Material search item: a page with no sections. */
function item(data, score, terms) {
  const location = new URL(data.url.replace(/^\//, ""), root).href;
  return {
    location, score, terms,
    title: escapeHTML((data.meta && data.meta.title) || data.url),
    text: data.excerpt ? `<p>${data.excerpt}</p>` : "",
  };
}

/* The last entry when more papers match than are shown: the all-papers list filtered by the query. */
function moreItem(query, total, shown) {
  const location = new URL(`papers/?q=${encodeURIComponent(query)}`, root).href;
  return {
    location, score: 0, terms: {},
    title: escapeHTML(`All ${total.toLocaleString("en")} matches in the list of papers`),
    text: `<p>${escapeHTML(`${shown} are shown here; the list filters every paper by these words.`)}</p>`,
  };
}

async function load(results, from, to, terms) {
  const slice = results.slice(from, to);
  const datas = await Promise.all(slice.map(r => r.data()));
  return datas.map((data, i) => [item(data, slice[i].score, terms)]);
}

async function answer(query, id) {
  const found = await pagefind.search(query);
  if (id !== latest || !found) return;
  const results = found.results;
  const terms = Object.fromEntries(words(query).map(w => [w, true]));
  let items = await load(results, 0, FIRST, terms);
  if (id !== latest) return;
  if (results.length > FIRST) {
    postMessage({ type: RESULT, data: { items } });
    items = items.concat(await load(results, FIRST, MOST, terms));
    if (id !== latest) return;
  }
  if (results.length > MOST) items.push([moreItem(query, results.length, MOST)]);
  postMessage({ type: RESULT, data: { items } });
}

async function setup() {
  pagefind = await import(new URL("pagefind/pagefind.js", root).href);
  await pagefind.options({ excerptLength: 30 });
  await pagefind.init(params.get("lang") || undefined);
  postMessage({ type: READY });
}

self.addEventListener("message", event => {
  const message = event.data;
  if (message.type === SETUP) {
    setup().catch(err => console.error("Search could not load pagefind/:", err));
  } else if (message.type === QUERY) {
    const id = ++latest;
    const query = String(message.data || "").trim();
    if (!query) {
      postMessage({ type: RESULT, data: { items: [] } });
      return;
    }
    /* While the pause runs, fetch the index chunks this query needs. */
    if (pagefind) pagefind.preload(query).catch(() => {});
    setTimeout(() => {
      if (id === latest) answer(query, id).catch(err => console.error("Search failed:", err));
    }, PAUSE_MS);
  }
});
