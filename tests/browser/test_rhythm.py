"""The operating rhythm in a real browser: a check-in from My week, and a meeting from its
live agenda to its minutes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accord.decisions import services as decisions
from accord.decisions.models import ActionItem
from accord.rhythm import queries, services
from accord.rhythm.models import CheckIn, Meeting
from tests.browser.conftest import open_signed_in, pick
from tests.conftest import at
from tests.rhythm.conftest import check_in_owed, rhythm  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_checks_in_from_my_week(page, shot, cast, rhythm):  # noqa: F811
    kr, _ = check_in_owed(
        cast,
        rhythm,
        "Faster deploys",
        owns_objective=True,
        name="Deploys per week",
        start=2,
        target=20,
    )
    open_signed_in(page, cast.member.email, "/o/acme/rhythm/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My week")
    shot(page, "my-week")
    # The window opens eight days ahead, so the next check-in is open whatever the day; for a
    # day after Friday's due time the last one is also offered, overdue.
    due_next = page.locator(".owed").filter(has=page.get_by_text("Open", exact=True))
    due_next.get_by_role("link", name="Check in for Weekly team check-in · Platform").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check-in: Weekly team check-in")
    page.get_by_label("Deploys per week").fill("6")
    page.get_by_label("Faster deploys", exact=True).select_option("at_risk")
    page.get_by_label("Highlights").fill("CI cache is live.")
    # A blocker naming a team is offered as a pre-filled dependency request.
    page.get_by_label("Blockers").fill("Waiting on Acme for staging")
    pick(page, "Blocked by team", "Acme")
    offer = page.get_by_role("link", name="Ask with a dependency request")
    expect(offer).to_have_attribute(
        "href",
        f"/o/acme/coordination/new/?provider_team={cast.root.pk}&title=Waiting+on+Acme+for+staging",
    )
    shot(page, "form")
    page.get_by_role("button", name="Submit check-in").click()
    expect(page.get_by_text("Check-in for Weekly team check-in · Platform saved")).to_be_visible()
    expect(page.locator(".owed").get_by_text("On time")).to_be_visible()
    shot(page, "done")
    ci = CheckIn.objects.get(person=cast.member)
    assert ci.highlights == "CI cache is live." and ci.status == "on_time"
    kr.refresh_from_db()
    kr.objective.refresh_from_db()
    assert kr.current == 6 and kr.objective.confidence == 5


# Monday 7 Dec 2026, 09:30 in Berlin (08:30 UTC; the lead's day too): the weekly sync's next
# meeting is today's at 10:00, on My week and not begun, and the lead starts it on its day,
# with no question about starting early (asked before its day: the test after next).
MONDAY_9_30_BERLIN = dt.datetime(2026, 12, 7, 8, 30, tzinfo=dt.UTC)
MONDAY_10_BERLIN = dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)


def test_a_lead_runs_a_meeting_from_its_live_agenda_to_minutes(page, shot, cast, rhythm):  # noqa: F811
    with at(MONDAY_9_30_BERLIN):
        decisions.raise_issue(
            cast.org, None, cast.platform, "Flaky end-to-end suite", severity="high"
        )
        occ = queries.next_occurrence(rhythm.sync)
        assert occ.start == MONDAY_10_BERLIN
        open_signed_in(page, cast.leader.email, "/o/acme/rhythm/")
        page.get_by_role("link", name=rhythm.sync.name).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(rhythm.sync.name)
        expect(page.get_by_text("Live agenda")).to_be_visible()
        issues = page.locator("#section-issues")
        expect(issues).to_contain_text("Flaky end-to-end suite")
        shot(page, "live-agenda")
        page.get_by_role("button", name="Start meeting").click()
        expect(page.get_by_text("In progress")).to_be_visible()
        page.get_by_label("Notes on Issues").fill("Quarantine the suite, fix by Friday.")
        page.get_by_role("button", name="Save notes on Issues").click()
        # Saved in place, without reloading the page.
        expect(page.locator("#saved-issues")).to_contain_text("Saved at")
        # Notes typed and never saved are not lost to another button of the page.
        page.get_by_label("Notes on Check-in: good news").fill("Two new hires start Monday.")
        page.get_by_label("New action item").fill("Quarantine the flaky tests")
        actions = page.get_by_role("region", name="Action items")
        pick(actions, "Owner", cast.member.name)
        page.get_by_role("button", name="Add action item").click()
        expect(page.locator("#actions-h + ul")).to_contain_text("Quarantine the flaky tests")
        page.get_by_text("Record a decision").click()
        page.get_by_label("Decision to take").fill("Quarantine flaky tests automatically?")
        page.get_by_label("Outcome").fill("Yes, after two failures in a row.")
        page.get_by_label("Rationale", exact=True).fill("Red builds block every release.")
        page.get_by_role("button", name="Record decision").click()
        expect(page.get_by_text("(decided)")).to_be_visible()
        shot(page, "running")
        page.get_by_role("spinbutton", name=cast.leader.name).fill("8")
        page.get_by_role("button", name="Finish meeting").click()
        expect(page.get_by_text("Minutes", exact=True)).to_be_visible()
        expect(page.get_by_text("rated 8.0/10 by 1")).to_be_visible()
        shot(page, "minutes")
        m = Meeting.objects.get(cadence=rhythm.sync, occurrence_start=occ.original_start)
        assert m.status == "finished" and m.notes["issues"].startswith("Quarantine")
        assert m.notes["segue"] == "Two new hires start Monday."
        item = ActionItem.objects.get()
        assert (item.owner, item.source_type, item.source_id) == (
            cast.member,
            "rhythm.meeting",
            m.pk,
        )
        # On a phone the minutes stay readable.
        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        expect(page.get_by_role("heading", name="Action items", exact=True)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "phone")


def test_a_lead_edits_a_measurable_and_adds_a_participant(page, shot, cast, rhythm):  # noqa: F811
    m = services.create_measurable(
        cast.org, None, team=cast.platform, name="Deploys", goal_rule="at_least", goal_low=10
    )
    open_signed_in(page, cast.leader.email, "/o/acme/rhythm/teams/platform/")
    page.get_by_role("link", name="Edit Deploys").click()
    page.get_by_label("Name").fill("Deploys per week")
    page.get_by_label("Low").fill("12")
    shot(page, "measurable")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Deploys per week saved.")).to_be_visible()
    page.get_by_role("link", name="Edit Deploys per week").click()
    page.get_by_role("button", name="Archive this measurable").click()
    expect(page.get_by_text("Deploys per week archived; its values are kept.")).to_be_visible()
    m.refresh_from_db()
    assert m.name == "Deploys per week" and m.goal_low == 12 and not m.is_active
    page.goto(f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/edit/")
    pick(page, "Extra participants", "Vic", option=cast.viewer.name)
    shot(page, "cadence-edit")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(rhythm.sync.name)
    assert list(rhythm.sync.extra_participants.all()) == [cast.viewer]


def test_a_member_mutes_a_kind_of_notice_and_a_cadence(page, shot, cast, rhythm):  # noqa: F811
    from accord.activity.models import DeliveryPreferences

    open_signed_in(page, cast.member.email, "/o/acme/rhythm/")
    page.get_by_role("link", name="Notifications, time off and calendar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Notifications, time off and calendar"
    )
    # A ticked kind is one notified of: unticked, it is muted.
    expect(page.get_by_label("A decision you are informed of is reversed")).to_be_checked()
    page.get_by_label("A decision you are informed of is reversed").uncheck()
    expect(page.get_by_label("Weekly team check-in · Platform")).to_be_checked()
    page.get_by_label("Weekly team check-in · Platform").uncheck()
    page.get_by_label("Team chat").uncheck()
    shot(page, "choices")
    page.get_by_role("button", name="Save notifications").click()
    expect(page.get_by_text("Notification settings saved.")).to_be_visible()
    expect(page.get_by_label("A decision you are informed of is reversed")).not_to_be_checked()
    expect(page.get_by_label("A decision you are informed of is decided")).to_be_checked()
    expect(page.get_by_label("Weekly team check-in · Platform")).not_to_be_checked()
    shot(page, "saved")
    prefs = DeliveryPreferences.objects.get(person=cast.member)
    assert prefs.muted_kinds == ["decision_reversed"] and prefs.email and not prefs.chat
    assert [m.cadence for m in cast.member.cadence_mutes.all()] == [rhythm.checkin]


def test_a_calendar_address_is_shown_once_and_a_bad_schedule_shows_as_invalid(
    page,
    shot,
    cast,
    rhythm,  # noqa: F811
):
    from django.test import Client

    from accord.rhythm.models import Cadence

    Cadence.objects.filter(pk=rhythm.sync.pk).update(rrule="FREQ=DAILY;INTERVAL=0")
    open_signed_in(page, cast.member.email, "/o/acme/rhythm/settings/")
    page.get_by_role("button", name="Create my calendar address").click()
    address = page.get_by_label("Subscribe to this secret address").input_value()
    expect(page.get_by_text("It is shown only once")).to_be_visible()
    shot(page, "feed-created")
    token = address.rsplit("/", 1)[1].removesuffix(".ics")
    assert Client().get(f"/api/v1/rhythm/calendar/{token}.ics").status_code == 200
    page.goto("/o/acme/rhythm/settings/")
    expect(page.get_by_role("button", name="Regenerate the address")).to_be_visible()
    assert token not in page.content()
    page.goto("/o/acme/rhythm/cadences/")
    # (Listed twice: among the member's own cadences, and among every cadence.)
    expect(page.get_by_text("Invalid schedule").first).to_be_visible()
    page.goto(f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/")
    expect(page.get_by_role("alert")).to_contain_text("INTERVAL=0")
    shot(page, "invalid-schedule")


def test_a_lead_starts_early_reopens_picks_a_recurrence_and_solves_an_issue(
    page,
    shot,
    cast,
    rhythm,  # noqa: F811
):
    from accord.activity.models import Event
    from accord.decisions.models import Issue, IssueVote

    issue = decisions.raise_issue(
        cast.org, cast.member, cast.platform, "Flaky end-to-end suite", severity="high"
    )
    sync = rhythm.sync
    open_signed_in(page, cast.leader.email)
    # The recurrence picker shows the stored rule in words, and writes the one picked.
    page.goto(f"/o/acme/rhythm/cadences/{sync.pk}/edit/")
    expect(page.get_by_label("Repeats")).to_have_value("weekly")
    expect(page.get_by_label("Monday")).to_be_checked()
    expect(page.get_by_label("Which")).to_be_hidden()
    page.get_by_label("Repeats").select_option(label="Every other week on…")
    page.get_by_label("Monday").uncheck()
    page.get_by_label("Tuesday").check()
    # The rule field, for experts, follows what is picked.
    expect(page.get_by_label("Advanced: rule")).to_have_value("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU")
    # "Ends on" is the rule's UNTIL, to the end of that day.
    page.get_by_label("Ends on").fill("2027-06-30")
    until = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20270630T235959"
    expect(page.get_by_label("Advanced: rule")).to_have_value(until)
    shot(page, "picker")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"{sync.name} saved.")).to_be_visible()
    said = page.get_by_text("Every other week on Tuesday (until 30 Jun 2027)")
    expect(said.first).to_be_visible()  # the header, and the history of the change
    sync.refresh_from_db()
    assert sync.rrule == until

    # Starting a week ahead asks first; the owner can reopen it.
    occ = queries.next_occurrence(sync, timezone.now() + dt.timedelta(days=7))
    page.goto(f"/o/acme/rhythm/cadences/{sync.pk}/{occ.key}/")
    expect(page.get_by_text("Live agenda")).to_be_visible()
    page.get_by_role("button", name="Start meeting").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("early?")
    shot(page, "confirm-early")
    page.get_by_role("button", name="Start it now anyway").click()
    expect(page.get_by_text("In progress")).to_be_visible()
    page.get_by_text("Reopen: make the agenda live again").click()
    page.get_by_label("Why (optional)").fill("Started a week early by mistake")
    page.get_by_role("button", name="Reopen the meeting").click()
    expect(page.get_by_text("Meeting reopened")).to_be_visible()
    expect(page.get_by_text("Live agenda")).to_be_visible()
    m = Meeting.objects.get(cadence=sync, occurrence_start=occ.original_start)
    assert m.status == "planned" and m.agenda_snapshot == []
    reopened = Event.objects.get(verb="reopened", target_id=str(m.pk))
    assert reopened.after["reason"] == "Started a week early by mistake"
    page.get_by_role("button", name="Start meeting").click()
    page.get_by_role("button", name="Start it now anyway").click()
    expect(page.get_by_text("In progress")).to_be_visible()

    # Vote on the issue, then solve it with a decision and an action item.
    ids = page.locator("#ids")
    expect(ids).to_contain_text("Flaky end-to-end suite")
    page.get_by_role("button", name="Vote up: Flaky end-to-end suite").click()
    expect(page.get_by_role("button", name="Vote up: Flaky end-to-end suite")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator(f"#issue-{issue.pk} .ids__score")).to_contain_text("1")
    # On a phone the issues list fits the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.get_by_role("heading", name="Issues to solve")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "issues-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator(f"#issue-{issue.pk} summary", has_text="Solve").click()
    page.get_by_label("Decision solving Flaky end-to-end suite").fill(
        "Quarantine after two failures"
    )
    page.get_by_label("Rationale for solving Flaky end-to-end suite").fill(
        "Red builds block every release"
    )
    page.get_by_label("Action 1 for Flaky end-to-end suite", exact=True).fill(
        "Write the quarantine job"
    )
    page.get_by_label("Owner of action 1 for Flaky end-to-end suite").select_option(
        label=cast.member.name
    )
    shot(page, "solve")
    page.get_by_role("button", name="Solve Flaky end-to-end suite").click()
    expect(page.get_by_text("Solved: “Flaky end-to-end suite”.")).to_be_visible()
    expect(ids).to_contain_text("No open issues")
    shot(page, "solved")
    issue = Issue.objects.get(pk=issue.pk)
    assert issue.status == "solved" and issue.decision.outcome == "Quarantine after two failures"
    assert IssueVote.objects.get().person == cast.leader
    item = ActionItem.objects.get()
    assert (item.owner, item.source_type, item.source_id) == (
        cast.member,
        "decisions.issue",
        issue.pk,
    )


def test_the_settings_page_gives_the_notifications_their_width(page, shot, cast):
    """Some forty kinds of notice to mute: at 1280 px the notifications take the page's
    width, their mutes in columns (not a narrow strip beside a near-empty time off and
    calendar); at 320 px nothing scrolls sideways."""
    page.set_viewport_size({"width": 1280, "height": 900})
    open_signed_in(page, cast.member.email, "/o/acme/rhythm/settings/")
    shot(page, "my-settings-wide")
    notices = page.locator("section", has=page.get_by_role("heading", name="Notifications"))
    time_off = page.locator("section#time-off")
    wide, beside = notices.bounding_box(), time_off.bounding_box()
    assert wide["width"] > 2.5 * beside["width"] and beside["y"] > wide["y"] + wide["height"]
    mutes = page.locator("fieldset.mutes").first.locator("label")
    lefts = {round(box["x"]) for box in (m.bounding_box() for m in mutes.all())}
    assert len(lefts) >= 2, lefts  # in columns
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
