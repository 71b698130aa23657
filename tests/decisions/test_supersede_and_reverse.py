"""Superseding and reversing keep the original and link both ways."""

from __future__ import annotations

import pytest

from accord.activity.models import Event
from accord.core.errors import PermissionDenied, ServiceError
from accord.decisions import services
from accord.decisions.models import DecisionStatus
from tests.decisions.helpers import counts


@pytest.fixture
def decided(cast):
    d = services.create_decision(cast.org, cast.member, "Which database?", approver=cast.leader)
    return services.decide(cast.org, cast.leader, d, outcome="MySQL", rationale="We know it")


def test_superseding_keeps_the_original_and_links_both_ways(cast, decided):
    new = services.create_decision(cast.org, cast.member, "Which database, again?", cast.leader)
    services.decide(cast.org, cast.leader, new, outcome="PostgreSQL")
    services.supersede(cast.org, cast.leader, decided, by=new, reason="JSON support")
    decided.refresh_from_db()
    assert decided.status == DecisionStatus.SUPERSEDED
    assert decided.outcome == "MySQL" and decided.rationale == "We know it"
    assert decided.superseded_by == new
    assert list(new.supersedes.all()) == [decided]
    assert decided.supersede_reason == "JSON support"
    verbs = set(Event.objects.for_org(cast.org).values_list("verb", flat=True))
    assert {"superseded", "supersedes"} <= verbs


def test_reversing_keeps_the_original_outcome_with_the_reason(cast, decided):
    services.reverse(cast.org, cast.leader, decided, reason="Licence changed")
    decided.refresh_from_db()
    assert decided.status == DecisionStatus.REVERSED
    assert decided.outcome == "MySQL"
    assert decided.reversal_reason == "Licence changed"
    assert decided.closed_at is not None


def test_it_refuses_to_reverse_an_undecided_or_reversed_decision(cast, decided):
    open_one = services.create_decision(cast.org, cast.member, "Open?", approver=cast.leader)
    services.reverse(cast.org, cast.leader, decided, reason="Changed our mind")
    before = counts(cast.org)
    for d in (open_one, decided):
        with pytest.raises(ServiceError) as exc:
            services.reverse(cast.org, cast.leader, d, reason="Again")
        assert exc.value.code == "wrong_status"
    assert counts(cast.org) == before


def test_it_refuses_a_reversal_without_a_reason_or_by_a_member(cast, decided):
    before = counts(cast.org)
    with pytest.raises(ServiceError) as exc:
        services.reverse(cast.org, cast.leader, decided, reason=" ")
    assert "reason" in exc.value.fields
    with pytest.raises(PermissionDenied):
        services.reverse(cast.org, cast.member, decided, reason="I disagree")
    assert counts(cast.org) == before


def test_a_decision_cannot_supersede_itself(cast, decided):
    before = counts(cast.org)
    with pytest.raises(ServiceError):
        services.supersede(cast.org, cast.leader, decided, by=decided, reason="Loop")
    assert counts(cast.org) == before
