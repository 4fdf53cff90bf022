// Count down the minutes left on a held time: <time datetime="…" data-countdown
// data-countdown-unit="minutes">. Without JavaScript the time it ends is shown instead.
(function () {
  "use strict";
  var el = document.querySelector("[data-countdown]");
  if (!el) return;
  var end = new Date(el.getAttribute("datetime")).getTime();
  var unit = el.getAttribute("data-countdown-unit") || "";
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    el.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0") + " " + unit;
    if (left > 0) setTimeout(tick, 1000);
  }
  tick();
})();
