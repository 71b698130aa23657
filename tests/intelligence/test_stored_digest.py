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

# Last changed when issues.stuck stopped telling the top team to escalate (there is no team
# above it): only those signals' texts changed. Before that, when key_results.off_pace and
# projected_miss said how far a key result has come from its start, with its unit ("36% of
# the way from 0 k€ to 100 k€", not "at 36% of its target"): only those explanations
# changed. Before that, when the detectors said "1 day late" (not "1 days late"): only
# those texts changed. Before that, when the detectors wrote days as the pages do ("27 Jan
# 2026", not "2026-01-27") in explanations and evidence labels: only those texts changed.
# Before that,
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
    "first run": "cb70ddc31f8d342763f8366764fe880d06934b3a91c1a66d1d00f073822f7b2b",
    "an hour later": "f8a6de6fa335e3163a959a73f9645d6d8b19322bdaf0393c16c3662ede18b2ad",
    "a week later, one acknowledged and one dismissed": (
        "5fee486ffe3bd5fb652da1768ae06de9e03114635b647a3f8b6cdfd4ee1df45b"
    ),
    "a backfill of the week before": (
        "cb7a23a4cf56d865e221a1fcadd77e92307f375e2ce0108457976ef94f096be6"
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
