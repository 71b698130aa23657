"""A signal that ends because a more serious one about the same subject took over (a
dependency predicted late that is now overdue) is closed as taken over, not resolved: it
is not listed among the signals resolved since last week; one whose cause went away is."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.intelligence import evaluate, pages, queries
from accord.intelligence.models import CLOSED_TAKEN_OVER, Signal, SignalState
from accord.org import services as org_services
from accord.org.models import MembershipRole
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_predicted_late_then_overdue_is_taken_over_not_resolved(cast):
    org, today = cast.org, timezone.localdate()
    org_services.add_membership(
        org, None, person=cast.admin, team=cast.root, role=MembershipRole.LEAD
    )
    checkout = alignment.create_initiative(
        org, None, team=cast.platform, title="Checkout", status="active"
    )
    # Acme's work that serves them is due ten days after Platform needs them.
    payments = alignment.create_initiative(
        org, None, team=cast.root, title="Payments", status="active",
        target_date=today + dt.timedelta(days=13),
    )  # fmt: skip
    deps = {}
    for title in ("Label API", "Refunds API"):
        dep = coordination.create_dependency(
            org, None, requester_initiative=checkout, provider_team=cast.root,
            title=title, need_by=today + dt.timedelta(days=3),
        )  # fmt: skip
        deps[title] = coordination.transition(
            org, cast.admin, dep, "accept", provider_initiative=payments,
            committed_date=dep.need_by,
        )  # fmt: skip
    at = timezone.now()
    evaluate.evaluate(org, at)
    predicted = {
        s.subject_label: s
        for s in Signal.objects.filter(org=org, kind="dependencies.predicted_late")
    }
    assert set(predicted) == {"Label API", "Refunds API"}
    # Acme says the Refunds API is delivered (its signal resolved: fixed); not the Label API:
    # once its date has passed it is overdue (its predicted-late signal taken over).
    coordination.transition(org, cast.admin, deps["Refunds API"], "mark_delivered")
    evaluate.evaluate(org, at + dt.timedelta(days=5))
    late, fixed = (Signal.objects.get(pk=predicted[t].pk) for t in ("Label API", "Refunds API"))
    assert late.state == fixed.state == SignalState.RESOLVED
    assert late.closed_reason == CLOSED_TAKEN_OVER and fixed.closed_reason == ""
    assert (
        Signal.objects.get(
            org=org, kind="dependencies.overdue", subject_id=str(deps["Label API"].pk)
        ).state
        == SignalState.OPEN
    )
    since = at + dt.timedelta(hours=1)
    assert [s.pk for s in pages.resolved_since(org, None, since)] == [fixed.pk]
    assert [s.pk for s in queries.resolved_since(org, since)] == [fixed.pk]
    html = login(cast.admin).get(f"/o/{org.slug}/insights/signals/{late.pk}/").content.decode()
    assert "Closed: got worse" in html
    assert "Closed (a more serious signal about it took over)" in html
