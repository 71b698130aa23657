"""Making the engine faster must not change what it stores: a generated organization,
evaluated through a sequence of moments (first run, an hour later, a week later with a
signal acknowledged and one dismissed, a backfill), stores exactly what the engine stored
before its storing and loading were rewritten for speed.

The expected digests were computed with that earlier engine (the one that read live signals
as model instances and expanded every cadence's rule over the whole window per evaluation)
on this same organization; `stored_digest(stable_ids=True)` replaces ids by their rank in
the organization, so they hold in any database. A change to a detector's output changes
them: recompute them then, and say why in the commit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from accord.core.generator import generate
from accord.intelligence import evaluate, services
from accord.intelligence.models import Signal, SignalState
from tests.intelligence.world import Clock, controlled

NOW = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)

# Last changed when a subtree's open-signal counts stopped counting a signal once per team
# of the subtree it concerns (`rollup_open_*` of health): with those counts left out, the
# engine stores exactly what it stored before. Before that, when confidence bands were
# defined once (an objective is off track at 3 of 10 or below, it was 4).
EXPECTED = {
    "first run": "de097525ad6fbef8e8ce110b362da575e34f814f50f216a7138d7f3093a15602",
    "an hour later": "479228671c741235286370e6c0e32082196d81d8a47241e683c1d511c9641e85",
    "a week later, one acknowledged and one dismissed": (
        "5e6efc5f4f57b2fe3cc915e443516d5f1ec98bf5fa37e29604d438a6da6f10e8"
    ),
    "a backfill of the week before": (
        "80349c564bf9219e5043523a469970d528e9aaf1049721334a73081e1f6774fe"
    ),
}


@pytest.fixture(scope="module")
def thirty(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with controlled(Clock(NOW)):
                org = generate(30, seed=3, slug="digest-30", now=NOW).org
                # Detectors added since the digests were taken are left out of them.
                services.update_settings(
                    org, None, detectors={"work.likely_duplicate": {"enabled": False}}
                )
                yield org
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_a_generated_organization_stores_what_the_engine_always_stored(thirty, db):
    org = thirty
    clock = Clock(NOW)
    got = {}
    with controlled(clock):
        evaluate.evaluate(org, NOW, announce=False)
        got["first run"] = evaluate.stored_digest(org, stable_ids=True)
        clock.advance(hours=1)
        evaluate.evaluate(org, clock.now, announce=False)
        got["an hour later"] = evaluate.stored_digest(org, stable_ids=True)
        live = list(Signal.objects.filter(org=org, state=SignalState.OPEN).order_by("kind", "pk"))
        assert len(live) > 100, "the organization is too quiet to compare anything"
        services.acknowledge(org, None, live[0])
        services.dismiss(org, None, live[-1], "Known, planned for next quarter.")
        clock.advance(days=7)
        evaluate.evaluate(org, clock.now, announce=False)
        got["a week later, one acknowledged and one dismissed"] = evaluate.stored_digest(
            org, stable_ids=True
        )
        evaluate.evaluate(org, NOW - dt.timedelta(days=7), backfill=True, announce=False)
        got["a backfill of the week before"] = evaluate.stored_digest(org, stable_ids=True)
    assert got == EXPECTED
