"""The daily stand-up's "Due today" listed every open action item due by the next day,
overdue ones of weeks before included. Stand-ups set up from that template, whose agenda is
still the template's, call it "Due or overdue". An agenda changed by hand is left as it is;
meetings already started keep the agenda they were held with."""

from __future__ import annotations

import json

from django.db import migrations

from accord.rhythm.migrations._blockers_and_waiting import BATCH, is_agenda

OLD = [
    ("round", "Round the room", "none"),
    ("blockers", "Blockers", "blockers"),
    ("waiting", "Waiting on us", "requests"),
    ("todos", "Due today", "action_items"),
]
TITLE = "Due or overdue"


def forward(apps, schema_editor) -> None:
    """Rename the section of the stand-ups whose agenda is still `OLD` (`is_agenda`), minutes
    as they are: a query per distinct new agenda and BATCH cadences, not one per cadence."""
    Cadence = apps.get_model("rhythm", "Cadence")
    moved: dict[str, list[int]] = {}
    for pk, agenda in Cadence.objects.filter(kind="sync").values_list("pk", "agenda").iterator():
        if is_agenda(agenda, OLD):
            renamed = [{**s, "title": TITLE} if s["key"] == "todos" else s for s in agenda]
            moved.setdefault(json.dumps(renamed), []).append(pk)
    for agenda, pks in moved.items():
        for n in range(0, len(pks), BATCH):
            Cadence.objects.filter(pk__in=pks[n : n + BATCH]).update(agenda=json.loads(agenda))


class Migration(migrations.Migration):
    dependencies = [("rhythm", "0011_weekly_checkin_blockers_and_requests")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
