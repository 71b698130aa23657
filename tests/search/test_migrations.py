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
