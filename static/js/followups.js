// Show a follow-up question only when the answer it depends on calls for it, and move focus
// to the list of errors when the form comes back with some.
(function () {
  "use strict";
  var form = document.querySelector("form[method=post]");
  if (!form) return;
  function answered(code) {
    return Array.prototype.map.call(
      form.querySelectorAll('[name="q_' + code + '"]:checked'), function (el) { return el.value; });
  }
  function update() {
    form.querySelectorAll("[data-show-if]").forEach(function (el) {
      var wanted = el.getAttribute("data-show-values").split(" ");
      var parent = form.querySelector('[data-question="' + el.getAttribute("data-show-if") + '"]');
      var visible = (!parent || !parent.hidden) &&
        answered(el.getAttribute("data-show-if")).some(function (v) { return wanted.indexOf(v) !== -1; });
      el.hidden = !visible;
    });
  }
  form.addEventListener("change", update);
  form.querySelectorAll(".followup-hint").forEach(function (el) { el.hidden = true; });
  update();
  var errors = document.getElementById("form-errors");
  if (errors) errors.focus();
})();
