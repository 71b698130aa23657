// Inline validation: forms marked data-validate ask the server (?validate=1, no write)
// and show each field's messages under it as soon as the person leaves the field.
(function () {
  function slot(field) {
    var box = field.closest(".field");
    if (!box) return null;
    var msg = box.querySelector("small.error");
    if (!msg) {
      msg = document.createElement("small");
      msg.className = "error";
      msg.id = field.id + "_error";  // Django's own: the aria-describedby it renders names it
      msg.setAttribute("aria-live", "polite");
      box.appendChild(msg);
    }
    return msg;
  }
  function show(form, errors, touched) {
    form.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (field) {
      if (!touched.has(field.name) || field.type === "hidden") return;
      var messages = errors[field.name] || [];
      var box = field.closest(".field");
      var msg = slot(field);
      if (!msg) return;
      msg.textContent = messages.join(" ");
      msg.hidden = messages.length === 0;
      if (box) box.classList.toggle("field--error", messages.length > 0);
      if (messages.length) {
        field.setAttribute("aria-invalid", "true");
        var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        if (described.indexOf(msg.id) < 0) described.push(msg.id);  // after its help text
        field.setAttribute("aria-describedby", described.join(" "));
      } else {
        field.removeAttribute("aria-invalid");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-validate]").forEach(function (form) {
      var touched = new Set();
      var latest = 0;  // answers can arrive out of order: only the newest one is shown
      form.addEventListener("change", function (event) {
        if (!event.target.name) return;
        touched.add(event.target.name);
        var url = new URL(form.action || window.location.href, window.location.href);
        url.searchParams.set("validate", "1");
        var asked = ++latest;
        fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { errors: {} }; })
          .then(function (data) { if (asked === latest) show(form, data.errors || {}, touched); })
          .catch(function () {});
      });
    });
  });
})();

// An organization objective belongs to no team: where a form has both a Level and a Team
// field (a select or a search box, `web/widgets/picker.html`), choosing Organization
// clears the team and hides its field (the server refuses an organization objective with a
// team); choosing Team shows it again, to fill in.
(function () {
  function follow(level, box) {
    var org = level.value === "org";
    box.hidden = org;
    box.style.display = org ? "none" : "";  // (a field's own display would show it)
    box.querySelectorAll("input, select").forEach(function (el) {
      if (org) el.value = "";
      el.disabled = org;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      var level = form.querySelector("select[name='level']");
      var team = form.querySelector("[name='team']");
      var box = team && team.closest(".field");
      if (!level || !box || level.disabled) return;
      follow(level, box);
      level.addEventListener("change", function () { follow(level, box); });
    });
  });
})();
