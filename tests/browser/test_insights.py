"""A head of department opens Insights on the demo: reads the heat-map of the teams below
Engineering, drills from a cell into a team's signals, opens a signal's evidence and
acknowledges it. The charts are drawn; nothing overflows on a phone, the narrowest too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accord import demo
from accord.intelligence.models import Signal
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEAD_OF_ENGINEERING = "hana.okafor@northwind.example"


# The heat-map's cells that cannot be brought into view: each row's last shown cell (the
# overall score) lies beyond what a box clipping it (the table's scroll box, the card) can
# be scrolled to by hand (its scroll width, if it scrolls; else its width). Read inside
# out: once a box can show the cell, the next box out has to show that box.
OUT_OF_REACH = """() => {
  const out = [];
  for (const tr of document.querySelectorAll('.heatmap tr')) {
    const cells = [...tr.children].filter((c) => c.getClientRects().length > 0);
    const last = cells[cells.length - 1];
    let r = last.getBoundingClientRect();
    for (let el = last.parentElement; el && el !== document.body; el = el.parentElement) {
      const style = getComputedStyle(el);
      if (style.overflowX === 'visible') continue;
      const b = el.getBoundingClientRect();
      const origin = b.left + el.clientLeft - el.scrollLeft;
      const scrolls = style.overflowX === 'auto' || style.overflowX === 'scroll';
      const reach = scrolls ? el.scrollWidth : el.clientWidth;
      if (r.left - origin < -1 || r.right - origin > reach + 1) {
        out.push(`${last.textContent.trim()}: x ${Math.round(r.left - origin)}-`
          + `${Math.round(r.right - origin)} in a box of ${reach} (${el.className})`);
        break;
      }
      r = b;
    }
  }
  return out;
}"""

# The row headers (team names) narrower than one of their words: the word sticks out.
NARROWER_THAN_A_WORD = """() => {
  const out = [];
  for (const th of document.querySelectorAll('.heatmap th[scope=row]')) {
    const box = th.getBoundingClientRect();
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      for (const word of text.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(text, word.index);
        range.setEnd(text, word.index + word[0].length);
        for (const r of range.getClientRects()) {
          if (r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1)) {
            out.push(`${word[0]} (${Math.round(r.width)} px) in ${Math.round(box.width)} px`);
          }
        }
      }
    }
  }
  return out;
}"""


def heat_map_fits(page) -> None:
    """Every column of the heat-map can be scrolled into view, and each team's name fits
    its header with its words whole."""
    assert page.evaluate(OUT_OF_REACH) == []
    assert page.evaluate(NARROWER_THAN_A_WORD) == []
    assert page.evaluate(SPLIT_WORDS) == []


# The heat-map within its scroll box: nothing of it (Overall, the open signals) is out of
# sight at the right.
TABLE_IN_SIGHT = """() => {
  const table = document.querySelector('.heatmap');
  return table.scrollWidth <= table.closest('.table-wrap').clientWidth + 1;
}"""


def no_horizontal_overflow(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


# The words of the heat-map's row headers (team names) that the page shows on two lines
# (a compound's parts are words: "Go-to-Market" may break after a hyphen).
SPLIT_WORDS = """() => {
  const split = [];
  for (const th of document.querySelectorAll('.heatmap th[scope=row]')) {
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      for (const word of text.data.matchAll(/[^\\s-]+-?/g)) {
        const range = document.createRange();
        range.setStart(text, word.index);
        range.setEnd(text, word.index + word[0].length);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0);
        const lines = new Set(rects.map((r) => Math.round(r.top)));
        if (lines.size > 1) split.push(word[0]);
      }
    }
  }
  return split;
}"""


def test_a_leader_reads_the_heat_map_drills_down_and_acknowledges_a_signal(page, shot):
    demo.load()
    open_signed_in(page, HEAD_OF_ENGINEERING)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Insights").click()

    # Her default scope: Engineering, the highest team she leads.
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights · Engineering")
    heat = page.locator("table.heatmap")
    # All of Engineering, Engineering itself, its 5 teams and the working group being
    # formed under it.
    expect(heat.locator("tbody tr")).to_have_count(8)
    expect(heat.locator("tbody tr", has_text="Engineering itself")).to_have_count(1)
    platform = heat.locator("tbody tr", has=page.get_by_role("link", name="Platform", exact=True))
    cells = platform.locator("a.heat")
    expect(cells).to_have_count(6)
    # Each cell has a number and a band in words, readable without colour.
    dependencies = cells.nth(2)
    text = dependencies.text_content()
    number, band = text.split()
    assert 0 <= int(number) <= 100 and band in ("good", "watch", "poor"), text
    # The trends are drawn, with data in both charts.
    page.wait_for_function("() => window.accordCharts && window.accordCharts.length === 2")
    points = page.evaluate("() => window.accordCharts.map(c => c.data.datasets[0].data.length)")
    assert min(points) >= 10, points
    shot(page, "desktop")

    # A cell opens that team's signals of the dimension.
    dependencies.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights · Platform")
    expect(page.get_by_label("Dimension")).to_have_value("dependencies")
    listed = page.locator("#signals .sig")
    expect(listed.first).to_be_visible()
    title = listed.first.locator(".sig__head a").inner_text()

    # A signal opens its evidence; she acknowledges it.
    listed.first.locator(".sig__head a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    evidence = page.locator("section[aria-labelledby=evidence-h]")
    expect(evidence.get_by_role("row").nth(1)).to_be_visible()
    expect(evidence.get_by_role("link").first).to_be_visible()  # linked to the object
    shot(page, "signal")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".msg--success")).to_contain_text("Acknowledged")
    expect(page.get_by_text("Acknowledged", exact=True).first).to_be_visible()
    signal = Signal.objects.get(title=title, org__slug="northwind")
    assert signal.state == "acknowledged"
    expect(page.locator("section[aria-labelledby=history-h]")).to_contain_text("acknowledged")

    # Platform's team page shows its health and open signals (loaded once it is shown).
    page.goto("/o/northwind/teams/platform/")
    panel = page.locator("#team-health")
    expect(panel.locator("a.heat")).to_have_count(6)
    expect(panel.get_by_role("link", name=title)).to_be_visible()

    # The scope picker finds a team by a few letters of its name.
    page.goto("/o/northwind/insights/")
    page.get_by_label("Look at another team").press_sequentially("secu", delay=30)
    page.locator("#scope-results").get_by_role("link", name="Security").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights · Security")
    # Enter goes straight to the one team whose name matches.
    page.goto("/o/northwind/insights/")
    page.get_by_label("Look at another team").fill("Mobile")
    page.get_by_label("Look at another team").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights · Mobile")
    # Its alignment score lost points to unaligned initiatives, not to a signal: said above
    # the signals of its score, linked to the initiatives that cost them.
    page.locator(".heatmap__summary a.heat").first.click()
    charged = page.locator("#charged")
    expect(charged).to_contain_text("of active initiatives unaligned")
    shot(page, "points-from-measures")
    charged.get_by_role("link", name=re.compile("of active initiatives unaligned")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mobile")

    # Beside the navigation (a tablet, a small laptop) the whole table does not fit its card:
    # it is the compact one (short headers, the open signals under each name), every column
    # in sight without scrolling, and the page does not scroll sideways. Wide enough, the
    # whole table, with its own column of open signals.
    page.goto("/o/northwind/insights/")
    for width, compact in ((768, True), (1024, True), (1280, False)):
        page.set_viewport_size({"width": width, "height": 900})
        assert no_horizontal_overflow(page), f"{width} px: the page scrolls sideways"
        assert page.evaluate(TABLE_IN_SIGHT), f"{width} px: the table is wider than its card"
        heading = page.locator(".heatmap thead").get_by_text("Open critical / warning")
        short = page.locator(".heatmap thead abbr", has_text="Aln")
        if compact:
            expect(heading).to_be_hidden()
            expect(short).to_be_visible()
            expect(page.locator(".heatmap__summary .heat__open")).to_be_visible()
        else:
            expect(heading).to_be_visible()
            expect(short).to_be_hidden()
        heat_map_fits(page)
        shot(page, f"{width}px")

    # On a phone: the same pages, nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/o/northwind/insights/")
    page.wait_for_function("() => window.accordCharts && window.accordCharts.length === 2")
    assert no_horizontal_overflow(page)
    # The open critical / warning column does not fit: each row says it under its name.
    summary = page.locator(".heatmap__summary th")
    expect(summary).to_contain_text(re.compile(r"\d+ critical · \d+ warning"))
    expect(page.locator(".heatmap thead").get_by_text("Open critical / warning")).to_be_hidden()
    # Team names wrap between their words, not inside one ("Engineerin g"), and each fits
    # its header; the overall column can be scrolled to.
    heat_map_fits(page)
    assert no_horizontal_overflow(page)
    shot(page, "phone")
    page.goto(f"/o/northwind/insights/signals/{signal.pk}/")
    assert no_horizontal_overflow(page)
    shot(page, "phone-signal")


def test_an_admin_changes_a_threshold_from_insights_and_resets_it(page, shot, cast):
    """The settings page from Insights: a threshold changed and saved, then put back to its
    default after a confirmation; on a phone nothing overflows."""
    from accord.intelligence import config

    open_signed_in(page, cast.admin.email, "/o/acme/insights/")
    page.get_by_role("link", name="How signals are computed").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How signals are computed")
    unanswered = page.locator("#d-dependencies-unanswered")
    days = unanswered.get_by_label("Days")
    expect(days).to_have_value("5")
    days.fill("3")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".msg--success")).to_contain_text("apply from the next evaluation")
    expect(days).to_have_value("3")
    expect(unanswered.locator(".tag--warn").first).to_have_text("changed")
    assert config.for_org(cast.org).detectors["dependencies.unanswered"]["days"] == 3
    shot(page, "desktop")

    page.once("dialog", lambda dialog: dialog.accept())
    unanswered.get_by_role("button", name="Reset to defaults").click()
    expect(page.locator(".msg--success")).to_contain_text("Request unanswered is back")
    expect(days).to_have_value("5")
    assert config.for_org(cast.org).detectors["dependencies.unanswered"]["days"] == 5

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/o/acme/insights/settings/#d-dependencies-unanswered")
    expect(days).to_be_visible()
    assert no_horizontal_overflow(page)
    shot(page, "phone")


# The narrowest phones still sold (and a desktop browser's window made as narrow as it goes).
NARROWEST = {"width": 320, "height": 640}


def test_at_320_px_insights_and_the_grid_pages_do_not_scroll_sideways(page, shot):
    """At 320 px a card of the shared grid, a chart of Insights and a group of its settings
    each fit the screen: nothing makes the page scroll sideways. On a desktop the grid still
    puts its cards side by side."""
    from accord.org.models import Person

    org = demo.load()
    o = f"/o/{org.slug}"
    hana = Person.objects.get(org=org, email=HEAD_OF_ENGINEERING)
    open_signed_in(page, demo.DEMO_LOGIN, f"{o}/insights/")
    cards = page.locator(".grid > .card")
    expect(cards.first).to_be_visible()
    tops = {round(box["y"]) for box in (c.bounding_box() for c in cards.all()[:2])}
    assert len(tops) == 1, "on a desktop the grid's first two cards are side by side"

    page.set_viewport_size(NARROWEST)
    wide = []
    for path in [
        f"{o}/insights/",
        f"{o}/insights/settings/",
        f"{o}/",
        f"{o}/teams/platform/",
        f"{o}/people/{hana.pk}/",
        f"{o}/coordination/",
        f"{o}/rhythm/teams/support/",
        f"{o}/alignment/teams/support/",
        f"{o}/decisions/waiting/",
    ]:
        page.goto(path)
        if path == f"{o}/insights/":
            page.wait_for_function("() => window.accordCharts && window.accordCharts.length === 2")
            shot(page, "320px")
            # Every column of the heat-map can be reached (it scrolls within its box), and
            # the team names break only between words.
            heat_map_fits(page)
            page.evaluate("() => window.scrollTo(0, 0)")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > NARROWEST["width"]:
            wide.append(f"{path}: {width} px")
    assert wide == [], f"these pages scroll sideways at 320 px: {wide}"
