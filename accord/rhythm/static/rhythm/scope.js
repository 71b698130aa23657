// The cadence forms show only the team fields the chosen scope uses: "Team" for one team
// or a team and its sub-teams, "Teams" for a set of teams, neither for the whole
// organization. Without script both show and the server reads only the one the scope
// uses (and refuses a scope without its teams: accord/rhythm/services.py, _check_scope).
// "Participants" (everyone, or the teams' leads only) is for several teams: hidden for one
// team, whose meeting is everyone in it (set back to everyone, as the server requires).
document.addEventListener("DOMContentLoaded", () => {
  const scope = document.getElementById("id_scope");
  if (!scope || !scope.form) return;
  const form = scope.form;
  const uses = {
    team: ["team", "subtree"],
    teams: ["teams"],
    participation: ["subtree", "teams", "org"],
  };
  const fieldOf = (name) => {
    const input = document.getElementById(`id_${name}`);
    return input && form.contains(input) ? input.closest(".field") : null;
  };
  const show = () => {
    for (const [name, scopes] of Object.entries(uses)) {
      const field = fieldOf(name);
      if (field) field.hidden = !scopes.includes(scope.value);
    }
    const everyone = document.getElementById("id_participation");
    if (everyone && fieldOf("participation")?.hidden) everyone.value = "everyone";
  };
  scope.addEventListener("change", show);
  // Text typed in a hidden field's search box and never chosen names nothing the scope
  // uses: it must not hold the form back (shell.js asks for a choice from the list).
  // Registered on the window, so that it runs before the page's own check of the boxes.
  window.addEventListener(
    "submit",
    (event) => {
      if (event.target !== form) return;
      for (const field of form.querySelectorAll(".field[hidden]")) {
        for (const box of field.querySelectorAll("[data-picker]")) {
          const held = box.querySelector("[data-picker-value]");
          const text = box.querySelector("[data-picker-input]");
          if (text && !(held && held.value)) text.value = "";
        }
      }
    },
    true,
  );
  show();
});
