// Enter in a field of a question page means "Volgende", as before "Vorige" came first.
// A browser submits a form on Enter with its first submit button, which is now "Vorige"
// (and the header's language button); this sends the page's default action instead.
// Without JavaScript, Enter uses the first button; the page's answers are saved either way.
(function () {
  "use strict";
  var button = document.querySelector("button[data-default-action]");
  if (!button || !button.form || !button.form.requestSubmit) { return; }
  var form = button.form;
  form.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || event.defaultPrevented || event.isComposing) { return; }
    if (field.tagName !== "INPUT" || field.type === "submit" || field.type === "button") {
      return;
    }
    event.preventDefault();
    form.requestSubmit(button);
  });
})();
