// The priority stack and the Next up list (proposed work, ranked apart): drag to reorder
// (SortableJS). Each drop moves one initiative via the list's move endpoint
// (data-move-url); on refusal the list goes back to the server's order.
(function () {
  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function items(list) {
    return Array.prototype.slice.call(list.querySelectorAll(".stack-item"));
  }
  // Ranks, WIP marks and arrow buttons as the list now stands: the first has no ↑, the
  // last no ↓, and each button says the place it was pressed from ("shown").
  function renumber(list) {
    var limit = parseInt(list.dataset.wip || "0", 10);
    var all = items(list);
    all.forEach(function (li, i) {
      li.querySelector(".rank").textContent = i + 1;
      li.classList.toggle("over-wip", limit > 0 && i >= limit);
      var up = li.querySelector("form.move-up"), down = li.querySelector("form.move-down");
      if (up) up.hidden = i === 0;
      if (down) down.hidden = i === all.length - 1;
      li.querySelectorAll("input[name=shown]").forEach(function (f) { f.value = i + 1; });
    });
  }
  // The list in the server's order (ids, top first), those it does not name left last.
  function reorder(list, order) {
    var byId = {};
    items(list).forEach(function (li) { byId[li.dataset.id] = li; });
    order.forEach(function (id) {
      if (byId[id]) list.appendChild(byId[id]);
    });
    renumber(list);
  }
  function ids(list) {
    return items(list).map(function (li) { return parseInt(li.dataset.id, 10); });
  }
  // Back from an arrow button (the page's address ends #move-<id>-up or -down): the
  // keyboard is on the same button of the item it moved, or on its other one where the item
  // reached the top or the bottom, so the next press moves it again.
  function refocus() {
    var m = /^#move-(\d+)-(up|down)$/.exec(window.location.hash);
    if (!m) return;
    var other = m[2] === "up" ? "down" : "up";
    var shown = function (id) {
      var b = document.getElementById(id);
      return b && !b.closest("form").hidden ? b : null;
    };
    var button = shown("move-" + m[1] + "-" + m[2]) || shown("move-" + m[1] + "-" + other);
    if (button) button.focus();
  }
  document.addEventListener("DOMContentLoaded", function () {
    refocus();
    if (!window.Sortable) return;
    document.querySelectorAll("ol.stack-list[data-move-url]").forEach(sortable);
  });
  // One list, saying what happened in its own status line (data-status names it).
  function sortable(list) {
    if (list.dataset.canRank !== "1") return;
    var status = document.getElementById(list.dataset.status);
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
        var mine = ids(list);  // the order this page expects the move to leave
        fetch(list.dataset.moveUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
          body: JSON.stringify({ initiative_id: parseInt(item.dataset.id, 10), position: evt.newIndex + 1 }),
        })
          .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
          .then(function (res) {
            if (!res.ok) throw new Error(res.body.error ? res.body.error.message : "Not saved.");
            // What the server saved, which another person's move may have changed: shown
            // as it is, and said when it is not what this page had.
            var order = res.body.order;
            reorder(list, order);
            var said = item.dataset.title + " moved to position " +
              (order.indexOf(parseInt(item.dataset.id, 10)) + 1) + ".";
            if (order.join(",") !== mine.join(",")) {
              var names = items(list).map(function (li, i) {
                return (i + 1) + ". " + li.dataset.title;
              });
              said = "The order changed since you loaded it: now " + names.join(", ") + ". " + said;
              if (order.length !== mine.length) said += " Reload the page to see every change.";
            }
            status.textContent = said;
          })
          .catch(function (err) {
            before.forEach(function (li) { list.appendChild(li); });
            renumber(list);
            status.textContent = err.message || "Not saved.";
          });
      },
    });
  }
})();
