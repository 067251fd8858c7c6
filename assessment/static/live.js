// Progressive enhancement for the live dashboard. Every few seconds the script reads the
// assessment's live figures (already anonymised by the server) and writes them into the page
// with textContent; nothing is built from HTML strings. Without JavaScript the page works the
// same, with a "Vernieuwen" link. (The projector has its own script, projector.js.)
//
// The dashboard updates its counts, status buttons and lesson table in place, and the vote on
// priorities (also on the agenda): its status, the number of voters and, from 3 voters, the
// tally, rebuilt with createElement when it changed.
(function () {
  "use strict";
  var root = document.querySelector("[data-live-url]");
  if (!root) { return; }
  var page = root.getAttribute("data-live-page");
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
    var counting = field("counting_text");
    if (counting) {
      setText(counting, data.counting_text);
      counting.hidden = !data.counting_text;
    }
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

  var lastTally = null;

  function updateVote(vote) {
    if (!vote) { return; }
    setText(field("vote_status_label"), vote.status_label);
    setText(field("vote_voters"), String(vote.voters));
    setText(field("vote_hidden_text"), vote.hidden_text);
    each("[data-vote-when]", function (element) {
      element.hidden = element.getAttribute("data-vote-when").split(" ").indexOf(vote.status) === -1;
    });
    each('[data-vote-show="hidden"]', function (element) {
      element.hidden = vote.shown || vote.status === "none";
    });
    each('[data-vote-show="shown"]', function (element) { element.hidden = !vote.shown; });
    var list = root.querySelector("[data-vote-tally]");
    var tally = JSON.stringify([vote.voters, vote.lessons]);
    if (!list || tally === lastTally) { return; }
    lastTally = tally;
    while (list.firstChild) { list.removeChild(list.firstChild); }
    vote.lessons.forEach(function (lesson) {
      var item = document.createElement("li");
      item.setAttribute("data-vote-lesson", lesson.id);
      var label = document.createElement("span");
      label.textContent = lesson.label;
      var meter = document.createElement("meter");
      meter.min = 0;
      meter.max = vote.voters;
      meter.value = lesson.votes;
      meter.setAttribute("aria-hidden", "true");
      var count = document.createElement("span");
      count.textContent = lesson.text + " (" + lesson.share + ")";
      item.appendChild(label);
      item.appendChild(meter);
      item.appendChild(count);
      list.appendChild(item);
    });
  }

  function updateDashboard(data) {
    setText(field("status_label"), data.status_label);
    setText(field("started"), String(data.started));
    setText(field("empty_starts"), String(data.empty_starts));
    setText(field("submitted"), String(data.submitted));
    if (data.response_rate !== null) { setText(field("response_rate"), data.response_rate); }
    setText(field("type_not_chosen"), String(data.type_not_chosen));
    data.groups.forEach(function (group) {
      setText(field("group-" + group.id + "-started"), group.started.text);
      setText(field("group-" + group.id + "-submitted"), group.submitted.text);
    });
    showWhen(data);
    updateLessons(data);
    updateVote(data.vote);
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
          if (page === "agenda") {
            updateVote(data.vote);
          } else {
            updateDashboard(data);
          }
          poll(interval);
        })
        .catch(function () {
          if (page === "dashboard") { setText(field("updated"), root.getAttribute("data-error-text")); }
          poll(Math.min(delay * 2, maxDelay));
        });
    }, delay);
  }

  if (window.fetch) { poll(interval); }
})();
