// Progressive enhancement only: every form works without this file.
(function () {
  "use strict";
  // The language switch submits itself when a language is picked; the button stays for no-JS users.
  document.querySelectorAll(".js-language-form").forEach(function (form) {
    var select = form.querySelector("select");
    var button = form.querySelector(".js-hide-when-enhanced");
    if (button) { button.classList.add("d-none"); }
    if (select) { select.addEventListener("change", function () { form.submit(); }); }
  });
  // Buttons that need confirmation carry data-confirm with a translated question.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();
