"""The daily stand-up's "Blockers" listed every new or late dependency on either side of
the team, so requests other teams had just sent it read as its blockers. Stand-ups set up
from that template, whose agenda is still the template's, now read "Blockers" from what
blocks the team (`blockers`) and gain "Waiting on us" (`requests`): what others asked of
it. An agenda changed by hand is left as it is."""

from __future__ import annotations

from django.db import migrations

from accord.rhythm.migrations._blockers_and_waiting import split_blockers

OLD = [
    ("round", "Round the room", "none"),
    ("blockers", "Blockers", "dependencies"),
    ("todos", "Due today", "action_items"),
]


def forward(apps, schema_editor) -> None:
    split_blockers(apps, "sync", OLD)


class Migration(migrations.Migration):
    dependencies = [("rhythm", "0009_rebuild_past_schedules")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
