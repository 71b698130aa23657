// The settings page's groups of kinds of notice come closed (a phone shows their names and
// how many are on); a screen wide enough for them in columns opens every group. Each
// group's count follows its boxes as they are ticked, before the form is saved.
(function () {
  "use strict";
  var groups = document.querySelectorAll("details.mutes__group");
  groups.forEach(function (group) {
    var count = group.querySelector(".mutes__on");
    if (!count) return;
    group.addEventListener("change", function () {
      count.textContent = group.querySelectorAll("input[type=checkbox]:checked").length;
    });
  });
  if (!window.matchMedia("(min-width: 60rem)").matches) return;
  groups.forEach(function (group) {
    group.open = true;
  });
})();
