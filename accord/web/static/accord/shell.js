/* What every page shares, as a static file so the Content Security Policy needs no inline
   script. Behaviour is declared in the templates with data- attributes:
     data-confirm="Question?"      on a form: asks before it is submitted
     data-autosubmit               on a select: submits its form when it changes
     data-select-on-click          on an input: selects its text when clicked
     data-back                     on a link: goes back in history (its href is the fallback)
     data-failure-target="ID"      on an htmx form: shows a failed request's answer in #ID
     data-style="width: 40%"       dynamic values, applied through the style object
   Top-bar menus: one open at a time; Escape or a click elsewhere closes them. */
(function () {
  "use strict";

  function applyStyles(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var nodes = Array.prototype.slice.call(scope.querySelectorAll("[data-style]"));
    if (scope.matches && scope.matches("[data-style]")) nodes.push(scope);
    nodes.forEach(function (el) { el.style.cssText = el.getAttribute("data-style"); });
  }

  function menus() {
    var all = document.querySelectorAll(".topbar details");
    function closeAll(except) { all.forEach(function (d) { if (d !== except) d.open = false; }); }
    all.forEach(function (d) { d.addEventListener("toggle", function () { if (d.open) closeAll(d); }); });
    document.addEventListener("click", function (e) {
      if (!e.target.closest(".topbar details")) closeAll(null);
    });
    document.addEventListener("keydown", function (e) {
      if (e.key !== "Escape") return;
      var open = document.querySelector(".topbar details[open]");
      if (open) { open.open = false; open.querySelector("summary").focus(); }
    });
  }

  // Delegated, so content that htmx swaps in later behaves the same.
  document.addEventListener("submit", function (e) {
    var form = e.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
  }, true);
  document.addEventListener("change", function (e) {
    var select = e.target.closest("[data-autosubmit]");
    if (select && select.form) select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
  });
  document.addEventListener("click", function (e) {
    var input = e.target.closest("[data-select-on-click]");
    if (input) input.select();
    var back = e.target.closest("a[data-back]");
    if (back && window.history.length > 1) { e.preventDefault(); window.history.back(); }
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.target.closest && e.target.closest("[data-failure-target]");
    if (!form || e.detail.successful) return;
    var out = document.getElementById(form.getAttribute("data-failure-target"));
    if (out) out.textContent = "Not saved: " + e.detail.xhr.responseText;
  });
  document.addEventListener("htmx:load", function (e) { applyStyles(e.target); });

  function start() { applyStyles(document); menus(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
