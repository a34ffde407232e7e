/* Point Material's search at this site's worker (search-worker.js, answering
 * from the Pagefind index) before Material's bundle reads its configuration.
 * Loaded right before the bundle by overrides/main.html. */
(function () {
  var element = document.getElementById("__config");
  var script = document.currentScript;
  if (!element || !script) return;
  var config = JSON.parse(element.textContent);
  var worker = new URL("search-worker.js", script.src);
  var lang = document.documentElement.getAttribute("lang");
  if (lang) worker.searchParams.set("lang", lang.toLowerCase());
  config.search = worker.href;
  element.textContent = JSON.stringify(config);
})();
