"""Printing a page (or saving it as a PDF) gives its content whole: no top bar, side
navigation, filter forms or buttons; one column; every column of a table on the paper,
wrapped to fit; the table folded under a chart opened; where and when it was printed."""

from __future__ import annotations

import re

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


def test_a_printed_live_agenda_has_no_forms_and_says_where_the_whole_one_is(page, tmp_path):
    """The Leadership sync's live agenda on paper: no "Add to the agenda" or "Share a
    headline" form, no "Show more" link; a section cut to its first screen is said, with
    where the whole agenda prints from; that one (`?all=1`) has every item of each section."""
    from accord.rhythm import queries
    from accord.rhythm.models import Cadence

    demo.load()
    sync = Cadence.objects.get(org__slug="northwind", name="Leadership sync")
    occ = queries.next_occurrence(sync)
    path = f"/o/northwind/rhythm/cadences/{sync.pk}/{occ.key}/"
    open_signed_in(page, demo.DEMO_LOGIN, path)
    across = page.locator("#section-dependencies")
    expect(across.locator("h2")).to_contain_text("first 10 of")
    expect(page.locator("#add-to-agenda")).to_be_visible()
    expect(page.locator("#print-cut")).to_be_hidden()  # on a screen: its link is there
    _printing(page, path)
    for form in ("#add-to-agenda", "#share-headline", "p.more", "#whole-agenda"):
        expect(page.locator(form).first).to_be_hidden()
    note = page.locator("#print-cut")
    expect(note).to_be_visible()
    expect(note).to_contain_text(f"{path}?all=1")
    _within_the_page(page, note)

    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(path)
    page.locator("#whole-agenda").click()
    expect(page).to_have_url(re.compile(re.escape(f"{path}?all=1") + "$"))
    expect(page.locator("#whole-note")).to_be_visible()
    total = int(across.locator("h2").inner_text().split(" · ")[1].split()[0])
    assert total > 10
    expect(across.locator("li.agenda-item")).to_have_count(total)
    _printing(page, f"{path}?all=1")
    expect(page.locator("#whole-note")).to_be_hidden()
    expect(page.locator("#add-to-agenda")).to_be_hidden()
    expect(page.locator("p.more")).to_have_count(0)
    pdf = tmp_path / "agenda.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert pdf.stat().st_size > 10_000
