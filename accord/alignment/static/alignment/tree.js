// The alignment tree's buttons: expand all, collapse all, or only the top levels.
(function () {
  document.querySelectorAll("[data-tree]").forEach(function (b) {
    b.addEventListener("click", function () {
      var mode = b.dataset.tree;
      document.querySelectorAll(".atree details").forEach(function (d) {
        d.open = mode === "open" || (mode === "top" && parseInt(d.dataset.depth, 10) < 1);
      });
    });
  });
})();
