"""Migrations that rebuild a table keep search working on a database that already has its
index. SQLite rebuilds a table to change a column, which used to break the index's triggers:
the rebuild of `rhythm_cadence` was refused ("error in trigger search_meeting_ai: no such
table: main.rhythm_cadence"), so a database made before that migration could not be
upgraded, and a rebuilt table lost its own triggers silently."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accord.org import services as org_services
from accord.search.queries import search

pytestmark = pytest.mark.django_db(transaction=True)


def titles(cast, q: str) -> list[str]:
    return sorted(hit.title for hit in search(cast.org, cast.admin, q))


def test_a_migration_that_rebuilds_a_searched_table_keeps_the_index_working(cast):
    # Taking the cadences' all-day migration back and applying it again rebuilds the
    # cadence table on SQLite, with the index and its triggers in place.
    call_command("migrate", "rhythm", "0005_meeting_started_by", verbosity=0)
    call_command("migrate", verbosity=0)

    assert titles(cast, "platform") == ["Platform"]  # a row written before is still found
    org_services.create_team(cast.org, None, name="Quasar Platform", slug="quasar")
    assert titles(cast, "quasar") == ["Quasar Platform"]  # the triggers write new rows
    org_services.update_team(cast.org, cast.admin, cast.platform, name="Pulsar")
    assert titles(cast, "pulsar") == ["Pulsar"]  # and follow a rename
    assert titles(cast, "platform") == ["Quasar Platform"]


def test_action_items_are_indexed_when_the_migration_that_adds_them_runs(cast):
    """A database made before action items were searchable finds the ones it holds, and
    new ones, once migrated."""
    from accord.decisions import services as decisions

    decisions.create_action_item(cast.org, None, "Renew the quasar licence", cast.member)
    call_command("migrate", "search", "0001_initial", verbosity=0)
    call_command("migrate", verbosity=0)
    assert titles(cast, "quasar licence") == ["Renew the quasar licence"]
    decisions.create_action_item(cast.org, None, "Quasar licence, second seat", cast.member)
    assert titles(cast, "quasar licence") == [
        "Quasar licence, second seat",
        "Renew the quasar licence",
    ]


def test_cadences_milestones_and_periods_are_indexed_when_their_migration_runs(cast):
    """A database made before cadences, milestones and periods were searchable finds the
    ones it holds once migrated, and new ones after."""
    import datetime as dt

    from accord.alignment import milestones
    from accord.alignment import services as alignment

    alignment.create_period(
        cast.org, None, name="Quasar cycle", start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31)
    )
    call_command("migrate", "search", "0002_action_items", verbosity=0)
    call_command("migrate", verbosity=0)
    assert titles(cast, "quasar") == ["Quasar cycle"]
    milestones.create_milestone(cast.org, None, name="Quasar freeze", date=dt.date(2026, 3, 1))
    assert titles(cast, "quasar") == ["Quasar cycle", "Quasar freeze"]
