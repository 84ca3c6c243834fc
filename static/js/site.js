// Progressive enhancement for every page: the pages work without it.
(function () {
  "use strict";

  // An error summary takes focus when the page loads, so that screen readers read it
  // out at once and keyboard users start from it (its links lead to each field).
  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (!summary) { return; }
    if (!summary.hasAttribute("tabindex")) { summary.setAttribute("tabindex", "-1"); }
    summary.focus();
  }

  // Buttons that only make sense with a script are hidden in the markup and shown here.
  function copyButtons() {
    var buttons = document.querySelectorAll("[data-copy-target]");
    Array.prototype.forEach.call(buttons, function (button) {
      var target = document.getElementById(button.getAttribute("data-copy-target"));
      var status = document.getElementById(button.getAttribute("data-copy-status"));
      if (!target || !status || !(navigator.clipboard && window.isSecureContext)) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(target.textContent.trim()).then(function () {
          status.textContent = button.getAttribute("data-copied");
        }, function () {
          status.textContent = button.getAttribute("data-copy-failed");
        });
      });
    });
  }

  function printButtons() {
    if (typeof window.print !== "function") { return; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // Filters folded on phones (the views come first) are unfolded on wide screens.
  function unfoldFilters() {
    if (!window.matchMedia || !window.matchMedia("(min-width: 48rem)").matches) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("details.view-filters"), function (d) {
      d.open = true;
    });
  }

  // The organisation's fields (submit form): hidden for someone answering as an
  // individual, folded until "on behalf of an organisation" is ticked. A box ticked with
  // an error next to it stays in sight.
  function organisationFields() {
    var block = document.querySelector("[data-organisation]");
    var box = document.getElementById("on_behalf_of_organisation");
    var details = document.getElementById("organisation-details");
    var actor = document.getElementById("actor_type");
    if (!block || !box || !details || !actor) { return; }
    function update() {
      block.hidden = actor.value === "individual" && !box.checked;
      details.hidden = !box.checked;
    }
    box.addEventListener("change", update);
    actor.addEventListener("change", update);
    update();
  }

  function start() {
    organisationFields();
    unfoldFilters();
    focusErrorSummary();
    copyButtons();
    printButtons();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
