"""Signing in to the demo organization and walking its team directory, as a person would."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accord import demo
from accord.org import services
from accord.org.models import Membership
from tests.browser.conftest import OpenRequests, has_focus, open_signed_in, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_walks_from_sign_in_to_a_team_and_a_person(page, shot):
    demo.load()
    sign_in(page, demo.DEMO_LOGIN, demo.DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you, Maya")
    shot(page, "home")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Teams").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Teams")
    expect(page.get_by_role("list", name="Team directory")).to_contain_text("Engineering")
    shot(page, "directory")

    page.get_by_role("link", name="Platform", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Platform")
    expect(page.locator(".breadcrumbs")).to_contain_text("Engineering")
    # The header row and at least five members; waits for the table to be parsed.
    expect(page.get_by_role("table").get_by_role("row").nth(5)).to_be_visible()
    expect(page.get_by_text("Lead", exact=True).first).to_be_visible()
    shot(page, "team")

    lead_name = page.locator("tr:has(.tag--lead) td a").first.inner_text()
    page.get_by_role("link", name=lead_name).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(lead_name)
    expect(page.get_by_role("heading", name="Teams and allocation")).to_be_visible()
    expect(page.locator(".allocbar")).to_contain_text("Platform")
    shot(page, "person")


def test_it_switches_between_organizations_from_the_top_bar(page, shot, cast):
    ada = services.add_person(
        cast.other_org, None, name="Ada at Globex", role="viewer", user=cast.admin.user
    )
    _unread(cast.other_org, ada, 2)
    sign_in(page, cast.admin.user.username, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose an organization")
    expect(page.locator("main li", has_text="Globex")).to_contain_text("2 unread in your inbox")
    shot(page, "chooser")
    page.get_by_role("link", name="Acme").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you, Ada")
    switcher = page.locator("details.switcher")
    # Globex's unread items are hinted at from Acme.
    expect(switcher.locator("summary")).to_contain_text("2 elsewhere")
    switcher.locator("summary").click()
    expect(switcher.get_by_role("link", name="Acme")).to_have_attribute("aria-current", "true")
    expect(switcher.get_by_role("link", name="Globex")).to_contain_text("Viewer · 2 unread")
    shot(page, "switcher")
    switcher.get_by_role("link", name="Globex").click()
    expect(page).to_have_url(re.compile(r"/o/globex/$"))
    expect(page.locator("details.switcher summary")).to_contain_text("Globex")
    expect(page.locator("main")).to_contain_text("your role: viewer")
    # From a page every organization has, the switcher opens the same page in the other.
    page.get_by_role("link", name="Inbox").click()
    expect(page).to_have_url(re.compile(r"/o/globex/inbox/$"))
    page.locator("details.switcher summary").click()
    page.locator("details.switcher").get_by_role("link", name="Acme").click()
    expect(page).to_have_url(re.compile(r"/o/acme/inbox/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    # After signing out and in again, the front door opens the organization last used.
    page.locator("details.usermenu summary").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, cast.admin.user.username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/o/acme/$"))


def _unread(org, person, n: int) -> None:
    from accord.conversation import services as conversation
    from accord.conversation.models import InboxItem

    conversation.add_items(
        org,
        [
            InboxItem(org=org, person=person, kind="mention", key=f"m:{i}", title=f"Hi {i}")
            for i in range(n)
        ],
    )


def test_on_a_phone_the_organizations_name_is_read_whole_and_the_person_shrinks(page, shot, cast):
    """At 390 px the organization's name has the room (on two short lines if it needs
    them), the person shows as their initials, and the bar still fits the screen."""
    from accord.org.models import Organization

    Organization.objects.filter(pk=cast.org.pk).update(name="Acme Outfitters International")
    ada = services.add_person(
        cast.other_org, None, name="Ada at Globex", role="member", user=cast.admin.user
    )
    _unread(cast.other_org, ada, 3)
    page.set_viewport_size({"width": 390, "height": 844})
    open_signed_in(page, cast.admin.user.username, "/o/acme/inbox/")
    name = page.locator("details.switcher .topbar__name")
    expect(name).to_have_text("Acme Outfitters International")
    clipped = name.evaluate(
        "el => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1"
    )
    assert not clipped, "the organization's name is cut off"
    summary = page.locator("details.switcher summary")
    expect(summary).to_contain_text("3")  # Globex's unread, hinted at
    user = page.locator("details.usermenu summary")
    expect(user.locator(".usermenu__initials")).to_have_text("AA")
    expect(user.locator(".usermenu__initials")).to_be_visible()
    assert user.locator(".topbar__name").bounding_box()["width"] <= 1  # said, not shown
    expect(page.get_by_role("link", name="Inbox")).to_be_visible()
    bar = page.locator(".topbar").bounding_box()
    assert bar["height"] < 70, "the top bar takes more than one row"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "phone-topbar")
    summary.click()
    globex = page.locator("details.switcher").get_by_role("link", name="Globex")
    expect(globex).to_contain_text("3 unread")
    shot(page, "phone-switcher")
    globex.click()
    expect(page).to_have_url(re.compile(r"/o/globex/inbox/$"))
    expect(page.locator("details.switcher .topbar__name")).to_have_text("Globex")


def test_it_changes_the_password_and_signs_in_with_the_new_one(page, shot, cast):
    sign_in(page, cast.member.user.username, PASSWORD)
    page.locator("details.usermenu summary").click()
    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()  # still in the shell
    page.get_by_label("Old password").fill(PASSWORD)
    page.locator("#id_new_password1").fill("short")
    page.get_by_label("New password confirmation").fill("short")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".field--error").first).to_contain_text("too short")
    shot(page, "refused")
    new = "a brand new passphrase for mia"
    page.get_by_label("Old password").fill(PASSWORD)
    page.locator("#id_new_password1").fill(new)
    page.get_by_label("New password confirmation").fill(new)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".msg--success")).to_have_text(
        "Your password was changed. It is in effect now."
    )
    page.locator("details.usermenu summary").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, cast.member.user.username, new)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you, Mia")


def test_the_top_bar_menus_open_one_at_a_time_and_close_with_escape(page, cast):
    open_signed_in(page, cast.member.user.username)
    switcher, usermenu = page.locator("details.switcher"), page.locator("details.usermenu")
    switcher.locator("summary").click()
    usermenu.locator("summary").click()
    expect(usermenu).to_have_attribute("open", "")
    expect(switcher).not_to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(usermenu).not_to_have_attribute("open", "")
    expect(usermenu.locator("summary")).to_be_focused()

    # By keyboard: a menu that the focus leaves (Tab past its last item, Shift+Tab before
    # it) closes, rather than covering the item that has the focus now.
    switcher.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(switcher).to_have_attribute("open", "")
    items = switcher.locator("li a").count()
    for _ in range(items):
        page.keyboard.press("Tab")
    expect(switcher.locator("li a").last).to_be_focused()
    expect(switcher).to_have_attribute("open", "")  # moving within it keeps it open
    page.keyboard.press("Tab")
    expect(switcher).not_to_have_attribute("open", "")
    usermenu.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(usermenu).to_have_attribute("open", "")
    page.keyboard.press("Shift+Tab")
    expect(usermenu).not_to_have_attribute("open", "")


def test_a_refused_form_opens_with_the_keyboard_on_what_to_correct(page, shot, cast):
    """A form answered with its errors: the focus is on the first field refused (not left on
    the page's body), the field names its message (Django's `<id>_error`) for a screen
    reader, and on a phone the field is not under the sticky top bar."""
    page.set_viewport_size({"width": 390, "height": 844})
    open_signed_in(page, cast.member.user.username, "/o/acme/password/")
    page.get_by_label("Old password").fill(PASSWORD)
    page.locator("#id_new_password1").fill("short")
    page.get_by_label("New password confirmation").fill("short")
    page.get_by_role("button", name="Change password").click()
    refused = page.locator(".field--error").first
    expect(refused).to_contain_text("too short")
    field = refused.locator("input")
    has_focus(page, field.get_attribute("id"))
    described = field.get_attribute("aria-describedby").split()
    message = refused.locator("small.error")
    assert message.get_attribute("id") in described
    for id_ in described:
        expect(page.locator(f"#{id_}")).to_have_count(1)
    bar = page.locator(".topbar").bounding_box()
    assert field.bounding_box()["y"] >= bar["y"] + bar["height"], "the field is under the bar"
    shot(page, "refused-focus")


def test_what_gets_the_focus_is_never_under_the_sticky_top_bar(page, cast):
    """Going back up a long page by keyboard (Shift+Tab), each item focused scrolls into
    view below the top bar (app.css: scroll-padding-top), at a phone's width and a
    desktop's."""
    from accord.alignment import services as a

    for n in range(12):
        a.create_initiative(
            cast.org, None, team=cast.platform, title=f"Stream {n}", status="active"
        )
    for viewport in ({"width": 390, "height": 700}, {"width": 1280, "height": 600}):
        page.set_viewport_size(viewport)
        open_signed_in(page, cast.admin.user.email, "/o/acme/alignment/teams/platform/")
        page.locator("#stack-list a").last.focus()
        page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
        under = []
        for _ in range(20):
            page.keyboard.press("Shift+Tab")
            box = page.evaluate(
                """() => {
                  const el = document.activeElement, r = el.getBoundingClientRect();
                  const bar = document.querySelector('.topbar').getBoundingClientRect();
                  return [el.outerHTML.slice(0, 80), r.top, bar.bottom];
                }"""
            )
            if box[1] < box[2] - 1:
                under.append(box[0])
        assert under == [], f"{viewport['width']} px: focused under the top bar: {under}"


def test_every_main_page_fits_a_phone_and_its_navigation_is_one_row(browser, live_server, shot):
    """On a 390 px phone nothing is wider than the screen: no page scrolls sideways, the
    main navigation is one row that scrolls sideways with the current page in sight, and
    an objective's key results can be updated without scrolling sideways."""
    from accord.alignment.models import Objective
    from tests.browser.test_security import main_pages

    demo.load()
    org = demo.demo_org()
    base = f"/o/{org.slug}/"
    lead = Membership.objects.filter(team__slug="platform", role="lead").first().person
    objective = (
        Objective.objects.for_org(org)
        .filter(period__is_current=True, key_results__isnull=False)
        .order_by("pk")
        .first()
    )
    objective_url = f"{base}alignment/objectives/{objective.pk}/"
    pages = [
        *main_pages(org),
        objective_url,
        f"{base}people/{lead.pk}/",
        base + "decisions/actions/",
        base + "decisions/issues/",
        base + "decisions/waiting/",
        base + "rhythm/cadences/",
        base + "rhythm/settings/",
        base + "briefings/",
        base + "coordination/teams/platform/",
        base + "rhythm/teams/platform/",
        base + "password/",
    ]
    people_url = base + "people/"
    assert {people_url, objective_url} <= set(pages)
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server.url)
    page = context.new_page()
    requests = OpenRequests(page)
    try:
        open_signed_in(page, demo.DEMO_LOGIN, pages[0])
        wide = []
        for url in dict.fromkeys(pages):  # each once, in order
            if url != pages[0]:  # the first is open already
                page.goto(url)
            expect(page.get_by_role("navigation", name="Main")).to_be_visible()
            requests.settle()
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                wide.append(f"{url} is {width}px wide on a 390px phone")
            shot(page, "phone-" + url.strip("/").replace("/", "-"))
            if url == people_url:
                navigation_is_one_row_with_people_in_sight(page, shot)
            elif url == objective_url:
                key_results_update_in_sight(page, shot)
        assert not wide, "\n".join(wide)
    finally:
        context.close()


def navigation_is_one_row_with_people_in_sight(page, shot) -> None:
    """The navigation is one short row: the page it is on (People) shows in sight, and every
    other item is reached by scrolling the row sideways (not the page)."""
    nav = page.get_by_role("navigation", name="Main")
    assert nav.bounding_box()["height"] < 60, "the navigation takes more than one row"
    here = nav.locator("[aria-current=page]")
    expect(here).to_have_text("People")
    box = here.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, "People is out of sight"
    links = nav.get_by_role("link").all()
    assert len(links) >= 12
    for link in links:
        link.scroll_into_view_if_needed()
        box = link.bounding_box()  # (to a pixel: the row scrolls by fractions)
        assert box["x"] >= -1 and box["x"] + box["width"] <= 391, link.inner_text()
    assert page.evaluate("window.scrollX") == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "navigation-phone")


def key_results_update_in_sight(page, shot) -> None:
    """An objective's key results can be updated without scrolling sideways."""
    update = page.locator("#kr-table").get_by_role("button", name="Update").first
    update.scroll_into_view_if_needed()
    box = update.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    shot(page, "objective-phone")
