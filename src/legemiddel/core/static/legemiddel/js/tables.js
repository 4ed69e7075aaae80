/* Tables people can work with: sortable columns, a filter and paging, added to every data
   table on the page (progressive enhancement: without JavaScript the full table shows).
   A table is enhanced when its header has one cell per column and every body row has the
   same number of cells; data-table="off" leaves it alone. Texts come from the page's
   <meta name="table-text">, translated on the server. */
(function () {
  "use strict";
  var PAGE_SIZE = 25;
  var FILTER_FROM = 8; // rows: a filter above shorter tables is clutter

  function texts() {
    var meta = document.querySelector('meta[name="table-text"]');
    try { return JSON.parse(meta ? meta.content : "{}"); } catch (e) { return {}; }
  }

  function cellKey(cell) {
    var raw = (cell.getAttribute("data-sort") || cell.textContent || "").trim();
    var date = raw.match(/^(\d{2})\.(\d{2})\.(\d{4})/);
    if (date) return { n: Number(date[3] + date[2] + date[1]) };
    var month = raw.match(/^(\d{2})\.(\d{4})$/);
    if (month) return { n: Number(month[2] + month[1]) };
    var compact = raw.replace(/[\s\u00a0\u202f]/g, "").replace(/kr|%|pp/g, "");
    if (/^[+\u2212-]?\d+(,\d+)?$/.test(compact)) {
      return { n: Number(compact.replace("\u2212", "-").replace(",", ".")) };
    }
    return { s: raw.toLocaleLowerCase("nb") };
  }

  function compare(a, b) {
    if (a.n !== undefined && b.n !== undefined) return a.n - b.n;
    if (a.n !== undefined) return -1;
    if (b.n !== undefined) return 1;
    return a.s.localeCompare(b.s, "nb");
  }

  function enhance(table, t, index) {
    var head = table.tHead;
    var body = table.tBodies[0];
    if (!head || !body || table.getAttribute("data-table") === "off") return;
    var headers = head.rows[head.rows.length - 1].cells;
    var rows = Array.prototype.slice.call(body.rows);
    if (rows.length < 2) return;
    for (var r = 0; r < rows.length; r++) if (rows[r].cells.length !== headers.length) return;
    var pageSize = Number(table.getAttribute("data-page-size")) || PAGE_SIZE;
    var state = { page: 0, query: "", column: -1, descending: false };
    var shown = rows;

    // Filter.
    var bar = document.createElement("div");
    bar.className = "table-tools";
    var input = null;
    if (rows.length >= FILTER_FROM) {
      var id = "table-filter-" + index;
      var label = document.createElement("label");
      label.setAttribute("for", id);
      label.textContent = t.filter || "Filter";
      input = document.createElement("input");
      input.type = "search";
      input.id = id;
      input.setAttribute("data-table-filter", "");
      input.addEventListener("input", function () {
        state.query = input.value.trim().toLocaleLowerCase("nb");
        state.page = 0;
        render();
      });
      bar.appendChild(label);
      bar.appendChild(input);
    }
    var count = document.createElement("span");
    count.className = "muted table-count";
    count.setAttribute("aria-live", "polite");
    bar.appendChild(count);
    table.parentNode.insertBefore(bar, table);

    // Paging.
    var pager = document.createElement("nav");
    pager.className = "pager table-pager";
    pager.setAttribute("aria-label", t.pages || "Pages");
    var previous = document.createElement("button");
    previous.type = "button";
    previous.className = "button button-small button-secondary";
    previous.textContent = t.previous || "Previous";
    var next = document.createElement("button");
    next.type = "button";
    next.className = "button button-small button-secondary";
    next.textContent = t.next || "Next";
    previous.addEventListener("click", function () { state.page -= 1; render(); });
    next.addEventListener("click", function () { state.page += 1; render(); });
    pager.appendChild(previous);
    pager.appendChild(next);
    table.parentNode.insertBefore(pager, table.nextSibling);

    // Sorting: a button in each header cell; aria-sort tells which column and way.
    Array.prototype.forEach.call(headers, function (th, column) {
      if (th.getAttribute("data-sort") === "off" || !th.textContent.trim()) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        state.descending = state.column === column ? !state.descending : false;
        state.column = column;
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", state.descending ? "descending" : "ascending");
        var keyed = rows.map(function (row, i) { return { row: row, key: cellKey(row.cells[column]), i: i }; });
        keyed.sort(function (a, b) {
          var c = compare(a.key, b.key);
          return (state.descending ? -c : c) || a.i - b.i;
        });
        rows = keyed.map(function (k) { return k.row; });
        rows.forEach(function (row) { body.appendChild(row); });
        render();
      });
    });

    function render() {
      shown = rows.filter(function (row) {
        return !state.query || row.textContent.toLocaleLowerCase("nb").indexOf(state.query) !== -1;
      });
      var pages = Math.max(1, Math.ceil(shown.length / pageSize));
      state.page = Math.min(Math.max(0, state.page), pages - 1);
      var first = state.page * pageSize;
      rows.forEach(function (row) { row.hidden = true; });
      shown.slice(first, first + pageSize).forEach(function (row) { row.hidden = false; });
      var last = Math.min(shown.length, first + pageSize);
      count.textContent = (t.showing || "Showing {first}–{last} of {total}")
        .replace("{first}", shown.length ? first + 1 : 0)
        .replace("{last}", last)
        .replace("{total}", shown.length);
      pager.hidden = pages === 1;
      // The count matters once rows are filtered out or spread over pages.
      count.hidden = pages === 1 && shown.length === rows.length;
      previous.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
    }
    render();
  }

  function start() {
    var t = texts();
    var tables = document.querySelectorAll("main table.table");
    Array.prototype.forEach.call(tables, function (table, i) { enhance(table, t, i); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
