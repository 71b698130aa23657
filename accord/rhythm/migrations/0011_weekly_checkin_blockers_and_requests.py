"""The weekly check-in's "Blockers across teams" listed every new or late dependency on
either side of the team, as the stand-up's "Blockers" did (0010): what other teams had just
asked of it read as its blockers. Check-ins set up from that template, whose agenda is
still the template's, now read "Blockers across teams" from what blocks the team
(`blockers`) and gain "Waiting on us" (`requests`). An agenda changed by hand is left as
it is; meetings already started keep the agenda they were held with."""

from __future__ import annotations

from django.db import migrations

from accord.rhythm.migrations._blockers_and_waiting import split_blockers

OLD = [
    ("checkins", "Check-ins", "checkins"),
    ("blockers", "Blockers across teams", "dependencies"),
]


def forward(apps, schema_editor) -> None:
    split_blockers(apps, "checkin", OLD)


class Migration(migrations.Migration):
    dependencies = [("rhythm", "0010_standup_blockers_and_requests")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
