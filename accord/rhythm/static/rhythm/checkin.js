// Keep the "ask with a dependency request" link in step with the blocker as it is typed:
// the team asked and the title (first line) follow the form; other parameters stay.
document.addEventListener("DOMContentLoaded", () => {
  const link = document.getElementById("dependency-offer");
  const text = document.getElementById("blockers");
  const team = document.getElementById("blocker_team");  // a team picker's search box
  if (!link || !text || !team) return;
  const chosen = () => {
    const held = team.closest("[data-picker]")?.querySelector("[data-picker-value]");
    return held ? held.value : team.value;
  };
  const update = () => {
    const url = new URL(link.href, window.location.href);
    const blocker = text.value.trim();
    const params = new URLSearchParams();
    const fresh = {
      provider_team: chosen(),
      title: blocker.split("\n")[0].trim().slice(0, 300),
      description: blocker.includes("\n") ? blocker : "",
    };
    for (const [name, value] of Object.entries(fresh)) if (value) params.set(name, value);
    for (const [name, value] of url.searchParams) if (!(name in fresh)) params.set(name, value);
    const query = params.toString();
    link.href = url.pathname + (query ? "?" + query : "");
  };
  text.addEventListener("input", update);
  team.addEventListener("change", update);
  team.addEventListener("input", update);  // typing clears the choice
  document.addEventListener("picker:chosen", update);
});

// Every answer's error in one submit: a team typed and not chosen holds the form back
// (shell.js asks for a choice from the list), and a number that is plainly none is said
// beside its field at the same time, not only after the team is put right. Only what is
// plainly not a number (a word, no digit at all) is marked here, and nothing is held back
// for it: the server reads the numbers (accord/rhythm/forms.py, CheckInNumberField) and
// shows every error beside its field.
document.addEventListener("DOMContentLoaded", () => {
  const numbers = Array.from(document.querySelectorAll("form.checkin input[data-number]"));
  if (!numbers.length) return;
  const form = numbers[0].form;
  const plainlyNone = (text) => {
    const value = text.trim();
    if (!value) return false;
    return !/\p{Nd}/u.test(value) || /[^\p{Nd}\s+\-.,'_eE\u00a0\u202f]/u.test(value);
  };
  const mark = (input) => {
    const id = `${input.id}-error`;
    let error = document.getElementById(id);
    if (!plainlyNone(input.value)) {
      // Only this check's own mark goes: the server's (a number out of bounds) stays.
      if (!error || !error.hasAttribute("data-client")) return;
      error.remove();
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      input.closest(".field")?.classList.remove("field--error");
      return;
    }
    if (!error) {
      error = document.createElement("small");
      error.className = "error";
      error.id = id;
      input.insertAdjacentElement("afterend", error);
    }
    error.setAttribute("data-client", "");
    error.textContent = `“${input.value.trim()}” is not a number.`;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
    input.closest(".field")?.classList.add("field--error");
  };
  // On the window, so that it runs before the check of the team boxes, which may stop it.
  window.addEventListener(
    "submit",
    (event) => {
      if (event.target === form) numbers.forEach(mark);
    },
    true,
  );
});
