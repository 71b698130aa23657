"""The dependency map on a phone: however the layout falls, no team's name is drawn over
another's (the names are kept readable when the map is zoomed out to fit a narrow screen,
and were drawn over one another). On a laptop the same holds. The demo's organization, as
its head (who starts from many teams) and as a team lead see it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord import demo
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each node's name as drawn on the screen (Cytoscape draws on a canvas: its own measure),
# once the map has been drawn and the frame after it (names resized to the zoom) has run.
NAME_BOXES = """() => new Promise((done) => {
  const only = { includeNodes: false, includeEdges: false, includeLabels: true, useCache: false };
  requestAnimationFrame(() => requestAnimationFrame(() => {
    done(window.accordMap.nodes().map((n) => {
      const b = n.renderedBoundingBox(only);
      return { name: n.data("label"), x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2 };
    }));
  }));
})"""


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    """The pairs of names whose boxes intersect."""
    pairs = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if a["x1"] < b["x2"] and b["x1"] < a["x2"] and a["y1"] < b["y2"] and b["y1"] < a["y2"]:
                pairs.append((a["name"], b["name"]))
    return pairs


def names_drawn(page) -> list[dict]:
    expect(page.locator("#map-summary")).to_contain_text(" nodes, ")
    boxes = page.evaluate(NAME_BOXES)
    assert len(boxes) > 10 and all(b["x2"] > b["x1"] and b["y2"] > b["y1"] for b in boxes)
    return boxes


@pytest.mark.parametrize("size", [(390, 844), (1280, 800)], ids=["phone", "laptop"])
def test_no_two_names_on_the_map_overlap(browser, live_server, size):
    org = demo.load()
    width, height = size
    for login in ("maya.chen@northwind.example", "jonas.mensah@northwind.example"):
        context = browser.new_context(
            viewport={"width": width, "height": height}, base_url=live_server.url
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.set_default_navigation_timeout(60_000)
        open_signed_in(page, login, f"/o/{org.slug}/coordination/map/")
        # The layout starts from chance: drawn again, each time apart.
        for _ in range(3):
            assert overlapping(names_drawn(page)) == [], login
            page.reload()
        context.close()
