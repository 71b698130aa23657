"""Bringing an issue already raised to a meeting's agenda through the API, as the meeting
page's "Or bring an issue a team below raised" does: one of a team below is escalated to
the meeting's team, each step recorded; one on the agenda already is left as it is; what
cannot be brought (outside the meeting's teams, not open, not the caller's to escalate,
another organization's, a check-in) is refused with a 422 naming why, and nothing
changes."""

from __future__ import annotations

from accord.activity.models import Event
from accord.decisions import services as decisions
from accord.decisions.models import Issue, IssueEscalation
from accord.org import services as org_services
from tests.conftest import api_client
from tests.rhythm.test_agenda_bring_issue import world  # noqa: F401 (fixture)


def _bring(person, cadence, issue_id):
    return api_client(person).post(
        f"/api/v1/rhythm/cadences/{cadence.pk}/agenda/issues",
        {"issue_id": issue_id},
        content_type="application/json",
    )


def test_an_issue_two_levels_below_is_escalated_to_the_meetings_team(cast, world):  # noqa: F811
    flaky = world["issues"]["flaky"]
    r = _bring(cast.leader, world["top"], flaky.pk)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["moved"] is True
    assert body["issue"]["id"] == flaky.pk and body["issue"]["team_id"] == cast.root.pk
    assert [(e["reason"]) for e in body["issue"]["escalations"]] == [
        "Brought to the agenda of Leadership sync by Leo Leader"
    ] * 2
    steps = IssueEscalation.objects.filter(issue=flaky).order_by("at", "pk")
    assert [(s.from_team.name, s.to_team.name) for s in steps] == [
        ("Builds", "Platform"),
        ("Platform", "Acme"),
    ]
    assert (
        Event.objects.filter(
            target_type="decisions.issue", target_id=str(flaky.pk), verb="escalated"
        ).count()
        == 2
    )


def test_one_on_the_agenda_already_is_left_as_it_is(cast, world):  # noqa: F811
    fees = world["issues"]["fees"]
    r = _bring(cast.leader, world["top"], fees.pk)
    assert r.status_code == 200, r.content
    assert r.json()["moved"] is False and r.json()["issue"]["team_id"] == cast.root.pk
    assert not IssueEscalation.objects.exists()


def test_what_cannot_be_brought_is_refused_and_nothing_changes(cast, rhythm, world):  # noqa: F811
    fees, flaky, disk = (world["issues"][k] for k in ("fees", "flaky", "disk"))
    decisions.drop_issue(cast.org, cast.leader, disk, reason="Fixed")
    other = cast.other_org
    elsewhere = decisions.raise_issue(
        other, None, org_services.create_team(other, None, name="Ops", slug="ops"), "Theirs"
    )
    last = Event.objects.order_by("pk").last().pk
    for person, cadence, issue_id, code in (
        (cast.leader, rhythm.sync, fees.pk, "not_in_scope"),  # the top team's, not below
        (cast.member, world["top"], flaky.pk, "not_allowed"),  # Builds' to escalate
        (cast.leader, world["top"], disk.pk, "not_open"),
        (cast.leader, world["top"], elsewhere.pk, "unknown_reference"),
        (cast.leader, world["top"], 987654, "unknown_reference"),
        (cast.leader, rhythm.checkin, flaky.pk, None),  # a check-in has no agenda
    ):
        r = _bring(person, cadence, issue_id)
        assert r.status_code == 422, (code, r.content)
        if code:
            assert r.json()["error"]["code"] == code, r.json()
    assert _bring(cast.viewer, world["top"], flaky.pk).status_code == 403
    assert not Event.objects.exclude(target_type="api.apitoken").filter(pk__gt=last).exists()
    assert not IssueEscalation.objects.exists()
    assert Issue.objects.get(pk=flaky.pk).team == world["builds"]
