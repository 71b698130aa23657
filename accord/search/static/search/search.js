/* Find anything (search/_topbar.html), as a static file so the Content Security Policy
   needs no inline script:
     [data-search]            a search form whose box htmx answers as you type; arrows move
                              through the results, Enter opens one (or the results page),
                              Escape closes the list
     [data-palette-open]      opens the Ctrl/⌘-K palette (#palette)
     [data-shortcut="x"]      a link in the shortcuts dialog (#shortcuts) that "g x" follows
   Keys anywhere but in a text field: "/" search, "?" shortcuts, "g" then a letter to go. */
(function () {
  "use strict";

  function formOf(el) { return el && el.closest ? el.closest("[data-search]") : null; }
  function parts(form) {
    var input = form.querySelector("[data-search-input]");
    return { input: input, list: document.getElementById(input.getAttribute("aria-controls")) };
  }
  function options(list) { return Array.prototype.slice.call(list.querySelectorAll("[role=option]")); }
  function close(form) {
    var p = parts(form);
    p.list.hidden = true;
    p.input.setAttribute("aria-expanded", "false");
    p.input.removeAttribute("aria-activedescendant");
  }
  function activate(form, index) {
    var p = parts(form), all = options(p.list);
    if (!all.length) return;
    index = (index + all.length) % all.length;
    all.forEach(function (o, i) {
      o.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    p.input.setAttribute("aria-activedescendant", all[index].id);
    all[index].scrollIntoView({ block: "nearest" });
  }
  function open(option) { window.location.assign(option.getAttribute("data-href")); }

  document.addEventListener("htmx:afterSwap", function (e) {
    var form = formOf(e.target);
    if (!form) return;
    var p = parts(form);
    if (e.target !== p.list) return;
    var filled = p.input.value.trim() !== "";
    p.list.hidden = !filled;
    p.input.setAttribute("aria-expanded", filled ? "true" : "false");
    p.input.removeAttribute("aria-activedescendant");
    // In the palette the first result is chosen as it comes, so Enter goes there ("peo",
    // Enter: People), as palettes do; the top bar's Enter still opens the results page.
    if (filled && form.closest("dialog")) activate(form, 0);
  });
  document.addEventListener("keydown", function (e) {
    var form = formOf(e.target);
    if (!form || !e.target.matches("[data-search-input]")) return;
    var p = parts(form), all = options(p.list);
    var current = all.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (p.list.hidden && all.length) { p.list.hidden = false; p.input.setAttribute("aria-expanded", "true"); }
      activate(form, current + (e.key === "ArrowDown" ? 1 : current < 0 ? 0 : -1));
    } else if (e.key === "Enter") {
      if (current >= 0 && !p.list.hidden) { e.preventDefault(); open(all[current]); }
      else if (!p.input.value.trim()) e.preventDefault();
    } else if (e.key === "Escape" && !p.list.hidden && !form.closest("dialog")) {
      e.preventDefault();
      close(form);
    }
  });
  document.addEventListener("click", function (e) {
    var option = e.target.closest && e.target.closest("[data-search] [role=option]");
    if (option) { e.preventDefault(); open(option); return; }
    document.querySelectorAll(".topsearch[data-search]").forEach(function (form) {
      if (!form.contains(e.target)) close(form);
    });
    if (e.target.closest && e.target.closest("[data-palette-open]")) openPalette();
  });

  function openPalette() {
    var dialog = document.getElementById("palette");
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    var input = dialog.querySelector("[data-search-input]");
    input.focus();
    input.select();
  }
  function openShortcuts() {
    var dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open) dialog.showModal();
  }
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  var pendingG = 0;
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === "k" || e.key === "K")) {
      e.preventDefault();
      openPalette();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || typing(e.target)) return;
    if (document.querySelector("dialog[open]")) {
      pendingG = 0;
      return;
    }
    if (pendingG && Date.now() - pendingG < 1500) {
      pendingG = 0;
      var link = document.querySelector('#shortcuts [data-shortcut="' + e.key.toLowerCase() + '"]');
      if (link) { e.preventDefault(); window.location.assign(link.getAttribute("href")); }
      return;
    }
    pendingG = 0;
    if (e.key === "g") { pendingG = Date.now(); return; }
    if (e.key === "/") {
      var box = document.getElementById("topsearch-q");
      e.preventDefault();
      if (box && box.offsetParent !== null) box.focus(); else openPalette();
    } else if (e.key === "?") {
      e.preventDefault();
      openShortcuts();
    }
  });
})();
