// Conditional questions of the answer form: a question marked data-show-if="q12:345" is
// shown only while option 345 of question 12 (on the same page) is chosen. Without this
// script every question shows, with its condition written above it; the server ignores the
// answers to questions whose condition is not met.
(function () {
  "use strict";
  var form = document.querySelector(".answer-form");
  if (!form) { return; }
  var conditional = form.querySelectorAll("[data-show-if]");
  function update() {
    conditional.forEach(function (question) {
      var parts = question.getAttribute("data-show-if").split(":");
      var chosen = form.querySelector(
        'input[name="' + parts[0] + '"][value="' + parts[1] + '"]:checked'
      );
      question.hidden = !chosen;
    });
  }
  form.addEventListener("change", update);
  update();
})();
