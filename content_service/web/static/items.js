// Live preview of the item editor: builds the item document from the form (as the server does in
// items_pages.item_from_form) and posts it to POST /items/preview, 400 ms after the last change.
(function () {
  "use strict";
  var form = document.getElementById("item-editor");
  var preview = document.getElementById("item-preview");
  var problems = document.getElementById("item-problems");
  if (!form || !preview || !window.fetch) { return; }
  var LETTERS = "ABCDEF".split("");
  var CHOICE_KINDS = ["single_choice", "multiple_response", "true_false"];
  var timer = null;

  function value(name) {
    var field = form.elements[name];
    return field ? String(field.value || "").trim() : "";
  }
  function checked(name) {
    var field = form.elements[name];
    return !!(field && field.checked);
  }
  function setOrDrop(target, key, text) {
    if (text) { target[key] = text; } else { delete target[key]; }
  }
  function build() {
    var base = {};
    try { base = JSON.parse(value("base") || "{}"); } catch (e) { base = {}; }
    var item = Object.assign({}, base);
    item.identifier = value("identifier") || item.identifier || "xem-truoc";
    item.kind = value("kind") || item.kind || "single_choice";
    item.stem = value("stem");
    ["title", "rationale", "general_feedback"].forEach(function (k) { setOrDrop(item, k, value(k)); });
    if (CHOICE_KINDS.indexOf(item.kind) >= 0) {
      var old = {};
      (base.choices || []).forEach(function (c) { old[c.identifier] = c; });
      item.choices = [];
      LETTERS.forEach(function (letter) {
        var text = value("choice_" + letter);
        if (!text) { return; }
        var choice = Object.assign({}, old[letter] || {}, { identifier: letter, text: text });
        setOrDrop(choice, "feedback", value("feedback_" + letter));
        if (checked("fixed_" + letter)) { choice.fixed = true; } else { delete choice.fixed; }
        item.choices.push(choice);
      });
      item.correct = Array.prototype.slice.call(form.querySelectorAll('input[name="correct"]:checked'))
        .map(function (box) { return box.value; });
      item.shuffle = checked("shuffle");
      if (item.kind === "multiple_response") { item.max_choices = item.choices.length; }
    }
    var meta = Object.assign({}, item.metadata || {});
    ["subject", "topic", "requirement_code", "cognitive_level"].forEach(function (k) { setOrDrop(meta, k, value(k)); });
    var grade = parseInt(value("grade"), 10);
    if (grade >= 1 && grade <= 12) { meta.grade = grade; } else { delete meta.grade; }
    item.metadata = meta;
    return item;
  }
  function show(body) {
    if (body.html) { preview.innerHTML = body.html; }  // sanitised server-side (item_bank.rendering)
    problems.textContent = "";
    (body.problems || []).forEach(function (p) {
      var li = document.createElement("li");
      li.textContent = p;
      problems.appendChild(li);
    });
  }
  function refresh() {
    fetch("/items/preview", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ item: build() })
    }).then(function (r) { return r.ok ? r.json() : { problems: ["HTTP " + r.status] }; })
      .then(show)
      .catch(function () { /* offline: keep the last preview */ });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
  refresh();
}());
