// The accept and propose forms say, as the date or the initiative changes, when the date
// falls after the asking team's need-by date, or (accepting) before the delivering
// initiative's target (where it would then show at risk; the accept form's box to go ahead
// anyway shows with the warning, coordination.css, and the server asks again on submit
// without it; a later date proposed only moves the need-by if agreed).
(function () {
  "use strict";
  function fmt(iso) {
    var d = new Date(iso + "T00:00:00");
    return d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });
  }
  function days(from, to) {
    var n = Math.round((new Date(to + "T00:00:00") - new Date(from + "T00:00:00")) / 86400000);
    return n + (n === 1 ? " day" : " days");
  }
  function needByGap(form, value) {
    var need = form.dataset.needBy;
    if (!need || !value || value <= need || value === form.dataset.agreed) return "";
    var asker = form.dataset.asker;
    var proposing = form.dataset.action === "propose";
    var gap = asker + " needs this by " + fmt(need) + "; you are " +
      (proposing ? "proposing " : "committing to ") + fmt(value) + ", " + days(need, value) + " later";
    if (!proposing) return gap + ": it will show at risk as soon as it is accepted.";
    if (form.dataset.milestone) {
      return gap + ", and its need-by follows a milestone: it would show at risk once agreed.";
    }
    return gap + ": if " + asker + " agrees, it gets it then and its need-by moves to " +
      fmt(value) + ".";
  }
  function targetGap(form, value) {
    var targets = JSON.parse(form.dataset.targets || "{}");
    var select = form.querySelector("select[name=provider_initiative]");
    var id = select ? select.value : form.dataset.initiative;
    var initiative = targets[id || form.dataset.initiative];
    if (form.dataset.action !== "accept" || !initiative || !value || value >= initiative.target) {
      return "";
    }
    return fmt(value) + " is before " + initiative.title + "'s target date (" +
      fmt(initiative.target) + "): the dependency would show at risk as soon as it is accepted.";
  }
  function check(form) {
    var date = form.querySelector("input[name=committed_date], input[name=proposed_date]");
    var note = form.querySelector(".accept-warning");
    if (!date || !note) return;
    var text = [needByGap(form, date.value), targetGap(form, date.value)].filter(Boolean).join(" ");
    var box = form.querySelector("input[type=checkbox][name=accept_at_risk]");
    if (box && text) text += " Choose another date, or tick the box to accept anyway.";
    note.textContent = text;
    note.hidden = !text;
    if (box && !box.getClientRects().length) box.checked = false; // hidden with the warning
  }
  // Delegated: a team's inbox fetches its forms when their buttons are opened.
  function changed(e) {
    var form = e.target.closest && e.target.closest("form[data-need-by]");
    if (form) check(form);
  }
  document.addEventListener("input", changed);
  document.addEventListener("change", changed);
})();
