/* Confidant scorecard: sorting and filtering, added on top of a table that is complete without this file.
   Sorting one column sorts every group's table by it, so the groups stay comparable. */
(function () {
  "use strict";

  var form = document.querySelector("[data-filters]");
  var tables = Array.prototype.slice.call(document.querySelectorAll("table[data-sortable]"));
  if (!form || !tables.length) {
    return;
  }

  function rowsOf(table) {
    return Array.prototype.slice.call(table.tBodies[0].rows);
  }

  function keyOf(row, column) {
    var cell = row.cells[column];
    var key = cell.getAttribute("data-sort");
    return key === null ? cell.textContent.trim().toLowerCase() : key;
  }

  function compare(a, b) {
    var x = Number(a);
    var y = Number(b);
    if (a !== "" && b !== "" && !isNaN(x) && !isNaN(y)) {
      return x - y;
    }
    return a.localeCompare(b);
  }

  function sortBy(column, direction) {
    tables.forEach(function (table) {
      var body = table.tBodies[0];
      var rows = rowsOf(table);
      rows.sort(function (a, b) {
        var order = compare(keyOf(a, column), keyOf(b, column));
        if (order === 0) {
          order = compare(keyOf(a, 0), keyOf(b, 0));
        }
        return direction === "ascending" ? order : -order;
      });
      rows.forEach(function (row) {
        body.appendChild(row);
      });
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
        if (index === column) {
          header.setAttribute("aria-sort", direction);
        } else {
          header.removeAttribute("aria-sort");
        }
      });
    });
  }

  tables.forEach(function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, column) {
      // A button beside the heading's text, not around it: Chromium leaves a button blank in the header row it
      // repeats on each printed page, and the print stylesheet hides this one.
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.setAttribute("aria-label", "Sort by " + header.textContent.trim());
      button.innerHTML = '<svg viewBox="0 0 10 14" width="10" height="14" aria-hidden="true" focusable="false">' +
        '<path d="M5 1L1 5h8zM5 13L1 9h8z" fill="currentColor"/></svg>';
      header.appendChild(document.createTextNode(" "));
      header.appendChild(button);
      button.addEventListener("click", function () {
        var next = header.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        sortBy(column, next);
      });
    });
  });

  var query = form.elements.namedItem("q");
  var verdict = form.elements.namedItem("verdict");
  var status = form.querySelector("[data-status]");
  var total = tables.reduce(function (count, table) {
    return count + rowsOf(table).length;
  }, 0);

  function filter() {
    var words = query.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var wanted = verdict.value;
    var shown = 0;
    tables.forEach(function (table) {
      var inTable = 0;
      rowsOf(table).forEach(function (row) {
        var text = row.getAttribute("data-search");
        var match = (!wanted || row.getAttribute("data-verdict") === wanted) &&
          words.every(function (word) { return text.indexOf(word) !== -1; });
        row.hidden = !match;
        inTable += match ? 1 : 0;
      });
      table.closest("section").hidden = inTable === 0;
      shown += inTable;
    });
    status.textContent = shown === total ? "Showing all " + total + " platforms." :
      "Showing " + shown + " of " + total + " platforms.";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  query.addEventListener("input", filter);
  verdict.addEventListener("change", filter);
  form.hidden = false;
  filter();
})();
