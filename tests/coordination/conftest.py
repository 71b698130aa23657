"""Two teams that depend on each other, on top of the shared cast.

Sales (requester) asks Operations (provider). `asker` is a member of Sales, `giver` a member
of Operations, `bystander` a member of neither; `cast.viewer` is a viewer in both teams.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from accord.alignment import services as alignment
from accord.alignment.models import Initiative
from accord.coordination import services
from accord.coordination.models import Dependency
from accord.org import services as org_services
from accord.org.models import MembershipRole, Person, Role, Team
from tests import replay
from tests.conftest import make_person


@dataclass
class World:
    org: object
    sales: Team
    ops: Team
    asker: Person
    giver: Person
    bystander: Person
    viewer: Person
    launch: object  # Sales' initiative
    warehouse: object  # Operations' initiative
    today: dt.date

    def request(self, **kw) -> Dependency:
        data = {
            "requester_initiative": self.launch,
            "provider_team": self.ops,
            "title": "Stock for the spring launch",
            "need_by": self.today + dt.timedelta(days=30),
        }
        data.update(kw)
        # A test's world may hold the same request twice (`again`: not a second click).
        return services.create_dependency(self.org, self.asker, again=True, **data)


def initiative(org, team, title, *, start=None, target=None, status="active"):
    return alignment.create_initiative(
        org, None, team=team, title=title, status=status, start_date=start, target_date=target
    )


def accepted(world, asks, team, gives, title):
    """`asks` (an initiative) asks `team` for `title` in 40 days, accepted for `gives`."""
    dep = services.create_dependency(
        world.org,
        None,
        requester_initiative=asks,
        provider_team=team,
        title=title,
        need_by=world.today + dt.timedelta(days=40),
    )
    return services.transition(
        world.org,
        None,
        dep,
        "accept",
        provider_initiative=gives,
        committed_date=world.today + dt.timedelta(days=40),
    )


def _build_world(cast) -> World:
    org = cast.org
    today = timezone.localdate()
    sales = org_services.create_team(org, None, name="Sales", slug="sales", parent=cast.root)
    ops = org_services.create_team(org, None, name="Operations", slug="ops", parent=cast.root)
    asker = make_person(org, "Asha Asker", Role.MEMBER)
    giver = make_person(org, "Gil Giver", Role.MEMBER)
    bystander = make_person(org, "Bea Bystander", Role.MEMBER)
    org_services.add_membership(
        org, None, person=asker, team=sales, role=MembershipRole.LEAD, allocation=100
    )
    org_services.add_membership(
        org, None, person=giver, team=ops, role=MembershipRole.LEAD, allocation=100
    )
    org_services.add_membership(org, None, person=bystander, team=cast.platform, allocation=50)
    org_services.add_membership(org, None, person=cast.viewer, team=sales, allocation=50)
    org_services.add_membership(org, None, person=cast.viewer, team=ops, allocation=50)
    launch = initiative(org, sales, "Spring launch", start=today, target=today + dt.timedelta(60))
    warehouse = initiative(
        org, ops, "New warehouse", start=today, target=today + dt.timedelta(days=20)
    )
    return World(org, sales, ops, asker, giver, bystander, cast.viewer, launch, warehouse, today)


def _find_world(cast) -> World:
    org = cast.org
    teams = {t.slug: t for t in Team.objects.filter(org=org, slug__in=["sales", "ops"])}
    people = {
        p.name: p
        for p in Person.objects.filter(
            org=org, name__in=["Asha Asker", "Gil Giver", "Bea Bystander"]
        )
    }
    work = {
        i.title: i
        for i in Initiative.objects.filter(org=org, title__in=["Spring launch", "New warehouse"])
    }
    return World(
        org,
        teams["sales"],
        teams["ops"],
        people["Asha Asker"],
        people["Gil Giver"],
        people["Bea Bystander"],
        cast.viewer,
        work["Spring launch"],
        work["New warehouse"],
        timezone.localdate(),
    )


@pytest.fixture
def world(cast) -> World:
    """Built through the services once per test process and replayed after, as the cast is
    (tests/replay.py): two teams, three people and two initiatives, in some 180 tests."""
    return replay.once(
        ("coordination-world", timezone.localdate()),
        lambda: _build_world(cast),
        lambda: _find_world(cast),
        as_of_now=True,
    )
