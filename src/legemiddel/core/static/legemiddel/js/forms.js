/* Small form behaviours, kept out of the templates so the Content-Security-Policy can forbid
   inline script. A field marked data-autosubmit submits its form when it changes (a filter
   that applies at once); a <noscript> button serves those without JavaScript. The
   listener sits on the document, so fields that htmx swaps in later work too. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!(field instanceof Element) || !field.hasAttribute("data-autosubmit") || !field.form) return;
    if (typeof field.form.requestSubmit === "function") field.form.requestSubmit();
    else field.form.submit();
  });
})();
