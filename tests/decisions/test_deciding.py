"""Only the approver decides; a decided decision refuses edits."""

from __future__ import annotations

import pytest

from accord.activity.models import Event
from accord.core.errors import PermissionDenied, ServiceError
from accord.decisions import services
from accord.decisions.models import DecisionStatus
from tests.decisions.helpers import counts


@pytest.fixture
def decision(cast):
    return services.create_decision(
        cast.org, cast.member, "Which queue do we adopt?", approver=cast.leader
    )


def test_it_records_a_decision_with_just_question_outcome_and_approver(cast):
    d = services.create_decision(
        cast.org, cast.member, "Ship on Fridays?", approver=cast.leader, outcome="No"
    )
    assert d.status == DecisionStatus.OPEN
    assert d.driver == cast.member
    assert d.outcome == "No"
    assert Event.objects.for_org(cast.org).for_target("decisions.decision", d.pk).count() == 1


def test_only_the_approver_decides(cast, decision):
    before = counts(cast.org)
    for someone in (cast.member, cast.admin, cast.viewer):
        with pytest.raises(PermissionDenied, match="Only the approver"):
            services.decide(cast.org, someone, decision, outcome="Kafka")
    assert counts(cast.org) == before
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.OPEN and decision.decided_at is None

    services.decide(cast.org, cast.leader, decision, outcome="Kafka", rationale="Throughput")
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DECIDED
    assert decision.decided_at is not None
    event = Event.objects.for_org(cast.org).get(verb="decided")
    assert event.actor == cast.leader and event.after["outcome"] == "Kafka"


def test_it_refuses_to_decide_without_an_outcome(cast, decision):
    before = counts(cast.org)
    with pytest.raises(ServiceError) as exc:
        services.decide(cast.org, cast.leader, decision, outcome="  ")
    assert "outcome" in exc.value.fields
    assert counts(cast.org) == before


def test_a_decided_decision_refuses_edits_and_new_options(cast, decision):
    services.add_option(cast.org, cast.member, decision, "Kafka", pros="Fast", cons="Ops")
    services.decide(cast.org, cast.leader, decision, outcome="Kafka")
    before = counts(cast.org)
    with pytest.raises(ServiceError) as exc:
        services.update_decision(cast.org, cast.leader, decision, outcome="RabbitMQ")
    assert exc.value.code == "immutable"
    with pytest.raises(ServiceError):
        services.add_option(cast.org, cast.leader, decision, "RabbitMQ")
    with pytest.raises(ServiceError):
        services.decide(cast.org, cast.leader, decision, outcome="RabbitMQ")
    assert counts(cast.org) == before
    decision.refresh_from_db()
    assert decision.outcome == "Kafka"


def test_a_proposal_moves_an_open_decision_to_proposed(cast, decision):
    services.propose(cast.org, cast.member, decision, outcome="Kafka")
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PROPOSED and decision.proposed_at
    services.decide(cast.org, cast.leader, decision)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DECIDED and decision.outcome == "Kafka"


def test_a_viewer_cannot_open_a_decision(cast):
    before = counts(cast.org)
    with pytest.raises(PermissionDenied):
        services.create_decision(cast.org, cast.viewer, "Anything?", approver=cast.leader)
    assert counts(cast.org) == before


def test_an_outsider_cannot_edit_someone_elses_decision(cast, decision):
    services.update_decision(cast.org, cast.member, decision, context="Latency matters")
    other = services.create_decision(cast.org, cast.admin, "Other?", approver=cast.admin)
    with pytest.raises(PermissionDenied):
        services.update_decision(cast.org, cast.member, other, context="Mine now")


def test_deciding_names_the_informed_people_and_affected_teams_in_the_event(cast):
    d = services.create_decision(
        cast.org,
        cast.member,
        "Freeze deploys in December?",
        approver=cast.leader,
        informed=[cast.viewer, cast.admin],
        teams=[cast.platform],
    )
    services.decide(cast.org, cast.leader, d, outcome="Yes, from the 20th")
    event = Event.objects.for_org(cast.org).get(verb="decided")
    assert event.kind == "decisions.decision.decided"
    assert sorted(event.after["informed"]) == sorted([cast.viewer.pk, cast.admin.pk])
    assert event.after["teams"] == [cast.platform.pk]
