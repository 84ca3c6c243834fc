// Keyboard shortcuts on the review page (progressive enhancement: every action also
// works with the buttons and links, without JavaScript).
//   a: approve   r: go to the reason for not publishing   n: next submission
//   s: tick the top suggested tag of each group
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
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) {
      return;
    }
    var key = event.key.toLowerCase();
    if (key === "a") {
      var approve = document.getElementById("approve-button");
      if (approve) { event.preventDefault(); approve.click(); }
    } else if (key === "r") {
      var reason = document.getElementById("reason");
      if (reason) { event.preventDefault(); reason.focus(); }
    } else if (key === "s") {
      var top = document.getElementById("accept-top-suggestions");
      if (top && !top.hidden) { event.preventDefault(); top.click(); }
    } else if (key === "n") {
      var next = document.getElementById("next-link");
      if (next) { event.preventDefault(); window.location.assign(next.href); }
    }
  });
}());
