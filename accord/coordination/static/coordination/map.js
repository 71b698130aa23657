/* The dependency map: fetch elements for the filters, draw them with Cytoscape.js. */
(function () {
  "use strict";
  var COLORS = {
    requested: "#2f5bd3",
    negotiating: "#b7791f",
    accepted: "#1f7a4a",
    declined: "#b42318",
    delivered: "#8f98a3",
    cancelled: "#c7ccd3",
  };
  var form, cy, summary, list;
  var base = null;  // the answer the map started from (its scope names the start)
  var added = [];  // teams whose own dependencies were added by clicking them

  function params() {
    var p = new URLSearchParams();
    var team = form.elements.team.value;
    var initiative = form.elements.initiative;  // ?initiative=<id>: one initiative's
    if (team) p.set("team", team);
    else if (initiative && initiative.value) p.set("initiative", initiative.value);
    p.set("mode", form.elements.mode.value);
    form.querySelectorAll('input[name="state"]:checked').forEach(function (c) {
      p.append("state", c.value);
    });
    return p;
  }

  function style() {
    var s = [
      { selector: "node", style: {
        "label": "data(label)", "font-size": 13, "text-wrap": "wrap", "text-max-width": 110,
        "text-valign": "bottom", "text-margin-y": 4, "background-color": "#5a6472",
        "width": 24, "height": 24, "color": "#1d2430",
        "text-background-color": "#fff", "text-background-opacity": 0.8, "text-background-padding": 1,
      } },
      // The teams the map starts from (its scope): a square, outlined, named in bold.
      { selector: "node[?scope]", style: {
        "shape": "round-rectangle", "width": 28, "height": 28, "font-weight": "bold",
        "outline-width": 3, "outline-color": "#0b7285", "outline-offset": 2,
      } },
      // A team asked, no initiative of its own on it yet (the initiatives map).
      { selector: "node[?asked]", style: { "shape": "diamond", "background-color": "#8f98a3" } },
      { selector: "node[?cycle]", style: { "background-color": "#7c3aed", "border-width": 3, "border-color": "#c4b5fd" } },
      { selector: "node[?critical]", style: { "background-color": "#d9480f", "border-width": 3, "border-color": "#ffc078" } },
      // Both: the critical path's colour, ringed in the cycle's (the legend says so).
      { selector: "node[?critical][?cycle]", style: { "border-width": 5, "border-color": "#7c3aed" } },
      { selector: "edge", style: {
        "width": 2, "curve-style": "bezier", "target-arrow-shape": "triangle",
        "arrow-scale": 0.9, "label": "data(label)", "font-size": 9, "opacity": 0.9, "min-zoomed-font-size": 8,
        "text-background-color": "#fff", "text-background-opacity": 0.8, "text-background-padding": 1,
      } },
      { selector: "edge[?late]", style: { "line-style": "dashed", "width": 3 } },
      { selector: "edge[?cycle]", style: { "underlay-color": "#7c3aed", "underlay-opacity": 0.25, "underlay-padding": 4 } },
      { selector: "edge[?critical]", style: { "width": 5, "underlay-color": "#d9480f", "underlay-opacity": 0.3, "underlay-padding": 5, "z-index": 10 } },
      { selector: ":selected", style: { "overlay-color": "#ffbf47", "overlay-opacity": 0.4 } },
    ];
    Object.keys(COLORS).forEach(function (state) {
      s.push({ selector: 'edge[state = "' + state + '"]', style: {
        "line-color": COLORS[state], "target-arrow-color": COLORS[state],
      } });
    });
    return s;
  }

  // The legend's entry for the marked teams: what they are, or nothing when none is.
  function describeScope(data) {
    var entry = document.getElementById("map-scope-legend");
    var label = (data.scope || {}).label || "";
    entry.hidden = !label;
    entry.querySelector("[data-scope-label]").textContent = label;
  }

  function describe(data) {
    data = base || data;
    var crit = data.critical_path.map(function (i) { return i.title + " (" + i.team + ")"; });
    // Each cycle by its teams, as the overview names them.
    var cycles = (data.cycle_teams || []).map(function (names) { return names.join(" ⇄ "); });
    var scope = data.scope || {};
    var where = scope.whole ? "the whole organization" : scope.initiative ? scope.label :
      (scope.teams || []).map(function (t) { return t.name; }).slice(0, 4).join(", ") +
      ((scope.teams || []).length > 4 ? " and " + (scope.teams.length - 4) + " more" : "") +
      " and their neighbours" + (added.length ? "; added: " + added.join(", ") : "") +
      "; click a neighbour to add its own";
    summary.textContent = cy.nodes().length + " nodes, " + cy.edges().length + " edges (" + where + ")" +
      (scope.truncated ? " · the " + scope.limit + " due soonest" : "") + " · " +
      data.cycles + " cycle" + (data.cycles === 1 ? "" : "s") +
      (cycles.length ? " (" + cycles.join("; ") + (data.cycles > cycles.length ? "; …" : "") + ")" : "") +
      // What the critical path is, in words (its dates, and what its plans add up to).
      (crit.length ? " · " + data.critical_summary + ": " + crit.join(" → ") : "");
    // Plans along the critical path that would not fit one after another: a warning.
    var warning = document.getElementById("map-critical-warning");
    warning.textContent = crit.length ? data.critical_warning || "" : "";
    warning.hidden = !warning.textContent;
  }

  // Names stay readable however far out the map is zoomed to show a large neighbourhood
  // whole: a team's or initiative's name is drawn at least READABLE pixels high on the
  // screen (larger than its own size in the picture when zoomed out), and wraps at a width
  // that grows with it; an edge's milestone, drawn at its own size, shows once it is
  // readable (min-zoomed-font-size in the style).
  var NAME_SIZE = 13, NAME_WIDTH = 110, READABLE = 11;
  var restyling = false, nameSize = NAME_SIZE;
  function styleNames(size) {
    nameSize = size;
    cy.style().selector("node").style({
      "font-size": size, "text-max-width": NAME_WIDTH * size / NAME_SIZE,
    }).update();
  }
  function sizeNames() {
    var size = Math.max(NAME_SIZE, READABLE / cy.zoom());
    if (size !== nameSize) styleNames(size);
  }
  function keepNamesReadable() {
    if (restyling) return;
    restyling = true;
    window.requestAnimationFrame(function () {
      restyling = false;
      sizeNames();
    });
  }

  // No two names overlap, nor a name a node: the layout places the nodes with their names
  // at the size they had, but fitting a map into a narrow screen (a phone) zooms it out, so
  // the names, kept readable, grow against the picture. Each node's box (its name included)
  // is pushed apart from any it overlaps, along the shorter way out, until none does; which
  // can make the picture larger and zoom it out again, so the names grow, and again. When
  // that has not settled after a few rounds, the map stays at the zoom its names were
  // sized for, apart, and is panned to see the rest.
  var NAME_GAP = 4;  // screen pixels between two names
  function apart(gap) {
    var nodes = cy.nodes(), boxes = [];
    nodes.forEach(function (n) {
      // Measured again (not cached): the names were just resized.
      var b = n.boundingBox({ includeLabels: true, includeOverlays: false, includeEdges: false, useCache: false });
      boxes.push({ x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2, dx: 0, dy: 0 });
    });
    function shift(b, dx, dy) { b.x1 += dx; b.x2 += dx; b.y1 += dy; b.y2 += dy; b.dx += dx; b.dy += dy; }
    var moved = false;
    for (var round = 0; round < 200; round++) {
      var again = false;
      for (var i = 0; i < boxes.length; i++) {
        for (var j = i + 1; j < boxes.length; j++) {
          var a = boxes[i], b = boxes[j];
          var ox = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1) + gap;
          var oy = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1) + gap;
          if (ox <= 0 || oy <= 0) continue;
          again = true;
          if (ox < oy) {
            var right = a.x1 + a.x2 >= b.x1 + b.x2 ? 1 : -1;  // a goes right of b, or left
            shift(a, right * ox / 2, 0); shift(b, -right * ox / 2, 0);
          } else {
            var below = a.y1 + a.y2 >= b.y1 + b.y2 ? 1 : -1;  // a goes below b, or above
            shift(a, 0, below * oy / 2); shift(b, 0, -below * oy / 2);
          }
        }
      }
      if (!again) break;
      moved = true;
    }
    if (moved) {
      cy.batch(function () {
        nodes.forEach(function (n, k) {
          var p = n.position();
          n.position({ x: p.x + boxes[k].dx, y: p.y + boxes[k].dy });
        });
      });
    }
    return moved;
  }
  // On a screen taller than it is wide (a phone), a layout that came out wider than tall is
  // turned a quarter: it then uses the screen's height rather than being shrunk to its width.
  function upright() {
    var b = cy.nodes().boundingBox({ includeLabels: false, includeOverlays: false });
    if (cy.height() <= cy.width() || b.w <= b.h * 1.2) return;
    cy.batch(function () {
      cy.nodes().forEach(function (n) {
        var p = n.position();
        n.position({ x: p.y, y: -p.x });
      });
    });
  }
  function fit() {
    cy.fit(undefined, 24);
    if (cy.zoom() > 1.4) { cy.zoom(1.4); cy.center(); }
  }

  function layout() {
    cy.layout({
      name: "cose", animate: false, randomize: true, padding: 24,
      nodeDimensionsIncludeLabels: true, nodeRepulsion: function () { return 400000; },
      idealEdgeLength: function () { return 90; }, edgeElasticity: function () { return 100; },
      nodeOverlap: 20, gravity: 60, numIter: 1500, componentSpacing: 60,
    }).run();
    upright();
    for (var round = 0; round < 6; round++) {
      fit();
      sizeNames();
      if (!apart(NAME_GAP / cy.zoom())) break;
    }
    // Not settled, or as far out as the map zooms: larger than the screen, shown from its middle.
    if (round === 6 || cy.zoom() <= cy.minZoom()) cy.center();
    keepNamesReadable();
  }

  function select(d) {
    var box = document.getElementById("map-selected");
    box.textContent = "";
    var a = document.createElement("a");
    if (d.kind === "initiative") {
      a.href = form.dataset.initUrl.replace(/0\/$/, d.id + "/");
    } else if (d.slug) {
      a.href = form.dataset.teamUrl.replace("SLUG", d.slug);
    } else {
      return;
    }
    a.textContent = "Open " + d.label;
    box.appendChild(a);
  }

  // Add a team's own dependencies to what is drawn (one fetch, merged into the graph).
  // `fromList`: asked by the list's button, which the list drawn again takes away: the
  // keyboard goes to the list's caption, and the summary (a live region) says what was added.
  function expand(node, fromList) {
    var d = node.data();
    var team = d.team_id;
    if (!team || d.expanded) return;
    var p = params();
    p.delete("initiative");
    p.set("team", team);
    summary.textContent = "Adding the dependencies of " + (d.team || d.label) + "…";
    fetch(form.dataset.url + "?" + p.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        cy.nodes().forEach(function (n) { if (n.data("team_id") === team) n.data("expanded", true); });
        var fresh = data.nodes.concat(data.edges).filter(function (e) {
          return cy.getElementById(String(e.data.id)).empty();
        });
        // What a click adds is a neighbour's, never the start's: only the start is marked
        // (its teams are drawn already).
        fresh.forEach(function (e) { if (e.data.kind) e.data.scope = false; });
        cy.add(fresh);
        added.push(d.team || d.label);
        layout();
        describe(data);
        fillList();
        if (fromList) list.querySelector("caption").focus();
      })
      .catch(function () { summary.textContent = "The map could not be extended."; });
  }

  function render(data) {
    base = data;
    added = [];
    var elements = data.nodes.concat(data.edges);
    if (!cy) {
      cy = cytoscape({
        container: document.getElementById("cy"), elements: elements, style: style(),
        minZoom: 0.2, maxZoom: 3,
      });
      window.accordMap = cy;
      cy.on("zoom", keepNamesReadable);
      cy.on("tap", "node", function (evt) {
        select(evt.target.data());
        expand(evt.target);
      });
      // A dependency's milestone, in full, where the edge's label is short.
      cy.on("mouseover", "edge", function (evt) {
        var names = evt.target.data("milestones") || [];
        cy.container().title = names.length ? "Needed by " + names.join(", ") : "";
      });
      cy.on("mouseout", "edge", function () { cy.container().title = ""; });
      cy.on("tap", "edge", function (evt) {
        var dep = evt.target.data("dep");
        if (dep) window.location.href = form.dataset.depUrl.replace(/0\/$/, dep + "/");
      });
    } else {
      cy.elements().remove();
      cy.add(elements);
    }
    layout();
    describe(data);
    describeScope(data);
    fillList();
  }

  // The list below the map says what the picture shows, for the keyboard and screen
  // readers: each arrow with a link to its dependency (or to the list of those it groups),
  // each end with a link to its team or initiative (its team named), whether it is in a
  // cycle or on the critical path, and for a team not drawn whole yet, a button that adds
  // its own dependencies, as a click on it does.
  function link(href, text) {
    var a = document.createElement("a");
    a.href = href; a.textContent = text;
    return a;
  }
  function nodeHref(d) {
    if (d.kind === "initiative") return form.dataset.initUrl.replace(/0\/$/, d.id + "/");
    return d.slug ? form.dataset.teamUrl.replace("SLUG", d.slug) : "";
  }
  function endCell(node) {
    var d = node.data(), td = document.createElement("td");
    var href = nodeHref(d), name = d.kind === "initiative" && d.team ? d.label + " (" + d.team + ")" : d.label;
    var shown = href ? link(href, name) : document.createTextNode(name);
    if (d.scope) {
      var strong = document.createElement("strong");
      strong.appendChild(shown);
      var note = document.createElement("span");
      note.className = "visually-hidden";
      note.textContent = " (where the map starts)";
      td.appendChild(strong);
      td.appendChild(note);
    } else {
      td.appendChild(shown);
    }
    if (d.team_id && !d.expanded) {
      var team = d.team || d.label, more = document.createElement("button");
      more.type = "button"; more.className = "linklike map-add";
      more.textContent = "Add its dependencies";
      more.setAttribute("aria-label", "Add its dependencies: " + team);
      more.addEventListener("click", function () { select(d); expand(node, true); });
      td.appendChild(document.createTextNode(" "));
      td.appendChild(more);
    }
    return td;
  }
  function text(tr, value, className) {
    var td = document.createElement("td");
    td.textContent = value;
    if (className) td.className = className;
    tr.appendChild(td);
  }

  function fillList() {
    var body = list.querySelector("tbody");
    var initiatives = form.elements.mode.value === "initiatives";
    list.querySelector("caption").textContent = initiatives
      ? "Each arrow of the map: a dependency, from the initiative that asks to the initiative (or team) that provides"
      : "Each arrow of the map: what one team asks of another, by state";
    body.textContent = "";
    cy.edges().forEach(function (edge) {
      var e = edge.data(), tr = document.createElement("tr"), first = document.createElement("td");
      if (e.dep) {
        first.appendChild(link(form.dataset.depUrl.replace(/0\/$/, e.dep + "/"), e.title || "Dependency " + e.dep));
      } else {
        // Several grouped on one arrow: the asking team's in that state, in the list.
        var asks = edge.source().data(), n = e.count || 1;
        var p = new URLSearchParams({ team: asks.slug || "", only: "1", direction: "outbound", state: e.state });
        first.appendChild(link(form.dataset.listUrl + "?" + p.toString(), n + " dependencies"));
      }
      tr.appendChild(first);
      tr.appendChild(endCell(edge.source()));
      tr.appendChild(endCell(edge.target()));
      text(tr, e.state + (e.late ? " (late)" : ""));
      text(tr, (e.milestones || []).join(", "));
      text(tr, [e.cycle ? "in a cycle" : "", e.critical ? "on the critical path" : ""].filter(Boolean).join(", ") || "—");
      text(tr, String(e.count || 1), "num");
      body.appendChild(tr);
    });
  }

  var latest = 0;  // filters can change faster than answers come: draw only the newest

  function load() {
    var asked = ++latest;
    summary.textContent = "Loading the map…";
    fetch(form.dataset.url + "?" + params().toString(), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { if (asked === latest) render(data); })
      .catch(function () {
        if (asked === latest) summary.textContent = "The map could not be loaded.";
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    form = document.getElementById("map-filters");
    summary = document.getElementById("map-summary");
    list = document.getElementById("map-list");
    form.addEventListener("change", function (e) {
      // The team search box (web/widgets/picker.html) redraws on a choice, not on what is
      // typed; emptied, it starts again from the viewer's own teams.
      if (e.target.matches("[data-picker-input]") && (e.target.value || form.elements.team.value)) return;
      load();
    });
    form.addEventListener("picker:chosen", load);
    form.addEventListener("submit", function (e) { e.preventDefault(); load(); });
    // Each change redraws the map: the button is for a browser without this script.
    form.querySelectorAll("[data-map-submit]").forEach(function (b) { b.hidden = true; });
    load();
  });
})();
