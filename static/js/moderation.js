// Keyboard shortcuts and small helps of the moderation pages (progressive enhancement:
// every action also works with the buttons, links and boxes, without JavaScript).
//
// Shortcuts read the physical key (KeyboardEvent.code), not the character it types: on an
// Arabic layout the A key types "ش" and on a Russian one "ф", and A must still approve.
// They never fire while a field takes text or an input method is composing.
//   review page: A approves, R goes to the reason, N opens the next, S ticks the top
//                suggestions;  queue: J / K next / previous row, X selects the row;
//   both: ? shows or hides the list of shortcuts (templates/moderation/_shortcuts.html).
(function () {
  "use strict";
  // Controls that take letters. A ticked checkbox or a button does not: "tick P2 with
  // Space, then A" must approve.
  var NOT_TYPED = /^(checkbox|radio|button|submit|reset|image|range|color|file)$/;
  function typing(target) {
    var tag = target && target.tagName;
    if (tag === "INPUT") { return !NOT_TYPED.test(target.type); }
    return tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }
  function byId(id) { return document.getElementById(id); }

  // The review page: the errors of a refused decision are read out and focused.
  var errors = byId("decision-errors");
  if (errors) {
    errors.focus();
    errors.scrollIntoView({block: "nearest"});
  }

  // The note on the reason matters only for "other": hidden otherwise, unless it holds
  // text or an error.
  var reason = byId("reason");
  var note = byId("note");
  var noteField = note && note.closest(".field");
  function showNote() {
    if (!noteField) { return; }
    noteField.hidden = !(reason.value === "other" || note.value ||
                         noteField.classList.contains("has-error"));
  }
  if (reason && noteField) {
    reason.addEventListener("change", showNote);
    showNote();
  }

  // The queue: a select-all box in the header (the "select this page" link does the same
  // without JavaScript) and a current row for J, K and X.
  var rowBoxes = document.querySelectorAll('table.queue input[name="selected"]');
  var selectAll = byId("select-all");
  function syncSelectAll() {
    var ticked = 0;
    Array.prototype.forEach.call(rowBoxes, function (box) { if (box.checked) { ticked += 1; } });
    selectAll.checked = ticked > 0 && ticked === rowBoxes.length;
    selectAll.indeterminate = ticked > 0 && ticked < rowBoxes.length;
  }
  if (selectAll && rowBoxes.length) {
    selectAll.hidden = false;
    selectAll.parentNode.classList.add("with-select-all");
    var link = byId("select-page");
    if (link) { link.hidden = true; }
    selectAll.addEventListener("change", function () {
      Array.prototype.forEach.call(rowBoxes, function (box) { box.checked = selectAll.checked; });
    });
    Array.prototype.forEach.call(rowBoxes, function (box) {
      box.addEventListener("change", syncSelectAll);
    });
    syncSelectAll();
  }
  var bulkForm = byId("bulk-form");
  if (bulkForm) {
    bulkForm.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target.type === "checkbox") { event.preventDefault(); }
    });
  }
  var rows = document.querySelectorAll("table.queue tbody tr");
  var current = -1;
  function moveRow(step) {
    if (!rows.length) { return; }
    var focused = document.activeElement && document.activeElement.closest &&
      document.activeElement.closest("table.queue tbody tr");
    if (focused) { current = Array.prototype.indexOf.call(rows, focused); }
    if (current >= 0) { rows[current].classList.remove("current-row"); }
    current = Math.min(rows.length - 1, Math.max(0, current + step));
    var row = rows[current];
    row.classList.add("current-row");
    var title = row.querySelector("a.queue-title");
    if (title) { title.focus(); }
    row.scrollIntoView({block: "nearest"});
  }

  function toggleShortcuts() {
    var list = byId("shortcuts");
    if (!list) { return; }
    list.open = !list.open;
    if (list.open) { list.querySelector("summary").focus(); }
  }

  // What each physical key does on this page, when the element it needs is there.
  var actions = {
    KeyA: function () { var b = byId("approve-button"); if (b) { b.click(); return true; } },
    KeyR: function () { if (reason) { reason.focus(); return true; } },
    KeyN: function () {
      var next = byId("next-link");
      if (next) { window.location.assign(next.href); return true; }
    },
    KeyS: function () {
      var top = byId("accept-top-suggestions");
      if (top && !top.hidden) { top.click(); return true; }
    },
    KeyJ: function () { if (rows.length) { moveRow(1); return true; } },
    KeyK: function () { if (rows.length) { moveRow(-1); return true; } },
    KeyX: function () {
      var focused = document.activeElement && document.activeElement.closest &&
        document.activeElement.closest("table.queue tbody tr");
      var row = focused || rows[current];
      if (!row) { return; }
      var box = row.querySelector('input[name="selected"]');
      if (!box) { return; }
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change"));
      return true;
    }
  };

  document.addEventListener("keydown", function (event) {
    // 229: the key went to an input method (Chrome sets it during composition).
    if (event.isComposing || event.keyCode === 229 || event.altKey || event.ctrlKey ||
        event.metaKey || typing(event.target)) {
      return;
    }
    var list = byId("shortcuts");
    if (event.key === "Escape" && list && list.open) {
      list.open = false;
      list.querySelector("summary").focus();
      return;
    }
    if (event.key === "?" || event.key === "؟" || (event.code === "Slash" && event.shiftKey)) {
      event.preventDefault();
      toggleShortcuts();
      return;
    }
    if (event.shiftKey || !Object.prototype.hasOwnProperty.call(actions, event.code)) {
      return;
    }
    if (actions[event.code]()) { event.preventDefault(); }
  });
}());
