// Progressive enhancement for the pages where participants wait (after sending in, or when
// the scan is closed): while the vote on priorities is not open, its banner is hidden; every
// few seconds this script asks whether the facilitator opened it, and shows (or hides) the
// banner, so nobody has to reload the page. Without JavaScript the banner appears on the next
// page load. The pages of the questionnaire itself do not ask (less load while answering).
(function () {
  "use strict";
  var banner = document.querySelector("[data-vote-state]");
  if (!banner || !window.fetch) { return; }
  var interval = 5000;
  var maxDelay = 60000;

  function poll(delay) {
    window.setTimeout(function () {
      if (document.hidden) { poll(interval); return; }
      fetch(banner.getAttribute("data-vote-state"), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      })
        .then(function (response) {
          if (!response.ok) { throw new Error("status " + response.status); }
          return response.json();
        })
        .then(function (data) {
          banner.hidden = !data.open;
          poll(interval);
        })
        .catch(function () { poll(Math.min(delay * 2, maxDelay)); });
    }, delay);
  }

  poll(interval);
})();
