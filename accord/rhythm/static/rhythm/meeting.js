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
      const base = document.createElement("input"); // what the box was loaded from
      base.type = "hidden";
      base.name = "base:" + section;
      base.value = box.form.querySelector("input[name=base]").value;
      form.appendChild(base);
    }
    leaving = true;
  });
  // Others take notes at the same time. Each box sends, with its text, the text it was
  // loaded from ("base"): the server merges what others saved since (rhythm/merge.py) and
  // answers the notes as stored, which the box then shows and is based on.
  const same = (a, b) => a.replace(/\r\n?/g, "\n") === b.replace(/\r\n?/g, "\n");
  const show = (form, text) => {
    const box = form.querySelector("textarea");
    box.value = text;
    box.defaultValue = box.value;
    form.querySelector("input[name=base]").value = box.value;
  };
  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = event.detail.elt;
    if (form.classList && form.classList.contains("notes")) {
      form.dataset.sent = form.querySelector("textarea").value;
    }
  });
  // Notes sent signed out are kept for the sign-in page, which the answer (HX-Redirect)
  // goes to: that box's notes are not lost by leaving, so leaving does not ask for them.
  document.addEventListener("htmx:beforeOnLoad", (event) => {
    const form = event.detail.elt;
    if (!form.classList || !form.classList.contains("notes")) return;
    if (!event.detail.xhr.getResponseHeader("HX-Redirect")) return;
    const box = form.querySelector("textarea");
    box.defaultValue = box.value;
  });
  // A section's notes saved in place are saved: no longer "unsaved".
  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt;
    if (!event.detail.successful || !form.classList || !form.classList.contains("notes")) return;
    const box = form.querySelector("textarea");
    const answer = new DOMParser().parseFromString(event.detail.xhr.responseText, "text/html");
    const stored = answer.querySelector("[data-notes]");
    const sent = form.dataset.sent ?? box.value;
    if (!stored) {
      box.defaultValue = box.value;
    } else if (same(box.value, sent)) {
      show(form, stored.textContent);
    } else {
      // Typed on while it was saving: still unsaved, and based on what was sent.
      form.querySelector("input[name=base]").value = sent;
      box.defaultValue = sent;
    }
  });
  // What others saved shows in the boxes without a reload: asked every few seconds, put
  // in each box its person is not typing in (one with unsaved notes is merged on save),
  // and said in the section's status ("Notes on Risks updated by Ana Ortiz."), once for
  // each change: a screen reader user hears that the box they are not in has changed.
  const live = agenda.dataset.notesLive;
  let polling = null;
  const say = (id, text) => {
    const status = document.getElementById(id);
    if (status) status.textContent = text;
  };
  for (const form of document.querySelectorAll("form.notes")) {
    form.dataset.heard = form.querySelector("input[name=base]").value;
  }
  const poll = async () => {
    let answer;
    try {
      const response = await fetch(live, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      answer = await response.json();
    } catch {
      return; // offline for a moment: asked again next time
    }
    if (!answer.running) {
      window.clearInterval(polling);
      say("agenda-status", "The meeting was finished: reload the page for its minutes.");
      return;
    }
    for (const form of document.querySelectorAll("form.notes")) {
      const box = form.querySelector("textarea");
      const section = form.querySelector("input[name=section]").value;
      const text = answer.notes[section] ?? "";
      const base = form.querySelector("input[name=base]");
      if (form.classList.contains("htmx-request")) continue;
      const news = !same(text, form.dataset.heard);
      form.dataset.heard = text;
      if (same(box.value, text)) continue;
      const title = form.querySelector("label").textContent.trim(); // "Notes on Risks"
      const by = answer.by && answer.by[section] ? ` by ${answer.by[section]}` : "";
      if (document.activeElement === box || !same(box.value, base.value)) {
        // Being typed in: kept as typed, and merged with theirs when saved.
        if (news) say(`saved-${section}`, `${title} updated${by}; yours are merged with them when you save.`);
        continue;
      }
      show(form, text);
      say(`saved-${section}`, `${title} updated${by}.`);
    }
  };
  if (live) polling = window.setInterval(poll, 5000);
  window.addEventListener("beforeunload", (event) => {
    if (leaving || unsaved().length === 0) return;
    event.preventDefault();
    event.returnValue = "";
  });
});
