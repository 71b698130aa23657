"""Printing a page (or saving it as a PDF) gives its content whole: no top bar, side
navigation, filter forms or buttons; one column; every column of a table on the paper,
wrapped to fit; the table folded under a chart opened; where and when it was printed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord import demo
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The printable width of an A4 page with print.css's margins (210 mm - 2 x 12 mm), in CSS
# pixels: narrower than the phone layout's 760 px, as a printed page is.
A4_WIDTH = 703


def _printing(page, path: str) -> None:
    page.set_viewport_size({"width": A4_WIDTH, "height": 1000})
    page.goto(path)
    page.wait_for_load_state("load")
    page.emulate_media(media="print")


def _within_the_page(page, locator) -> None:
    box = locator.bounding_box()
    assert box is not None, "not shown"
    assert box["x"] >= 0 and box["x"] + box["width"] <= A4_WIDTH + 1, box


def test_a_printed_decision_log_has_every_column_and_no_chrome(page, tmp_path):
    demo.load()
    open_signed_in(page, demo.DEMO_LOGIN, "/o/northwind/")
    _printing(page, "/o/northwind/decisions/?status=decided")
    for chrome in (".topbar", ".sidenav", "form.filters", ".dtabs"):
        expect(page.locator(chrome).first).to_be_hidden()
    expect(page.get_by_role("link", name="Record a decision")).to_be_hidden()
    # One column: the content starts at the page's left edge, where the navigation was.
    assert page.locator("main").bounding_box()["x"] <= 1
    # Every column, the last one too, within the page (not cut off in a box that scrolls).
    for name in ("Teams", "Opened", "Decide by / decided"):
        header = page.get_by_role("columnheader", name=name)
        expect(header).to_be_visible()
        _within_the_page(page, header)
    last = page.locator(".dlog tbody tr").first.locator("td").last
    expect(last).to_be_visible()
    _within_the_page(page, last)
    assert page.locator(".dlog").evaluate("t => t.scrollWidth <= t.clientWidth + 1")
    # Where and when it was printed.
    stamp = page.locator("[data-print-stamp]")
    expect(stamp).to_be_visible()
    expect(stamp).to_contain_text("/o/northwind/decisions/?status=decided")
    # The same as a PDF (what "Save as PDF" writes).
    pdf = tmp_path / "log.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert pdf.stat().st_size > 10_000

    # Back on the screen: the chrome is there again, the stamp is not.
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.locator(".sidenav")).to_be_visible()
    expect(stamp).to_be_hidden()


def test_printed_insights_open_the_trends_table(page):
    demo.load()
    open_signed_in(page, demo.DEMO_LOGIN, "/o/northwind/")
    _printing(page, "/o/northwind/insights/?scope=all")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator(".scope-picker")).to_be_hidden()
    table = page.locator(".trend-table")
    expect(table).to_be_visible()  # folded under "The same, as a table" on a screen
    _within_the_page(page, table.get_by_role("columnheader", name="Warning"))
    _within_the_page(page, page.locator(".heatmap thead th").last)
    page.emulate_media(media="screen")
    expect(table).to_be_hidden()  # folded again after printing


def test_a_printed_scorecard_has_every_column(page):
    demo.load()
    open_signed_in(page, demo.DEMO_LOGIN, "/o/northwind/")
    _printing(page, "/o/northwind/alignment/scorecard/?team=engineering")
    expect(page.locator(".subnav")).to_be_hidden()
    expect(page.get_by_role("form", name="Scorecard of")).to_be_hidden()
    _within_the_page(page, page.get_by_role("columnheader", name="What slipped"))
    _within_the_page(page, page.locator(".scorecard tbody tr").first.locator("td").last)
