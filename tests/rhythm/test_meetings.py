"""Running a meeting: start (snapshot), attendance, notes, action items, headlines, ratings,
and what carries forward to the next occurrence."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.activity.models import Event
from accord.core.errors import PermissionDenied, ServiceError
from accord.decisions import services as decisions
from accord.decisions.models import ActionItem
from accord.rhythm import queries, services
from accord.rhythm.models import Attendance, Meeting, MeetingStatus
from tests.rhythm.conftest import utc

FIRST = utc(2026, 11, 9, 9)  # Monday 10:00 Berlin
SECOND = utc(2026, 11, 16, 9)


@pytest.fixture
def running(cast, rhythm):
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, FIRST)
    return services.start_meeting(cast.org, cast.leader, m, now=FIRST)


def test_a_meeting_runs_from_start_to_minutes(cast, rhythm, running):
    m = running
    assert m.status == MeetingStatus.RUNNING
    assert [s["key"] for s in m.agenda_snapshot] == [s["key"] for s in rhythm.sync.agenda]
    present = set(Attendance.objects.filter(meeting=m).values_list("person__name", flat=True))
    assert present == {cast.leader.name, cast.member.name}
    services.set_attendance(cast.org, cast.leader, m, cast.member, False)
    services.save_notes(cast.org, cast.leader, m, "issues", "We talked about builds.")
    item = services.add_action_item(
        cast.org,
        cast.leader,
        m,
        title="Fix the cache",
        owner=cast.member,
        due_on=timezone.localdate() + dt.timedelta(days=4),  # today or later
    )
    assert isinstance(item, ActionItem)
    assert (item.source_type, item.source_id) == ("rhythm.meeting", m.pk)
    services.add_headline(
        cast.org, cast.leader, m, "New hire starts Monday", cascade_to=[cast.root]
    )
    m = services.finish_meeting(
        cast.org, cast.leader, m, ratings={cast.leader.pk: 8}, now=FIRST + dt.timedelta(hours=1)
    )
    assert m.status == MeetingStatus.FINISHED and m.notes["issues"] == "We talked about builds."
    assert queries.ratings_of(m) == (8.0, 1)
    verbs = list(Event.objects.for_target("rhythm.meeting", m.pk).values_list("verb", flat=True))
    assert {"created", "started", "attendance", "noted", "finished"} <= set(verbs)
    with pytest.raises(ServiceError) as exc:
        services.save_notes(cast.org, cast.leader, m, "issues", "too late")
    assert exc.value.code == "not_running"


def test_unfinished_items_and_open_action_items_carry_forward(cast, rhythm, running):
    m = running
    issue_section = next(s for s in m.agenda_snapshot if s["source"] == "issues")
    assert issue_section["items"] == []  # nothing open yet
    # Give the meeting an open action item and an unchecked item that will be closed later.
    kept = services.add_action_item(cast.org, cast.leader, m, title="Kept", owner=cast.member)
    closed = services.add_action_item(cast.org, cast.leader, m, title="Closed", owner=cast.member)
    services.finish_meeting(cast.org, cast.leader, m)
    decisions.complete_action_item(cast.org, None, closed)
    nxt = services.open_meeting(cast.org, cast.leader, rhythm.sync, SECOND)
    nxt = services.start_meeting(cast.org, cast.leader, nxt, now=SECOND)
    # The one still open is first under the next meeting's action items, whatever its due
    # date, and so not carried forward as well.
    todos = next(s for s in nxt.agenda_snapshot if s["source"] == "action_items")
    assert todos["items"][0]["ref"] == f"action:{kept.pk}"
    assert "agreed on 9 Nov 2026" in todos["items"][0]["detail"]
    assert "Closed" not in {i["title"] for i in todos["items"]}
    assert nxt.carried_in == []


def test_ratings_are_from_one_to_ten_and_only_from_people_present(cast, running):
    for bad in ({cast.leader.pk: 11}, {cast.leader.pk: 0}, {cast.leader.pk: "great"}):
        with pytest.raises(ServiceError):
            services.finish_meeting(cast.org, cast.leader, running, ratings=bad)
    with pytest.raises(ServiceError):
        services.finish_meeting(cast.org, cast.leader, running, ratings={cast.admin.pk: 7})
    running.refresh_from_db()
    assert running.status == MeetingStatus.RUNNING
    assert not Attendance.objects.filter(rating__isnull=False).exists()


def test_outsiders_and_viewers_cannot_run_the_meeting(cast, rhythm, running):
    with pytest.raises(PermissionDenied):
        services.save_notes(cast.org, cast.viewer, running, "issues", "hi")
    with pytest.raises(PermissionDenied):
        services.open_meeting(cast.org, cast.viewer, rhythm.sync, SECOND)
    assert Meeting.objects.count() == 1


def test_it_refuses_to_start_twice(cast, running):
    with pytest.raises(ServiceError) as exc:
        services.start_meeting(cast.org, cast.leader, running)
    assert exc.value.code == "already_started"


def test_unchecked_agenda_items_carry_forward_and_checked_ones_do_not(cast, rhythm):
    from accord.alignment import services as alignment

    q = alignment.create_period(
        cast.org,
        None,
        name="Q4",
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 12, 31),
        state="active",
    )
    kept = alignment.create_objective(cast.org, None, title="Kept", period=q, team=cast.platform)
    handled = alignment.create_objective(
        cast.org, None, title="Handled", period=q, team=cast.platform
    )
    for o in (kept, handled):
        alignment.set_objective_confidence(cast.org, None, o, 3)
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, FIRST)
    m = services.start_meeting(cast.org, cast.leader, m, now=FIRST)
    services.mark_item_done(cast.org, cast.leader, m, f"confidence:objective:{handled.pk}")
    with pytest.raises(ServiceError):
        services.mark_item_done(cast.org, cast.leader, m, "confidence:objective:999999")
    services.finish_meeting(cast.org, cast.leader, m)
    # Both recover before the next meeting, so neither is on its live agenda any more.
    for o in (kept, handled):
        alignment.set_objective_confidence(cast.org, None, o, 9)
    nxt = services.open_meeting(cast.org, cast.leader, rhythm.sync, SECOND)
    nxt = services.start_meeting(cast.org, cast.leader, nxt, now=SECOND)
    assert [i["ref"] for i in nxt.carried_in] == [f"objective:{kept.pk}"]
    assert nxt.carried_in[0]["from_section"] == "Objectives at risk"


def test_what_is_already_on_the_new_agenda_is_not_carried_twice(cast, rhythm):
    issue = decisions.raise_issue(cast.org, None, cast.platform, "Still open")
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, FIRST)
    m = services.start_meeting(cast.org, cast.leader, m, now=FIRST)
    services.finish_meeting(cast.org, cast.leader, m)
    nxt = services.open_meeting(cast.org, cast.leader, rhythm.sync, SECOND)
    nxt = services.start_meeting(cast.org, cast.leader, nxt, now=SECOND)
    issues = next(s for s in nxt.agenda_snapshot if s["source"] == "issues")
    assert [i["ref"] for i in issues["items"]] == [f"issue:{issue.pk}"]
    assert nxt.carried_in == []


def test_decisions_taken_in_the_meeting_belong_to_the_decisions_pillar(cast, running):
    decided = services.add_decision(
        cast.org,
        cast.leader,
        running,
        question="Adopt trunk-based development?",
        approver=cast.leader,
        outcome="Yes, from next sprint.",
    )
    waiting = services.add_decision(
        cast.org,
        cast.leader,
        running,
        question="Buy a build farm?",
        approver=cast.admin,
        outcome="Probably",
    )
    assert decided.status == "decided" and waiting.status == "open"
    from accord.rhythm import links

    assert [d.pk for d in links.meeting_decisions(cast.org, running.pk)] == [decided.pk, waiting.pk]


def test_the_minutes_of_a_meeting_with_headlines_read_and_finish_through_the_api(
    cast, rhythm, running
):
    from tests.conftest import api_client, login

    client = api_client(cast.leader)
    r = client.post(
        f"/api/v1/rhythm/meetings/{running.pk}/headlines",
        {"text": "New hire starts Monday", "cascade_to": [cast.root.pk]},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    r = client.get(f"/api/v1/rhythm/meetings/{running.pk}")
    assert r.status_code == 200, r.content
    [headline] = r.json()["headlines"]
    assert headline["text"] == "New hire starts Monday"
    assert headline["cascade_to"] == [cast.root.pk]
    r = client.post(
        f"/api/v1/rhythm/meetings/{running.pk}/finish",
        {"ratings": {str(cast.leader.pk): 9}, "summary": "Good"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "finished" and len(r.json()["headlines"]) == 1
    page = login(cast.leader).get(f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{running.key}/")
    assert page.status_code == 200 and "New hire starts Monday" in page.content.decode()


def test_carried_items_say_when_what_they_say_was_true_and_show_a_first_screen(cast, rhythm):
    """An item carried from the last meeting's agenda reads as of that meeting (its
    confidence, its progress, then), and the carried section shows its first screen of
    items with more on demand, as any section."""
    from accord.alignment import services as alignment
    from tests.conftest import login

    q = alignment.create_period(
        cast.org, None, name="Q4", start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31)
    )
    objectives = [
        alignment.create_objective(
            cast.org, None, title=f"Goal {i:02d}", period=q, team=cast.platform
        )
        for i in range(15)
    ]
    for o in objectives:
        alignment.set_objective_confidence(cast.org, None, o, 3)
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, FIRST)
    m = services.start_meeting(cast.org, cast.leader, m, now=FIRST)
    services.finish_meeting(cast.org, cast.leader, m)
    for o in objectives:  # all recover: none is on the next live agenda, all are carried
        alignment.set_objective_confidence(cast.org, None, o, 9)

    url = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{SECOND:%Y%m%dT%H%M%SZ}/"

    def carried_section(query: str = "") -> str:
        page = login(cast.leader).get(url + query).content.decode()
        return page.split('id="section-carried"', 1)[1].split('class="card agenda__section"')[0]

    first = carried_section()
    assert first.count('class="agenda-item"') == 10
    assert "on 9 Nov 2026: confidence 3/10" in first
    assert "Show more of carried forward" in first
    assert carried_section("?open=carried&n=50").count('class="agenda-item"') == 15


def test_a_meeting_too_large_to_list_is_attended_by_people_marking_themselves(
    cast, rhythm, monkeypatch
):
    """Above `ATTENDANCE_LISTED` participants (an organization-wide review: 100,000 people,
    whose rows took 5 s to write at the start and whose page never finished rendering)
    nobody is marked at the start; each says they are here, a facilitator may mark anyone
    taking part, the page names a screen of those present and asks for no rating grid."""
    from tests.conftest import login

    monkeypatch.setattr(queries, "ATTENDANCE_LISTED", 1)  # the sync's two people are many
    [occ] = queries.occurrences_of(rhythm.sync, FIRST, FIRST + dt.timedelta(minutes=1))
    url = f"/o/{cast.org.slug}/rhythm/cadences/{rhythm.sync.pk}/{occ.key}/"
    leader, member = login(cast.leader), login(cast.member)
    decisions.raise_issue(cast.org, None, cast.platform, "Flaky builds")
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, FIRST)
    services.start_meeting(cast.org, cast.leader, m, now=FIRST)
    assert not Attendance.objects.filter(meeting=m).exists()

    html = member.get(url).content.decode()
    assert "0 present." in html and "I am here" in html
    assert 'type="checkbox" name="present"' not in html and 'name="rating_' not in html
    # An issue's owner is searched for, not chosen from a list of everyone.
    assert 'data-picker-name="owner"' in html and 'data-picker-name="action_owner_1"' in html

    # An admin may mark others, but is no participant to say they are here.
    assert "I am here" not in login(cast.admin).get(url).content.decode()

    member.post(url + "attendee/", {"person": cast.member.pk, "present": "1"})
    html = member.get(url).content.decode()
    assert "1 present:" in html and "I am not here" in html and cast.member.name in html
    assert Attendance.objects.get(meeting=m, person=cast.member).present

    # A facilitator marks someone else; someone who takes no part is refused.
    leader.post(url + "attendee/", {"person": cast.leader.pk, "present": "1"})
    leader.post(url + "attendee/", {"person": cast.member.pk, "present": "0"})
    refused = leader.post(
        url + "attendee/", {"person": cast.outsider.pk, "present": "1"}, follow=True
    )
    assert "Choose someone who takes part in this meeting." in refused.content.decode()
    for hostile in (
        {"person": "", "present": "1"},
        {"person": "abc", "present": "1"},
        {"person": "9" * 30, "present": "1"},
        {"person": "1\x00", "present": "1"},
        {"person": str(-cast.member.pk), "present": "1"},
        {"person": cast.member.pk, "present": "maybe"},
        {"present": "1"},
    ):
        answer = leader.post(url + "attendee/", hostile, follow=True)
        assert answer.status_code == 200, hostile
        assert "Choose someone who takes part in this meeting." in answer.content.decode()
    marks = dict(Attendance.objects.filter(meeting=m).values_list("person_id", "present"))
    assert marks == {cast.leader.pk: True, cast.member.pk: False}

    # The API answers the latest marked, and how many are present.
    from accord.rhythm import api as rhythm_api
    from tests.conftest import api_client

    monkeypatch.setattr(rhythm_api, "ATTENDANCE_ANSWERED", 1)
    body = api_client(cast.leader).get(f"/api/v1/rhythm/meetings/{m.pk}").json()
    assert body["present_count"] == 1
    assert body["attendance"] == [{"person_id": cast.leader.pk, "present": True, "rating": None}]

    # Those present rate it themselves, once it is over.
    leader.post(url + "finish/", {"summary": "Done."})
    assert Meeting.objects.get(pk=m.pk).status == MeetingStatus.FINISHED
    leader.post(url + "rate/", {"rating": "9"})
    assert queries.ratings_of(Meeting.objects.get(pk=m.pk)) == (9.0, 1)


def test_what_a_meeting_of_several_teams_decides_and_hands_out_is_filed_to_its_teams(cast):
    """An action item goes to its owner's team among the meeting's teams (so it shows on
    that team's list), a decision names the meeting's teams as affected."""
    from accord.org import services as org
    from accord.org.models import MembershipRole

    data = org.create_team(cast.org, None, name="Data", slug="data", parent=cast.root)
    org.add_membership(cast.org, None, person=cast.leader, team=cast.platform, allocation=50)
    org.add_membership(
        cast.org, None, person=cast.leader, team=data, role=MembershipRole.LEAD, allocation=50
    )
    joint = services.create_cadence(
        cast.org,
        cast.admin,
        name="Platform and Data sync",
        rrule="FREQ=WEEKLY;BYDAY=MO",
        timezone_name="Europe/Berlin",
        time=dt.time(10),
        scope="teams",
        teams=[cast.platform, data],
        start_date=dt.date(2026, 11, 2),
    )
    m = services.open_meeting(cast.org, cast.admin, joint, FIRST)
    m = services.start_meeting(cast.org, cast.admin, m, now=FIRST)
    item = services.add_action_item(cast.org, cast.admin, m, title="Fix", owner=cast.member)
    assert item.team == cast.platform
    led = services.add_action_item(cast.org, cast.admin, m, title="Plan", owner=cast.leader)
    assert led.team == data  # the team they lead, before the one they are in
    # Someone in neither team (a viewer owns nothing: the admin, in no team).
    outside = services.add_action_item(cast.org, cast.admin, m, title="Ask", owner=cast.admin)
    assert outside.team is None
    decision = services.add_decision(
        cast.org, cast.admin, m, question="Share one on-call rota?", approver=cast.admin
    )
    assert set(decision.teams.all()) == {cast.platform, data}


def test_the_feed_names_meetings_check_ins_and_time_off_as_pages_write_them(cast, rhythm, running):
    """Days as pages write them, in the cadence's zone, and verbs that read as sentences:
    not "attendance meeting … · 2026-11-09" or "away 2026-12-21-2027-01-01"."""
    import re

    from tests.conftest import login

    services.set_attendance(cast.org, cast.leader, running, cast.member, False)
    services.set_away(
        cast.org, cast.member, cast.member,
        starts_on=dt.date(2026, 12, 21), ends_on=dt.date(2027, 1, 1),
    )  # fmt: skip
    services.update_cadence(cast.org, cast.leader, rhythm.sync, time=dt.time(15))
    feed = login(cast.member).get("/o/acme/activity/").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", feed))
    assert f"Leo Leader marked attendance at meeting {rhythm.sync.name} · 9 Nov 2026" in text
    assert "Mia Member away 21 Dec 2026 to 1 Jan 2027" in text
    assert "15:00:00" not in text and "15:00" in text
    assert "2026-11-09" not in text
