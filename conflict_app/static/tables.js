// Stacked tables on phones: each cell carries its column's heading (data-label), which the
// stylesheet shows beside the value once the table's own header row is hidden.
document.querySelectorAll("table.responsive").forEach(function (table) {
  var heads = [];
  table.querySelectorAll("thead tr:last-child th, thead tr:last-child td").forEach(function (th) {
    for (var i = 0; i < (th.colSpan || 1); i++) heads.push(th.textContent.trim());
  });
  table.querySelectorAll("tbody tr").forEach(function (row) {
    var col = 0;
    Array.prototype.forEach.call(row.cells, function (cell) {
      if (!cell.hasAttribute("data-label") && heads[col]) cell.setAttribute("data-label", heads[col]);
      col += cell.colSpan || 1;
    });
  });
});
