(function () {
  "use strict";
  /* Filters the table of affected records: a row stays when it holds the text typed and
     matches every chosen select. Reads only the page itself; requests nothing. (No line
     comments: the report holds no double slash at all, so a scan for URLs stays simple.) */
  var table = document.getElementById("findings");
  if (!table) { return; }
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr.finding"));
  var none = document.getElementById("no-match");
  var shown = document.getElementById("shown");
  var query = document.getElementById("q");
  var selects = Array.prototype.slice.call(document.querySelectorAll("select[data-filter]"));
  var cells = rows.map(function (row) {
    return {
      text: row.textContent.toLowerCase(),
      file: row.cells[0].textContent,
      field: row.getAttribute("data-field"),
      rule: row.querySelector(".rule").textContent,
      level: row.cells[4].textContent
    };
  });
  function apply() {
    var needle = query.value.trim().toLowerCase();
    var wanted = selects.map(function (s) { return [s.getAttribute("data-filter"), s.value]; });
    var count = 0;
    rows.forEach(function (row, i) {
      var c = cells[i];
      var keep = needle === "" || c.text.indexOf(needle) !== -1;
      for (var j = 0; keep && j < wanted.length; j++) {
        if (wanted[j][1] !== "" && c[wanted[j][0]] !== wanted[j][1]) { keep = false; }
      }
      row.hidden = !keep;
      if (keep) { count++; }
    });
    shown.textContent = count.toLocaleString("en");
    none.hidden = count !== 0;
  }
  query.addEventListener("input", apply);
  selects.forEach(function (s) { s.addEventListener("change", apply); });
  document.getElementById("clear").addEventListener("click", function () {
    query.value = "";
    selects.forEach(function (s) { s.value = ""; });
    apply();
  });
  apply();
}());
