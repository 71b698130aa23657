"""The demo organization has a believable decision log, action items and issues."""

from __future__ import annotations

from collections import Counter

from accord import demo
from accord.decisions import queries
from accord.decisions.models import Decision, DecisionStatus, Issue


def test_the_demo_has_decisions_in_every_status_action_items_and_escalated_issues(db):
    org = demo.load()
    statuses = Counter(Decision.objects.for_org(org).values_list("status", flat=True))
    assert sum(statuses.values()) >= 30
    assert set(statuses) == set(DecisionStatus.values)
    assert queries.overdue_decisions(org).exists()
    assert queries.waiting_on(demo_person(org)).exists()

    by_team = queries.follow_through_by(org, key="team", days=90)
    rates = [ft.rate for ft in by_team.values() if ft.due >= 4]
    assert max(rates) - min(rates) >= 0.3  # teams differ believably

    assert Issue.objects.for_org(org).filter(escalations__isnull=False).exists()
    twice = [i for i in Issue.objects.for_org(org) if i.escalations.count() >= 2]
    assert twice and twice[0].team.parent_id is None  # climbed to the top
    assert len({i.team_id for i in queries.open_issues(org)}) >= 3


def demo_person(org):
    from accord.org.models import Person

    return Person.objects.get(org=org, email=demo.DEMO_LOGIN)
