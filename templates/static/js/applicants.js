// The binding wizard's applicants step: with JavaScript, the second applicant's block shows only
// for application types of two applicants. Without it both show, and the server ignores the
// second applicant for a type of one (binding_forms/binding/forms.py, ApplicantsForm).
(function () {
  "use strict";
  var form = document.querySelector("[data-one-applicant-types]");
  var second = document.querySelector("[data-applicant='2']");
  if (!form || !second) return;
  var single = form.getAttribute("data-one-applicant-types").split(" ").filter(Boolean);
  var update = function () {
    var chosen = form.querySelector("input[name=application_type]:checked");
    second.hidden = !!chosen && single.indexOf(chosen.value) !== -1;
  };
  form.addEventListener("change", function (event) {
    if (event.target.name === "application_type") update();
  });
  update();
})();
