"""A check-in updates key results (with history), confidence and initiatives through the
alignment services; it refuses items that are not the person's own and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity.models import Event
from accord.alignment import services as alignment
from accord.alignment.models import ConfidenceUpdate, KeyResultValue
from accord.core.errors import ServiceError
from accord.rhythm import queries, services
from accord.rhythm.models import CheckIn, MeasurableValue
from tests.rhythm.conftest import DUE


@pytest.fixture
def okrs(cast):
    period = alignment.create_period(
        cast.org,
        None,
        name="Q4",
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 12, 31),
        state="active",
        is_current=True,
    )
    mine = alignment.create_objective(
        cast.org, None, title="Faster deploys", period=period, team=cast.platform, owner=cast.member
    )
    theirs = alignment.create_objective(
        cast.org,
        None,
        title="Cheaper hosting",
        period=period,
        team=cast.platform,
        owner=cast.leader,
    )
    kr = alignment.create_key_result(
        cast.org, None, mine, name="Deploys per week", start=2, target=20, owner=cast.member
    )
    other_kr = alignment.create_key_result(
        cast.org,
        None,
        theirs,
        name="Cost per user",
        start=10,
        target=5,
        direction="decrease",
        owner=cast.leader,
    )
    init = alignment.create_initiative(
        cast.org, None, team=cast.platform, title="CI cache", owner=cast.member, status="active"
    )
    return {"mine": mine, "theirs": theirs, "kr": kr, "other_kr": other_kr, "init": init}


def test_submitting_updates_key_results_confidence_and_initiatives(cast, rhythm, okrs):
    kr, mine, init = okrs["kr"], okrs["mine"], okrs["init"]
    services.submit_checkin(
        cast.org,
        cast.member,
        rhythm.checkin,
        DUE,
        key_results={kr.pk: "7"},
        objectives={mine.pk: "at_risk"},
        initiatives={init.pk: "paused"},
        blockers="Waiting on security review",
        blocker_team=cast.root,
        now=DUE,
    )
    kr.refresh_from_db()
    mine.refresh_from_db()
    init.refresh_from_db()
    assert kr.current == 7
    assert list(KeyResultValue.objects.filter(key_result=kr).values_list("value", flat=True)) == [
        2,
        7,
    ]
    assert mine.confidence == 5
    assert ConfidenceUpdate.objects.filter(objective=mine, confidence=5).exists()
    assert init.status == "paused"
    ci = CheckIn.objects.get()
    assert ci.updates["key_results"] == {str(kr.pk): "7"}
    assert ci.blocker_team == cast.root
    # The next week's values again: history grows, values already current are not re-recorded.
    nxt = DUE + dt.timedelta(days=7)
    services.submit_checkin(
        cast.org,
        cast.member,
        rhythm.checkin,
        nxt,
        key_results={kr.pk: 9},
        objectives={mine.pk: 5},
        now=nxt,
    )
    assert list(
        KeyResultValue.objects.filter(key_result=kr).order_by("id").values_list("value", flat=True)
    ) == [2, 7, 9]
    assert ConfidenceUpdate.objects.filter(objective=mine).count() == 1


def test_it_refuses_someone_elses_key_result_and_changes_nothing(cast, rhythm, okrs):
    kr, other = okrs["kr"], okrs["other_kr"]
    events = Event.objects.count()
    with pytest.raises(ServiceError) as exc:
        services.submit_checkin(
            cast.org,
            cast.member,
            rhythm.checkin,
            DUE,
            key_results={kr.pk: 8, other.pk: 4},
            now=DUE,
        )
    assert exc.value.code == "not_yours"
    assert "key_results" in exc.value.fields
    kr.refresh_from_db()
    other.refresh_from_db()
    assert kr.current == 2 and other.current == 10
    assert KeyResultValue.objects.count() == 2  # the two starting values only
    assert not CheckIn.objects.exists()
    assert Event.objects.count() == events


def test_it_refuses_someone_elses_objective(cast, rhythm, okrs):
    with pytest.raises(ServiceError) as exc:
        services.submit_checkin(
            cast.org, cast.member, rhythm.checkin, DUE, objectives={okrs["theirs"].pk: 3}, now=DUE
        )
    assert exc.value.code == "not_yours"
    assert not CheckIn.objects.exists()


def test_it_refuses_a_confidence_out_of_range(cast, rhythm, okrs):
    with pytest.raises(ServiceError):
        services.submit_checkin(
            cast.org, cast.member, rhythm.checkin, DUE, objectives={okrs["mine"].pk: 11}, now=DUE
        )
    assert not CheckIn.objects.exists()


def test_measurable_values_entered_in_a_check_in_land_on_the_scorecard(cast, rhythm):
    m = services.create_measurable(
        cast.org,
        cast.leader,
        team=cast.platform,
        name="Incidents",
        goal_rule="at_most",
        goal_high=2,
        owner=cast.member,
    )
    services.submit_checkin(
        cast.org, cast.member, rhythm.checkin, DUE, measurables={m.pk: 3}, now=DUE
    )
    row = MeasurableValue.objects.get()
    assert row.week_start == dt.date(2026, 11, 2) and row.value == 3 and row.source == "checkin"


def test_the_form_prefills_from_the_last_check_in(cast, rhythm):
    services.submit_checkin(
        cast.org, cast.member, rhythm.checkin, DUE, highlights="Shipped", blockers="None", now=DUE
    )
    last = queries.last_checkin(cast.org, cast.member, rhythm.checkin)
    assert last.highlights == "Shipped"


def test_a_blocker_naming_another_team_can_be_raised_as_their_issue(cast, rhythm):
    from accord.decisions.models import Issue

    services.submit_checkin(
        cast.org,
        cast.member,
        rhythm.checkin,
        DUE,
        blockers="Need a staging database",
        blocker_team=cast.root,
        raise_blocker=True,
        now=DUE,
    )
    issue = Issue.objects.get()
    assert issue.team == cast.root and "Need a staging database" in issue.title
    # Submitting the same blocker again does not raise it twice.
    services.submit_checkin(
        cast.org,
        cast.member,
        rhythm.checkin,
        DUE,
        blockers="Need a staging database",
        blocker_team=cast.root,
        raise_blocker=True,
        now=DUE,
    )
    assert Issue.objects.count() == 1
    with pytest.raises(ServiceError):
        services.submit_checkin(
            cast.org, cast.leader, rhythm.checkin, DUE, blockers="x", raise_blocker=True, now=DUE
        )
    assert not CheckIn.objects.filter(person=cast.leader).exists()
