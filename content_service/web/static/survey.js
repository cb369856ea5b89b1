// Skip logic for the survey form: a question with data-show-if is shown only when the answer to
// the named earlier question is one of data-show-values. Hidden questions are disabled, so their
// inputs are neither sent nor required. Without this script every question is shown and the
// server drops answers to questions the logic hides.
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form) { return; }
  var fieldsets = Array.prototype.slice.call(form.querySelectorAll("fieldset[data-question]"));

  function chosen(name) {
    var set = form.querySelector('fieldset[data-question="' + name + '"]');
    if (!set || set.hidden) { return []; }
    return Array.prototype.slice.call(set.querySelectorAll("input:checked"))
      .map(function (input) { return input.value; });
  }

  function update() {
    fieldsets.forEach(function (set) {
      var target = set.getAttribute("data-show-if");
      if (!target) { return; }
      var wanted = JSON.parse(set.getAttribute("data-show-values"));
      var show = chosen(target).some(function (v) { return wanted.indexOf(v) !== -1; });
      set.hidden = !show;
      set.disabled = !show;
    });
  }

  form.addEventListener("change", update);
  update();
})();
