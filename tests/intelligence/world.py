"""Small organizations with a history, built through the services under a controlled clock.

`Clock` replaces `django.utils.timezone.now` (so `auto_now_add`, events and every service
see the same controlled time). `build_org` makes a root and a few teams, each with a lead
and members, a current quarter (Q1 2026), one objective per team with a key result, one
aligned active initiative, and a weekly check-in cadence per team (Fridays 16:00 UTC).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

from accord.alignment import services as alignment
from accord.alignment.models import Initiative, KeyResult, Objective, Period
from accord.intelligence import evaluate
from accord.intelligence.models import Signal, SignalState
from accord.org import services as org_services
from accord.org.models import MembershipRole, Organization, Person, Role, Team
from accord.rhythm import queries as rhythm_queries
from accord.rhythm import services as rhythm
from accord.rhythm.models import Cadence

START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)  # a Monday
Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))


class Clock:
    def __init__(self, now: dt.datetime = START):
        self.now = now

    def at(self, day: dt.date, hour: int = 17, minute: int = 0) -> dt.datetime:
        self.now = dt.datetime.combine(day, dt.time(hour, minute), dt.UTC)
        return self.now

    def advance(self, **delta) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@contextmanager
def controlled(clock: Clock) -> Iterator[Clock]:
    with mock.patch("django.utils.timezone.now", side_effect=lambda: clock.now):
        yield clock


@dataclass
class TeamW:
    team: Team
    lead: Person
    members: list[Person]
    objective: Objective
    kr: KeyResult
    initiative: Initiative
    checkin: Cadence

    @property
    def people(self) -> list[Person]:
        return [self.lead, *self.members]


@dataclass
class OrgW:
    org: Organization
    root: Team
    admin: Person
    period: Period
    teams: dict[str, TeamW] = field(default_factory=dict)

    def __getitem__(self, name: str) -> TeamW:
        return self.teams[name]


def build_org(slug: str, sizes: dict[str, int] | None = None, *, checkins: bool = True) -> OrgW:
    """An organization under a root team; `sizes` maps team name -> people (lead included)."""
    sizes = sizes or {"Platform": 4, "Web": 4, "Data": 4}
    org = org_services.create_organization(slug.capitalize(), slug)
    admin = org_services.add_person(org, None, name=f"{slug} Admin", role=Role.ADMIN)
    root = org_services.create_team(org, None, name=slug.capitalize(), slug=f"{slug}-root")
    org_services.add_membership(org, None, person=admin, team=root, role=MembershipRole.LEAD)
    period = alignment.create_period(
        org, None, name="Q1 2026", start=Q1[0], end=Q1[1], state="active", is_current=True
    )
    world = OrgW(org, root, admin, period)
    for name, size in sizes.items():
        team = org_services.create_team(org, None, name=name, parent=root)
        lead = org_services.add_person(org, None, name=f"{name} Lead", role=Role.MEMBER)
        org_services.add_membership(org, None, person=lead, team=team, role=MembershipRole.LEAD)
        members = []
        for i in range(size - 1):
            p = org_services.add_person(org, None, name=f"{name} Member {i + 1}")
            org_services.add_membership(org, None, person=p, team=team)
            members.append(p)
        obj = alignment.create_objective(
            org, None, title=f"{name} goal", period=period, team=team, owner=lead
        )
        kr = alignment.create_key_result(
            org, None, obj, name=f"{name} metric", start=0, target=100, owner=lead
        )
        init = alignment.create_initiative(
            org,
            None,
            team=team,
            title=f"{name} main work",
            owner=lead,
            status="active",
            start_date=Q1[0],
            target_date=dt.date(2026, 3, 20),
            key_results=[kr],
        )
        cad = None
        if checkins:
            cad = rhythm.create_cadence_from_template(
                org, None, "weekly-checkin", team=team, start_date=START.date(), owner=lead,
                name=f"{name} check-in",
            )  # fmt: skip
        world.teams[name] = TeamW(team, lead, members, obj, kr, init, cad)
    return world


def check_in(org: Organization, cadence: Cadence, people: list[Person], clock: Clock) -> None:
    """Everyone named submits the check-in due next (on time, at the clock's time)."""
    occ = rhythm_queries.next_occurrence(cadence, clock.now - dt.timedelta(hours=1))
    for p in people:
        rhythm.submit_checkin(org, None, cadence, occ.original_start, person=p)


def pace_value(day: dt.date) -> float:
    """A key result's value exactly on pace on `day` (0 → 100 over Q1), plus a margin."""
    return round(100 * (day - Q1[0]).days / (Q1[1] - Q1[0]).days + 5, 1)


def live(org: Organization, kind: str, subject: object | None = None) -> list[Signal]:
    qs = Signal.objects.filter(org=org, kind=kind).exclude(state=SignalState.RESOLVED)
    if subject is not None:
        qs = qs.filter(subject_id=str(subject.pk))
    return list(qs)


def evaluate_on(world: OrgW, clock: Clock, day: dt.date, hour: int = 17):
    clock.at(day, hour)
    return evaluate.evaluate(world.org)


def days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    d = start
    while d <= end:
        yield d
        d += dt.timedelta(days=1)
