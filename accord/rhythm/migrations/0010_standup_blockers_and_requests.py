"""The daily stand-up's "Blockers" listed every new or late dependency on either side of
the team, so requests other teams had just sent it read as its blockers. Stand-ups set up
from that template, whose agenda is still the template's, now read "Blockers" from what
blocks the team (`blockers`) and gain "Waiting on us" (`requests`): what others asked of
it. An agenda changed by hand is left as it is."""

from __future__ import annotations

from django.db import migrations

OLD = [
    ("round", "Round the room", "none"),
    ("blockers", "Blockers", "dependencies"),
    ("todos", "Due today", "action_items"),
]
# "Waiting on us" takes no minutes of its own: the stand-up keeps its length.
WAITING = {"key": "waiting", "title": "Waiting on us", "source": "requests", "minutes": 0}


def _is_old_standup(agenda) -> bool:
    if not isinstance(agenda, list) or len(agenda) != len(OLD):
        return False
    return all(
        isinstance(s, dict) and (s.get("key"), s.get("title"), s.get("source")) == old
        for s, old in zip(agenda, OLD, strict=True)
    )


def forward(apps, schema_editor) -> None:
    Cadence = apps.get_model("rhythm", "Cadence")
    for cadence in Cadence.objects.filter(kind="sync").only("pk", "agenda").iterator():
        if _is_old_standup(cadence.agenda):
            round_, blockers, todos = cadence.agenda
            agenda = [round_, {**blockers, "source": "blockers"}, WAITING, todos]
            Cadence.objects.filter(pk=cadence.pk).update(agenda=agenda)


class Migration(migrations.Migration):
    dependencies = [("rhythm", "0009_rebuild_past_schedules")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
