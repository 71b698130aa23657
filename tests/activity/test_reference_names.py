"""Histories name the objects a change refers to, for every app's models, not only teams."""

from __future__ import annotations

import datetime as dt

from accord.activity.models import Event
from accord.activity.queries import name_references
from accord.alignment import services as alignment
from accord.decisions import services as decisions
from accord.org import services as org_services


def _changes(org, target) -> dict:
    event = name_references(
        org,
        Event.objects.for_org(org).filter(
            target_type=f"{target._meta.app_label}.{target._meta.model_name}",
            target_id=str(target.pk),
            verb="created",
        ),
    )[0]
    return {key: after for key, _before, after in event.changed_fields}


def test_a_new_objective_names_its_team_owner_and_period(cast):
    period = alignment.create_period(
        cast.org, None, name="Q1 2027", start=dt.date(2027, 1, 1), end=dt.date(2027, 3, 31)
    )
    objective = alignment.create_objective(
        cast.org,
        None,
        title="Faster checkout",
        period=period,
        team=cast.platform,
        owner=cast.member,
    )
    changes = _changes(cast.org, objective)
    assert changes["team"] == "Platform"
    assert changes["owner"] == "Mia Member"
    assert changes["period"] == "Q1 2027"


def test_a_new_decision_names_its_approver_and_driver(cast):
    decision = decisions.create_decision(
        cast.org, cast.admin, "Do we ship on Fridays?", approver=cast.leader
    )
    changes = _changes(cast.org, decision)
    assert changes["approver"] == "Leo Leader"


def test_another_organizations_object_is_never_named(cast):
    """An id that happens to be another tenant's object shows as an id, not its name."""
    foreign = cast.other_team
    event = Event(
        org=cast.org,
        verb="updated",
        target_type="org.team",
        target_id=str(cast.platform.pk),
        before={"parent": cast.root.pk},
        after={"parent": foreign.pk},
    )
    [named] = name_references(cast.org, [event])
    assert named.changed_fields == [("parent", "Acme", f"#{foreign.pk}")]


def test_plain_values_are_shown_as_they_are(cast):
    org_services.update_team(cast.org, None, cast.platform, description="Payments and checkout")
    event = name_references(cast.org, Event.objects.for_org(cast.org).filter(verb="updated"))[0]
    assert ("description", "", "Payments and checkout") in event.changed_fields
