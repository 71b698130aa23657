"""A decision links only to things that exist in its own organization."""

from __future__ import annotations

import pytest

from accord.activity.models import Event
from accord.core.errors import ServiceError
from accord.decisions import services
from accord.decisions.models import DecisionLink


def test_a_link_to_an_id_that_does_not_exist_is_refused_and_changes_nothing(cast):
    decision = services.create_decision(cast.org, cast.member, "Which CI?", approver=cast.leader)
    events = Event.objects.count()
    with pytest.raises(ServiceError) as refused:
        services.link(cast.org, cast.member, decision, "decisions.issue", 987654)
    assert refused.value.fields == {"target_id": ["Unknown."]}
    assert not DecisionLink.objects.filter(decision=decision).exists()
    assert Event.objects.count() == events


def test_a_link_to_an_issue_of_the_same_organization_is_kept(cast):
    decision = services.create_decision(cast.org, cast.member, "Which CI?", approver=cast.leader)
    issue = services.raise_issue(cast.org, cast.member, cast.platform, "CI is slow")
    services.link(cast.org, cast.member, decision, "decisions.issue", issue.pk, "CI")
    assert DecisionLink.objects.filter(decision=decision, target_id=issue.pk).exists()
