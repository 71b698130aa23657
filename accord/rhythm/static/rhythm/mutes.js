// The settings page's groups of notices to mute come closed (a phone shows their names and
// how many are on); a screen wide enough for them in columns opens every group.
(function () {
  "use strict";
  if (!window.matchMedia("(min-width: 60rem)").matches) return;
  document.querySelectorAll("details.mutes__group").forEach(function (group) {
    group.open = true;
  });
})();
