// Keep the "ask with a dependency request" link in step with the blocker as it is typed:
// the team asked and the title (first line) follow the form; other parameters stay.
document.addEventListener("DOMContentLoaded", () => {
  const link = document.getElementById("dependency-offer");
  const text = document.getElementById("blockers");
  const team = document.getElementById("blocker_team");
  if (!link || !text || !team) return;
  const update = () => {
    const url = new URL(link.href, window.location.href);
    const blocker = text.value.trim();
    const params = new URLSearchParams();
    const fresh = {
      provider_team: team.value,
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
});
