"""A refused write records no event and changes nothing."""

from __future__ import annotations

import pytest

from accord.activity.models import Event
from accord.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from accord.org import services
from accord.org.models import Membership, Person, Team


def everything() -> tuple:
    return (
        list(Team.objects.order_by("id").values()),
        list(Person.objects.order_by("id").values()),
        list(Membership.objects.order_by("id").values()),
        Event.objects.count(),
    )


REFUSALS = {
    "empty team name": lambda c: services.create_team(c.org, c.admin, name="  "),
    "taken team address": lambda c: services.create_team(c.org, c.admin, name="X", slug="platform"),
    "a cycle": lambda c: services.update_team(c.org, c.admin, c.root, parent=c.platform),
    "a parent from another organization": lambda c: services.update_team(
        c.org, c.admin, c.platform, parent=c.other_team
    ),
    "a team with sub-teams deleted": lambda c: services.delete_team(c.org, c.admin, c.root),
    "a stale version": lambda c: services.update_team(
        c.org, c.admin, c.platform, name="Renamed", expected_version=7
    ),
    "a viewer renaming a team": lambda c: services.update_team(
        c.org, c.viewer, c.platform, name="X"
    ),
    "an unknown person field": lambda c: services.update_person(c.org, c.admin, c.member, salary=1),
    "a bad e-mail": lambda c: services.update_person(c.org, c.admin, c.member, email="not-mail"),
    "an unknown time zone": lambda c: services.update_person(
        c.org, c.admin, c.member, timezone="Mars/Base"
    ),
    "an unknown role": lambda c: services.update_person(c.org, c.admin, c.member, role="king"),
    "demoting the last admin": lambda c: services.update_person(
        c.org, c.admin, c.admin, role="member"
    ),
    "a duplicate membership": lambda c: services.add_membership(
        c.org, c.admin, person=c.member, team=c.platform, allocation=10
    ),
    "an over-allocation": lambda c: services.add_membership(
        c.org, c.admin, person=c.member, team=c.root, allocation=51
    ),
    "an unknown team role": lambda c: services.add_membership(
        c.org, c.admin, person=c.viewer, team=c.root, role="boss", allocation=10
    ),
    "a person from another organization": lambda c: services.add_membership(
        c.org, c.admin, person=c.outsider, team=c.root, allocation=10
    ),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_a_refused_write_records_nothing_and_changes_nothing(cast, name):
    before = everything()
    with pytest.raises(ServiceError) as exc:
        REFUSALS[name](cast)
    assert exc.value.message
    assert everything() == before


def test_refusals_have_the_right_kind(cast):
    with pytest.raises(Conflict):
        REFUSALS["a stale version"](cast)
    with pytest.raises(PermissionDenied):
        REFUSALS["a viewer renaming a team"](cast)
    with pytest.raises(NotFound):
        REFUSALS["a person from another organization"](cast)
