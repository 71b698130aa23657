"""Starting a meeting before its day asks first; a started meeting can be reopened by its
owner (the cadence's owner or whoever started it) until it ends, and that is recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.activity.models import Event
from accord.core.errors import NotFound, PermissionDenied, ServiceError
from accord.org import services as org_services
from accord.org.models import Role
from accord.rhythm import queries, services
from accord.rhythm.models import Attendance, Meeting, MeetingStatus
from tests.conftest import login, make_person
from tests.rhythm.conftest import utc

FIRST = utc(2026, 11, 9, 9)  # Monday 10:00 Berlin
SIX_DAYS_EARLY = FIRST - dt.timedelta(days=6)


def _events(meeting, verb):
    return Event.objects.filter(
        verb=verb, target_type="rhythm.meeting", target_id=meeting.pk
    ).count()


@pytest.fixture
def planned(cast, rhythm):
    return services.open_meeting(cast.org, cast.leader, rhythm.sync, FIRST)


@pytest.fixture
def colleague(cast):
    """A second member of Platform: a participant, neither owner nor facilitator."""
    p = make_person(cast.org, "Cleo Colleague", Role.MEMBER)
    org_services.add_membership(cast.org, None, person=p, team=cast.platform)
    return p


def test_starting_days_before_the_meeting_asks_for_confirmation(cast, planned):
    with pytest.raises(ServiceError) as exc:
        services.start_meeting(cast.org, cast.member, planned, now=SIX_DAYS_EARLY)
    assert exc.value.code == "confirm_early"
    assert "Mon 9 Nov 2026, 6 days from now" in exc.value.message
    planned.refresh_from_db()
    assert planned.status == MeetingStatus.PLANNED and planned.agenda_snapshot == []
    assert _events(planned, "started") == 0
    m = services.start_meeting(cast.org, cast.member, planned, now=SIX_DAYS_EARLY, early=True)
    assert m.status == MeetingStatus.RUNNING and m.started_by == cast.member
    event = Event.objects.get(verb="started", target_id=m.pk)
    assert event.after["days_early"] == 6


def test_on_its_day_a_meeting_starts_without_asking(cast, planned):
    m = services.start_meeting(cast.org, cast.member, planned, now=FIRST - dt.timedelta(hours=8))
    assert m.status == MeetingStatus.RUNNING


def test_the_cadence_owner_reopens_a_started_meeting_and_it_is_recorded(cast, rhythm, planned):
    m = services.start_meeting(cast.org, cast.member, planned, now=SIX_DAYS_EARLY, early=True)
    assert rhythm.sync.owner == cast.leader
    m = services.reopen_meeting(cast.org, cast.leader, m, reason="Started by mistake")
    assert m.status == MeetingStatus.PLANNED
    assert (m.agenda_snapshot, m.started_at, m.started_by) == ([], None, None)
    assert not Attendance.objects.filter(meeting=m).exists()
    event = Event.objects.get(verb="reopened", target_id=m.pk)
    assert event.actor == cast.leader and event.before["status"] == "running"
    assert event.after == {"status": "planned", "reason": "Started by mistake"}
    # Started again, on its day, it freezes the agenda afresh.
    m = services.start_meeting(cast.org, cast.member, m, now=FIRST)
    assert m.status == MeetingStatus.RUNNING and m.agenda_snapshot


def test_the_facilitator_may_reopen_but_another_participant_may_not(cast, planned, colleague):
    m = services.start_meeting(cast.org, cast.member, planned, now=SIX_DAYS_EARLY, early=True)
    for person in (colleague, cast.viewer):
        with pytest.raises(PermissionDenied):
            services.reopen_meeting(cast.org, person, m)
    m.refresh_from_db()
    assert m.status == MeetingStatus.RUNNING and _events(m, "reopened") == 0
    assert services.reopen_meeting(cast.org, cast.member, m).status == MeetingStatus.PLANNED


def test_a_planned_meeting_cannot_be_reopened(cast, planned):
    with pytest.raises(ServiceError) as exc:
        services.reopen_meeting(cast.org, cast.leader, planned)
    assert exc.value.code == "not_started"


def test_another_organization_cannot_reopen_a_meeting(cast, planned):
    m = services.start_meeting(cast.org, cast.leader, planned, now=FIRST)
    with pytest.raises(NotFound):
        services.reopen_meeting(cast.other_org, cast.outsider, m)
    m.refresh_from_db()
    assert m.status == MeetingStatus.RUNNING


# --- the pages -------------------------------------------------------------------------------


def _later_occurrence(cadence):
    """An occurrence at least a week away, whatever today is: always before its day."""
    return queries.next_occurrence(cadence, timezone.now() + dt.timedelta(days=7))


def test_the_page_asks_before_starting_early_and_changes_nothing_until_confirmed(cast, rhythm):
    occ = _later_occurrence(rhythm.sync)
    url = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{occ.key}/"
    client = login(cast.member)
    events = Event.objects.count()
    r = client.post(url + "start/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "Start Weekly team sync early?" in body or "early?" in body
    assert 'name="early" value="1"' in body and "<script" not in body.split("<main")[-1]
    assert not Meeting.objects.filter(cadence=rhythm.sync).exists()
    assert Event.objects.count() == events
    r = client.post(url + "start/", {"early": "1"})
    assert r.status_code == 302
    m = Meeting.objects.get(cadence=rhythm.sync, occurrence_start=occ.original_start)
    assert m.status == MeetingStatus.RUNNING and m.started_by == cast.member
    page = client.get(url).content.decode()
    assert "Reopen: make the agenda live again" in page


def test_the_owner_reopens_from_the_page_and_others_are_refused(cast, rhythm, colleague):
    occ = _later_occurrence(rhythm.sync)
    url = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{occ.key}/"
    login(cast.member).post(url + "start/", {"early": "1"})
    other = login(colleague)
    assert "Reopen: make" not in other.get(url).content.decode()
    assert other.post(url + "reopen/").status_code == 403
    r = login(cast.leader).post(url + "reopen/", follow=True)
    assert "Meeting reopened" in r.content.decode() and "Live agenda" in r.content.decode()
    m = Meeting.objects.get(cadence=rhythm.sync)
    assert m.status == MeetingStatus.PLANNED and _events(m, "reopened") == 1


def test_the_api_starts_early_only_when_asked_and_reopens(cast, rhythm):
    from tests.conftest import api_client

    occ = _later_occurrence(rhythm.sync)
    client = api_client(cast.leader)
    m = client.post(
        f"/api/v1/rhythm/cadences/{rhythm.sync.pk}/occurrences/{occ.key}/meeting"
    ).json()
    r = client.post(f"/api/v1/rhythm/meetings/{m['id']}/start")
    assert r.status_code == 422 and r.json()["error"]["code"] == "confirm_early"
    assert client.post(f"/api/v1/rhythm/meetings/{m['id']}/start?early=true").status_code == 200
    r = client.generic("POST", f"/api/v1/rhythm/meetings/{m['id']}/reopen")  # no body
    assert r.status_code == 200 and r.json()["status"] == "planned"
