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
    if (team) p.set("team", team);
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
      { selector: "node[?cycle]", style: { "background-color": "#7c3aed", "border-width": 3, "border-color": "#c4b5fd" } },
      { selector: "node[?critical]", style: { "background-color": "#d9480f", "border-width": 3, "border-color": "#ffc078" } },
      // Both: the critical path's colour, ringed in the cycle's (the legend says so).
      { selector: "node[?critical][?cycle]", style: { "border-width": 5, "border-color": "#7c3aed" } },
      { selector: "edge", style: {
        "width": 2, "curve-style": "bezier", "target-arrow-shape": "triangle",
        "arrow-scale": 0.9, "label": "data(label)", "font-size": 9, "opacity": 0.9,
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
    var where = scope.whole ? "the whole organization" :
      (scope.teams || []).map(function (t) { return t.name; }).slice(0, 4).join(", ") +
      ((scope.teams || []).length > 4 ? " and " + (scope.teams.length - 4) + " more" : "") +
      " and their neighbours" + (added.length ? "; added: " + added.join(", ") : "") +
      "; click a neighbour to add its own";
    summary.textContent = cy.nodes().length + " nodes, " + cy.edges().length + " edges (" + where + ")" +
      (scope.truncated ? " · the " + scope.limit + " due soonest" : "") + " · " +
      data.cycles + " cycle" + (data.cycles === 1 ? "" : "s") +
      (cycles.length ? " (" + cycles.join("; ") + (data.cycles > cycles.length ? "; …" : "") + ")" : "") +
      (crit.length ? " · critical path (" + data.critical_length_days + " days): " + crit.join(" → ") : "");
  }

  function layout() {
    cy.layout({
      name: "cose", animate: false, randomize: true, padding: 24,
      nodeDimensionsIncludeLabels: true, nodeRepulsion: function () { return 400000; },
      idealEdgeLength: function () { return 90; }, edgeElasticity: function () { return 100; },
      nodeOverlap: 20, gravity: 60, numIter: 1500, componentSpacing: 60,
    }).run();
    cy.fit(undefined, 24);
    if (cy.zoom() > 1.4) { cy.zoom(1.4); cy.center(); }
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
  function expand(node) {
    var d = node.data();
    var team = d.team_id;
    if (!team || d.expanded) return;
    var p = params();
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

  // A team's name in the list, marked as the map's start when it is.
  function teamCell(node) {
    var td = document.createElement("td");
    if (node.data("scope")) {
      var strong = document.createElement("strong");
      strong.textContent = node.data("label");
      var note = document.createElement("span");
      note.className = "visually-hidden";
      note.textContent = " (where the map starts)";
      td.appendChild(strong);
      td.appendChild(note);
    } else {
      td.textContent = node.data("label");
    }
    return td;
  }

  function fillList() {
    var body = list.querySelector("tbody");
    body.textContent = "";
    cy.edges().forEach(function (edge) {
      var e = edge.data();
      var tr = document.createElement("tr");
      tr.appendChild(teamCell(edge.source()));
      tr.appendChild(teamCell(edge.target()));
      [e.state + (e.late ? " (late)" : ""), (e.milestones || []).join(", ")].forEach(function (text) {
        var td = document.createElement("td"); td.textContent = text; tr.appendChild(td);
      });
      var td = document.createElement("td"); td.className = "num"; td.textContent = e.count || 1;
      tr.appendChild(td);
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
    load();
  });
})();
