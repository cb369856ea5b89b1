// Item editor: shows the fields of the chosen kind, uploads images into the stem, and keeps a live
// preview: 400 ms after the last change the form is posted to /pages/items/preview, which parses
// it exactly as saving does (content_service/web/item_form.py) and renders it with the key.
(function () {
  "use strict";
  var form = document.getElementById("item-editor");
  var preview = document.getElementById("item-preview");
  var problems = document.getElementById("item-problems");
  if (!form || !preview || !window.fetch || !window.FormData) { return; }
  var timer = null;

  function showKindFields() {
    var kind = form.elements.kind.value;
    Array.prototype.forEach.call(form.querySelectorAll("[data-kinds]"), function (box) {
      var wanted = box.getAttribute("data-kinds").split(" ").indexOf(kind) >= 0;
      box.hidden = !wanted;
      Array.prototype.forEach.call(box.querySelectorAll("input, select, textarea"), function (f) {
        f.disabled = !wanted;  // a hidden field is not posted, so it cannot leak into the item
      });
    });
  }
  function show(body) {
    if (body.html !== undefined) { preview.innerHTML = body.html; }  // sanitised server-side
    problems.textContent = "";
    (body.problems || []).forEach(function (p) {
      var li = document.createElement("li");
      li.textContent = p;
      problems.appendChild(li);
    });
  }
  function refresh() {
    fetch("/pages/items/preview", { method: "POST", credentials: "same-origin", body: new FormData(form) })
      .then(function (r) { return r.ok ? r.json() : { problems: ["HTTP " + r.status] }; })
      .then(show)
      .catch(function () { /* offline: keep the last preview */ });
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  }
  var upload = document.getElementById("item-asset");
  var status = document.getElementById("item-asset-status");
  if (upload) {
    upload.addEventListener("change", function () {
      if (!upload.files.length) { return; }
      var body = new FormData();
      body.append("file", upload.files[0]);
      status.textContent = "…";
      fetch("/item-assets", { method: "POST", credentials: "same-origin", body: body })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
        .then(function (res) {
          if (!res.ok) { status.textContent = res.body.detail || "?"; return; }
          var stem = form.elements.stem;
          var alt = upload.files[0].name.replace(/[\[\]]/g, "");
          stem.value += (stem.value ? "\n\n" : "") + "![" + alt + "](" + res.body.url + ")";
          status.textContent = "✓";
          upload.value = "";
          refresh();
        })
        .catch(function () { status.textContent = "?"; });
    });
  }
  form.elements.kind.addEventListener("change", showKindFields);
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  showKindFields();
  refresh();
}());
