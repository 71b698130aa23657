"""What a meeting records, as a team lead relies on it: an action item for another team's
list, a decision with the options considered and the initiative it is about (one write),
the day a meeting started early as the day its items were agreed, too-long input said to be
too long, and refused notes kept in their box."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from accord.alignment import services as alignment
from accord.core.errors import ServiceError
from accord.decisions.models import Decision, DecisionLink, DecisionOption
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from accord.rhythm import queries, services
from tests.conftest import api_client, at, login, make_person
from tests.rhythm.conftest import FIRST, SECOND, existed_since, utc


def _said(page: str) -> str:
    """The page's messages, as read."""
    parts = page.split('class="msg msg--')[1:]
    return html.unescape(" ".join(p.split(">", 1)[1].split("</p>")[0] for p in parts))


def _started(cast, cadence, when, now=None) -> tuple:
    """The meeting of `when`, started by the team's lead at `now` (early if before). (The
    meeting, its page.)"""
    now = now or when
    with at(now):
        m = services.open_meeting(cast.org, cast.leader, cadence, when)
        m = services.start_meeting(cast.org, cast.leader, m, now=now, early=now < when)
    return m, f"/o/acme/rhythm/cadences/{cadence.pk}/{m.key}/"


@pytest.fixture
def mobile(cast, rhythm):
    """Mobile, a team beside Platform, with Priya Kowalski in it and its own weekly sync."""
    team = org_services.create_team(cast.org, None, name="Mobile", slug="mobile", parent=cast.root)
    priya = make_person(cast.org, "Priya Kowalski", Role.MEMBER)
    org_services.add_membership(cast.org, None, person=priya, team=team, role=MembershipRole.MEMBER)
    sync = services.create_cadence_from_template(
        cast.org,
        None,
        "weekly-sync",
        team=team,
        timezone_name="Europe/Berlin",
        start_date=dt.date(2026, 10, 1),
        owner=cast.leader,
    )
    existed_since(cast.org)
    return team, priya, sync


def test_an_action_item_is_for_the_team_chosen_and_said_when_its_owner_is_not_in_it(
    cast, rhythm, mobile
):
    team, priya, mobile_sync = mobile
    _m, url = _started(cast, rhythm.sync, FIRST)
    client = login(cast.leader)
    with at(FIRST):
        form = client.get(url).content.decode().split('id="actions"')[1].split("</form>")[0]
        # The team it is for is offered, the meeting's own chosen.
        assert 'name="team"' in form
        assert f'name="team" value="{cast.platform.pk}"' in form
        as_before = client.post(
            url + "action/",
            {"title": "Ship the crash fix", "owner": priya.pk, "team": cast.platform.pk},
            follow=True,
        )
        assert "Priya Kowalski is not in Platform: the action is on Platform's list." in _said(
            as_before.content.decode()
        )
        for_mobile = client.post(
            url + "action/",
            {
                "title": "Release the Android build",
                "owner": priya.pk,
                "team": team.pk,
                "due_on": "2026-11-10",
            },
            follow=True,
        )
        assert "not in" not in _said(for_mobile.content.decode())
        listed = client.get("/o/acme/decisions/actions/?team=mobile").content.decode()
        assert "Release the Android build" in listed
        assert "Ship the crash fix" not in listed
        occ = queries.next_occurrence(mobile_sync, FIRST)
        agenda = client.get(f"/o/acme/rhythm/cadences/{mobile_sync.pk}/{occ.key}/")
        assert "Release the Android build" in agenda.content.decode()


def _initiative(cast):
    return alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Move to Postgres", owner=cast.leader
    )


def test_a_decision_keeps_its_options_and_initiative_and_informs_others(cast, rhythm):
    initiative = _initiative(cast)
    _m, url = _started(cast, rhythm.sync, FIRST)
    with at(FIRST):
        login(cast.leader).post(
            url + "decision/",
            {
                "question": "Which database?",
                "approver": cast.leader.pk,
                "options": "Postgres\nMySQL\n\nSQLite\n",
                "outcome": "Postgres",
                "rationale": "We know it well",
                "initiative": initiative.pk,
            },
        )
    d = Decision.objects.get(question="Which database?")
    assert d.status == "decided"
    assert [o.title for o in d.options.order_by("position")] == ["Postgres", "MySQL", "SQLite"]
    assert d.chosen_option.title == "Postgres" and d.outcome == "Postgres"
    assert d.links.filter(target_type="alignment.initiative", target_id=initiative.pk).exists()
    # Its approver decides it; the informed are the others in the meeting.
    informed = set(d.informed.values_list("pk", flat=True))
    assert cast.leader.pk not in informed and cast.member.pk in informed


def test_a_decision_refused_keeps_nothing(cast, rhythm):
    _started_m, url = _started(cast, rhythm.sync, FIRST)
    before = (
        Decision.objects.count(),
        DecisionOption.objects.count(),
        DecisionLink.objects.count(),
    )
    with at(FIRST):
        page = login(cast.leader).post(
            url + "decision/",
            {
                "question": "Which queue?",
                "approver": cast.leader.pk,
                "options": "Kafka\n" + "R" * 250,
            },
        )
        assert page.status_code == 422
        assert "An option is too long (250 characters, at most 200)" in _said(page.content.decode())
        # The service itself: an option it refuses after the decision was opened keeps
        # neither the decision nor its other options, nor its link to the meeting.
        with pytest.raises(ServiceError):
            services.add_decision(
                cast.org,
                cast.leader,
                _started_m,
                question="Which queue?",
                approver=cast.leader,
                options=["Kafka", "R" * 250],
            )
    after = (Decision.objects.count(), DecisionOption.objects.count(), DecisionLink.objects.count())
    assert after == before


def test_items_of_a_meeting_started_early_are_dated_the_day_it_was_held(cast, rhythm):
    # The sync of Monday 16 Nov, started on Thursday 12 Nov.
    early = utc(2026, 11, 12, 9)
    m, _url = _started(cast, rhythm.sync, SECOND, now=early)
    with at(early):
        item = services.add_action_item(
            cast.org, cast.leader, m, title="Book the venue", owner=cast.member
        )
    services.finish_meeting(cast.org, cast.leader, m, now=early + dt.timedelta(hours=1))
    client = login(cast.leader)
    later = utc(2026, 11, 20, 9)
    with at(later):
        occ = queries.next_occurrence(rhythm.sync, later)
        agenda = client.get(f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{occ.key}/")
        assert "agreed on 12 Nov 2026" in agenda.content.decode()
        assert "agreed on 16 Nov 2026" not in agenda.content.decode()
        page = html.unescape(client.get(f"/o/acme/decisions/actions/{item.pk}/").content.decode())
        assert f"{rhythm.sync.name} · 12 Nov 2026" in page
        assert f"{rhythm.sync.name} · 16 Nov 2026" not in page


@pytest.mark.parametrize(
    ("action", "field", "length", "said"),
    [
        (
            "action",
            "title",
            5000,
            "The action item's title is too long (5,000 characters, at most 300).",
        ),
        ("headline", "text", 3000, "Headline is too long (3,000 characters, at most 500)."),
        (
            "decision",
            "question",
            400,
            "The decision to take is too long (400 characters, at most 300).",
        ),
        ("agenda", "title", 400, "What to discuss is too long (400 characters, at most 300)."),
    ],
)
def test_too_long_input_is_said_to_be_too_long(cast, rhythm, action, field, length, said):
    _m, url = _started(cast, rhythm.sync, FIRST)
    posted = {
        "action": {"owner": cast.member.pk},
        "decision": {"approver": cast.leader.pk},
        "agenda": {"team": cast.platform.pk},
        "headline": {},
    }[action]
    with at(FIRST):
        page = login(cast.leader).post(url + f"{action}/", {**posted, field: "x" * length})
    assert page.status_code == 422
    assert said in _said(page.content.decode())


def test_refused_notes_stay_in_their_box(cast, rhythm):
    m, url = _started(cast, rhythm.sync, FIRST)
    section = m.agenda_snapshot[0]["key"]
    typed = "Long notes " + "n" * (services.NOTES_MAX + 10)
    with at(FIRST):
        page = login(cast.leader).post(url + "notes/", {"section": section, "text": typed})
    assert page.status_code == 422
    box = page.content.decode().split(f'id="notes-{section}"')[1].split("</textarea>")[0]
    assert f'maxlength="{services.NOTES_MAX}"' in box
    assert typed in box
    m.refresh_from_db()
    assert m.notes.get(section, "") == ""


def test_the_api_takes_the_team_the_options_and_the_initiative(cast, rhythm, mobile):
    team, priya, _sync = mobile
    initiative = _initiative(cast)
    m, _url = _started(cast, rhythm.sync, FIRST)
    client = api_client(cast.leader)
    with at(FIRST):
        a = client.post(
            f"/api/v1/rhythm/meetings/{m.pk}/action-items",
            {"title": "Release the Android build", "owner_id": priya.pk, "team_id": team.pk},
            content_type="application/json",
        )
        assert a.status_code == 201, a.content
        assert a.json()["team_id"] == team.pk
        d = client.post(
            f"/api/v1/rhythm/meetings/{m.pk}/decisions",
            {
                "question": "Which queue?",
                "approver_id": cast.leader.pk,
                "options": ["Kafka", "SQS"],
                "outcome": "SQS",
                "rationale": "Managed",
                "initiative_id": initiative.pk,
            },
            content_type="application/json",
        )
        assert d.status_code == 201, d.content
    decision = Decision.objects.get(pk=d.json()["id"])
    assert decision.chosen_option.title == "SQS"
    assert decision.links.filter(target_type="alignment.initiative").count() == 1


def test_a_too_long_note_on_moving_a_meeting_is_said_to_be_too_long(cast, rhythm):
    with at(FIRST - dt.timedelta(days=3)):
        page = login(cast.leader).post(
            f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/20261109T090000Z/move/",
            {"new_start": "2026-11-10T10:00", "note": "n" * 400},
            follow=True,
        )
    assert "The note is too long (400 characters, at most 300)." in _said(page.content.decode())
