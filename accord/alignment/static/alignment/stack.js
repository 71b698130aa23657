// The priority stack: drag to reorder (SortableJS). Each drop moves one initiative via
// the rank endpoint; on refusal the list goes back to the server's order.
(function () {
  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function renumber(list) {
    var limit = parseInt(list.dataset.wip || "0", 10);
    Array.prototype.forEach.call(list.querySelectorAll(".stack-item"), function (li, i) {
      li.querySelector(".rank").textContent = i + 1;
      li.classList.toggle("over-wip", limit > 0 && i >= limit);
    });
  }
  // Back from an arrow button (the page's address ends #move-<id>-up or -down): the
  // keyboard is on the same button of the item it moved, or on its other one where the item
  // reached the top or the bottom, so the next press moves it again.
  function refocus() {
    var m = /^#move-(\d+)-(up|down)$/.exec(window.location.hash);
    if (!m) return;
    var other = m[2] === "up" ? "down" : "up";
    var button = document.getElementById("move-" + m[1] + "-" + m[2]) ||
      document.getElementById("move-" + m[1] + "-" + other);
    if (button) button.focus();
  }
  document.addEventListener("DOMContentLoaded", function () {
    refocus();
    var list = document.getElementById("stack-list");
    if (!list || !window.Sortable || list.dataset.canRank !== "1") return;
    var status = document.getElementById("stack-status");
    var before = null;
    Sortable.create(list, {
      handle: ".handle",
      draggable: ".stack-item",
      ghostClass: "stack-ghost",
      animation: 120,
      forceFallback: true,  // mouse and touch events: the same on every browser and phone
      onStart: function () { before = Array.prototype.slice.call(list.children); },
      onEnd: function (evt) {
        if (evt.oldIndex === evt.newIndex) return;
        var item = evt.item;
        renumber(list);
        fetch(list.dataset.moveUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
          body: JSON.stringify({ initiative_id: parseInt(item.dataset.id, 10), position: evt.newIndex + 1 }),
        })
          .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
          .then(function (res) {
            if (!res.ok) throw new Error(res.body.error ? res.body.error.message : "Not saved.");
            status.textContent = item.dataset.title + " moved to position " + (evt.newIndex + 1) + ".";
          })
          .catch(function (err) {
            before.forEach(function (li) { list.appendChild(li); });
            renumber(list);
            status.textContent = err.message || "Not saved.";
          });
      },
    });
  });
})();
