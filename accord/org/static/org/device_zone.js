/* "Use this device's time zone" (a person's own profile): the browser's zone
   (Intl.DateTimeFormat().resolvedOptions().timeZone), chosen in the time zone select when
   the list offers it, under its place's own name. The button stays hidden when the browser names no zone or one the
   list does not offer. */
(function () {
  "use strict";

  function setUp() {
    var button = document.querySelector("[data-device-zone]");
    if (!button) return;
    var select = document.getElementById(button.getAttribute("data-device-zone"));
    var zone = "";
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) {
      zone = "";
    }
    if (!select || !zone) return;
    // A browser may name the zone by an older name of its place (Asia/Calcutta): the list
    // offers the place by its own name (Asia/Kolkata).
    var others = document.getElementById("device-zone-other-names");
    if (others) {
      try {
        zone = JSON.parse(others.textContent)[zone] || zone;
      } catch (e) {
        /* the list's own names only */
      }
    }
    var offered = Array.prototype.some.call(select.options, function (o) {
      return o.value === zone;
    });
    if (!offered) return;
    var said = button.querySelector("[data-device-zone-name]");
    if (said) said.textContent = zone;
    button.hidden = false;
    button.addEventListener("click", function () {
      select.value = zone;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      select.focus();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
