// Warn before leaving a page whose form holds typed text that is not saved yet (the notes
// and actions pages). Saving goes through the form's own button, so the warning is switched
// off on submit. Without JavaScript the form works the same, only without the warning.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-unsaved-warning]");
  Array.prototype.forEach.call(forms, function (form) {
    // A page shown again after an error holds text that was sent but not saved.
    var unsaved = form.hasAttribute("data-unsaved");
    function changed() { unsaved = true; }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function () { unsaved = false; });
    window.addEventListener("beforeunload", function (event) {
      if (!unsaved) { return; }
      event.preventDefault();
      event.returnValue = "";  // older browsers ask only when this is set
    });
  });
})();
