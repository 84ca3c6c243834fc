// Suggested tags on the review page (progressive enhancement: without JavaScript each
// suggestion is a checkbox of the decision form and works the same).
// Ticking a suggestion ticks its tag in the decision form at once, so the form shows what
// will be sent; unticking the tag unticks the suggestion. The "top suggestions" button
// (key S, see moderation.js) ticks the first suggestion of each group.
(function () {
  "use strict";
  var form = document.getElementById("decision-form");
  if (!form) { return; }
  function tagBox(suggestion) {
    // The form's own boxes, also those placed outside it with form="decision-form".
    var boxes = document.querySelectorAll('input[type="checkbox"][name="' +
      suggestion.getAttribute("data-group") + '"]');
    for (var i = 0; i < boxes.length; i += 1) {
      if (boxes[i].form === form && boxes[i].value === suggestion.value) { return boxes[i]; }
    }
    return null;
  }
  var suggestions = document.querySelectorAll('input[name="suggested"][form="decision-form"]');
  Array.prototype.forEach.call(suggestions, function (suggestion) {
    var tag = tagBox(suggestion);
    if (!tag) { return; }
    suggestion.addEventListener("change", function () {
      if (suggestion.checked) { tag.checked = true; }
    });
    tag.addEventListener("change", function () {
      if (!tag.checked) { suggestion.checked = false; }
    });
  });
  var top = document.getElementById("accept-top-suggestions");
  if (top) {
    top.hidden = false;
    top.addEventListener("click", function () {
      var firsts = document.querySelectorAll('input[name="suggested"][data-top]');
      Array.prototype.forEach.call(firsts, function (box) {
        if (!box.checked) {
          box.checked = true;
          box.dispatchEvent(new Event("change"));
        }
      });
    });
  }
}());
