// A running meeting's notes are saved per section, in place. Notes typed but not saved
// yet are not lost to the page's other buttons (add an action item, finish…): each of
// those forms carries them as "notes:<section>" fields, which the server saves first.
// Leaving the page by a link with unsaved notes asks first.
document.addEventListener("DOMContentLoaded", () => {
  const agenda = document.querySelector("[data-meeting-actions]");
  if (!agenda) return;
  // The meeting's actions share one address but for their last part (".../notes/").
  const base = new URL(agenda.dataset.meetingActions, window.location.href).pathname
    .replace(/[^/]+\/$/, "");
  const boxes = () => Array.from(document.querySelectorAll("form.notes textarea"));
  const unsaved = () => boxes().filter((t) => t.value !== t.defaultValue);
  let leaving = false;

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.classList.contains("notes")) return;
    // Sent in place by htmx (an agenda line ticked or its action item closed): the page
    // stays, and its notes with it.
    if (form.hasAttribute("hx-post")) return;
    if (!new URL(form.action, window.location.href).pathname.startsWith(base)) return;
    for (const box of unsaved()) {
      const section = box.form.querySelector("input[name=section]").value;
      const field = document.createElement("input");
      field.type = "hidden";
      field.name = "notes:" + section;
      field.value = box.value;
      form.appendChild(field);
    }
    leaving = true;
  });
  // A section's notes saved in place are saved: no longer "unsaved".
  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt;
    if (!event.detail.successful || !form.classList || !form.classList.contains("notes")) return;
    const box = form.querySelector("textarea");
    if (box) box.defaultValue = box.value;
  });
  window.addEventListener("beforeunload", (event) => {
    if (leaving || unsaved().length === 0) return;
    event.preventDefault();
    event.returnValue = "";
  });
});
