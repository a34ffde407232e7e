/* Sort a theme's comparison table by a click on a column heading.
 *
 * The table is plain HTML in a useful order and reads without JavaScript.
 * This script turns each heading of a table marked data-rl-sortable into a
 * button; a click sorts the rows by that column (again: the other way) using
 * each cell's data-sort value: numbers as numbers for headings marked
 * data-sort-type="number", text case-blind otherwise, empty cells always last.
 * The heading's aria-sort says the order. Self-hosted, no dependencies.
 */
(function () {
  "use strict";

  function value(row, index) {
    var cell = row.cells[index];
    return cell ? cell.getAttribute("data-sort") || "" : "";
  }

  function compare(a, b, numeric) {
    if (numeric) {
      return parseFloat(a) - parseFloat(b);
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function sortBy(table, index, heads) {
    var head = heads[index];
    var numeric = head.getAttribute("data-sort-type") === "number";
    var ascending = head.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (row, position) {
      return { row: row, key: value(row, index), position: position };
    });
    rows.sort(function (x, y) {
      if (!x.key || !y.key) {
        return (x.key ? 0 : 1) - (y.key ? 0 : 1) || x.position - y.position;
      }
      var order = compare(x.key, y.key, numeric);
      return (ascending ? order : -order) || x.position - y.position;
    });
    rows.forEach(function (item) {
      body.appendChild(item.row);
    });
    heads.forEach(function (other) {
      other.removeAttribute("aria-sort");
    });
    head.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function setup() {
    document.querySelectorAll("table[data-rl-sortable]").forEach(function (table) {
      if (table.getAttribute("data-rl-ready") || !table.tHead || !table.tBodies.length) return;
      table.setAttribute("data-rl-ready", "1");
      var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
      heads.forEach(function (head, index) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "rl-sort";
        button.title = "Sort by this column";
        while (head.firstChild) button.appendChild(head.firstChild);
        head.appendChild(button);
        button.addEventListener("click", function () {
          sortBy(table, index, heads);
        });
      });
    });
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setup); // Material's instant navigation, when enabled
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
