"""Benchmark of forgetting a person (`accord.org.forget.forget_person`) on a generated
organization: the wall time of the whole erasure, its queries, how SQLite reads the event
log for it (EXPLAIN QUERY PLAN of the statement that finds the events that may name them),
and what it did (the counts it returns). Beside it, in the same run, the two halves of that
statement timed apart: the events tied to them by a column (who did it, for whom, about
their row, their check-ins, their headlines: each can be read off an index) and the rest,
which no index serves (their id as the values' `person`, their names and addresses in any
event's label and values: the whole log is read), with how many events only the rest finds.
Each person is deactivated and forgotten inside a transaction rolled back at the end: the
data directory is left as it was.

    accord generate --teams 1000 --org big           # into ACCORD_DATA_DIR
    python bench/forget.py --data-dir DIR --org big   # the most active person, and two more

Run it from two checkouts against copies of the same database to compare versions.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")


class _Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="an Accord data directory")
    parser.add_argument("--org", required=True, help="the generated organization's slug")
    parser.add_argument("--rounds", type=int, default=3, help="runs per person (median)")
    args = parser.parse_args()
    os.environ["ACCORD_DATA_DIR"] = args.data_dir

    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from accord.activity.models import Event
    from accord.org.forget import forget_person
    from accord.org.models import Organization, Person

    org = Organization.objects.get(slug=args.org)
    events = Event.objects.for_org(org).count()
    busiest = (
        Event.objects.for_org(org)
        .exclude(actor=None)
        .values("actor")
        .annotate(n=Count("id"))
        .order_by("-n", "actor")
        .first()
    )
    people = Person.objects.filter(org=org).exclude(kind="agent").order_by("pk")
    chosen = [
        Person.objects.get(pk=busiest["actor"]),
        people[people.count() // 2],
        people.last(),
    ]
    print(f"{org.name}: {events:,} events, {people.count():,} people")
    for person in chosen:
        times, queries, plan, counts = [], 0, "", {}
        for _ in range(args.rounds):
            try:
                with transaction.atomic():
                    Person.objects.filter(pk=person.pk).update(is_active=False)
                    person.refresh_from_db()
                    with CaptureQueriesContext(connection) as captured:
                        start = time.perf_counter()
                        counts = forget_person(org, None, person)
                        times.append(time.perf_counter() - start)
                    queries = len(captured.captured_queries)
                    found = [
                        q["sql"]
                        for q in captured.captured_queries
                        if q["sql"].startswith('SELECT "activity_event"."id"')
                    ]
                    if found:
                        with connection.cursor() as cursor:
                            cursor.execute("EXPLAIN QUERY PLAN " + found[0])
                            plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
                    raise _Rollback
            except _Rollback:
                pass
        times.sort()
        done = {k: v for k, v in counts.items() if v}
        (tied_ms, tied), (named_ms, named) = _halves(org, person)
        print(
            f"\n#{person.pk} ({Event.objects.for_org(org).filter(actor=person).count()} events "
            f"as actor): {times[len(times) // 2] * 1000:,.0f} ms median of {len(times)}, "
            f"{queries} queries\n  events read: {plan}\n  did: {done}\n"
            f"  tied by a column: {len(tied)} events in {tied_ms:,.0f} ms; the rest (whole log): "
            f"{len(named)} events in {named_ms:,.0f} ms, {len(named - tied)} found only there"
        )


def _halves(org, person) -> list[tuple[float, set[int]]]:
    """The events `forget_person` reads, found by id ties and by the text search apart."""
    import time

    from django.db.models import CharField, Q
    from django.db.models.functions import Cast

    from accord.activity.models import Event
    from accord.org.forget import CHECKIN, HEADLINE, PERSON, _Names, label_of
    from accord.rhythm.models import CheckIn, Headline

    pk = person.pk
    checkins = CheckIn.objects.filter(org=org, person=person).values(
        as_text=Cast("pk", CharField())
    )
    headlines = [
        str(i)
        for i in Headline._base_manager.filter(org=org, author=person).values_list("pk", flat=True)
    ]
    names = _Names.of(org, person, label_of(person))
    annotations, named = names.found_in(["target_label"], ["before", "after"])
    events = Event._base_manager.filter(org=org)
    tied = [
        events.filter(target_type=PERSON, target_id=str(pk)),
        events.filter(actor_id=pk),
        events.filter(on_behalf_of_id=pk),
        events.filter(target_type=CHECKIN, target_id__in=checkins),
        events.filter(target_type=HEADLINE, target_id__in=headlines),
    ]
    out = []
    theirs = Q(after__person=pk) | Q(before__person=pk)
    for queries in (tied, [events.annotate(**annotations).filter(theirs | named)]):
        start = time.perf_counter()
        found = {i for q in queries for i in q.values_list("pk", flat=True)}
        out.append(((time.perf_counter() - start) * 1000, found))
    return out


if __name__ == "__main__":
    main()
