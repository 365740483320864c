/* In-page filters for the long tables of the generated pages (All postmortems, Overdue action
   items, the group pages): a select per team, owner, severity and service above each table of
   more than MIN_ROWS rows, from the values its rows carry (data-ft-*, several values separated by
   tabs; templates/site/_macros.md.j2). Progressive enhancement: without JavaScript every row is
   there; with it, rows that do not match are hidden, never removed. */
(function () {
  "use strict";

  var MIN_ROWS = 20;
  var FACETS = [["severity", "severity"], ["team", "team"], ["owner", "owner"], ["service", "service"]];

  function valuesOf(row, key) {
    var raw = row.getAttribute("data-ft-" + key);
    return raw ? raw.split("\t") : [];
  }

  function option(value, label) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    return o;
  }

  function enhance(table) {
    if (table.hasAttribute("data-ft-filtered")) return;
    var rows = Array.prototype.slice.call(table.tBodies[0] ? table.tBodies[0].rows : []);
    if (rows.length <= MIN_ROWS || !rows[0].hasAttribute("data-ft-severity")) return;
    table.setAttribute("data-ft-filtered", "");
    var bar = document.createElement("div");
    bar.className = "ft-table-filters";
    var selects = [];
    FACETS.forEach(function (facet) {
      var key = facet[0];
      var counts = {};
      rows.forEach(function (row) {
        valuesOf(row, key).forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
      });
      var values = Object.keys(counts).sort();
      if (values.length < 2) return; // one value: nothing to choose
      var select = document.createElement("select");
      select.name = key;
      select.className = "ft-search__filter";
      select.setAttribute("aria-label", "Show only the rows of one " + facet[1]);
      select.appendChild(option("", "any " + facet[1]));
      values.forEach(function (v) { select.appendChild(option(v, v + " (" + counts[v] + ")")); });
      bar.appendChild(select);
      selects.push(select);
    });
    if (!selects.length) return;
    var count = document.createElement("span");
    count.className = "ft-table-filters__count";
    count.setAttribute("aria-live", "polite");
    bar.appendChild(count);
    function apply() {
      var shown = 0;
      rows.forEach(function (row) {
        var ok = selects.every(function (s) { return !s.value || valuesOf(row, s.name).indexOf(s.value) >= 0; });
        row.hidden = !ok;
        if (ok) shown++;
      });
      count.textContent = shown === rows.length ? rows.length + " rows" : shown + " of " + rows.length + " rows";
    }
    bar.addEventListener("change", apply);
    apply();
    var holder = table.parentElement && table.parentElement.classList.contains("ft-items") ? table.parentElement : table;
    holder.parentNode.insertBefore(bar, holder);
  }

  function run() {
    Array.prototype.forEach.call(document.querySelectorAll("article table"), enhance);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
