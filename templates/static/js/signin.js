// Progressive enhancement of the sign-in screen; everything works without it.
(function () {
  "use strict";

  // Choosing a district filters the school list at once instead of reloading the page.
  var districtSelect = document.querySelector("[data-district-select]");
  var schoolSelect = document.getElementById("id_school");
  if (districtSelect && schoolSelect) {
    var all = Array.prototype.slice.call(schoolSelect.options);
    var hidden = document.querySelector(".signin-form input[name=district]");
    var submit = document.querySelector("[data-district-submit]");
    if (submit) submit.hidden = true;
    var filter = function () {
      var district = districtSelect.value;
      var current = schoolSelect.value;
      schoolSelect.innerHTML = "";
      all.forEach(function (option) {
        if (!option.value || !district || option.dataset.district === district) {
          schoolSelect.appendChild(option);
        }
      });
      schoolSelect.value = current;
      if (schoolSelect.value !== current) schoolSelect.value = "";
      if (hidden) hidden.value = district;
    };
    districtSelect.addEventListener("change", filter);
  }

  // "Show another code" fetches a new captcha without submitting the form.
  document.querySelectorAll("[data-captcha]").forEach(function (box) {
    var button = box.querySelector("[data-captcha-refresh]");
    if (!button || !window.fetch) return;
    // The refresh beside the picture replaces the form's no-JavaScript one (after 登入).
    button.hidden = false;
    var form = box.closest("form");
    var fallback = form && form.querySelector("[data-captcha-refresh-fallback]");
    if (fallback) fallback.hidden = true;
    button.addEventListener("click", function (event) {
      event.preventDefault();
      fetch("/captcha/refresh/", { headers: { "X-Requested-With": "XMLHttpRequest" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          box.querySelector("[data-captcha-image]").src = data.image_url;
          box.querySelector("input[type=hidden]").value = data.key;
          var audio = box.querySelector("[data-captcha-audio]");
          if (audio && data.audio_url) audio.href = data.audio_url;
          var input = box.querySelector("input[type=text], input:not([type])");
          if (input) { input.value = ""; input.focus(); }
        });
    });
  });
})();
