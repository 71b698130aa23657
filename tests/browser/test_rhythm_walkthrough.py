"""What a walk through the rhythm found, in a real browser: a meeting closes an action item
it reviews from its agenda line in place; the check-in form shows a number that is none
and a team not chosen in the same submit; the new cadence form starts on Weekly and shows
the team fields its scope uses."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accord.decisions import services as decisions
from accord.decisions.models import ActionItem, ActionStatus
from accord.rhythm import queries, services
from accord.rhythm.models import CheckIn
from tests.browser.conftest import open_signed_in
from tests.rhythm.conftest import check_in_owed, rhythm  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lead_closes_an_action_item_from_the_agenda_in_place(page, shot, cast, rhythm):  # noqa: F811
    item = decisions.create_action_item(
        cast.org, None, "Share the pipeline review", cast.member, due_on=timezone.localdate()
    )
    occ = queries.next_occurrence(rhythm.sync, timezone.now())
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, occ.original_start)
    services.start_meeting(cast.org, cast.leader, m, early=True)
    open_signed_in(page, cast.leader.email, f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{occ.key}/")
    expect(page.get_by_text("In progress")).to_be_visible()
    page.evaluate("window.stillHere = true")
    page.get_by_label("Notes on Action items").fill("Typed, not saved yet")
    tick = page.get_by_role("button", name="Discussed: Share the pipeline review")
    expect(tick).to_have_attribute("aria-pressed", "false")
    page.get_by_role("button", name="Close as done: Share the pipeline review").click()
    line = page.locator(".agenda-item", has_text="Share the pipeline review")
    expect(line.get_by_text("action item done")).to_be_visible()
    expect(tick).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#agenda-status")).to_have_text(
        "Action item closed as done (Mia Member): Share the pipeline review."
    )
    # No reload: the notes typed stay, and so does the keyboard's place.
    assert page.evaluate("window.stillHere") is True
    expect(page.get_by_label("Notes on Action items")).to_have_value("Typed, not saved yet")
    expect(
        page.get_by_role("button", name="Reopen action item: Share the pipeline review")
    ).to_be_focused()
    shot(page, "closed-in-place")
    assert ActionItem.objects.get(pk=item.pk).status == ActionStatus.DONE


def test_a_check_in_shows_every_error_in_one_submit(page, shot, cast, rhythm):  # noqa: F811
    _, url = check_in_owed(cast, rhythm)
    open_signed_in(page, cast.member.email, url)
    page.get_by_label("NPS").fill("forty-five")
    page.get_by_label("Blockers").fill("Waiting on the vendor")
    page.get_by_label("Blocked by team").fill("Nowhere team")
    page.get_by_role("button", name="Submit check-in").click()
    # Both at once, each beside its field.
    expect(page.locator("#blocker_team-not-chosen")).to_have_text("Choose a team from the list.")
    expect(page.get_by_label("NPS")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[id$='-error']", has_text="“forty-five” is not a number.")).to_be_visible()
    expect(page.get_by_label("NPS")).to_have_value("forty-five")
    shot(page, "both-errors")
    assert not CheckIn.objects.filter(person=cast.member).exists()


def test_a_refused_check_in_gives_its_error_summary_the_focus(page, shot, cast, rhythm):  # noqa: F811
    _, url = check_in_owed(cast, rhythm)
    open_signed_in(page, cast.member.email, url)
    page.get_by_label("NPS").fill("forty-five")
    page.get_by_role("button", name="Submit check-in").click()
    # Refused by the server: the summary on top has the keyboard's focus, to be read first
    # and to lead to each field from its links.
    summary = page.locator("#checkin-errors")
    expect(summary).to_contain_text("one answer needs putting right")
    expect(summary).to_be_focused()
    shot(page, "summary-focused")
    assert not CheckIn.objects.filter(person=cast.member).exists()


def test_a_check_in_asks_of_a_slip_and_records_it_when_ticked(page, shot, cast, rhythm):  # noqa: F811
    kr, url = check_in_owed(cast, rhythm)  # NPS, 20 to 50
    open_signed_in(page, cast.member.email, url)
    page.get_by_label("NPS").fill("4500")
    page.get_by_label("Highlights").fill("Survey closed")
    page.get_by_role("button", name="Submit check-in").click()
    expect(page.locator("#checkin-errors")).to_contain_text("4500 is far outside what NPS")
    expect(page.get_by_label("NPS")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("NPS")).to_have_value("4500")
    expect(page.get_by_label("Highlights")).to_have_value("Survey closed")
    shot(page, "slip-asked")
    assert not CheckIn.objects.filter(person=cast.member).exists()
    page.get_by_label("Record anyway").check()
    page.get_by_role("button", name="Submit check-in").click()
    expect(page.locator("#checkin-errors")).to_have_count(0)
    kr.refresh_from_db()
    assert kr.current == 4500
    assert CheckIn.objects.get(person=cast.member).highlights == "Survey closed"


def test_the_new_cadence_form_starts_on_weekly_and_shows_the_teams_its_scope_uses(page, shot, cast):
    open_signed_in(page, cast.leader.email, "/o/acme/rhythm/cadences/new/")
    expect(page.get_by_label("Repeats")).to_have_value("weekly")
    expect(page.get_by_label("Monday")).to_be_visible()
    team, teams = page.get_by_label("Team", exact=True), page.get_by_label("Teams", exact=True)
    expect(page.get_by_label("Scope")).to_have_value("team")
    expect(team).to_be_visible()
    expect(teams).to_be_hidden()
    page.get_by_label("Scope").select_option("teams")
    expect(team).to_be_hidden()
    expect(teams).to_be_visible()
    page.get_by_label("Scope").select_option("org")
    expect(team).to_be_hidden()
    expect(teams).to_be_hidden()
    shot(page, "org-scope")
