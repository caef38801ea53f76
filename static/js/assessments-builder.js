// The question form of the questionnaire builder: show only the groups of fields that apply
// to the chosen type (`data-types` lists the types a group is for). Without JavaScript all
// groups show, and the server ignores or refuses what does not apply. A group with an error
// message is never hidden, so no message is out of sight.
(function () {
  "use strict";
  var form = document.querySelector("form[data-question-form]");
  if (!form) {
    return;
  }
  var select = form.querySelector("[data-question-type]");
  if (!select) {
    return;
  }
  var groups = form.querySelectorAll("[data-types]");

  function update() {
    var type = select.value;
    groups.forEach(function (group) {
      var types = group.getAttribute("data-types").split(" ");
      var hasError = group.querySelector(".error-message") !== null;
      group.hidden = types.indexOf(type) === -1 && !hasError;
    });
  }

  select.addEventListener("change", update);
  update();
})();
