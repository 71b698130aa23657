"""A comment with a mention on an initiative reaches the mentioned person's inbox, in a
browser: they see the unread count, follow the item to the comment and mark it done."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accord.alignment import services as alignment
from accord.conversation.models import InboxItem
from accord.org import services as org_services
from accord.org.models import MembershipRole
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mention_on_an_initiative_lands_in_the_inbox_and_is_marked_done(
    cast, page, browser, live_server, shot
):
    org = cast.org
    org_services.add_membership(
        org, None, person=cast.leader, team=cast.platform, role=MembershipRole.LEAD
    )
    today = timezone.localdate()
    alignment.create_period(
        org, None, name="Q", start=today, end=today + dt.timedelta(days=90), is_current=True
    )
    initiative = alignment.create_initiative(
        org, None, team=cast.platform, title="Build the pipeline", owner=cast.member
    )

    # The live server's first answer sets up its static files: on a busy machine that alone
    # can take longer than a step's timeout.
    page.goto("/accounts/login/", timeout=60_000)

    # Mia comments on the initiative and mentions Leo.
    open_signed_in(page, cast.member.email, f"/o/acme/alignment/initiatives/{initiative.pk}/")
    comments = page.get_by_role("region", name="Comments")
    comments.get_by_label("Add a comment").fill("Can you **review** this, @leo.leader?")
    comments.get_by_role("button", name="Comment").click()
    comment = page.locator(".comment").first
    expect(comment).to_contain_text("Can you review this, @leo.leader?")
    expect(comment.locator("strong")).to_have_text("review")
    expect(comment.get_by_role("link", name="@leo.leader")).to_have_attribute(
        "href", f"/o/acme/people/{cast.leader.pk}/"
    )
    shot(page, "commented")

    # Leo sees one unread item in the top bar, on a laptop and on a phone.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    leo = context.new_page()
    open_signed_in(leo, cast.leader.email)
    inbox_link = leo.locator(".topbar").get_by_role("link", name="Inbox")
    expect(inbox_link).to_contain_text("1")
    inbox_link.click()
    expect(leo.get_by_role("heading", level=1)).to_have_text("Inbox")
    item = leo.locator(".inbox__item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Mia Member mentioned you on initiative “Build the pipeline”")
    leo.set_viewport_size({"width": 390, "height": 844})
    expect(leo.get_by_role("button", name="Mark done")).to_be_visible()
    shot(leo, "inbox-phone")
    leo.set_viewport_size({"width": 1280, "height": 900})

    # The item leads to the comment, and is read from then on.
    item.locator(".inbox__open").click()
    expect(leo.get_by_role("heading", level=1)).to_have_text("Build the pipeline")
    expect(leo.locator(".comment:target")).to_contain_text("Can you review this")
    expect(leo.locator(".topbar").get_by_role("link", name="Inbox")).not_to_contain_text("1")

    # Done: the inbox is empty and the item is under Done.
    leo.locator(".topbar").get_by_role("link", name="Inbox").click()
    leo.get_by_role("button", name="Mark done").click()
    expect(leo.get_by_text("Nothing waiting on you.")).to_be_visible()
    leo.get_by_role("navigation", name="Inbox").get_by_role("link", name="Done").click()
    expect(leo.locator(".inbox__item")).to_contain_text("Build the pipeline")
    shot(leo, "done")
    assert InboxItem.objects.get(person=cast.leader).done_at is not None
    context.close()


def test_a_key_results_page_takes_a_comment_on_a_laptop_and_on_a_phone(cast, page, shot):
    org = cast.org
    today = timezone.localdate()
    period = alignment.create_period(
        org, None, name="Q", start=today, end=today + dt.timedelta(days=90), is_current=True
    )
    objective = alignment.create_objective(
        org, None, title="Ship the platform", period=period, team=cast.platform
    )
    kr = alignment.create_key_result(
        org, None, objective, name="Teams onboarded", target=10, owner=cast.member
    )
    page.goto("/accounts/login/", timeout=60_000)  # see the test above
    open_signed_in(page, cast.member.email)

    # From the objective's page to the key result's own page.
    page.goto(f"/o/acme/alignment/objectives/{objective.pk}/")
    page.locator("#kr-table").get_by_role("link", name="Teams onboarded", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Teams onboarded")
    expect(page.get_by_role("link", name="Ship the platform").first).to_be_visible()

    comments = page.get_by_role("region", name="Comments")
    comments.get_by_label("Add a comment").fill("First **ten** teams by Friday, @leo.leader")
    comments.get_by_role("button", name="Comment").click()
    expect(page).to_have_url(re.compile(rf"/key-results/{kr.pk}/\?comment=\d+#comment-\d+$"))
    # The address names the comment; as it comes back, "Comment posted." is said at its top.
    expect(page.locator(".comment:has(:target)")).to_contain_text("First ten teams by Friday")
    expect(page.locator(".comment:has(:target) strong")).to_have_text("ten")
    shot(page, "kr-commented")

    # On a phone the same page reads in one column: the comment and the update form fit.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator(".comment:has(:target)")).to_be_visible()
    record = page.get_by_role("button", name="Record value")
    record.scroll_into_view_if_needed()
    expect(record).to_be_in_viewport()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    shot(page, "kr-phone")
    assert InboxItem.objects.get(person=cast.leader).link.startswith(
        f"/o/acme/alignment/key-results/{kr.pk}/"
    )
