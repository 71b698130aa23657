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
