"""The quarterly planning's "How the quarter went" listed the key results of the open
objectives (source `key_results`): once the next quarter was made current, the new
quarter's copies ("0% done") instead of the quarter that ended. It now reads the quarter's
results (source `quarter_results`: the quarter that ended or was closed by the meeting).
Only that section as the template wrote it (key, title and source) moves; one changed by
hand is left as it is; meetings already started keep the agenda they were held with."""

from __future__ import annotations

import json

from django.db import migrations

from accord.rhythm.migrations._blockers_and_waiting import BATCH

OLD = ("review", "How the quarter went", "key_results")


def _moved(agenda):
    """`agenda` with its review section read from `quarter_results`, or None if it has none
    as the template wrote it."""
    if not isinstance(agenda, list):
        return None
    found = False
    out = []
    for s in agenda:
        if isinstance(s, dict) and (s.get("key"), s.get("title"), s.get("source")) == OLD:
            s, found = {**s, "source": "quarter_results"}, True
        out.append(s)
    return out if found else None


def forward(apps, schema_editor) -> None:
    """A query per distinct new agenda and BATCH cadences, not one per cadence."""
    Cadence = apps.get_model("rhythm", "Cadence")
    moved: dict[str, list[int]] = {}
    for pk, agenda in (
        Cadence.objects.filter(kind="planning").values_list("pk", "agenda").iterator()
    ):
        new = _moved(agenda)
        if new is not None:
            moved.setdefault(json.dumps(new), []).append(pk)
    for agenda, pks in moved.items():
        for n in range(0, len(pks), BATCH):
            Cadence.objects.filter(pk__in=pks[n : n + BATCH]).update(agenda=json.loads(agenda))


class Migration(migrations.Migration):
    dependencies = [("rhythm", "0013_alter_checkin_options")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
