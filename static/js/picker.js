// The free-time picker (bookings/picker.py): arrow keys within the month and within the
// day's times (one Tab stop each, as in the WAI-ARIA grid pattern), and focus kept where the
// person was when htmx swaps the picker in place. Without this file every day and time is a
// plain link or button in the Tab order.
(function () {
  "use strict";

  function rove(container, items, next) {
    if (!items.length) return;
    var current = container.querySelector("[aria-current='date']") || items[0];
    items.forEach(function (item) { item.tabIndex = item === current ? 0 : -1; });
    container.addEventListener("keydown", function (event) {
      var index = items.indexOf(document.activeElement);
      if (index < 0) return;
      var target = next(index, event.key, items);
      if (target === null || target === undefined) return;
      event.preventDefault();
      items.forEach(function (item) { item.tabIndex = -1; });
      items[target].tabIndex = 0;
      items[target].focus();
    });
  }

  // Days: left and right by one day, up and down by a week, Home and End within the week.
  // Only days with free times are links; a step lands on the nearest one that way.
  function dayStep(index, key, items) {
    var days = items.map(function (item) { return item.dataset.day; });
    var here = new Date(days[index] + "T12:00:00");
    var step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 }[key];
    if (key === "Home" || key === "End") {
      var monday = new Date(here); monday.setDate(here.getDate() - ((here.getDay() + 6) % 7));
      var sunday = new Date(monday); sunday.setDate(monday.getDate() + 6);
      var inWeek = items.filter(function (item) {
        var day = new Date(item.dataset.day + "T12:00:00");
        return day >= monday && day <= sunday;
      });
      return items.indexOf(key === "Home" ? inWeek[0] : inWeek[inWeek.length - 1]);
    }
    if (!step) return null;
    var wanted = new Date(here); wanted.setDate(here.getDate() + step);
    var best = null;
    items.forEach(function (item, position) {
      var day = new Date(item.dataset.day + "T12:00:00");
      if (step > 0 ? day >= wanted : day <= wanted) {
        if (best === null || (step > 0 ? position < best : position > best)) best = position;
      }
    });
    return best;
  }

  // Times: left and right (and up and down) to the previous and next time, Home and End to
  // the day's first and last.
  function timeStep(index, key, items) {
    var move = { ArrowLeft: -1, ArrowUp: -1, ArrowRight: 1, ArrowDown: 1 }[key];
    if (key === "Home") return 0;
    if (key === "End") return items.length - 1;
    if (!move) return null;
    var target = index + move;
    return target >= 0 && target < items.length ? target : null;
  }

  function setUp(root) {
    var grid = root.querySelector("[data-roving='grid']");
    if (grid) {
      var days = Array.prototype.slice.call(grid.querySelectorAll("a.picker-day"));
      days.forEach(function (day) { day.dataset.day = day.dataset.focusKey.slice(4); });
      rove(grid, days, dayStep);
    }
    var list = root.querySelector("[data-roving='list']");
    if (list) rove(list, Array.prototype.slice.call(list.querySelectorAll("button")), timeStep);
    // On a phone the month folds to the chosen day's week, so its times are on the first
    // screen; the whole month is a tap away.
    var table = root.querySelector(".picker-month");
    var expand = root.querySelector(".picker-expand");
    if (table && expand && table.querySelector("tr.current-week") &&
        window.matchMedia("(max-width: 575.98px)").matches) {
      table.classList.add("folded");
      expand.hidden = false;
      expand.setAttribute("aria-expanded", "false");
      expand.addEventListener("click", function () {
        var folded = table.classList.toggle("folded");
        expand.setAttribute("aria-expanded", folded ? "false" : "true");
      });
    }
    // The length and therapist form keeps the day shown, for when they change.
    var selected = root.querySelector("a.picker-day[aria-current='date']");
    var kept = document.querySelector("form input[type='hidden'][name='day']");
    if (kept && selected) kept.value = selected.dataset.day;
    root.dataset.ready = "1";
  }

  var focused = null;
  document.addEventListener("htmx:beforeRequest", function () {
    var active = document.activeElement;
    focused = active && active.dataset ? active.dataset.focusKey || null : null;
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = document.querySelector("[data-picker]");
    if (!root || !event.target.contains(root)) return;
    setUp(root);
    // Focus stays where the person was: on the day they chose, or the month link they used.
    var again = focused && root.querySelector("[data-focus-key='" + focused + "']");
    var day = root.querySelector("a.picker-day[aria-current='date']");
    if (again || (focused && day)) (again || day).focus();
    focused = null;
  });

  var root = document.querySelector("[data-picker]");
  if (root) setUp(root);
  // With htmx the length and therapist apply as soon as they change: no button needed.
  var show = document.querySelector("[data-picker-filters] button[type='submit']");
  if (show && window.htmx) show.hidden = true;
})();
