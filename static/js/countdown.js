// The hold timer (templates/bookings/includes/hold_timer.html): minutes and seconds left, in
// words and numbers; announced to screen readers at five minutes and at one minute (not each
// second); and when the time runs out, said at once. What the client typed stays in the form:
// sent after the hold ran out, the server keeps it and offers the time again.
(function () {
  "use strict";
  var timer = document.querySelector("[data-hold-timer]");
  if (!timer) return;
  // Counted from the seconds the server gave, not from this device's clock, which may be off.
  var end = Date.now() + 1000 * parseInt(timer.dataset.secondsLeft, 10);
  var left = timer.querySelector("[data-hold-left]");
  var announce = timer.querySelector("[data-hold-announce]");
  var expired = timer.querySelector("[data-hold-expired]");
  var said = {};
  function tick() {
    var seconds = Math.max(0, Math.round((end - Date.now()) / 1000));
    var minutes = Math.floor(seconds / 60);
    left.textContent = timer.dataset.left
      .replace("%(minutes)s", String(minutes))
      .replace("%(seconds)s", String(seconds % 60).padStart(2, "0"));
    [5, 1].forEach(function (mark) {
      if (!said[mark] && seconds <= mark * 60 && seconds > (mark - 1) * 60 + 50) {
        said[mark] = true;
        announce.textContent = timer.dataset["announce-" + mark] || timer.getAttribute("data-announce-" + mark);
      }
    });
    if (seconds > 0) {
      setTimeout(tick, 1000);
    } else {
      timer.classList.add("hold-timer-expired");
      expired.hidden = false;
    }
  }
  tick();
})();
