"""Rebuild `Cadence.past_schedules` of the cadences whose schedule changed before Accord
kept it, from their events: each `updated` event names the fields it changed with their
values before, and the `exceptions_dropped` event recorded with it the moves and
cancellations the change dropped. Without it, the meetings held and the check-ins given
before such a change would read as off the schedule, and the new schedule's earlier
instants as occurrences not held. A cadence that already keeps its past is left alone."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import migrations

# What places occurrences: a change of one of these ends a schedule (as
# `services.SCHEDULE_FIELDS`); the length is kept with it too.
WHEN = ("rrule", "start_date", "all_day", "time", "timezone")
KEPT = (*WHEN, "duration_minutes")
CHUNK = 500


def _instant(value) -> dt.datetime | None:
    if not value:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.fromisoformat(str(value))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _iso(value) -> str | None:
    got = _instant(value)
    return None if got is None else got.astimezone(dt.UTC).isoformat()


def rebuild(apps, schema_editor) -> None:
    Cadence = apps.get_model("rhythm", "Cadence")
    Event = apps.get_model("activity", "Event")
    OccurrenceException = apps.get_model("rhythm", "OccurrenceException")
    rows: dict[int, list[tuple[str, dict, dt.datetime]]] = defaultdict(list)
    changed: set[int] = set()
    events = (
        Event.objects.filter(
            target_type="rhythm.cadence", verb__in=("updated", "exceptions_dropped")
        )
        .order_by("created_at", "id")
        .values_list("target_id", "verb", "before", "created_at")
    )
    for target_id, verb, before, at in events.iterator(chunk_size=2000):
        before = before or {}
        if verb == "updated" and not set(before) & set(KEPT):
            continue
        try:
            pk = int(target_id)
        except (TypeError, ValueError):
            continue
        rows[pk].append((verb, before, _instant(at)))
        if verb == "updated" and set(before) & set(WHEN):
            changed.add(pk)
    ids = sorted(changed)
    for i in range(0, len(ids), CHUNK):
        for cadence in Cadence.objects.filter(pk__in=ids[i : i + CHUNK]):
            if cadence.past_schedules:
                continue
            records = _records(cadence, rows[cadence.pk], OccurrenceException)
            if records:
                cadence.past_schedules = records
                cadence.save(update_fields=["past_schedules"])


def _records(cadence, rows, OccurrenceException) -> list[dict]:
    state = {
        "rrule": cadence.rrule,
        "start_date": cadence.start_date.isoformat(),
        "all_day": cadence.all_day,
        "time": cadence.time.isoformat() if cadence.time else None,
        "timezone": cadence.timezone,
        "duration_minutes": cadence.duration_minutes,
    }
    kept = [
        (e.original_start, e.new_start, e.cancelled)
        for e in OccurrenceException.objects.filter(cadence_id=cadence.pk)
    ]
    records: list[dict] = []
    for n in range(len(rows) - 1, -1, -1):  # newest first: each rewinds the state
        verb, before, at = rows[n]
        if verb != "updated":
            continue
        old = {**state, **{k: before[k] for k in KEPT if k in before}}
        if set(before) & set(WHEN) and at is not None:
            dropped: list = []
            for verb_after, before_after, _ in rows[n + 1 :]:
                if verb_after == "exceptions_dropped":
                    dropped = before_after.get("exceptions") or []
                break  # only the one recorded with this change
            exceptions = []
            for d in dropped:
                original = _instant(d.get("occurrence"))
                if original is not None and original < at:
                    exceptions.append(
                        {
                            "occurrence": _iso(original),
                            "new_start": _iso(d.get("new_start")),
                            "cancelled": bool(d.get("cancelled")),
                        }
                    )
            for original, new_start, cancelled in kept:
                if original < at:
                    exceptions.append(
                        {
                            "occurrence": _iso(original),
                            "new_start": _iso(new_start),
                            "cancelled": cancelled,
                        }
                    )
            records.insert(0, {"until": _iso(at), **old, "exceptions": exceptions})
        state = old
    return records


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0004_event_on_behalf_of"),
        ("rhythm", "0008_cadence_past_schedules"),
    ]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
