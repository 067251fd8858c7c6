// Progressive enhancement for the "rapport wordt opgesteld" page: poll the status and
// start the download when the PDF is ready. Without JavaScript the page's links do the job.
(function () {
  "use strict";
  var box = document.getElementById("rapport-status");
  if (!box || !window.fetch) { return; }
  var statusUrl = box.getAttribute("data-status-url");
  var pdfUrl = box.getAttribute("data-pdf-url");
  var tries = 0;
  function poll() {
    tries += 1;
    fetch(statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (status.state === "done") {
          box.textContent = box.getAttribute("data-ready");
          window.location.href = pdfUrl;
        } else if (status.state === "failed") {
          box.textContent = box.getAttribute("data-failed");
        } else if (tries < 120) {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { if (tries < 120) { window.setTimeout(poll, 2000); } });
  }
  window.setTimeout(poll, 800);
})();
