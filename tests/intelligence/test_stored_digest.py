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

from accord.core.generator import generate
from accord.intelligence import evaluate, services
from accord.intelligence.models import Signal, SignalState
from tests.conftest import check_constraints_now, module_transaction
from tests.intelligence.world import Clock, controlled

NOW = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)

# Last changed when the detectors said "1 day late" (not "1 days late"): only those texts
# changed. Before that, when the detectors wrote days as the pages do ("27 Jan 2026", not
# "2026-01-27") in explanations and evidence labels: only those texts changed. Before that,
# when key_results.projected_miss wrote its numbers as every page does (5.96,
# not 5.963) and dependencies.overdue said whose date a late dependency missed (the
# provider's committed date, when there is one, was written as the requester's need-by
# date): only those signals' explanations changed. Before that, when priorities.competing's
# second variant became what it says: two
# requesters needing one provider initiative in the same ISO week while it is due after the
# earlier date (it flagged any two requesters needing it before it was due). With that
# detector off, the engine stores exactly what it stored before. Before that, when a
# subtree's open-signal counts stopped counting a signal once per team it concerns, and
# when confidence bands were defined once (off track at 3 of 10 or below, it was 4).
EXPECTED = {
    "first run": "1fd91903cc39ae18f32618cdd5ced1f731c8503e86710f33de1d3e224e1574b2",
    "an hour later": "7834aa1d126db70d53673b69dd21b62a92bf3aa29080faf599a2d6757e6ff379",
    "a week later, one acknowledged and one dismissed": (
        "79bd3714fbb28c87080370acc1a7241bcd7fccf3501b64169d0edd6054189f5d"
    ),
    "a backfill of the week before": (
        "0ef5eceb49de94fc30c38358690685b77137ce738da8210858765c58c9e9ac71"
    ),
}


@pytest.fixture(scope="module")
def thirty(django_db_setup, django_db_blocker):
    with module_transaction(django_db_blocker), controlled(Clock(NOW)):
        org = generate(30, seed=3, slug="digest-30", now=NOW).org
        # Detectors added since the digests were taken are left out of them.
        services.update_settings(org, None, detectors={"work.likely_duplicate": {"enabled": False}})
        check_constraints_now()
        yield org


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
