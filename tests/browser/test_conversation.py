"""A comment with a mention on an initiative reaches the mentioned person's inbox, in a
browser: they see the unread count, follow the item to the comment and mark it done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accord.alignment import services as alignment
from accord.conversation.models import InboxItem
from accord.org import services as org_services
from accord.org.models import MembershipRole
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

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
    sign_in(page, cast.member.email, PASSWORD)
    page.goto(f"/o/acme/alignment/initiatives/{initiative.pk}/")
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
    sign_in(leo, cast.leader.email, PASSWORD)
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
