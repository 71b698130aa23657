// The recurrence picker shows only the details its chosen schedule needs (without script
// every field shows, and the server ignores the ones that do not apply).
document.addEventListener("DOMContentLoaded", () => {
  const repeat = document.getElementById("id_repeat");
  if (!repeat) return;
  const needs = {
    days: ["weekly", "biweekly"],
    ordinal: ["monthly_nth"],
    weekday: ["monthly_nth"],
  };
  const update = () => {
    for (const [name, patterns] of Object.entries(needs)) {
      const input = document.querySelector(`[name="${name}"]`);
      const field = input && input.closest(".field");
      if (field) field.hidden = !patterns.includes(repeat.value);
    }
  };
  repeat.addEventListener("change", update);
  update();
});
