"""What someone sees when a change sent in place (htmx) does not go through: signed out in
another tab, the whole page goes to the sign-in page (not into the row) and comes back with
the value filled in again in its own row; the database busy, a proxy's error page or no
connection, one plain sentence beside the form says so, never the answer's HTML, and what
was typed stays. A change on its way shows it, and a second click sends nothing twice."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accord.alignment import services as alignment
from accord.alignment.models import KeyResult
from accord.rhythm import services as rhythm_services
from tests.browser.conftest import has_focus, open_signed_in
from tests.conftest import PASSWORD
from tests.rhythm.conftest import rhythm, utc  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUSY_PAGE = (
    "<!doctype html><html><head><title>Busy — try again</title></head><body><main>"
    "<h1>Busy for a moment</h1><p>The database is busy.</p></main></body></html>"
)


@pytest.fixture(autouse=True)
def _patient(page):
    page.set_default_navigation_timeout(60_000)  # home's first answer on a busy machine


def _key_results(cast):
    today = timezone.localdate()
    period = alignment.create_period(
        cast.org,
        None,
        name="Now",
        start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=60),
        state="active",
    )
    goal = alignment.create_objective(
        cast.org, None, title="Reliable platform", period=period, team=cast.platform
    )
    made = [
        alignment.create_key_result(
            cast.org, None, goal, owner=cast.member, name=name, start=start, target=target
        )
        for name, start, target in (("Availability", 99.5, 99.95), ("Deploys", 2, 10))
    ]
    return made


def _failure(page, kr) -> str:
    return page.locator(f"#my-kr-{kr.pk} .request-failure")


def test_an_update_sent_signed_out_goes_to_sign_in_and_fills_its_own_row_again(page, cast):
    _, deploys = _key_results(cast)
    open_signed_in(page, cast.member.email, "/o/acme/")
    other_tab = page.context.new_page()
    other_tab.goto("/o/acme/")
    other_tab.locator("details.usermenu summary").click()
    other_tab.get_by_role("button", name="Sign out").click()
    other_tab.wait_for_load_state()
    other_tab.close()

    page.get_by_role("textbox", name="New value for Deploys").fill("7")
    page.get_by_role("button", name="Update Deploys").click()
    # The whole page is the sign-in page (not a sign-in page inside the row).
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/o/acme/$"))
    expect(page.locator(".topbar")).to_have_count(1)
    expect(page.locator("#signed-out")).to_contain_text("what you typed there is filled in again")
    page.get_by_label("Email").fill(cast.member.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/o/acme/$"))
    # In the row it was typed in, not the first one with a box of that name.
    expect(page.get_by_role("textbox", name="New value for Deploys")).to_have_value("7")
    expect(page.get_by_role("textbox", name="New value for Availability")).to_have_value("99.5")
    expect(page.locator(f"#my-kr-{deploys.pk} .kept-form-said")).to_contain_text(
        "What you typed is filled in again"
    )
    assert KeyResult.objects.get(pk=deploys.pk).current == 2  # not saved until sent again
    page.get_by_role("button", name="Update Deploys").click()
    expect(page.locator(f"#my-kr-{deploys.pk}")).to_contain_text("7 / 10")


def test_a_failed_update_says_why_in_words_and_keeps_what_was_typed(page, cast):
    uptime, _ = _key_results(cast)
    open_signed_in(page, cast.member.email, "/o/acme/")
    box = page.get_by_role("textbox", name="New value for Availability")
    update = page.get_by_role("button", name="Update Availability")
    failure = _failure(page, uptime)
    value_url = re.compile(rf"/key-results/{uptime.pk}/value/$")

    # Busy (a page of HTML, as a proxy or an older Accord answers): a sentence, not the HTML.
    page.route(
        value_url, lambda route: route.fulfill(status=503, body=BUSY_PAGE, content_type="text/html")
    )
    box.fill("99.7")
    update.click()
    expect(failure).to_have_text(
        "Not saved: Accord is busy for a moment — what you typed is kept; try again."
    )
    expect(failure).to_have_attribute("role", "status")
    expect(box).to_have_value("99.7")

    # Refused with a plain sentence: that sentence.
    page.unroute(value_url)
    page.route(
        value_url,
        lambda route: route.fulfill(
            status=403, body="You may not update this key result.", content_type="text/plain"
        ),
    )
    update.click()
    expect(failure).to_have_text("Not saved: You may not update this key result.")
    page.unroute(value_url)

    # No connection: said, and the earlier message gone.
    page.context.set_offline(True)
    update.click()
    expect(failure).to_have_text("Not saved: no connection — what you typed is kept; try again.")
    expect(box).to_have_value("99.7")
    assert "<" not in page.locator(f"#my-kr-{uptime.pk}").inner_text()

    # Back online: saved, and nothing stale left in the row.
    page.context.set_offline(False)
    update.click()
    expect(page.locator(f"#my-kr-{uptime.pk}")).to_contain_text("99.7 / 99.95")
    expect(page.locator(f"#my-kr-{uptime.pk} .request-failure")).to_have_count(0)
    assert KeyResult.objects.get(pk=uptime.pk).current == pytest.approx(99.7)


FIRST = utc(2026, 11, 9, 9)  # Monday 10:00 Berlin


def test_meeting_notes_not_saved_say_why_in_words(page, cast, rhythm):  # noqa: F811
    m = rhythm_services.open_meeting(cast.org, cast.leader, rhythm.sync, FIRST)
    m = rhythm_services.start_meeting(cast.org, cast.leader, m, now=FIRST)
    open_signed_in(page, cast.leader.email, f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{m.key}/")
    notes = page.get_by_label("Notes on Issues")
    status = page.locator("#saved-issues")
    page.route(
        re.compile(r"/notes/$"),
        lambda route: (
            route.fulfill(status=503, body=BUSY_PAGE, content_type="text/html")
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    notes.fill("CI is slow")
    page.get_by_role("button", name="Save notes on Issues").click()
    expect(status).to_have_text(
        "Not saved: Accord is busy for a moment — what you typed is kept; try again."
    )
    expect(notes).to_have_value("CI is slow")
    page.unroute(re.compile(r"/notes/$"))
    page.context.set_offline(True)
    page.get_by_role("button", name="Save notes on Issues").click()
    expect(status).to_have_text("Not saved: no connection — what you typed is kept; try again.")
    page.context.set_offline(False)


def test_notes_sent_signed_out_come_back_in_their_own_section(page, cast, rhythm):  # noqa: F811
    """Every section's notes form is sent to the same address: the notes typed come back
    in the section they were typed in (its hidden `section`), after signing in again."""
    m = rhythm_services.open_meeting(cast.org, cast.leader, rhythm.sync, FIRST)
    m = rhythm_services.start_meeting(cast.org, cast.leader, m, now=FIRST)
    url = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{m.key}/"
    open_signed_in(page, cast.leader.email, url)
    boxes = page.locator("form.notes textarea")
    assert boxes.count() >= 2
    second = boxes.nth(1).get_attribute("id")
    other_tab = page.context.new_page()
    other_tab.goto(url)
    other_tab.locator("details.usermenu summary").click()
    other_tab.get_by_role("button", name="Sign out").click()
    other_tab.wait_for_load_state()
    other_tab.close()

    # The notes sent are kept for after the sign-in: going there does not ask "Leave the
    # page?" about them.
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    page.locator(f"#{second}").fill("Hire a contractor")
    page.locator(f"#{second}").locator("xpath=..").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    assert asked == []
    page.get_by_label("Email").fill(cast.leader.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(f"#{second}")).to_have_value("Hire a contractor")
    expect(boxes.first).to_have_value("")
    expect(page.locator(".kept-form-said")).to_have_count(1)


def test_an_update_on_its_way_shows_it_and_is_sent_once(page, cast):
    uptime, _ = _key_results(cast)
    open_signed_in(page, cast.member.email, "/o/acme/")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 1500, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    form = page.locator(f"#my-kr-{uptime.pk} form")
    update = page.get_by_role("button", name="Update Availability")
    page.get_by_role("textbox", name="New value for Availability").fill("99.8")
    update.focus()
    page.keyboard.press("Enter")
    expect(form).to_have_attribute("aria-busy", "true")
    expect(update).to_have_attribute("aria-disabled", "true")
    page.wait_for_timeout(400)  # past the dimming's short delay
    assert float(form.evaluate("f => getComputedStyle(f).opacity")) < 1
    page.keyboard.press("Enter")  # again, impatient: nothing more is sent
    page.keyboard.press("Enter")
    expect(page.locator(f"#my-kr-{uptime.pk}")).to_contain_text("99.8 / 99.95", timeout=15_000)
    expect(update).not_to_have_attribute("aria-disabled", "true")
    has_focus(page, f"my-kr-update-{uptime.pk}")  # the keyboard stays on the button
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    page.wait_for_timeout(500)
    assert len(posts) == 1, posts


# What the form and its button say just after it was sent, kept for the page that comes
# (Playwright waits for the page being sent to before it reads anything).
NOTE_SENT = """
document.addEventListener("submit", (e) => setTimeout(() => {
  const button = e.target.querySelector("button[type=submit]");
  sessionStorage.setItem("seen", JSON.stringify(
    [e.target.getAttribute("aria-busy"), button && button.getAttribute("aria-disabled")]));
}, 50));
"""


def test_a_page_form_is_sent_once(page, cast):
    page.add_init_script(NOTE_SENT)
    open_signed_in(page, cast.member.email, "/o/acme/decisions/issues/new/")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 1500, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    title = page.get_by_label("Title")
    title.fill("Builds are slow")
    title.press("Enter")
    page.keyboard.press("Enter")  # again, impatient: nothing more is sent
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: not url.endswith("/issues/new/"), timeout=30_000)
    assert len(posts) == 1, posts
    assert page.evaluate("() => sessionStorage.getItem('seen')") == '["true","true"]'
