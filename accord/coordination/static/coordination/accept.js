// The accept form says, as the date or the initiative changes, when the committed date
// falls before the delivering initiative's target (the server asks again on submit).
(function () {
  "use strict";
  function fmt(iso) {
    var d = new Date(iso + "T00:00:00");
    return d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });
  }
  function check(form) {
    var targets = JSON.parse(form.dataset.targets || "{}");
    var select = form.querySelector("select[name=provider_initiative]");
    var date = form.querySelector("input[name=committed_date]");
    var note = form.querySelector(".accept-warning");
    if (!date || !note) return;
    var id = select ? select.value : form.dataset.initiative;
    var target = targets[id || form.dataset.initiative];
    if (target && date.value && date.value < target) {
      var name = select && select.value && select.selectedOptions[0] ? select.selectedOptions[0].text.split(" (")[0] : "the initiative";
      note.textContent = fmt(date.value) + " is before " + name + "'s target date (" + fmt(target) +
        "): the dependency would show at risk as soon as it is accepted.";
      note.hidden = false;
    } else {
      note.hidden = true;
    }
  }
  // Delegated: a team's inbox fetches its forms when their buttons are opened.
  function changed(e) {
    var form = e.target.closest && e.target.closest("form[data-targets]");
    if (form) check(form);
  }
  document.addEventListener("input", changed);
  document.addEventListener("change", changed);
})();
