/* Printing (print.css): open what a reader of the paper would open (a chart's figures
   under "The same, as a table"; not a form folded away), put what a box holds on the paper
   as text, and say where and when the page was printed. Undone after printing. */
(function () {
  "use strict";
  var opened = [];

  function stamp() {
    var node = document.querySelector("[data-print-stamp]");
    if (!node) return;
    var when = new Date().toLocaleString(undefined, {
      year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
      timeZoneName: "short",
    });
    node.textContent = "Printed " + when + " from " + window.location.href;
  }

  // What a box holds as text on paper (`data-print-text-of`: the box's id), as typed now.
  function boxesAsText() {
    document.querySelectorAll("[data-print-text-of]").forEach(function (node) {
      var box = document.getElementById(node.getAttribute("data-print-text-of"));
      if (box) node.textContent = box.value.trim();
    });
  }

  function before() {
    stamp();
    boxesAsText();
    document.querySelectorAll("main details:not([open])").forEach(function (d) {
      if (d.querySelector("form, input, select, textarea, button")) return;
      d.open = true;
      opened.push(d);
    });
  }

  function after() {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  }

  window.addEventListener("beforeprint", before);
  window.addEventListener("afterprint", after);
  // Emulated print media (a headless browser's PDF, a test) fires no beforeprint.
  var media = window.matchMedia ? window.matchMedia("print") : null;
  if (media && media.addEventListener) {
    media.addEventListener("change", function (e) { if (e.matches) before(); else after(); });
  }
})();
