// The attempt page: save each answer as it is given, keep unsent answers in localStorage,
// re-send them when the network returns, and count down the time the server says is left.
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  var configNode = document.getElementById("quiz-config");
  if (!form || !configNode) return;
  var config = JSON.parse(configNode.textContent);
  var text = JSON.parse(document.getElementById("quiz-messages").textContent);
  var open = form.dataset.open === "true";
  var storeKey = "quiz-pending-" + config.attemptId;
  var seqKey = "quiz-seq-" + config.attemptId;
  var sync = document.getElementById("sync");
  var sending = false;
  var typing = 0;  // text answers waiting for their debounce: not saved yet

  function load(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function save(key, value) { localStorage.setItem(key, JSON.stringify(value)); }

  // Sequence numbers grow per question across reloads: never below what the server holds.
  var sequences = load(seqKey, {});
  Object.keys(config.answers || {}).forEach(function (q) {
    sequences[q] = Math.max(sequences[q] || 0, config.answers[q].sequence);
  });
  save(seqKey, sequences);

  function pending() { return load(storeKey, {}); }

  function setState(state) {
    if (!sync) return;
    sync.dataset.state = state;
    sync.textContent = text[state];
  }

  function responseOf(fieldset) {
    var kind = fieldset.dataset.kind;
    var q = fieldset.dataset.question;
    if (kind === "multiple_response") {
      return Array.prototype.map.call(
        fieldset.querySelectorAll("input[name='" + q + "']:checked"), function (i) { return i.value; });
    }
    var radio = fieldset.querySelector("input[type=radio][name='" + q + "']:checked");
    if (radio) return radio.value;
    var field = fieldset.querySelector("input[type=text], textarea");
    return field ? field.value : null;
  }

  function record(fieldset) {
    var q = fieldset.dataset.question;
    sequences[q] = (sequences[q] || 0) + 1;
    save(seqKey, sequences);
    var queue = pending();
    queue[q] = { question: q, sequence: sequences[q], response: responseOf(fieldset) };
    save(storeKey, queue);
    flush();
  }

  function showFeedback(result) {
    if (!result.feedback) return;
    var box = document.querySelector("#" + result.question + " .feedback");
    if (!box) return;
    var f = result.feedback;
    box.textContent = "";
    var verdict = document.createElement("p");
    verdict.className = f.correct ? "right" : "wrong";
    verdict.textContent = (f.correct ? text.right : text.wrong) +
      (f.score !== null ? " (" + f.score + " / " + f.max_score + ")" : "");
    box.appendChild(verdict);
    if (f.correct_response.length) {
      var key = document.createElement("p");
      key.textContent = text.correct + ": " + f.correct_response.join(", ");
      box.appendChild(key);
    }
    f.feedback.concat(f.explanation ? [f.explanation] : []).forEach(function (line) {
      var p = document.createElement("p");
      p.textContent = line;
      box.appendChild(p);
    });
  }

  function flush() {
    var queue = pending();
    var answers = Object.keys(queue).map(function (q) { return queue[q]; });
    if (!answers.length) { setState(typing ? "saving" : "saved"); return Promise.resolve(true); }
    if (sending) return Promise.resolve(false);
    sending = true;
    setState("saving");
    var headers = { "Content-Type": "application/json" };
    if (config.token) headers["X-Attempt-Token"] = config.token;
    return fetch("/attempts/" + config.attemptId + "/answers", {
      method: "POST", headers: headers, credentials: "same-origin",
      body: JSON.stringify({ answers: answers })
    }).then(function (response) {
      if (response.status === 409) { localStorage.removeItem(storeKey); location.reload(); return false; }
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json().then(function (body) {
        var current = pending();
        body.results.forEach(function (r) {
          // drop only what was acknowledged: an answer changed meanwhile stays queued
          if (current[r.question] && current[r.question].sequence <= r.sequence) delete current[r.question];
          showFeedback(r);
        });
        save(storeKey, current);
        sending = false;
        if (Object.keys(current).length) return flush();
        setState(typing ? "saving" : "saved");
        return true;
      });
    }).catch(function () {
      sending = false;
      setState("offline");
      return false;
    });
  }

  // Adaptive attempts: one question at a time; the server chooses the next after each answer.
  // The answer is kept in localStorage until the server has it, and re-sent when back online.
  function adaptiveFlow() {
    var pendingKey = "quiz-adaptive-" + config.attemptId;
    var url = "/quizzes/" + config.quizId + "/attempts/" + config.attemptId + "/adaptive-answer";
    var kept = load(pendingKey, null);
    if (kept && kept.question !== config.adaptive.current) localStorage.removeItem(pendingKey);
    function send() {
      var answer = load(pendingKey, null);
      if (!answer || sending) return Promise.resolve(false);
      sending = true;
      setState("saving");
      return fetch(url, {
        method: "POST", headers: { "Content-Type": "application/json" }, credentials: "same-origin",
        body: JSON.stringify(answer)
      }).then(function (response) {
        sending = false;
        if (response.status >= 500 || response.status === 429) throw new Error("HTTP " + response.status);
        localStorage.removeItem(pendingKey);  // recorded, or refused for good (closed, invalid)
        location.reload();
        return true;
      }).catch(function () {
        sending = false;
        setState("offline");
        return false;
      });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var fieldset = form.querySelector("fieldset[data-question]");
      if (!fieldset) return;
      var button = document.getElementById("answer");
      if (button) button.disabled = true;
      save(pendingKey, { question: fieldset.dataset.question, sequence: 1, response: responseOf(fieldset) });
      send();
    });
    window.addEventListener("online", send);
    setInterval(send, 3000);
    if (kept && kept.question === config.adaptive.current) send();
  }

  if (open && config.adaptive && config.adaptive.current) {
    adaptiveFlow();
  } else if (open) {
    form.addEventListener("change", function (event) {
      var fieldset = event.target.closest("fieldset[data-question]");
      if (fieldset) record(fieldset);
    });
    form.addEventListener("input", function (event) {
      if (event.target.type === "text" || event.target.tagName === "TEXTAREA") {
        var fieldset = event.target.closest("fieldset[data-question]");
        if (fieldset._timer) { clearTimeout(fieldset._timer); } else { typing += 1; }
        if (sync.dataset.state !== "offline") setState("saving");
        fieldset._timer = setTimeout(function () {
          fieldset._timer = null;
          typing -= 1;
          record(fieldset);
        }, 600);
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!window.confirm(text.confirm)) return;
      flush().then(function () {
        return fetch("/attempts/" + config.attemptId + "/submit", {
          method: "POST", credentials: "same-origin"
        });
      }).then(function () { location.reload(); }).catch(function () { setState("offline"); });
    });
    window.addEventListener("online", flush);
    setInterval(flush, 3000);
    // Restore answers given offline before a reload, then send them.
    var queue = pending();
    Object.keys(queue).forEach(function (q) {
      var fieldset = document.getElementById(q);
      if (!fieldset) return;
      var value = queue[q].response;
      fieldset.querySelectorAll("input[type=radio], input[type=checkbox]").forEach(function (i) {
        i.checked = Array.isArray(value) ? value.indexOf(i.value) >= 0 : i.value === value;
      });
      var field = fieldset.querySelector("input[type=text], textarea");
      if (field && value !== null) field.value = value;
    });
    flush();
  } else {
    localStorage.removeItem(storeKey);
    localStorage.removeItem(seqKey);
  }

  var timer = document.getElementById("timer");
  if (timer && open && config.remaining !== null) {
    var ends = Date.now() + config.remaining * 1000;  // the server's remaining time, not the clock
    var tick = function () {
      var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      timer.textContent = Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2);
      timer.parentNode.classList.toggle("low", left <= 60);
      if (left <= 0) {
        clearInterval(handle);
        setState("saving");
        // Send what is left, then let the server submit: it owns the deadline.
        flush().then(function () { setTimeout(function () { location.reload(); }, 1500); });
      }
    };
    var handle = setInterval(tick, 1000);
    tick();
  }
})();
