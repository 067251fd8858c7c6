// The projector window and its presenter view follow the position stored on the server.
//
// Projector: every second or two the script reads projector.json; when the version of the
// slide changed (the presenter moved it, a key was pressed, results arrived) it fetches the
// slide's HTML and swaps it in, without reloading the page. The keys of a presenter's
// clicker move it (a POST with the form token, as the presenter's buttons do): ArrowRight,
// PageDown and Space forward; ArrowLeft and PageUp back; Home and End to the first and last
// slide; B blanks the screen or shows it again. Without JavaScript the page reloads itself
// (a <meta refresh> inside <noscript>).
//
// Presenter view: the counts update in place; when the projector moved on or was blanked
// from elsewhere the page reloads, unless notes are being typed (then a link says so).
(function () {
  "use strict";
  var maxDelay = 30000;

  function field(root, name) {
    return root.querySelector('[data-live="' + name + '"]');
  }

  function setText(element, text) {
    if (element && text !== null && text !== undefined && element.textContent !== String(text)) {
      element.textContent = String(text);
    }
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      });
  }

  // Every ``interval`` ms: read ``url`` and apply it, with what ``mark`` said at sending.
  function poll(url, interval, apply, mark) {
    function run(delay) {
      window.setTimeout(function () {
        var sent = mark ? mark() : null;
        getJSON(url).then(function (state) {
          return apply(state, sent);
        }).then(function () { run(interval); }, function () {
          run(Math.min(delay * 2, maxDelay));
        });
      }, delay);
    }
    run(interval);
  }

  function interval(root) {
    return (parseFloat(root.getAttribute("data-interval")) || 2) * 1000;
  }

  // -- the projector window ------------------------------------------------------------

  function projector(root) {
    var frame = root.querySelector("[data-slide]");
    var corner = root.querySelector("[data-corner]");
    var blank = root.querySelector("[data-blank]");
    var version = root.getAttribute("data-version");
    var moves = 0;  // key presses so far: a poll sent before the last one is out of date
    var pending = null;

    // The slide and its version come in one response, so they always belong together.
    function showSlide(state) {
      if (state.version === version || pending) { return pending || Promise.resolve(); }
      pending = fetch(root.getAttribute("data-slide-url"), { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error("status " + response.status); }
          var shown = response.headers.get("X-Slide-Version");
          return response.text().then(function (html) {
            if (shown === version) { return; }
            frame.innerHTML = html;  // our own escaped template, from this server
            version = shown;
            root.setAttribute("data-version", version);
          });
        })
        .finally(function () { pending = null; });
      return pending;
    }

    function apply(state) {
      blank.hidden = !state.blank;
      root.classList.toggle("answering", state.answering);
      corner.hidden = !state.answering || state.kind === "join";
      [root, frame].forEach(function (scope) {
        setText(field(scope, "started"), state.started);
        setText(field(scope, "submitted"), state.submitted);
      });
      return showSlide(state);
    }

    function applyPolled(state, sentAfter) {
      return sentAfter === moves ? apply(state) : Promise.resolve();
    }

    var keys = { ArrowRight: "volgende", PageDown: "volgende", " ": "volgende",
                 ArrowLeft: "vorige", PageUp: "vorige", Home: "begin", End: "einde",
                 b: "zwart", B: "zwart" };

    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) { return; }
      var move = keys[event.key];
      if (!move) { return; }
      event.preventDefault();
      moves += 1;
      var body = new FormData();
      body.append("csrf_token", root.getAttribute("data-csrf"));
      body.append("stap", move);
      fetch(root.getAttribute("data-move-url"), {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        // A form token that expired (the window was open for many hours): a fresh page.
        if (response.status === 400) { window.location.reload(); }
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      }).then(apply).catch(function () { /* the next poll shows where it is */ });
    });

    poll(root.getAttribute("data-state-url"), interval(root), applyPolled, function () {
      return moves;
    });
  }

  // -- the presenter view --------------------------------------------------------------

  function presenter(root) {
    var notes = root.querySelector("[data-notes]");
    var edited = false;
    if (notes) { notes.addEventListener("input", function () { edited = true; }); }
    var slide = root.getAttribute("data-slide");
    var blank = root.getAttribute("data-blank");

    poll(root.getAttribute("data-state-url"), interval(root), function (state) {
      setText(field(root, "started"), state.started);
      setText(field(root, "submitted"), state.submitted);
      if (String(state.slide) !== slide || String(state.blank) !== blank) {
        if (edited) {
          root.querySelector("[data-stale]").hidden = false;
        } else {
          window.location.reload();
        }
      }
    });
  }

  if (!window.fetch) { return; }
  var projectorRoot = document.querySelector("[data-projector]");
  if (projectorRoot) { projector(projectorRoot); }
  var presenterRoot = document.querySelector("[data-presenter]");
  if (presenterRoot) { presenter(presenterRoot); }
})();
