// The body map's outlines: each area a button that steps through not marked, pain, tension
// and "please avoid" (tap, click, Enter or Space), kept in step with the list, which is the
// form itself. Without this script the list alone is shown, and works.
(function () {
  "use strict";
  var map = document.querySelector("[data-body-map]");
  if (!map) return;
  var figures = map.querySelector("[data-body-map-figures]");
  var list = map.querySelector("[data-body-map-list]");
  var status = map.querySelector("[data-body-map-status]");
  var KINDS = ["", "pain", "tension", "avoid"];

  function radios(region) {
    return map.querySelectorAll('input[type=radio][name="body_map-' + region + '"]');
  }
  function chosen(region) {
    var found = "";
    radios(region).forEach(function (el) { if (el.checked) found = el.value; });
    return found;
  }
  function labelOf(el) {
    var text = el.parentNode.querySelector("span");
    return text ? text.textContent.trim() : el.value;
  }
  // The area's name, then what is marked: "Right calf: tension, moderate", in the page's
  // language (the patterns come translated from the server, as the first names did).
  function fill(pattern, values) {
    return pattern.replace(/%\((\w+)\)s/g, function (_all, key) { return values[key]; });
  }
  function stateOf(region) {
    var controls = map.querySelector('[data-region-controls="' + region + '"]');
    var area = controls.querySelector("legend").textContent.trim();
    var marked = chosen(region);
    if (!marked) return fill(map.getAttribute("data-state-not-marked"), { area: area });
    var kind = "";
    radios(region).forEach(function (el) { if (el.value === marked) kind = labelOf(el); });
    var select = controls.querySelector("select");
    var intensity = select.options[select.selectedIndex].textContent.trim();
    return fill(map.getAttribute("data-state-marked"), {
      area: area, kind: kind.toLowerCase(), intensity: intensity.toLowerCase()
    });
  }
  function draw(region) {
    var kind = chosen(region);
    var state = stateOf(region);
    map.querySelectorAll('[data-region="' + region + '"]').forEach(function (shape) {
      KINDS.forEach(function (k) { if (k) shape.classList.remove("bm-" + k); });
      if (kind) shape.classList.add("bm-" + kind);
      shape.setAttribute("aria-label", state);
    });
    return state;
  }
  function step(region) {
    var next = KINDS[(KINDS.indexOf(chosen(region)) + 1) % KINDS.length];
    radios(region).forEach(function (el) { el.checked = el.value === next; });
    status.textContent = draw(region);
  }

  map.querySelectorAll("[data-region]").forEach(function (shape) {
    var region = shape.getAttribute("data-region");
    shape.addEventListener("click", function () { step(region); });
    shape.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        step(region);
      }
    });
  });
  map.addEventListener("change", function (event) {
    var controls = event.target.closest("[data-region-controls]");
    if (controls) draw(controls.getAttribute("data-region-controls"));
  });
  figures.hidden = false;
  // The outlines do the work now: the list folds away, one tap from open. It stays open when
  // the form came back with an error in the body map.
  if (!map.querySelector("[role=alert]")) list.open = false;
})();
