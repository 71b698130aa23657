// A form sent after its person was signed out elsewhere was not saved: once they signed in
// again, its page gets what they typed (#kept-form, by accord/org/signed_out.py) and this
// fills it in again, in the form of the page that has the most of its fields, and says so.
// Hidden fields (the form's version, ids) keep the page's own, current values.
document.addEventListener("DOMContentLoaded", () => {
  const kept = document.getElementById("kept-form");
  if (!kept) return;
  const typed = JSON.parse(kept.textContent);
  const skip = new Set(["hidden", "submit", "button", "reset", "file", "password", "image"]);
  const fillable = (form) =>
    Array.from(form.elements).filter((el) => el.name && el.name in typed && !skip.has(el.type));
  let best = null;
  let most = 0;
  for (const form of document.querySelectorAll("main form")) {
    const n = fillable(form).length;
    if (n > most) [best, most] = [form, n];
  }
  if (!best) return;
  const used = {};
  for (const el of fillable(best)) {
    const values = typed[el.name];
    if (el.type === "checkbox" || el.type === "radio") {
      el.checked = values.includes(el.value);
    } else if (el.tagName === "SELECT") {
      for (const option of el.options) option.selected = values.includes(option.value);
    } else {
      const i = used[el.name] || 0; // a name repeated: its values in order
      if (i < values.length) el.value = values[i];
      used[el.name] = i + 1;
    }
  }
  const said = document.createElement("p");
  said.className = "msg";
  said.id = "kept-form-said";
  said.setAttribute("role", "status");
  said.textContent =
    "You were signed out when you sent this form, so it was not saved. " +
    "What you typed is filled in again: check it and send it.";
  best.prepend(said);
});
