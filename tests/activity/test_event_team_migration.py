"""Migration activity 0005 adds the events' team (empty: `accord fill-event-teams` fills
it) and its index, and is reversible: back to 0004 the column and index are gone and the
events kept, and forward again they are back."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.activity.test_delivery_migration import empty_database, migrate  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("activity", "0004_event_on_behalf_of")]
AFTER = [("activity", "0005_event_team")]


def columns() -> set[str]:
    with connection.cursor() as cursor:
        table = connection.introspection.get_table_description(cursor, "activity_event")
    return {c.name for c in table}


def indexes() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, "activity_event"))


def test_the_migration_adds_the_team_and_goes_back(empty_database):  # noqa: F811
    apps = migrate(BEFORE)
    Org = apps.get_model("org", "Organization")
    Team = apps.get_model("org", "Team")
    org = Org.objects.create(name="Acme", slug="acme")
    team = Team.objects.create(org=org, name="Web", slug="web")
    apps.get_model("activity", "Event").objects.create(
        org=org, verb="created", target_type="org.team", target_id=str(team.pk)
    )
    assert "team_id" not in columns()

    apps = migrate(AFTER)
    assert "team_id" in columns() and "activity_event_team_order" in indexes()
    Event = apps.get_model("activity", "Event")
    assert list(Event.objects.values_list("team_id", flat=True)) == [None]  # to be filled
    Event.objects.create(
        org_id=org.pk,
        verb="updated",
        target_type="org.team",
        target_id=str(team.pk),
        team_id=team.pk,
    )

    apps = migrate(BEFORE)
    assert "team_id" not in columns() and "activity_event_team_order" not in indexes()
    assert apps.get_model("activity", "Event").objects.count() == 2  # the log is kept

    apps = migrate(AFTER)
    assert "team_id" in columns() and "activity_event_team_order" in indexes()


SECOND_AFTER = [("activity", "0006_event_other_team")]


def test_the_migration_adds_the_second_team_and_goes_back(empty_database):  # noqa: F811
    """Migration 0006 adds the events' second team (empty: `accord fill-event-teams` fills
    it) and its index; back to 0005 they are gone and the events kept."""
    apps = migrate(AFTER)
    Org = apps.get_model("org", "Organization")
    Team = apps.get_model("org", "Team")
    org = Org.objects.create(name="Acme", slug="acme")
    team = Team.objects.create(org=org, name="Web", slug="web")
    apps.get_model("activity", "Event").objects.create(
        org=org, verb="created", target_type="org.team", target_id=str(team.pk), team_id=team.pk
    )
    assert "other_team_id" not in columns()

    apps = migrate(SECOND_AFTER)
    assert "other_team_id" in columns() and "activity_event_other_order" in indexes()
    Event = apps.get_model("activity", "Event")
    assert list(Event.objects.values_list("team_id", "other_team_id")) == [(team.pk, None)]

    apps = migrate(AFTER)
    assert "other_team_id" not in columns() and "activity_event_other_order" not in indexes()
    assert apps.get_model("activity", "Event").objects.count() == 1  # the log is kept

    migrate(SECOND_AFTER)
    assert "other_team_id" in columns() and "activity_event_other_order" in indexes()
