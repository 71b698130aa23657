"""Exports stream: a bounded number of queries and memory that does not grow with the size."""

from __future__ import annotations

import tracemalloc

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.interchange import csvio, services
from accord.org.models import Membership, Person, Team


def _grow(org, team, n, start):
    people = Person.objects.bulk_create(
        Person(org=org, name=f"P{i:05d}", email=f"p{i:05d}@acme.example")
        for i in range(start, start + n)
    )
    Membership.objects.bulk_create(
        Membership(org=org, person=p, team=team, allocation=10) for p in people
    )


def _measure(org):
    tracemalloc.start()
    with CaptureQueriesContext(connection) as queries:
        size = sum(len(chunk) for chunk in services.export_yaml(org))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return len(queries), peak, size


def test_exporting_a_bigger_organization_costs_no_more_queries_or_memory(cast):
    _grow(cast.org, cast.platform, 1000, 0)
    _measure(cast.org)  # warm up: first-use imports and caches are not the export's cost
    small_queries, small_peak, small_size = _measure(cast.org)
    _grow(cast.org, cast.platform, 3000, 1000)
    big_queries, big_peak, big_size = _measure(cast.org)
    assert big_size > 3 * small_size
    assert big_queries <= small_queries + 20  # reads in chunks of 500, not one per object
    assert big_peak < 1.5 * small_peak, (small_peak, big_peak)


def test_the_zip_export_streams_in_pieces(cast):
    _grow(cast.org, cast.platform, 1500, 0)
    chunks = list(csvio.export_zip(cast.org))
    assert len([c for c in chunks if c]) > 5
    assert max(len(c) for c in chunks) < 256 * 1024
    assert Team.objects.count() == 3
