/* What every page shares, as a static file so the Content Security Policy needs no inline
   script. Behaviour is declared in the templates with data- attributes:
     data-confirm="Question?"      on a form: asks before it is submitted
     data-autosubmit               on a select: submits its form when it changes
     data-select-on-click          on an input: selects its text when clicked
     data-copy="ID"                on a button (rendered hidden: it needs this script):
                                   copies input #ID's value, says "Copied" for a moment
     data-back                     on a link: goes back in history (its href is the fallback)
     data-failure-target="ID"      on an htmx form: says why a request failed in #ID (else
                                   in a status line put after the form: failureRegion)
     data-request-said             what an htmx answer said (a row's "Recorded"): emptied
                                   when the form in the part it replaces sends the next one
     data-style="width: 40%"       dynamic values, applied through the style object
     data-picker                   a form field's search box (accord/web/pickers.py): htmx
                                   fetches the matches; arrows, Enter and Escape choose
                                   (Enter: the one highlighted, else the only match);
                                   text left typed and not chosen is matched exactly on
                                   leaving the box or submitting, else marked invalid
     data-page-path="/o/…/"        on the body: the page's own address (see ownAddress)
     data-error-summary            on a refused form's error summary (web/_form.html): the
                                   page opens with the keyboard on it (below, refusedFocus)
     data-say="Recorded 99.94 %"   on an empty live region htmx swaps in: written in just
                                   after, so that screen readers read it (sayNew)
     data-messages-here            on a live region: the page's messages (.messages) are said
                                   there when the keyboard is in its part (sayMessages)
     data-anchor="dep-12"          the element a #dep-12 fragment names when no id does
     data-more                     on an htmx "Load more": the keyboard goes to the first row
                                   it brings
   Top-bar menus: one open at a time; Escape, a click elsewhere or the keyboard's focus
   leaving one (Tab) closes it. Escape closes a dialog, from its search box too. GET forms
   show what the address asks for, after Back too (servedForms). */
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
    all.forEach(function (d) {
      d.addEventListener("toggle", function () { if (d.open) closeAll(d); });
      // Tabbing out of an open menu closes it, so it does not cover what has the focus now.
      // (No relatedTarget: a click on nothing focusable, which the click handler judges.)
      d.addEventListener("focusout", function (e) {
        if (d.open && e.relatedTarget && !d.contains(e.relatedTarget)) d.open = false;
      });
    });
    document.addEventListener("click", function (e) {
      if (!e.target.closest(".topbar details")) closeAll(null);
    });
    document.addEventListener("keydown", function (e) {
      if (e.key !== "Escape") return;
      var open = document.querySelector(".topbar details[open]");
      if (open) { open.open = false; open.querySelector("summary").focus(); }
    });
  }

  // A form already sent and not answered yet (data-sending, see sendOnce below) is not
  // sent again, nor asked about again.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.hasAttribute && form.hasAttribute("data-sending")) { e.preventDefault(); e.stopImmediatePropagation(); }
  }, true);
  // Delegated, so content that htmx swaps in later behaves the same. A picker's text left
  // unchosen is settled first (pickerSubmit): registered before the confirmation, so that
  // a form asks once, after its pickers are settled.
  document.addEventListener("submit", pickerSubmit, true);
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
    var copy = e.target.closest("button[data-copy]");
    if (copy) copyValue(copy);
    var back = e.target.closest("a[data-back]");
    if (back && window.history.length > 1) { e.preventDefault(); window.history.back(); }
  });
  document.addEventListener("htmx:load", function (e) {
    applyStyles(e.target); showCopyButtons(e.target);
    if (e.target !== document.body) sayNew(e.target);
  });

  // In place (htmx): what is being sent shows it (app.css: .htmx-request, aria-busy), its
  // form's buttons wait for the answer (a second click sends nothing twice), and a request
  // that fails says why in words beside what sent it, never the answer's HTML: in the
  // form's data-failure-target if it has one, else in a status line put after it (or in a
  // picker's own status). What was typed stays in its boxes. Whatever the last request
  // said there (data-request-said: a row's "Recorded", its refusal) goes when the next
  // one is sent. A form sent signed out goes to the sign-in page (HX-Redirect: the org
  // middleware), which brings what was typed back (kept_form.js).
  function failureRegion(elt, make) {
    var form = elt.closest("form") || elt;
    var id = form.getAttribute("data-failure-target");
    if (id) return document.getElementById(id);
    var picker = elt.closest("[data-picker]");
    if (picker) return picker.querySelector("[data-picker-status]");
    var after = form.nextElementSibling;
    if (after && after.hasAttribute("data-request-failure")) return after;
    if (!make || elt.closest(".topbar, dialog")) return null;
    var region = document.createElement("small");
    region.className = "error request-failure";
    region.setAttribute("data-request-failure", "");
    region.setAttribute("role", "status");  // empty as it arrives: what is written in is read
    form.after(region);
    return region;
  }
  function saidBefore(elt, part) {
    var region = failureRegion(elt, false);
    if (region && region.hasAttribute("data-failure-said")) {
      region.textContent = ""; region.removeAttribute("data-failure-said");
    }
    // The part the answer replaces, when the form is in it (a key result's row).
    if (!part || !part.contains(elt)) return;
    part.querySelectorAll("[data-request-said]").forEach(function (el) {
      el.textContent = ""; el.removeAttribute("data-say"); el.hidden = true;
      if (el.id) part.querySelectorAll('[aria-describedby~="' + el.id + '"]').forEach(function (box) {
        box.removeAttribute("aria-invalid");
      });
    });
  }
  function plainAnswer(xhr) {
    var type = xhr.getResponseHeader("Content-Type") || "", text = (xhr.responseText || "").trim();
    if (/json/i.test(type)) {  // the API's error shape
      try {
        var error = JSON.parse(text).error;
        return error && typeof error.message === "string" ? error.message : "";
      } catch (err) { return ""; }
    }
    // A sentence (text/plain, or a view's short message sent as it is), never markup.
    if (text && text.length <= 500 && (/^text\/plain/i.test(type) || !/[<>]/.test(text))) return text;
    return "";
  }
  function whyFailed(e) {
    var xhr = e.detail.xhr, config = e.detail.requestConfig || {};
    var saving = (config.verb || "get").toLowerCase() !== "get";
    var not = saving ? "Not saved: " : "Not loaded: ";
    var kept = saving ? " — what you typed is kept; try again." : "; try again.";
    if (e.type === "htmx:sendError") return not + "no connection" + kept;
    if (e.type === "htmx:timeout") {
      return saving ? "No answer in time, so it may not be saved — what you typed is kept; try again."
        : "Not loaded: no answer in time; try again.";
    }
    var status = xhr.status;
    if (status === 503) return not + "Accord is busy for a moment" + kept;
    if (status === 502 || status === 504) return not + "Accord could not be reached" + kept;
    if (status >= 500) return not + "something went wrong on Accord's side (error " + status + ")" + kept;
    var said = plainAnswer(xhr);
    if (said) return not + said.replace(/^not saved:\s*/i, "");
    var known = {
      400: "the request was not understood; reload the page and try again.",
      403: "you may not do this, or the page is out of date; reload it and try again.",
      404: "it is no longer there; reload the page.",
      409: "it was changed meanwhile; reload the page to see it.",
      412: "it was changed meanwhile; reload the page to see it.",
      413: "what was sent is too large.",
      429: "too many at once; wait a moment and try again."
    };
    return not + (known[status] || "Accord refused it (error " + status + ").");
  }
  function inFlight(elt, on) {
    if (on) elt.setAttribute("aria-busy", "true"); else elt.removeAttribute("aria-busy");
    if (elt.matches("form")) waiting(elt, on);
  }
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail.elt;
    saidBefore(elt, e.detail.target);
    inFlight(elt, true);
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var elt = e.detail.elt;
    // On its way to another page (HX-Redirect): still waiting, unless the page stays (its
    // person chose to stay when asked about unsaved changes).
    if (!e.detail.keepIndicators) { inFlight(elt, false); return; }
    window.setTimeout(function () { inFlight(elt, false); elt.classList.remove("htmx-request"); }, 5000);
  });
  document.addEventListener("htmx:beforeSwap", function (e) {
    var elt = e.detail.requestConfig && e.detail.requestConfig.elt;
    if (elt && e.detail.shouldSwap && !e.detail.isError) saidBefore(elt, null);
  });
  ["htmx:sendError", "htmx:responseError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function (e) {
      var elt = e.detail.elt;
      if (!elt || !elt.isConnected) return;
      var region = failureRegion(elt, true), text = whyFailed(e);
      if (!region) return;
      // A region just made is known to screen readers only once it is in the page.
      region.setAttribute("data-failure-said", "");
      window.setTimeout(function () { region.textContent = text; }, region.textContent === "" && !region.id ? 50 : 0);
    });
  });

  // sendOnce. A form is sent once: a second click, or Enter again, while its answer is on
  // its way sends nothing (data-sending: the guard at the top). Its buttons say they wait
  // (aria-disabled, not disabled: the one clicked keeps the keyboard, and htmx gives it
  // back in the row that comes). A form sent as a whole page is marked just after it went
  // (its own handlers, a question, may have stopped it), and again free if the page stays
  // (an answer that is a download) or comes back from the back-forward cache.
  function waiting(form, on) {
    var buttons = Array.prototype.slice.call(form.querySelectorAll("button, input[type=submit]"));
    if (form.id) buttons = buttons.concat(Array.prototype.slice.call(document.querySelectorAll('[form="' + form.id + '"]')));
    if (on) form.setAttribute("data-sending", ""); else form.removeAttribute("data-sending");
    buttons.forEach(function (b) {
      if (b.type === "button" || b.type === "reset") return;
      if (on && !b.disabled && !b.hasAttribute("aria-disabled")) {
        b.setAttribute("aria-disabled", "true"); b.setAttribute("data-in-flight", "");
      } else if (!on && b.hasAttribute("data-in-flight")) {
        b.removeAttribute("aria-disabled"); b.removeAttribute("data-in-flight");
      }
    });
  }
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || (form.getAttribute("method") || "").toLowerCase() !== "post") return;
    if (form.hasAttribute("hx-post") || form.target && form.target !== "_self") return;
    window.setTimeout(function () {
      if (e.defaultPrevented) return;
      form.setAttribute("aria-busy", "true");
      waiting(form, true);
      window.setTimeout(function () { form.removeAttribute("aria-busy"); waiting(form, false); }, 20000);
    }, 0);
  });
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) return;
    document.querySelectorAll("form[data-sending]").forEach(function (form) {
      form.removeAttribute("aria-busy"); waiting(form, false);
    });
  });

  // A live region that htmx swaps in (a key result's row after its value was recorded, the
  // count of a filtered list) comes with what to say in data-say, and empty: screen readers
  // read what is written into a region they already know, not the text one arrives with.
  function sayNew(root) {
    var regions = Array.prototype.slice.call(root.querySelectorAll ? root.querySelectorAll("[data-say]") : []);
    if (root.matches && root.matches("[data-say]")) regions.push(root);
    if (!regions.length) return;
    window.setTimeout(function () {
      regions.forEach(function (region) {
        region.textContent = region.getAttribute("data-say");
        region.removeAttribute("data-say");
      });
    }, 150);
  }

  // Copy buttons: a one-time secret (a token, a sign-in link) copied in one click. Shown
  // only where this script runs; the input stays selectable by hand everywhere.
  function showCopyButtons(root) {
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll("button[data-copy]").forEach(function (b) { b.hidden = false; });
  }
  function copyValue(button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) return;
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    function said(text) {
      button.textContent = text;
      window.setTimeout(function () { button.textContent = label; }, 2000);
    }
    function byHand() {  // outside a secure context (plain http), or the clipboard refused
      input.select();
      said(document.execCommand && document.execCommand("copy") ? "Copied" : "Press Ctrl+C");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(function () { said("Copied"); }, byHand);
    } else {
      byHand();
    }
  }

  // Pickers: a search box over a listbox of matches that htmx fills (web/widgets/picker.html).
  function pickerOf(el) { return el && el.closest ? el.closest("[data-picker]") : null; }
  function pickerParts(p) {
    return {
      input: p.querySelector("[data-picker-input]"),
      list: p.querySelector("[role=listbox]"),
      value: p.querySelector("[data-picker-value]"),
      status: p.querySelector("[data-picker-status]")
    };
  }
  function pickerOptions(list) { return Array.prototype.slice.call(list.querySelectorAll("[role=option]")); }
  function pickerClose(p) {
    var parts = pickerParts(p);
    parts.list.hidden = true;
    parts.input.setAttribute("aria-expanded", "false");
    parts.input.removeAttribute("aria-activedescendant");
  }
  function pickerActivate(p, index) {
    var parts = pickerParts(p), options = pickerOptions(parts.list);
    if (!options.length) return;
    index = (index + options.length) % options.length;
    options.forEach(function (o, i) {
      o.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    parts.input.setAttribute("aria-activedescendant", options[index].id);
    options[index].scrollIntoView({ block: "nearest" });
  }
  function pickerChoose(p, option) {
    var parts = pickerParts(p), value = option.getAttribute("data-value");
    var label = option.getAttribute("aria-label") || option.textContent.trim();
    if (p.hasAttribute("data-picker-multiple")) {
      var chosen = p.querySelector(".picker__chosen");
      var present = chosen.querySelector("input[value='" + value + "']");
      if (!present) {
        var li = document.createElement("li"), hidden = document.createElement("input");
        var span = document.createElement("span"), remove = document.createElement("button");
        hidden.type = "hidden"; hidden.name = p.getAttribute("data-picker-name"); hidden.value = value;
        span.textContent = label;
        remove.type = "button"; remove.className = "linklike"; remove.textContent = "×";
        remove.setAttribute("data-picker-remove", ""); remove.setAttribute("aria-label", "Remove " + label);
        li.appendChild(hidden); li.appendChild(span); li.appendChild(document.createTextNode(" ")); li.appendChild(remove);
        chosen.appendChild(li);
      }
      parts.input.value = "";
    } else {
      parts.value.value = value;
      parts.input.value = label;
    }
    parts.status.textContent = "Chosen: " + label;
    // An answer still on its way (to what was typed before the choice) must not reopen it.
    parts.input.setAttribute("data-picker-chosen", "");
    pickerClose(p);
    p.dispatchEvent(new CustomEvent("picker:chosen", { bubbles: true, detail: { value: value, label: label } }));
  }
  // Text typed and not chosen (a single picker with no choice, or text left in a multiple
  // one's box): never dropped. The match named exactly that (any case; `data-exact` from
  // the server) is chosen if there is exactly one; else the box says "Choose a team from
  // the list" and the form is not sent. The server does the same with the text it gets
  // (`<name>_text`), for a browser without script.
  function pickerUnchosen(p) {
    var parts = pickerParts(p), text = parts.input.value.replace(/\s+/g, " ").trim();
    if (!text || (parts.value && parts.value.value)) return "";
    return text;
  }
  function pickerMark(p, invalid) {
    var parts = pickerParts(p), error = p.querySelector("[data-picker-error]");
    var message = invalid ? p.getAttribute("data-picker-not-chosen") || "Choose from the list" : "";
    var input = parts.input, described = (input.getAttribute("aria-describedby") || "").split(" ");
    described = described.filter(function (id) { return id && (!error || id !== error.id); });
    if (invalid && error) described.push(error.id);
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    else input.removeAttribute("aria-describedby");
    input.setCustomValidity(message);
    if (invalid) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    if (error) { error.textContent = message; error.hidden = !invalid; }
  }
  // A promise of whether the picker holds no unchosen text once settled.
  function pickerSettle(p) {
    var text = pickerUnchosen(p);
    if (!text) { pickerMark(p, false); return Promise.resolve(true); }
    if (p.pickerSettling && p.pickerSettling.text === text) return p.pickerSettling.promise;
    var parts = pickerParts(p), url = parts.input.getAttribute("hx-get");
    url += (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(text) +
      "&list=" + encodeURIComponent(parts.list.id);
    var promise = fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (answer) { return answer.ok ? answer.text() : ""; })
      .catch(function () { return ""; })
      .then(function (html) {
        if (pickerUnchosen(p) !== text) return !pickerUnchosen(p);  // changed meanwhile
        var holder = document.createElement("template");
        holder.innerHTML = html;
        var exact = holder.content.querySelectorAll("[role=option][data-exact]");
        if (exact.length === 1) {
          pickerChoose(p, exact[0]);
          pickerMark(p, false);
          return true;
        }
        pickerMark(p, true);
        return false;
      });
    p.pickerSettling = { text: text, promise: promise };
    promise.then(function () { if (p.pickerSettling && p.pickerSettling.promise === promise) p.pickerSettling = null; });
    return promise;
  }
  function pickerSubmit(e) {
    var form = e.target;
    if (!form.querySelectorAll) return;
    var open = Array.prototype.filter.call(form.querySelectorAll("[data-picker]"), function (p) {
      return pickerUnchosen(p);
    });
    if (!open.length) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    var submitter = e.submitter && e.submitter.form === form ? e.submitter : null;
    Promise.all(open.map(pickerSettle)).then(function (settled) {
      var refused = open.filter(function (p, i) { return !settled[i]; });
      if (!refused.length) {
        if (form.requestSubmit) form.requestSubmit(submitter || undefined); else form.submit();
        return;
      }
      var input = pickerParts(refused[0]).input;
      input.focus();
      input.reportValidity();
    });
  }
  document.addEventListener("htmx:configRequest", function (e) {
    var input = e.detail.elt;
    if (!input.matches || !input.matches("[data-picker-input]")) return;
    e.detail.parameters.q = input.value;
    e.detail.parameters.list = input.getAttribute("aria-controls");
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    var p = pickerOf(e.target);
    if (!p || !e.target.matches("[role=listbox]")) return;
    var parts = pickerParts(p), options = pickerOptions(parts.list), n = options.length;
    // A later answer (to the same text, or one overtaken by it) keeps the match the arrow keys
    // highlighted, so Enter still chooses it; a match no longer listed is let go.
    var active = options.findIndex(function (o) { return o.id === parts.input.getAttribute("aria-activedescendant"); });
    if (active >= 0) pickerActivate(p, active);
    else parts.input.removeAttribute("aria-activedescendant");
    if (document.activeElement !== parts.input || parts.input.hasAttribute("data-picker-chosen")) return;
    // The matches fetched as the box got the focus wait for the arrow keys, typing or a click:
    // tabbing through a form does not open a list over the next fields at every box.
    var cause = e.detail.requestConfig && e.detail.requestConfig.triggeringEvent;
    if (cause && cause.type === "focus" && !parts.input.hasAttribute("data-picker-pointer")) return;
    parts.list.hidden = false;
    parts.input.setAttribute("aria-expanded", "true");
    parts.status.textContent = n ? n + " match" + (n === 1 ? "" : "es") + ", use the arrow keys" : "No match";
  });
  document.addEventListener("input", function (e) {
    var p = pickerOf(e.target);
    if (!p || !e.target.matches("[data-picker-input]")) return;
    var value = pickerParts(p).value;
    if (value) value.value = "";  // what is typed is not a choice until one is picked
    e.target.removeAttribute("data-picker-chosen");
    if (e.target.getAttribute("aria-invalid")) pickerMark(p, false);
  });
  document.addEventListener("keydown", function (e) {
    var p = pickerOf(e.target);
    if (!p || !e.target.matches("[data-picker-input]")) return;
    var parts = pickerParts(p), options = pickerOptions(parts.list);
    var current = options.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (parts.list.hidden) {
        // None fetched yet (the box was given the focus before htmx listened for it, as
        // on a refused form's page): fetch them now; they open when they come.
        if (!options.length) { if (window.htmx) window.htmx.trigger(e.target, "picker-open"); return; }
        parts.list.hidden = false; parts.input.setAttribute("aria-expanded", "true");
      }
      pickerActivate(p, current + (e.key === "ArrowDown" ? 1 : current < 0 ? 0 : -1));
    } else if (e.key === "Enter" && !parts.list.hidden) {
      // The match highlighted, else the only one listed ("Jonas Mensah", Enter); with
      // several and none highlighted, Enter waits for one to be.
      e.preventDefault();
      if (current >= 0) pickerChoose(p, options[current]);
      else if (options.length === 1) pickerChoose(p, options[0]);
    } else if (e.key === "Escape" && !parts.list.hidden) {
      e.preventDefault(); e.stopPropagation();
      pickerClose(p);
    }
  });
  // Escape closes an open dialog at once, from its search box too (the Ctrl-K palette says
  // "Esc to close"): there Chromium would spend the first Escape clearing the text. What
  // took the Escape before (a picker's open list) keeps it.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape" || e.defaultPrevented || !e.target.closest) return;
    var box = e.target.closest("dialog[open] input[type=search]");
    if (!box || !box.value) return;
    e.preventDefault();
    box.closest("dialog").close();
  });
  document.addEventListener("mousedown", function (e) {
    var option = e.target.closest && e.target.closest("[data-picker] [role=option]");
    if (option) { e.preventDefault(); pickerChoose(pickerOf(option), option); }
    // A click in the box shows the matches: those fetched as it got the focus, when they come.
    var box = e.target.closest && e.target.closest("[data-picker-input]");
    if (box) box.setAttribute("data-picker-pointer", "");
  });
  document.addEventListener("click", function (e) {
    var box = e.target.closest && e.target.closest("[data-picker-input]");
    var parts = box && pickerParts(pickerOf(box));
    if (parts && parts.list.hidden && pickerOptions(parts.list).length && !box.hasAttribute("data-picker-chosen")) {
      parts.list.hidden = false;
      box.setAttribute("aria-expanded", "true");
    }
    var remove = e.target.closest && e.target.closest("[data-picker-remove]");
    if (!remove) return;
    var p = pickerOf(remove), li = remove.closest("li");
    pickerParts(p).status.textContent = "Removed " + li.querySelector("span").textContent;
    li.remove();
    pickerParts(p).input.focus();
  });
  document.addEventListener("focusin", function (e) {
    if (pickerOf(e.target) && e.target.matches("[data-picker-input]")) e.target.removeAttribute("data-picker-chosen");
  });
  document.addEventListener("focusout", function (e) {
    var p = pickerOf(e.target);
    if (!p || !e.target.matches("[data-picker-input]")) return;
    e.target.removeAttribute("data-picker-pointer");
    pickerClose(p);
    if (pickerUnchosen(p)) pickerSettle(p);
  });

  // On a phone the navigation is one row that scrolls sideways: show the current item.
  function currentInView() {
    var nav = document.querySelector(".sidenav"), here = nav && nav.querySelector("[aria-current=page]");
    if (!here || nav.scrollWidth <= nav.clientWidth) return;
    nav.scrollLeft = here.offsetLeft - (nav.clientWidth - here.offsetWidth) / 2;
  }

  // A refused form shown again from its action's address (answered 422) names the page's
  // own: the address bar, reloading and the page's relative links go there, not to an
  // address that only takes a POST.
  function ownAddress() {
    var path = document.body.getAttribute("data-page-path");
    if (path && path !== window.location.pathname) {
      window.history.replaceState(null, "", path + window.location.hash);
    }
  }

  // A refused form shown again (answered 422): the keyboard starts at what to correct, not
  // at the top of the page. Its error summary (data-error-summary, what is wrong with the
  // form as a whole) if it has one, else the first field whose message web/_form.html
  // rendered (data-field-error: the control it describes). Not when the page autofocuses
  // its own summary (the browser focuses it after this runs), nor when something has the
  // focus already. A field's autofocus (a password form's first field) gives way, whether
  // the browser applied it before this runs or not (after, it sees the focus taken).
  // An address with a #fragment (a form without an action posts to the page's address,
  // "#main" after the skip link) stops the browser's autofocus and may put the focus on the
  // part it names: the summary takes it all the same, and is scrolled into view.
  function refusedFocus() {
    var active = document.activeElement;
    var idle = !active || active === document.body || active === document.documentElement;
    var named = window.location.hash && fragmentTarget();
    var summary = document.querySelector(".form-errors[autofocus], [role=alert][autofocus]");
    if (named && active === named && active !== summary) idle = true;
    if (!idle && !active.hasAttribute("autofocus")) return;
    if (summary) {
      if (window.location.hash) { focusOn(summary); summary.scrollIntoView({ block: "nearest" }); }
      return;
    }
    var mark = document.querySelector("[data-error-summary], [data-field-error]");
    if (!mark) return;
    var target = mark;
    if (mark.hasAttribute("data-field-error")) {
      var box = mark.closest(".field");
      target = (mark.id && document.querySelector('[aria-describedby~="' + mark.id + '"]')) ||
        (box && box.querySelector("input:not([type=hidden]), select, textarea")) || mark;
    }
    if (!target.matches("a[href], button, input, select, textarea, [tabindex]")) target.setAttribute("tabindex", "-1");
    target.focus();
    if (window.location.hash) target.scrollIntoView({ block: "nearest" });
  }

  // A refused form whose address has a #fragment: the browser may move the focus to the
  // part the fragment names once the page has loaded, after refusedFocus ran. Then again.
  function refusedFocusAfterLoad() {
    if (!window.location.hash) return;
    if (!document.querySelector("[data-error-summary], [data-field-error], .form-errors[autofocus], [role=alert][autofocus]")) return;
    window.addEventListener("load", function () { window.setTimeout(refusedFocus, 0); }, { once: true });
  }

  // "Skip to content" moves the keyboard to the page's main part without putting #main in
  // the address (its href is the fallback without this script): a form without an action
  // posts to the page's address, and a #main there would take the focus from the error
  // summary of the page that comes back.
  function skipLink() {
    document.addEventListener("click", function (e) {
      var link = e.target.closest && e.target.closest("a.skip[href^='#']");
      if (!link || e.defaultPrevented || e.button || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      var main = document.getElementById(link.getAttribute("href").slice(1));
      if (!main) return;
      e.preventDefault();
      focusOn(main);
      main.scrollIntoView({ block: "start" });
    });
  }

  // After a change the page comes back with what it says about it (base.html's .messages,
  // a live region, but one present as the page loads is not read out), often at the part
  // acted on (the address's #fragment: the meeting's action items, the dependency's row).
  // The keyboard goes there: to the element the fragment names (by id, else by a
  // data-anchor of that name: a row that moved to another list), unless a refused form or
  // an autofocus took it; with no such part, to the message itself, which is then read as
  // the focus lands. Otherwise the message is said once the page has loaded: in the live
  // region of the part the keyboard is in, where it has one (data-messages-here: the
  // priority stack's), else in .messages, its lines put in again.
  function fragmentTarget() {
    var name = window.location.hash.slice(1);
    if (!name) return null;
    try { name = decodeURIComponent(name); } catch (err) { return null; }
    var target = document.getElementById(name);
    if (!target) {
      var named = document.querySelectorAll("[data-anchor]");
      target = Array.prototype.find.call(named, function (el) { return el.getAttribute("data-anchor") === name; }) || null;
    }
    return target && target.getClientRects().length ? target : null;  // shown
  }
  function focusOn(el) {
    if (!el.matches("a[href], button, input, select, textarea, summary, [tabindex]")) el.setAttribute("tabindex", "-1");
    el.focus();
  }
  function sayMessages() {
    var box = document.querySelector(".messages");
    if (!box || !box.textContent.trim()) return;
    var active = document.activeElement;
    var idle = !active || active === document.body || active === document.documentElement;
    var taken = !idle || document.querySelector("[autofocus]");
    var target = fragmentTarget();
    if (!taken && target) focusOn(target);
    else if (!taken) { focusOn(box); return; }
    window.setTimeout(function () {
      var here = document.activeElement, region = null;
      for (var el = here; el && el !== document.body && !region; el = el.parentElement) {
        region = el.querySelector("[data-messages-here]");
      }
      if (region) {
        region.textContent = Array.prototype.map.call(box.querySelectorAll(".msg"), function (line) {
          return line.textContent.trim();
        }).join(" ");
        return;
      }
      if (box.contains(document.activeElement)) return;  // on its Undo already: read
      Array.prototype.slice.call(box.children).forEach(function (line) {
        box.replaceChild(line.cloneNode(true), line);
      });
    }, 400);
  }

  // A change said where it was done (conversation/_said.html, focused as the page loads) that
  // ends its list: the inbox's last item left it, and Tab from there would leave the page.
  // The message names (data-focus-instead) where the keyboard goes instead: the same control
  // of the item before it, or what says the list is empty. The message, a live region, is
  // then written in again, so that it is said all the same.
  function saidElsewhere() {
    var status = document.querySelector("[data-focus-instead]");
    var target = status && document.getElementById(status.getAttribute("data-focus-instead"));
    if (!target) return;
    var active = document.activeElement;
    var idle = !active || active === document.body || active === document.documentElement;
    if (!idle && active !== status) return;
    status.removeAttribute("autofocus");
    focusOn(target);
    var text = status.textContent;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 400);
  }

  // "Load more" (data-more: htmx puts the next rows in place of its row, or after the row
  // it is in): the keyboard goes to the first row that came, not back to the top of the page.
  var moreRows = null;
  document.addEventListener("htmx:beforeSwap", function (e) {
    var elt = e.detail.requestConfig && e.detail.requestConfig.elt, target = e.detail.target;
    moreRows = null;
    if (!elt || !elt.matches || !elt.matches("[data-more]") || !e.detail.shouldSwap || !target) return;
    var after = /^afterend/.test(elt.getAttribute("hx-swap") || "");
    moreRows = { parent: target.parentElement, before: after ? target : target.previousElementSibling };
  });
  document.addEventListener("htmx:load", function (e) {
    if (!moreRows || e.target.parentElement !== moreRows.parent) return;
    var row = moreRows.before ? moreRows.before.nextElementSibling : moreRows.parent.firstElementChild;
    moreRows = null;
    if (row) focusOn(row);
  });

  // A GET form (a list's filters, a search box) says what the page shows: the address it was
  // answered for. Back (or Forward) to such a page must not show a choice made on it before
  // it was left (Status changed to Paused and sent: back on the Done list, the box said
  // Paused). Browsers bring that back two ways, each undone here: a page loaded again fills
  // its forms with the values they had when it was left, unless they are autocomplete="off"
  // (set on each as the page starts, before anyone edits it: they are saved on leaving); a
  // page kept whole in the back-forward cache comes back as it was left, so its GET forms
  // are put back as served (their HTML then, htmx's behaviour given again) when they differ.
  // Not one whose fields htmx answers in place and pushes to the address (people, the
  // decision log): what it holds is what the address says.
  function getForms() { return document.querySelectorAll("form[method=get i]"); }
  function formState(form) { return new URLSearchParams(new FormData(form)).toString(); }
  function servedForms() {
    getForms().forEach(function (form) {
      form.setAttribute("autocomplete", "off");
      if (form.matches("[hx-push-url]") || form.querySelector("[hx-push-url]")) return;
      form.accordServed = { html: form.innerHTML, state: formState(form) };
    });
  }
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) return;
    getForms().forEach(function (form) {
      var served = form.accordServed;
      if (!served || formState(form) === served.state) return;
      form.innerHTML = served.html;
      if (window.htmx) window.htmx.process(form);
      applyStyles(form);
    });
  });

  // The top bar is sticky: what gets the focus, or a link's #target, scrolls into view below
  // it (app.css: scroll-padding-top), however many lines the bar takes at this width.
  function topbarHeight() {
    var bar = document.querySelector(".topbar");
    if (!bar) return;
    function set() { document.documentElement.style.setProperty("--topbar-height", bar.offsetHeight + "px"); }
    set();
    if (window.ResizeObserver) new ResizeObserver(set).observe(bar);
  }

  function start() {
    ownAddress(); servedForms(); applyStyles(document); showCopyButtons(document); menus();
    currentInView(); topbarHeight(); skipLink(); refusedFocus(); refusedFocusAfterLoad(); saidElsewhere(); sayMessages();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
