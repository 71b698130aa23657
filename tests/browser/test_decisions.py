"""Recording a decision, weighing two options and deciding it as the approver, in a browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accord import demo
from tests.browser.conftest import open_signed_in, pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_approver_records_weighs_and_decides_a_decision(page, shot):
    demo.load()
    open_signed_in(page, demo.DEMO_LOGIN)
    expect(page.get_by_role("heading", name="Decisions waiting on you")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Decisions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Decision log")
    shot(page, "log")

    page.get_by_role("link", name="Record a decision").click()
    page.get_by_label("Question").fill("Do we open a pop-up store in Oslo?")
    pick(page, "Approver", "Maya", option="Maya Chen")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Do we open a pop-up store in Oslo?")

    add = page.get_by_role("form", name="Add an option")
    add.get_by_label("Option").fill("Pop-up for the winter")
    add.get_by_label("Pros").fill("Tests the market cheaply")
    add.get_by_label("Cons").fill("Short season")
    add.get_by_role("button", name="Add option").click()
    expect(page.get_by_role("status")).to_contain_text("Pop-up for the winter")

    page.get_by_text("Add an option", exact=True).click()
    add = page.get_by_role("form", name="Add an option")
    add.get_by_label("Option").fill("Wait for the distributor")
    add.get_by_label("Pros").fill("No lease")
    add.get_by_role("button", name="Add option").click()
    options = page.locator(".option")
    expect(options).to_have_count(2)
    shot(page, "options")

    decide = page.get_by_role("form", name="Decide")
    decide.get_by_label("Rationale").fill("Cheapest way to learn.")
    decide.get_by_role("button", name="Decide").click()  # neither an outcome nor an option
    expect(decide).to_contain_text("Write what was decided, or choose an option.")
    expect(decide.get_by_label("Rationale")).to_have_value("Cheapest way to learn.")
    # Shown again from the Decide address, the page names its own: reloading, the address
    # bar and its links go to the decision, not to an address that only takes a POST.
    assert re.search(r"/decisions/\d+/$", page.url), page.url
    decide.get_by_label("Option chosen").select_option(label="Pop-up for the winter")
    decide.get_by_role("button", name="Decide").click()
    expect(page.locator(".pagehead .tag").first).to_have_text("Decided")
    expect(page.get_by_role("form", name="Decide")).to_have_count(0)
    expect(page.locator(".outcome")).to_have_text("Pop-up for the winter")
    expect(options.filter(has_text="Pop-up for the winter")).to_contain_text("chosen")
    shot(page, "decided")

    page.get_by_role("link", name="Decision log").first.click()
    page.get_by_label("Search", exact=True).fill("Oslo")
    page.get_by_role("button", name="Filter").click()
    row = page.get_by_role("row").filter(has_text="Do we open a pop-up store in Oslo?")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Decided")
    shot(page, "in-log")


def test_a_lead_escalates_an_issue_and_reads_follow_through_on_a_phone(page, shot):
    demo.load()
    page.set_viewport_size({"width": 390, "height": 844})
    open_signed_in(page, demo.DEMO_LOGIN, "/o/northwind/decisions/issues/?team=platform")
    expect(page.get_by_role("heading", level=1)).to_have_text("Issues · Platform")
    issue = page.get_by_role("listitem").filter(has_text="Production database at 85% disk")
    shot(page, "issues-before")
    issue.get_by_text("Escalate to Engineering").click()
    issue.get_by_label("Why can Platform not solve it?").fill("Needs a budget decision.")
    issue.get_by_role("button", name="Escalate").click()
    expect(page.get_by_role("status")).to_contain_text("Escalated to Engineering")
    shot(page, "issues-phone")

    page.goto("/o/northwind/decisions/issues/?team=engineering")
    expect(page.get_by_role("link", name="Production database at 85% disk")).to_be_visible()
    page.get_by_role("link", name="Production database at 85% disk").click()
    expect(page.get_by_role("heading", name="Escalations")).to_be_visible()
    expect(page.locator(".timeline").first).to_contain_text("Platform → Engineering")

    page.goto("/o/northwind/decisions/actions/?team=platform")
    expect(page.get_by_role("heading", name="Follow-through")).to_be_visible()
    expect(page.locator(".figures").first).to_contain_text("%")
    shot(page, "actions-phone")

    page.goto("/o/northwind/decisions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Decision log")
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        "[...document.querySelectorAll('main *')]"
        ".filter(e => e.getBoundingClientRect().right > 392)"
        ".slice(0, 5).map(e => e.tagName + '.' + e.className)"
    )
    assert width <= 400, f"the log is {width}px wide on a 390px phone: {wide}"
    shot(page, "log-phone")


def test_dropping_an_action_item_asks_first(page):
    from accord.decisions.models import ActionItem, ActionStatus

    demo.load()
    open_signed_in(page, demo.DEMO_LOGIN, "/o/northwind/decisions/actions/")
    drop = page.get_by_role("button", name="Drop").first
    label = drop.get_attribute("aria-label")
    title = label.removeprefix("Drop “").removesuffix("”")
    item = ActionItem.objects.get(org__slug="northwind", title=title, status=ActionStatus.OPEN)
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    drop.click()
    page.wait_for_timeout(300)
    assert asked == [f"Drop “{title}”? It is kept, marked dropped."]
    item.refresh_from_db()
    assert item.status == ActionStatus.OPEN  # the person said no
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=label).click()
    expect(page.locator(".msg--success")).to_be_visible()
    item.refresh_from_db()
    assert item.status == ActionStatus.DROPPED


PHONE = {"width": 390, "height": 844}
FELIX = "felix.haddad@northwind.example"  # a member of Platform, not its lead


def _felix():
    """Felix, given a login (the demo signs in its leaders only)."""
    from accord.org import services as org_services
    from accord.org.models import Person

    felix = Person.objects.get(org__slug="northwind", email=FELIX)
    org_services.give_login(felix.org, None, felix, "a-long-password-42")
    return felix


def _box_of(locator) -> dict:
    """Where `locator` is on screen, once it is: measured right after a click, a button of
    the page that click loads may not be laid out yet."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not shown"
    return box


def test_on_a_phone_done_and_drop_fit_a_thumb_and_a_mistaken_done_is_undone(page, shot):
    """Felix, a member of Platform, on a 390 px phone: each of his items' Done and Drop is
    a target of at least 24 x 24 px (WCAG 2.5.8), side by side with room between them;
    tapping Done offers Undo in its message, which reopens the item."""
    from accord.decisions.models import ActionItem, ActionStatus

    demo.load()
    felix = _felix()
    page.set_viewport_size(PHONE)
    for path in (
        f"/o/northwind/decisions/actions/?person={felix.pk}",
        "/o/northwind/decisions/actions/?team=platform",
    ):
        open_signed_in(page, felix.email, path)
        dones = page.get_by_role("button", name=re.compile(r"^Mark “.+” done$"))
        expect(dones.first).to_be_visible()
        assert dones.count() >= 1, path
        for i in range(dones.count()):
            done = dones.nth(i)
            title = done.get_attribute("aria-label").removeprefix("Mark “").removesuffix("” done")
            drop = page.get_by_role("button", name=f"Drop “{title}”").first
            a, b = _box_of(done), _box_of(drop)
            for what, box in (("Done", a), ("Drop", b)):
                assert box["width"] >= 24 and box["height"] >= 24, (path, title, what, box)
                assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (path, box)
            assert abs(a["y"] - b["y"]) < 1, f"Done and Drop of {title} are not side by side"
            assert b["x"] - (a["x"] + a["width"]) >= 4, f"no room between Done and Drop: {a} {b}"
    shot(page, "actions-phone")

    done = page.get_by_role("button", name=re.compile(r"^Mark “.+” done$")).first
    title = done.get_attribute("aria-label").removeprefix("Mark “").removesuffix("” done")
    item = ActionItem.objects.get(org__slug="northwind", owner=felix, title=title, status="open")
    done.click()
    message = page.locator(".msg--success")
    expect(message).to_contain_text(f"Done: {title}.")
    undo = message.get_by_role("button", name="Undo")
    box = _box_of(undo)
    assert box["width"] >= 24 and box["height"] >= 24, box
    item.refresh_from_db()
    assert item.status == ActionStatus.DONE
    shot(page, "done-with-undo")
    undo.click()
    expect(page.locator(".msg--success")).to_contain_text(f"Reopened: {title}.")
    assert page.url.endswith("/o/northwind/decisions/actions/?team=platform"), page.url
    item.refresh_from_db()
    assert item.status == ActionStatus.OPEN

    # The notification settings' check boxes are as easy to hit.
    page.goto("/o/northwind/rhythm/settings/")
    # On a phone the kinds of notice come in closed groups: open each, as a thumb would.
    groups = page.locator("main details:not([open]) > summary")
    while groups.count():
        groups.first.click()
    boxes = page.locator("main input[type=checkbox]")
    expect(boxes.first).to_be_visible()
    for i in range(boxes.count()):
        box = _box_of(boxes.nth(i))
        assert box["width"] >= 24 and box["height"] >= 24, box


def test_on_a_phone_the_decision_log_is_a_card_per_decision_with_its_date(page, shot):
    """At 390 px each decision of the log shows its question, status, approver and date
    within the screen (no column cut off in a table that scrolls); on a laptop the log is
    still a table with its column headers."""
    demo.load()
    _felix()
    page.set_viewport_size(PHONE)
    open_signed_in(page, FELIX, "/o/northwind/decisions/")
    rows = page.locator(".dlog tbody tr")
    expect(rows.first).to_be_visible()
    table = page.locator(".dlog")
    overflow = table.evaluate("t => t.scrollWidth - t.clientWidth")
    assert overflow <= 1, f"the log scrolls sideways by {overflow}px"
    heights = []
    for i in range(rows.count()):
        row = rows.nth(i)
        when = _box_of(row.locator("td").last)
        assert when["x"] >= 0 and when["x"] + when["width"] <= PHONE["width"], (i, when)
        text = row.locator("td").last.inner_text()
        assert re.search(r"(decides by|decided) .*\d{4}|no date set", text), text
        for cell in (row.locator("td").nth(0), row.locator("td").nth(1), row.locator("td").nth(2)):
            box = _box_of(cell)
            assert box["x"] + box["width"] <= PHONE["width"], (i, box)
        heights.append(_box_of(row)["height"])
    # A card of a few lines (the question over two at most, the outcome cut to one).
    assert max(heights) <= 170, heights
    shot(page, "log-phone")

    page.set_viewport_size({"width": 1366, "height": 900})
    expect(page.get_by_role("columnheader", name="Decide by / decided")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Teams")).to_be_visible()
    expect(page.locator(".dlog tbody tr").first.locator(".narrow-inline").first).to_be_hidden()
