// "All day" hides the time and the duration while it is ticked: an all-day cadence is a
// date, not a meeting. Without script both fields stay visible and the server ignores them
// for an all-day cadence (accord/rhythm/forms.py, drop_time_if_all_day).
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-all-day]");
  if (!box) return;
  const fields = ["time", "duration_minutes"]
    .map((name) => box.form.elements[name])
    .filter(Boolean)
    .map((input) => input.closest(".field"));
  const show = () => {
    for (const field of fields) if (field) field.hidden = box.checked;
  };
  box.addEventListener("change", show);
  show();
});
