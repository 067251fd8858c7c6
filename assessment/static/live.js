// Progressive enhancement for the live dashboard. Every few seconds the script reads the
// assessment's live figures (already anonymised by the server) and writes them into the page
// with textContent; nothing is built from HTML strings. Without JavaScript the page works the
// same, with a "Vernieuwen" link. (The projector has its own script, projector.js.)
//
// The dashboard updates its counts, status buttons and lesson table in place.
(function () {
  "use strict";
  var root = document.querySelector("[data-live-url]");
  if (!root) { return; }
  var interval = (parseInt(root.getAttribute("data-interval"), 10) || 5) * 1000;
  var maxDelay = 60000;

  function each(selector, callback) {
    Array.prototype.forEach.call(root.querySelectorAll(selector), callback);
  }

  function field(name) {
    return root.querySelector('[data-live="' + name + '"]');
  }

  // Only a real change touches the page, so screen readers announce only what changed.
  function setText(element, text) {
    if (element && element.textContent !== text) { element.textContent = text; }
  }

  function showWhen(data) {
    each("[data-live-when]", function (element) {
      var states = element.getAttribute("data-live-when").split(" ");
      element.hidden = states.indexOf(data.status) === -1;
    });
  }

  function updateLessons(data) {
    each('[data-live-show="results"]', function (element) { element.hidden = !data.results_shown; });
    each('[data-live-show="no-results"]', function (element) { element.hidden = data.results_shown; });
    data.lessons.forEach(function (lesson) {
      var row = root.querySelector('[data-lesson="' + lesson.id + '"]');
      if (!row) { return; }
      setText(row.querySelector('[data-field="score"]'), lesson.score);
      setText(row.querySelector('[data-field="n"]'), String(lesson.n));
      var band = row.querySelector('[data-field="band"]');
      if (band) {
        setText(band, lesson.band_label);
        band.className = lesson.band ? "band band-" + lesson.band : "";
      }
      var divided = row.querySelector('[data-field="divided"]');
      if (divided) { divided.hidden = !lesson.divided; }
      var gap = row.querySelector('[data-field="information_gap"]');
      if (gap) {
        setText(gap, lesson.gap_text);
        gap.hidden = !lesson.information_gap;
      }
    });
  }

  function updateDashboard(data) {
    setText(field("status_label"), data.status_label);
    setText(field("started"), String(data.started));
    setText(field("submitted"), String(data.submitted));
    if (data.response_rate !== null) { setText(field("response_rate"), data.response_rate); }
    setText(field("type_not_chosen"), String(data.type_not_chosen));
    data.groups.forEach(function (group) {
      setText(field("group-" + group.id + "-started"), group.started.text);
      setText(field("group-" + group.id + "-submitted"), group.submitted.text);
    });
    showWhen(data);
    updateLessons(data);
    var time = new Date().toLocaleTimeString(document.documentElement.lang || "nl");
    setText(field("updated"), root.getAttribute("data-updated-text") + " " + time + ".");
  }

  function poll(delay) {
    window.setTimeout(function () {
      if (document.hidden) { poll(interval); return; }
      fetch(root.getAttribute("data-live-url"), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      })
        .then(function (response) {
          if (!response.ok) { throw new Error("status " + response.status); }
          return response.json();
        })
        .then(function (data) {
          updateDashboard(data);
          poll(interval);
        })
        .catch(function () {
          setText(field("updated"), root.getAttribute("data-error-text"));
          poll(Math.min(delay * 2, maxDelay));
        });
    }, delay);
  }

  if (window.fetch) { poll(interval); }
})();
