/* Insights trends: two Chart.js charts from the page's json_script data. */
(function () {
  "use strict";
  var COLORS = {
    overall: "#16213a", alignment: "#2f5bd3", execution: "#1f7a4a",
    dependencies: "#7c3aed", rhythm: "#b7791f", decisions: "#0e7490",
    critical: "#b42318", warning: "#8a5a00",
  };
  var DIMENSIONS = ["alignment", "execution", "dependencies", "rhythm", "decisions"];

  function line(label, key, data, opts) {
    return Object.assign({
      label: label, data: data.map(function (p) { return p[key]; }),
      borderColor: COLORS[key], backgroundColor: COLORS[key], pointRadius: 2, tension: 0.2,
      borderWidth: 1.5,
    }, opts || {});
  }

  function draw() {
    var node = document.getElementById("trend-data");
    if (!node || typeof Chart === "undefined") return;
    var data = JSON.parse(node.textContent);
    if (!data.length) return;
    // "28 Nov": the day each week's figures are of (the table beside gives the year).
    var labels = data.map(function (p) { return p.label || p.date; });
    var common = {
      responsive: true, maintainAspectRatio: false, animation: false,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12, font: { size: 11 } } } },
    };
    var health = [line("Overall", "overall", data, { borderWidth: 3, pointRadius: 3 })];
    DIMENSIONS.forEach(function (d) {
      health.push(line(d.charAt(0).toUpperCase() + d.slice(1), d, data, { borderDash: [4, 3] }));
    });
    window.accordCharts = [
      new Chart(document.getElementById("chart-health"), {
        type: "line", data: { labels: labels, datasets: health },
        options: Object.assign({}, common, { scales: { y: { suggestedMin: 50, max: 100 } } }),
      }),
      new Chart(document.getElementById("chart-counts"), {
        type: "bar",
        data: { labels: labels, datasets: [
          line("Critical", "critical", data), line("Warning", "warning", data),
        ] },
        options: Object.assign({}, common, {
          scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        }),
      }),
    ];
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
