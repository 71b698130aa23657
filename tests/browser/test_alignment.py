"""Setting an objective with two key results, updating one, and reordering a priority stack."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from accord.alignment import services as s
from accord.alignment.models import Initiative
from tests.browser.conftest import has_focus, open_signed_in, pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def drag(page, title: str, onto: str) -> None:
    """Drag the stack item `title` by its handle, with the mouse in small steps, onto the
    top of the item `onto`."""
    handle = page.locator(f'.stack-item[data-title="{title}"] .handle')
    target = page.locator(f'.stack-item[data-title="{onto}"]')
    box_from, box_to = handle.bounding_box(), target.bounding_box()
    page.mouse.move(box_from["x"] + box_from["width"] / 2, box_from["y"] + box_from["height"] / 2)
    page.mouse.down()
    steps = 12
    for i in range(1, steps + 1):
        page.mouse.move(
            box_from["x"] + 5, box_from["y"] + (box_to["y"] + 4 - box_from["y"]) * i / steps
        )
    page.mouse.up()


def test_it_creates_an_objective_with_two_key_results_and_updates_one(page, shot, cast):
    s.create_period(
        cast.org,
        None,
        name="Q1 2026",
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 3, 31),
        is_current=True,
    )
    open_signed_in(page, cast.admin.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Alignment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Q1 2026")
    page.get_by_role("link", name="New objective").click()

    # Inline validation: a team objective without a team is flagged as soon as you leave it.
    page.get_by_label("Title").fill("Faster checkout")
    page.get_by_label("Level").select_option("team")
    pick(page, "Team", "Platform", exact=True)
    page.get_by_label("Weight in the parent").fill("-1")
    page.get_by_label("Weight in the parent").blur()
    expect(page.locator(".field--error")).to_have_count(1)
    expect(page.locator(".field--error")).to_contain_text("greater than or equal to 0.01")
    page.get_by_label("Weight in the parent").fill("1")
    page.get_by_role("button", name="Create objective").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Faster checkout")

    page.get_by_role("link", name="Add key result").click()
    page.get_by_label("Metric").fill("Checkout p95")
    page.get_by_label("Unit").fill("ms")
    page.get_by_label("Direction").select_option("decrease")
    page.get_by_label("Start").fill("900")
    page.get_by_label("Target", exact=True).fill("300")
    page.get_by_role("button", name="Add and add another").click()
    page.get_by_label("Metric").fill("Conversion")
    page.get_by_label("Unit").fill("%")
    page.get_by_label("Start").fill("2")
    page.get_by_label("Target", exact=True).fill("4")
    page.get_by_role("button", name="Add key result").click()

    rows = page.locator("#kr-table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#objective-progress")).to_contain_text("0%")
    shot(page, "objective-before")

    page.get_by_label("New value for Checkout p95").fill("600")
    page.get_by_label("New value for Checkout p95").press("Enter")
    expect(page.locator("#kr-table tbody tr").first.locator(".kr-progress")).to_contain_text("50%")
    expect(page.locator("#objective-progress")).to_contain_text("25%")

    page.get_by_label("New value for Conversion").fill("lots")
    page.get_by_label("New value for Conversion").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("enter a number")
    expect(page.locator("#objective-progress")).to_contain_text("25%")
    shot(page, "objective-after")

    page.reload()
    expect(page.locator("#objective-progress")).to_contain_text("25%")
    expect(page.locator("svg.spark").first).to_be_visible()


def test_it_reorders_a_priority_stack_by_drag_and_keeps_the_order(page, shot, cast):
    for title in ("Edge cache", "Search revamp", "Billing cleanup"):
        s.create_initiative(cast.org, None, team=cast.platform, title=title, status="active")
    s.set_wip_limit(cast.org, None, cast.platform, 2)
    open_signed_in(page, cast.admin.user.email, "/o/acme/alignment/teams/platform/")
    items = page.locator("#stack-list .stack-item")
    expect(items).to_have_count(3)
    expect(page.get_by_text("over WIP by 1")).to_be_visible()
    shot(page, "stack-before")

    drag(page, "Billing cleanup", onto="Edge cache")
    expect(page.locator("#stack-status")).to_contain_text("moved to position 1")

    page.reload()
    expect(items.locator("a")).to_have_text(["Billing cleanup", "Edge cache", "Search revamp"])
    assert list(
        Initiative.objects.filter(team=cast.platform)
        .order_by("rank")
        .values_list("title", flat=True)
    ) == ["Billing cleanup", "Edge cache", "Search revamp"]

    # The keyboard way: the arrow buttons move one step.
    page.get_by_role("button", name="Move Search revamp up").click()
    expect(items.locator("a")).to_have_text(["Billing cleanup", "Search revamp", "Edge cache"])
    shot(page, "stack-after")


def test_after_a_drag_the_list_is_the_servers_and_the_arrows_move_from_there(page, shot, cast):
    """Someone else moved an item since the page was loaded: a drag here shows the order as
    saved and says it changed; then an arrow moves an item one place from where it is."""
    edge, *_ = [
        s.create_initiative(cast.org, None, team=cast.platform, title=title, status="active")
        for title in ("Edge cache", "Search revamp", "Billing cleanup", "Data lake")
    ]
    open_signed_in(page, cast.admin.user.email, "/o/acme/alignment/teams/platform/")
    items = page.locator("#stack-list .stack-item")
    expect(items).to_have_count(4)
    s.move_in_stack(cast.org, cast.admin, edge, 4)  # in another browser, meanwhile

    drag(page, "Billing cleanup", onto="Edge cache")
    saved = ["Billing cleanup", "Search revamp", "Data lake", "Edge cache"]
    expect(page.locator("#stack-status")).to_have_text(
        "The order changed since you loaded it: now 1. Billing cleanup, 2. Search revamp, "
        "3. Data lake, 4. Edge cache. Billing cleanup moved to position 1."
    )
    expect(items.locator("a")).to_have_text(saved)
    expect(items.locator(".rank")).to_have_text(["1", "2", "3", "4"])
    expect(page.get_by_role("button", name="Move Billing cleanup up")).to_be_hidden()
    expect(page.get_by_role("button", name="Move Edge cache down")).to_be_hidden()
    shot(page, "stack-changed-meanwhile")

    page.get_by_role("button", name="Move Billing cleanup down").click()
    expect(items.locator("a")).to_have_text(
        ["Search revamp", "Billing cleanup", "Data lake", "Edge cache"]
    )
    expect(page.get_by_text("Billing cleanup moved to position 2.")).to_be_visible()


def test_the_arrow_buttons_keep_the_focus_on_the_item_moved(page, shot, cast):
    """By keyboard, the page that comes back after a move has the focus on the same arrow
    button of the item moved (its other one once it reached the top or the bottom), so the
    next Enter moves it again. On a phone, where there is no drag handle, the hint names only
    the arrow buttons."""
    edge, *_ = [
        s.create_initiative(cast.org, None, team=cast.platform, title=title, status="active")
        for title in ("Edge cache", "Search revamp", "Billing cleanup")
    ]
    open_signed_in(page, cast.admin.user.email, "/o/acme/alignment/teams/platform/")
    items = page.locator("#stack-list .stack-item")
    hint = page.locator("#stack > p.muted").first
    expect(hint).to_contain_text("Drag the handle, or use the arrow buttons", use_inner_text=True)
    expect(hint).not_to_contain_text("Use the arrow buttons to reorder.", use_inner_text=True)
    page.get_by_role("button", name="Move Edge cache down").focus()
    page.keyboard.press("Enter")
    expect(items.locator("a")).to_have_text(["Search revamp", "Edge cache", "Billing cleanup"])
    has_focus(page, f"move-{edge.pk}-down")
    page.keyboard.press("Enter")
    expect(items.locator("a")).to_have_text(["Search revamp", "Billing cleanup", "Edge cache"])
    # At the bottom it has no "down" any more: its "up" has the focus.
    has_focus(page, f"move-{edge.pk}-up")
    page.keyboard.press("Enter")
    expect(items.locator("a")).to_have_text(["Search revamp", "Edge cache", "Billing cleanup"])
    has_focus(page, f"move-{edge.pk}-up")
    shot(page, "keyboard-moved")

    page.set_viewport_size({"width": 390, "height": 844})
    expect(items.first.locator(".handle")).to_be_hidden()
    expect(hint).to_contain_text("Use the arrow buttons to reorder.", use_inner_text=True)
    expect(hint).not_to_contain_text("Drag", use_inner_text=True)
    shot(page, "phone-hint")


def test_the_periods_table_fits_a_phone_without_scrolling_sideways(page, shot, cast):
    """At 390 px each period is a card: its name on a line, its dates and state, then its
    actions (Edit, Make current, Close, Carry over) a thumb can reach, all inside the
    table's width; on a desktop it is still a table of four columns."""
    org = cast.org
    q3 = s.create_period(
        org, None, name="Q3 2026", start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30)
    )
    s.create_period(
        org,
        None,
        name="Q4 2026",
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 12, 31),
        is_current=True,
    )
    s.create_period(
        org,
        None,
        name="Release train 2027.1",
        kind="release",
        start=dt.date(2026, 11, 9),
        end=dt.date(2027, 2, 1),
    )
    s.close_period(org, None, q3)
    page.set_viewport_size({"width": 390, "height": 844})
    open_signed_in(page, cast.admin.user.email, "/o/acme/alignment/periods/")
    table = page.locator("#periods-table")
    expect(table.get_by_role("button", name="Make current")).to_be_visible()
    shot(page, "periods-phone")
    wide, shown = table.evaluate("t => [t.scrollWidth, t.clientWidth]")
    assert wide <= shown, f"the periods table is {wide}px wide in {shown}px: it scrolls"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for control in (
        table.get_by_role("link", name="Edit").first,
        table.get_by_role("link", name="Close…").first,
        table.get_by_role("button", name="Carry over unfinished").first,
    ):
        box = control.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390, control

    page.set_viewport_size({"width": 1280, "height": 900})
    expect(table.locator("thead")).to_be_visible()  # a table again, with its headers
    cells = table.locator("tbody tr").first.locator("td")
    tops = {round(cells.nth(i).bounding_box()["y"]) for i in range(cells.count())}
    assert len(tops) == 1, "on a desktop a period is one row of cells"
    shot(page, "periods-desktop")


@pytest.mark.parametrize("large", [False, True], ids=["select", "search-box"])
def test_contributes_to_follows_the_period_chosen(page, shot, cast, monkeypatch, large):
    """Choosing another period in the new-objective form offers that period's objectives
    and those enclosing it under "Contributes to", the rest of the form as typed: in a list,
    and, in a large organization, in the search box."""
    from accord.web import pickers

    if large:
        monkeypatch.setattr(pickers, "PICKER_THRESHOLD", 0)
    q1 = s.create_period(
        cast.org, None, name="Q1 2026", start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31)
    )
    q2 = s.create_period(
        cast.org, None, name="Q2 2026", start=dt.date(2026, 4, 1), end=dt.date(2026, 6, 30)
    )
    year = s.create_period(
        cast.org,
        None,
        name="2026",
        kind="year",
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
    )
    goals = {
        title: s.create_objective(cast.org, None, title=title, period=period, level="org")
        for title, period in (("Q1 goal", q1), ("Q2 goal", q2), ("Year goal", year))
    }
    page.set_default_navigation_timeout(60_000)  # the live server's first page is slow
    open_signed_in(page, cast.admin.email, f"/o/acme/alignment/objectives/new/?period={q1.pk}")
    page.get_by_label("Title").fill("Summer plan")
    year_goal = "Year goal (Organization, 2026)"
    if large:
        pick(page, "Contributes to", "Year goal", option=year_goal)
    else:
        page.get_by_label("Contributes to").select_option(label=year_goal)
    page.get_by_label("Period").select_option(str(q2.pk))
    expect(page.locator("#id_parent-field .help")).to_contain_text("Q2 2026")
    expect(page.get_by_label("Title")).to_have_value("Summer plan")
    if large:
        # The parent chosen encloses Q2: still chosen; a search finds Q2's and the year's.
        box = page.get_by_role("combobox", name="Contributes to")
        expect(box).to_have_value(year_goal)
        expect(page.locator("#id_parent-field input[name=parent]")).to_have_value(
            str(goals["Year goal"].pk)
        )
        box.fill("goal")
        options = page.locator("#id_parent-options [role=option]")
        expect(options.filter(has_text="Q2 goal")).to_have_count(1)
        expect(options).to_have_count(2)
        expect(options.filter(has_text="Year goal")).to_have_count(1)
    else:
        parent = page.get_by_label("Contributes to")
        expect(parent).to_have_value(str(goals["Year goal"].pk))
        expect(parent.locator("option", has_text="Q2 goal")).to_have_count(1)
        expect(parent.locator("option", has_text="Q1 goal")).to_have_count(0)
        expect(parent.locator("option", has_text="Year goal")).to_have_count(1)
    shot(page, "q2")


def test_a_value_with_a_note_is_removed_by_ordinary_clicks_on_a_desktop(page, shot, cast):
    """On a key result's page at 1280 px, the recorded values (with their notes) have the
    room their table needs: the Remove form of a value is not under the next card, so its
    reason box and button take ordinary clicks (Playwright refuses a click another element
    would catch)."""
    today = dt.date.today()
    period = s.create_period(
        cast.org,
        None,
        name="Now",
        start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=60),
        state="active",
    )
    goal = s.create_objective(
        cast.org, None, title="Fast answers", period=period, team=cast.platform
    )
    kr = s.create_key_result(
        cast.org, None, goal, owner=cast.member, name="Tickets answered", start=2, target=8
    )
    s.create_initiative(  # the card after the values
        cast.org, None, team=cast.platform, title="Macro library", key_results=[kr]
    )
    s.record_key_result_value(cast.org, cast.member, kr, 6)
    s.record_key_result_value(
        cast.org,
        cast.member,
        kr,
        5,
        "Queue drained after the weekend backlog, new triage rota in place",
    )
    assert page.viewport_size == {"width": 1280, "height": 900}
    open_signed_in(page, cast.member.email, f"/o/acme/alignment/key-results/{kr.pk}/")
    row = page.locator(".kr-values tbody tr").filter(has_text="triage rota")
    row.locator("summary").click()
    row.get_by_label("Why (optional)").click()
    page.keyboard.type("typo")
    shot(page, "remove-open")
    row.get_by_role("button", name="Remove this value").click()
    expect(page.get_by_text("Value removed")).to_be_visible()
    expect(page.locator(".kr-values tbody tr").filter(has_text="triage rota")).to_have_count(0)
    kr.refresh_from_db()
    assert kr.current == 6
