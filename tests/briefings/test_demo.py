"""On first start each of Northwind's leaders has their last four weekly briefings, built
from the demo's own history, and rebuilding any of them gives it again."""

from __future__ import annotations

from django.utils import timezone

from accord import demo
from accord.briefings import compose, queries, services
from accord.briefings.models import Briefing
from accord.org.models import Membership, Person


def test_northwinds_leaders_have_their_last_four_weekly_briefings(db):
    org = demo.load()
    leaders = {p.pk for p, _ in queries.subscribers(org)}
    leads = set(Membership.objects.filter(org=org, role="lead").values_list("person_id", flat=True))
    assert leads and leads <= leaders
    stored = Briefing.objects.filter(org=org)
    assert {b.person_id for b in stored} == leaders
    maya = Person.objects.get(org=org, email=demo.DEMO_LOGIN)
    mine = list(queries.briefings_of(org, maya))
    last = compose.last_complete_week(timezone.now(), maya.timezone)
    expected = [last]
    for _ in range(3):
        expected.append(expected[-1].previous())
    assert [b.week for b in mine] == [w.label for w in expected]
    assert all(b.content["sections"] for b in mine)  # a story, not quiet weeks
    # Each says what the demo's own history holds: rebuilding it as at the moment it was
    # built (where its "Coming up" starts) gives the same.
    latest = mine[0]
    again = services.build_for(org, expected[0], person=maya, now=latest.built_at)
    assert again == latest.content
    assert stored.count() == 4 * len(leaders)
