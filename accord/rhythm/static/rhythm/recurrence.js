// The recurrence picker shows only the details its chosen schedule needs, and writes the
// rule it means into the "Advanced: rule" field as it is picked, so both always agree.
// Without script every field shows and the server writes the rule (accord/rhythm/picker.py).
document.addEventListener("DOMContentLoaded", () => {
  const repeat = document.getElementById("id_repeat");
  const rule = document.getElementById("id_rrule");
  if (!repeat || !rule) return;
  const form = repeat.form;
  const needs = { days: ["weekly", "biweekly"], ordinal: ["monthly_nth"], weekday: ["monthly_nth"] };
  // Held once (on the start date) has no end: "Ends on" is hidden and left out of the rule.
  const endless = ["once"];
  const workdays = "MO,TU,WE,TH,FR";
  const value = (name) => (form.elements[name] ? form.elements[name].value : "");
  const ruleFor = (pattern) => {
    if (pattern === "once") return "FREQ=DAILY;COUNT=1";
    if (pattern === "daily") return "FREQ=DAILY";
    if (pattern === "weekdays") return `FREQ=WEEKLY;BYDAY=${workdays}`;
    if (pattern === "weekly" || pattern === "biweekly") {
      const days = [...form.querySelectorAll('[name="days"]:checked')].map((box) => box.value);
      if (!days.length) return "";
      return `FREQ=WEEKLY${pattern === "biweekly" ? ";INTERVAL=2" : ""};BYDAY=${days.join(",")}`;
    }
    if (pattern === "monthly_nth") {
      return value("ordinal") && value("weekday")
        ? `FREQ=MONTHLY;BYDAY=${value("ordinal")}${value("weekday")}`
        : "";
    }
    if (pattern === "month_last_workday") return `FREQ=MONTHLY;BYDAY=${workdays};BYSETPOS=-1`;
    if (pattern === "quarter_last_workday") {
      return `FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=${workdays};BYSETPOS=-1`;
    }
    return "";
  };
  const show = () => {
    for (const [name, patterns] of Object.entries(needs)) {
      const input = form.querySelector(`[name="${name}"]`);
      const field = input && input.closest(".field");
      if (field) field.hidden = !patterns.includes(repeat.value);
    }
    const end = form.querySelector('[name="ends_on"]');
    const endField = end && end.closest(".field");
    if (endField) endField.hidden = endless.includes(repeat.value);
  };
  // "Ends on" is the rule's UNTIL: its day's last second, as the server writes it.
  const until = () => {
    const end = value("ends_on");
    if (endless.includes(repeat.value)) return "";
    return end ? `;UNTIL=${end.replaceAll("-", "")}T235959` : "";
  };
  const write = () => {
    const picked = ruleFor(repeat.value);
    if (picked) rule.value = picked + until();
  };
  form.addEventListener("change", (event) => {
    if (event.target === rule) return;
    if ([repeat.name, "days", "ordinal", "weekday", "ends_on"].includes(event.target.name)) {
      show();
      write();
    }
  });
  show();
});
