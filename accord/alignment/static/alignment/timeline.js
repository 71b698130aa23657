// The initiatives timeline opens scrolled to today: its box (data-today-x, in chart
// pixels) scrolls sideways so today sits a quarter of the way in, when the chart is wider
// than the box; again when the window narrows, unless the person has scrolled it.
(function () {
  function focusToday(onlyUnmoved) {
    document.querySelectorAll("[data-today-x]").forEach(function (box) {
      var x = parseFloat(box.getAttribute("data-today-x"));
      if (isNaN(x) || box.scrollWidth <= box.clientWidth) return;
      if (onlyUnmoved && box.scrollLeft !== 0) return;
      box.scrollLeft = Math.max(0, x - box.clientWidth / 4);
    });
  }
  function start() {
    focusToday(false);
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () { focusToday(true); }, 100);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
