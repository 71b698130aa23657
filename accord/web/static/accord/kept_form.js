// What someone typed is not lost with the page, and when it comes back the page says so
// ("filled in again"). Two cases, one way of filling a form in again:
//
// A form sent after its person was signed out elsewhere was not saved: once they signed in
// again, its page gets what they typed (#kept-form, by accord/org/signed_out.py) and this
// fills it in again, in the form it was sent from (the one sent to the address the server
// names: a page of key results has one such form per row; of forms alike, the one whose
// data-kept-key fields match: a meeting's notes, per section), else in the form of the
// page that has the most of its fields. Hidden fields (the form's version, ids) keep the
// page's own, current values.
//
// A long text (a textarea of a form sent as a whole page: a check-in, a comment) is kept in
// this tab (sessionStorage, per page and form) as it is typed. A form sent while offline
// leaves the page for the browser's error page, which takes the page's place in the
// history; Back, or opening the page again, then finds the text filled in again. The draft
// is dropped once the form was sent and taken: the answer says it was saved (a success
// message), or redirected from the form's page without an error (a saved form leads on);
// a form refused (shown again, or a redirect with an error message) keeps it.
(() => {
  "use strict";
  const SKIP = new Set(["hidden", "submit", "button", "reset", "file", "password", "image"]);
  const SECRET = /password|token|secret|csrf/i;
  const DRAFT = "accord:draft:"; // + page | form's address | its number among those
  const SENT = "accord:draft-sent"; // {key, page}: a form with a draft was just sent
  const path = (url) => new URL(url, window.location.href).pathname;
  const actionOf = (form) =>
    path(form.getAttribute("hx-post") || form.getAttribute("action") || window.location.href);
  const pagePath = () => document.body.getAttribute("data-page-path") || window.location.pathname;
  const storage = () => {
    try {
      return window.sessionStorage;
    } catch {
      return null; // storage switched off: nothing kept, nothing breaks
    }
  };

  function say(form, text, id) {
    const said = document.createElement("p");
    said.className = "msg kept-form-said";
    if (id) said.id = id;
    said.setAttribute("role", "status");
    said.textContent = text;
    // Under a form of one line (a key result's row), not inside it.
    if (form.matches(".valueform, .row-form")) form.after(said);
    else form.prepend(said);
  }

  function fill(form, typed, only) {
    const used = {};
    for (const el of Array.from(form.elements)) {
      if (!el.name || !(el.name in typed) || SKIP.has(el.type) || (only && !only(el))) continue;
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
  }

  // --- A form sent signed out -------------------------------------------------------
  function keptForm() {
    const kept = document.getElementById("kept-form");
    if (!kept) return null;
    const typed = JSON.parse(kept.textContent);
    const meta = document.querySelector("meta[name=accord-kept-form-action]");
    const action = meta ? meta.getAttribute("content") : "";
    const fillable = (form) =>
      Array.from(form.elements).filter((el) => el.name && el.name in typed && !SKIP.has(el.type));
    const sameHidden = (form) =>
      Array.from(form.elements).filter(
        (el) => el.type === "hidden" && el.name in typed && typed[el.name].includes(el.value),
      ).length;
    let best = null;
    let most = [0, 0, 0];
    // A form of several alike (a meeting's notes, one per section) names the hidden fields
    // that tell it from the others (data-kept-key): only the one whose values match.
    const isIt = (form) =>
      (form.getAttribute("data-kept-key") || "").split(" ").filter(Boolean).every((name) => {
        const el = form.elements.namedItem(name);
        return el && name in typed && typed[name].includes(el.value);
      });
    for (const form of document.querySelectorAll("main form")) {
      const n = fillable(form).length;
      if (!n || !isIt(form)) continue;
      // The form sent to the same address first, then the one with the most hidden fields
      // as sent, then the one with the most of the fields.
      const score = [action && actionOf(form) === action ? 1 : 0, sameHidden(form), n];
      const better = score.findIndex((v, i) => v !== most[i]);
      if (better >= 0 && score[better] > most[better]) [best, most] = [form, score];
    }
    if (!best) return null;
    fill(best, typed);
    say(
      best,
      "You were signed out when you sent this form, so it was not saved. " +
        "What you typed is filled in again: check it and send it.",
      "kept-form-said",
    );
    return best;
  }

  // --- Drafts of long text ----------------------------------------------------------
  function draftForms() {
    const forms = Array.from(document.querySelectorAll("main form")).filter(
      (form) =>
        (form.getAttribute("method") || "").toLowerCase() === "post" &&
        !form.hasAttribute("hx-post") &&
        Array.from(form.querySelectorAll("textarea[name]")).some((t) => !SECRET.test(t.name)),
    );
    const counted = {};
    return forms.map((form) => {
      const action = actionOf(form);
      counted[action] = (counted[action] || 0) + 1;
      return { form, key: `${DRAFT}${login()}|${pagePath()}|${action}|${counted[action]}` };
    });
  }
  const boxes = (form) =>
    Array.from(form.querySelectorAll("textarea[name]")).filter((t) => !SECRET.test(t.name));
  function textOf(form) {
    const typed = {};
    for (const box of boxes(form)) (typed[box.name] = typed[box.name] || []).push(box.value);
    return typed;
  }

  // Drafts are the login's own: one of another login that used this tab (a shared computer,
  // someone signed out and another signed in) is never filled in, and is dropped.
  const login = () => document.body.getAttribute("data-login") || "";
  function dropOthers(store) {
    if (!login()) return; // a page signed out: nobody's to keep or drop
    const mine = `${DRAFT}${login()}|`;
    for (let i = store.length - 1; i >= 0; i--) {
      const key = store.key(i);
      if (key && key.startsWith(DRAFT) && !key.startsWith(mine)) store.removeItem(key);
    }
  }

  function drafts(store, filled) {
    dropOthers(store);
    const forms = draftForms();
    const keyOf = (form) => (forms.find((f) => f.form === form) || {}).key;
    // The outcome of a form just sent with a draft: taken (redirected from its page, or the
    // page says it was saved), or not (shown again refused, or never answered).
    const sent = JSON.parse(store.getItem(SENT) || "null");
    if (sent) {
      store.removeItem(SENT);
      const nav = (performance.getEntriesByType("navigation") || [])[0];
      const from = document.referrer ? path(document.referrer) : "";
      const redirected = nav && nav.type === "navigate" && nav.redirectCount > 0 && from === sent.page;
      const said = (level) => document.querySelector(`.messages .msg--${level}`);
      const saved = nav && nav.type === "navigate" && said("success");
      if (saved || (redirected && !said("error"))) store.removeItem(sent.key);
    }
    for (const { form, key } of forms) {
      const draft = JSON.parse(store.getItem(key) || "null");
      if (!draft || form === filled) continue;
      const now = textOf(form);
      const differs = Object.keys(draft).some((name) =>
        (draft[name] || []).some((v, i) => v.trim() && v !== (now[name] || [])[i]),
      );
      if (!differs) {
        store.removeItem(key); // the page shows it already (saved, or refused and shown again)
        continue;
      }
      fill(form, draft, (el) => el.tagName === "TEXTAREA");
      say(
        form,
        "What you typed here before was not saved, so it is filled in again: " +
          "check it and send it.",
      );
    }
    document.addEventListener("input", (e) => {
      const form = e.target.form;
      const key = e.target.tagName === "TEXTAREA" && form && keyOf(form);
      if (!key) return;
      const unchanged = boxes(form).every((box) => box.value === box.defaultValue);
      try {
        if (unchanged) store.removeItem(key);
        else store.setItem(key, JSON.stringify(textOf(form)));
      } catch {
        // full: this draft is not kept
      }
    });
    document.addEventListener("submit", (e) => {
      const key = keyOf(e.target);
      if (!key) return;
      // Looked at once the other listeners had their say (a question asked first).
      window.setTimeout(() => {
        if (!e.defaultPrevented) store.setItem(SENT, JSON.stringify({ key, page: pagePath() }));
      }, 0);
    });
  }

  function start() {
    const filled = keptForm();
    const store = storage();
    if (store) drafts(store, filled);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
