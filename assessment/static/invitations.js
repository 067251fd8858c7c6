// Progressive enhancement for the invitations page: while e-mails wait or are being sent,
// read the delivery states every few seconds and write them into the table and the totals
// with textContent (nothing is built from HTML strings, and no address is in the data).
// Without JavaScript the page works the same, with its "Vernieuwen" link. When the sending is
// done the page loads again (for the buttons that fit the new states), unless the
// facilitator has typed something on it meanwhile: then a note says so instead.
(function () {
  "use strict";
  var root = document.querySelector("[data-progress-url]");
  if (!root || !root.hasAttribute("data-busy")) { return; }
  var url = root.getAttribute("data-progress-url");
  var delay = 2000;
  var typed = false;
  document.addEventListener("input", function () { typed = true; });

  function setText(element, text) {
    if (element && element.textContent !== String(text)) { element.textContent = String(text); }
  }

  function show(data) {
    var totals = data.totals;
    setText(root.querySelector('[data-total="invited"]'), totals.invited);
    setText(root.querySelector('[data-total="waiting"]'), totals.waiting + totals.sending);
    setText(root.querySelector('[data-total="sent"]'), totals.sent);
    setText(root.querySelector('[data-total="failed"]'), totals.failed);
    setText(root.querySelector('[data-total="reminders"]'), totals.reminders);
    setText(root.querySelector('[data-total="sent_in"]'), totals.sent_in);
    data.rows.forEach(function (row) {
      var line = root.querySelector('[data-invitation="' + row.id + '"]');
      if (!line) { return; }
      setText(line.querySelector('[data-field="delivery"]'), row.delivery);
      setText(line.querySelector('[data-field="reason"]'), row.reason);
      setText(line.querySelector('[data-field="reminders"]'), row.reminders);
      setText(line.querySelector('[data-field="sent_in"]'), row.sent_in);
    });
  }

  function poll() {
    fetch(url, {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        show(data);
        if (data.busy) {
          window.setTimeout(poll, delay);
        } else if (!typed) {
          window.location.reload();
        } else {
          setText(root.querySelector("[data-progress-note]"), root.getAttribute("data-done"));
        }
      })
      .catch(function () { window.setTimeout(poll, delay * 5); });
  }

  window.setTimeout(poll, delay);
})();
