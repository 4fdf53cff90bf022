// Place the staff calendar's blocks on its CSS grid from their data attributes. The policy
// forbids style="…" attributes, while styles set through the DOM are allowed:
//   data-cal-columns="N"          on the grid and its header: a time column and N columns
//   data-cal-column="C" data-cal-rows="A B"   on a block: grid column C, grid rows A to B
// Runs on the page and again on whatever htmx swaps in (moving between days and weeks).
(function () {
  "use strict";
  function whole(value) {
    var number = parseInt(value, 10);
    return number > 0 ? number : null;
  }
  function place(root) {
    root.querySelectorAll("[data-cal-columns]").forEach(function (el) {
      var columns = whole(el.getAttribute("data-cal-columns"));
      if (columns) el.style.gridTemplateColumns = "4rem repeat(" + columns + ", minmax(9rem, 1fr))";
    });
    root.querySelectorAll("[data-cal-column]").forEach(function (el) {
      var column = whole(el.getAttribute("data-cal-column"));
      var rows = (el.getAttribute("data-cal-rows") || "").split(" ").map(whole);
      if (!column || rows.length !== 2 || !rows[0] || !rows[1]) return;
      el.style.gridColumn = String(column);
      el.style.gridRow = rows[0] + " / " + rows[1];
    });
  }
  place(document);
  // Placed as soon as htmx has swapped the new calendar in, in the same task, so the blocks
  // are never seen (or painted) unplaced; htmx:load, after the settle delay, covers the rest.
  document.addEventListener("htmx:afterSwap", function (event) {
    place((event.detail && event.detail.target) || event.target);
  });
  document.addEventListener("htmx:load", function (event) { place(event.target); });
})();
