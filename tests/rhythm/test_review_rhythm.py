"""What a product review of the rhythm found, fixed: check-in text is read by teammates
and the lead and blockers reach the team's meetings; a closed check-in is read-only; a
meeting finished early alone can be reopened; notes are refused rather than cut; the
cadence edit form edits owner, kind and start and refuses up front; one calendar address."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity.models import Event
from accord.core.errors import PermissionDenied, ServiceError
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from accord.rhythm import agenda, queries, services
from accord.rhythm.models import CalendarFeed, Meeting, MeetingStatus
from tests.conftest import login, make_person
from tests.rhythm.conftest import DUE, utc

FIRST = utc(2026, 11, 9, 9)  # Monday 9 Nov 2026, 10:00 in Berlin: the sync after DUE


def _round(rhythm, due=DUE) -> str:
    occ = queries.occurrence(rhythm.checkin, due)
    return f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{occ.key}/"


def _check_in(cast, rhythm, due=DUE, **text):
    return services.submit_checkin(
        cast.org, cast.member, rhythm.checkin, due, now=due - dt.timedelta(hours=1), **text
    )


# --- 1. check-in text ------------------------------------------------------------------------


def test_teammates_and_leads_read_the_check_ins_others_only_who_gave_one(cast, rhythm):
    _check_in(
        cast, rhythm, highlights="Shipped the cache", blockers="Waiting on Data", blocker_team=None
    )
    url = _round(rhythm) + "checkins/"
    for reader in (cast.leader, cast.admin):
        page = login(reader).get(url).content.decode()
        assert "Shipped the cache" in page and "Waiting on Data" in page, reader
    stranger = make_person(cast.org, "Sam Stranger", Role.MEMBER)
    page = login(stranger).get(url).content.decode()
    assert cast.member.name in page and "Shipped the cache" not in page
    assert 'id="round-private"' in page


def test_the_next_team_meeting_shows_open_blockers_from_the_latest_check_ins(cast, rhythm):
    ci = _check_in(cast, rhythm, highlights="Fine", blockers="Need the Data team's schema")
    meeting = Meeting(cadence=rhythm.sync, occurrence_start=FIRST, scheduled_start=FIRST)
    sections = agenda.build(cast.org, rhythm.sync, meeting, now=FIRST)
    [blockers] = [s for s in sections if s["key"] == "checkin_blockers"]
    assert [(i["ref"], i["title"]) for i in blockers["items"]] == [
        (f"checkin:{ci.pk}", cast.member.name)
    ]
    assert "Need the Data team's schema" in blockers["items"][0]["detail"]
    keys = [s["key"] for s in sections]
    assert keys.index("checkin_blockers") == keys.index("issues") - 1  # beside the issues
    occ = queries.occurrence(rhythm.sync, FIRST)
    page = login(cast.member).get(f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{occ.key}/")
    assert "Blockers from check-ins" in page.content.decode()
    # The next check-in without a blocker closes it: the meeting after has none.
    later = DUE + dt.timedelta(days=7)
    _check_in(cast, rhythm, due=later, highlights="Unblocked")
    after = FIRST + dt.timedelta(days=7)
    meeting = Meeting(cadence=rhythm.sync, occurrence_start=after, scheduled_start=after)
    keys = [s["key"] for s in agenda.build(cast.org, rhythm.sync, meeting, now=after)]
    assert "checkin_blockers" not in keys


def test_the_form_says_what_it_carries_over(cast, rhythm):
    _check_in(cast, rhythm, highlights="Old news", blockers="Still blocked")
    services.update_cadence(cast.org, None, rhythm.checkin, window_opens_hours=8 * 24)
    from django.utils import timezone

    occ = queries.next_occurrence(rhythm.checkin, timezone.now())
    page = login(cast.member).get(f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{occ.key}/checkin/")
    body = page.content.decode()
    assert "blockers carried over from your check-in of" in body
    assert "Still blocked" in body and "Old news" not in body
    assert "Your teammates and lead read it" in body


# --- 2. a closed check-in --------------------------------------------------------------------


def test_a_closed_check_in_is_read_only_and_an_edit_does_not_call_it_missed(cast, rhythm):
    _check_in(cast, rhythm, highlights="On time")
    url = _round(rhythm) + "checkin/"
    client = login(cast.member)
    page = client.get(url).content.decode()
    assert "you can still change it" not in page
    assert "closed</span> on" in page and 'id="checkin-closed"' in page
    assert "Submit check-in" not in page and "<textarea" not in page
    assert 'id="checkin-given"' in page and "<strong>Highlights:</strong> On time" in page
    refused = client.post(url, {"highlights": "Changed", "blockers": ""})
    assert refused.status_code == 422
    body = refused.content.decode()
    assert "missed" not in body.split('role="alert"')[1].split("</div>")[0]
    assert "submitted on time, stays as it was" in body
    with pytest.raises(ServiceError) as exc:
        services.submit_checkin(cast.org, cast.member, rhythm.checkin, DUE, highlights="x")
    assert exc.value.code == "window_closed" and "missed" not in exc.value.message


# --- 3. finishing early, reopening ------------------------------------------------------------


@pytest.fixture
def running_early(cast, rhythm):
    """Monday's sync, started by a member on the Saturday before (confirmed)."""
    saturday = FIRST - dt.timedelta(days=2)
    m = services.open_meeting(cast.org, cast.member, rhythm.sync, FIRST)
    return services.start_meeting(cast.org, cast.member, m, now=saturday, early=True)


def test_a_member_cannot_finish_a_meeting_before_its_day_its_owner_can(cast, running_early):
    saturday = FIRST - dt.timedelta(days=2)
    with pytest.raises(PermissionDenied) as exc:
        services.finish_meeting(cast.org, cast.member, running_early, now=saturday)
    assert "Mon 9 Nov 2026, 2 days from now" in exc.value.message
    running_early.refresh_from_db()
    assert running_early.status == MeetingStatus.RUNNING
    # On its day anyone taking part finishes it; before, its owner (the lead) may.
    m = services.finish_meeting(cast.org, cast.leader, running_early, now=saturday)
    assert m.status == MeetingStatus.FINISHED


def test_the_owner_a_lead_or_an_admin_reopen_a_finished_meeting_and_it_is_recorded(
    cast, rhythm, running_early
):
    m = services.finish_meeting(cast.org, cast.member, running_early, now=FIRST)
    with pytest.raises(PermissionDenied):  # whoever started it: no longer, once finished
        services.reopen_meeting(cast.org, cast.member, m)
    lead = make_person(cast.org, "Lena Lead", Role.MEMBER)
    org_services.add_membership(
        cast.org, None, person=lead, team=cast.platform, role=MembershipRole.LEAD
    )
    for who in (cast.leader, lead, cast.admin):
        assert services.can_reopen(who, m), who
    m = services.reopen_meeting(cast.org, lead, m, reason="Finished alone by mistake")
    assert m.status == MeetingStatus.RUNNING and m.ended_at is None
    event = Event.objects.filter(verb="reopened", target_id=m.pk).get()
    assert event.before["status"] == "finished" and event.after["status"] == "running"
    assert event.after["reason"] == "Finished alone by mistake"
    # The minutes and attendance can be changed again.
    services.save_notes(cast.org, cast.member, m, "issues", "Added after reopening")
    services.set_attendance(cast.org, cast.leader, m, cast.member, False)


def test_the_page_offers_reopen_of_minutes_and_dates_a_start_not_today(cast, rhythm, running_early):
    occ = queries.occurrence(rhythm.sync, FIRST)
    url = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{occ.key}/"
    page = login(cast.member).get(url).content.decode()
    assert "In progress</span> since Sat 7 Nov 2026" in page
    services.finish_meeting(cast.org, cast.leader, running_early, now=FIRST)
    assert "Reopen: edit the minutes" not in login(cast.member).get(url).content.decode()
    r = login(cast.leader).post(url + "reopen/", follow=True)
    assert "Meeting reopened" in r.content.decode()
    assert Meeting.objects.get(pk=running_early.pk).status == MeetingStatus.RUNNING


# --- 4. notes --------------------------------------------------------------------------------


def test_notes_with_a_nul_or_too_long_are_refused_and_nothing_changes(cast, rhythm, running_early):
    services.save_notes(cast.org, cast.member, running_early, "issues", "Kept")
    occ = queries.occurrence(rhythm.sync, FIRST)
    url = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{occ.key}/notes/"
    client = login(cast.member)
    events = Event.objects.count()
    for text, said in (("a\x00b", "NUL"), ("x" * 20_001, "at most 20,000")):
        r = client.post(url, {"section": "issues", "text": text})
        assert r.status_code == 422 and said in r.content.decode()
        hx = client.post(url, {"section": "issues", "text": text}, headers={"HX-Request": "1"})
        assert hx.status_code == 422 and said in hx.content.decode()
    running_early.refresh_from_db()
    assert running_early.notes["issues"] == "Kept" and Event.objects.count() == events
    ok = client.post(url, {"section": "issues", "text": "y" * 20_000})
    assert ok.status_code == 302


# --- 5, 7. the cadence edit form -------------------------------------------------------------


def _edit_form(cast, **changes):
    return {
        "name": "Platform sync",
        "kind": "sync",
        "owner": cast.leader.pk,
        "start_date": "2026-10-01",
        "scope": "team",
        "team": cast.platform.pk,
        "rrule": "FREQ=WEEKLY;BYDAY=MO",
        "time": "10:00",
        "duration_minutes": 90,
        "timezone": "Europe/Berlin",
        "checkin_owed_by": "everyone",
        "window_opens_hours": 48,
        "late_after_hours": 24,
        "is_active": "on",
        "agenda": "Issues | issues | 40",
        **changes,
    }


def test_the_edit_form_changes_owner_kind_and_start(cast, rhythm):
    client = login(cast.leader)
    url = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/edit/"
    page = client.get(url).content.decode()
    assert 'name="owner"' in page and 'name="kind"' in page and 'name="start_date"' in page
    r = client.post(url, _edit_form(cast, owner=cast.viewer.pk))
    assert r.status_code == 200 and "cannot own a cadence" in r.content.decode()
    r = client.post(
        url, _edit_form(cast, owner=cast.member.pk, kind="review", start_date="2026-10-05")
    )
    assert r.status_code == 302
    rhythm.sync.refresh_from_db()
    assert rhythm.sync.owner == cast.member and rhythm.sync.kind == "review"
    assert rhythm.sync.start_date == dt.date(2026, 10, 5)


def test_a_schedule_change_says_which_moved_or_cancelled_occurrences_it_dropped(cast, rhythm):
    services.cancel_occurrence(cast.org, cast.leader, rhythm.sync, FIRST)
    client = login(cast.leader)
    url = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/edit/"
    r = client.post(url, _edit_form(cast, rrule="FREQ=WEEKLY;BYDAY=TU"), follow=True)
    body = r.content.decode()
    assert "1 moved or cancelled occurrence no longer exists" in body
    assert "Mon 9 Nov 2026, 10:00 (cancelled)" in body
    rhythm.sync.refresh_from_db()
    assert not rhythm.sync.exceptions.exists()
    page = client.get(f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/").content.decode()
    # The history names the occurrence dropped, not "1 item".
    history = page[page.index('id="history-h"') :]
    dropped = history.split("</li>")[0] + history.split("</li>")[1]
    assert "<del>9 Nov 2026, 09:00 cancelled</del>" in dropped and "item" not in dropped


def test_a_lead_of_another_team_is_refused_before_the_form(cast, rhythm):
    other = org_services.create_team(cast.org, None, name="Data", parent=cast.root)
    lead = make_person(cast.org, "Dora Data", Role.MEMBER)
    org_services.add_membership(cast.org, None, person=lead, team=other, role=MembershipRole.LEAD)
    url = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/edit/"
    assert login(lead).get(url).status_code == 403
    assert login(cast.member).get(url).status_code == 403
    assert login(cast.leader).get(url).status_code == 200


# --- 8. one calendar address -----------------------------------------------------------------


def test_creating_my_calendar_address_again_adds_none(cast, rhythm):
    client = login(cast.member)
    for _ in range(3):
        client.post("/o/acme/rhythm/settings/", {"what": "feed"})
    assert CalendarFeed.objects.filter(person=cast.member, revoked_at__isnull=True).count() == 1
    r = client.post("/o/acme/rhythm/settings/", {"what": "feed"}, follow=True)
    assert "You already have a calendar address" in r.content.decode()
    feed = CalendarFeed.objects.get(person=cast.member, revoked_at__isnull=True)
    client.post("/o/acme/rhythm/settings/", {"what": "regenerate", "feed": feed.pk})
    assert CalendarFeed.objects.filter(person=cast.member, revoked_at__isnull=True).count() == 1
