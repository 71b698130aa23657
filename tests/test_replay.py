"""The shared fixtures that are built once and replayed after (tests/replay.py) hold, when
replayed, the rows their build writes: a build that also changed a row it did not add (a
stored figure of the cast's team, say) would be replayed without that change, and every
test after the first would run on another organization than the one its fixture describes."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import models, transaction
from django.utils import timezone

from accord.core.database import keys_after_rows
from tests import replay
from tests.alignment.conftest import _build_plan, _find_plan
from tests.conftest import _build_cast, _find_cast, replayed_cast
from tests.coordination.conftest import _build_world, _find_world


class _Undo(Exception):
    pass


# Hashed with a salt of their own each time.
SALTED = {("auth.User", "password")}


def _rows() -> Counter:
    """Every row of every table, but for the moments (a replay moves them to its own present:
    whether one is set is kept) and salted hashes."""
    out: Counter = Counter()
    for model in replay._models():
        columns = replay._columns(model)
        fields = {f.column: f for f in model._meta.concrete_fields}
        kept = [
            i
            for i, column in enumerate(columns)
            if (model._meta.label, fields[column].name) not in SALTED
        ]
        moments = {
            i
            for i, column in enumerate(columns)
            if isinstance(fields[column], models.DateTimeField)
        }
        for row in replay._select(model, columns):
            out[
                (
                    model._meta.label,
                    tuple((row[i] is None) if i in moments else row[i] for i in kept),
                )
            ] += 1
    return out


def _built_then_undone(make) -> Counter:
    """The rows once `make()` has run, with the keys the rows there leave (other tests moved
    PostgreSQL's sequences on, and a rollback does not move them back); then undone."""
    keys_after_rows(replay._models())
    try:
        with transaction.atomic():
            make()
            rows = _rows()
            raise _Undo
    except _Undo:
        return rows


# What each fixture is built on (as its fixture has it), what builds it, what finds it.
CASES = {
    "cast": (lambda: (), _build_cast, _find_cast),
    "coordination world": (lambda: (replayed_cast(),), _build_world, _find_world),
    "alignment plan": (lambda: (replayed_cast(),), _build_plan, _find_plan),
}


@pytest.mark.parametrize("name", CASES)
def test_a_replayed_fixture_holds_exactly_the_rows_its_build_writes(db, name):
    on, build, find = CASES[name]
    args = on()
    built = _built_then_undone(lambda: build(*args))

    key = (f"replay-test-{name}", dt.datetime.now())  # recorded here, whatever ran before
    found = []

    def through_replay():
        replay.once(key, lambda: build(*args), lambda: found.append(find(*args)), as_of_now=True)

    _built_then_undone(through_replay)  # the first time: built, and its rows recorded
    assert not found
    replayed = _built_then_undone(through_replay)  # then: the recorded rows written back
    assert found, "the second time was built again, not replayed"
    assert replayed == built, sorted((built - replayed) + (replayed - built))[:5]


def test_the_demo_is_recorded_for_the_moment_a_test_sets_the_clock_to(db, monkeypatch):
    # The story is dated up to the moment it loads: a demo recorded at the real time is no
    # demo for a test that sets the clock to an earlier hour of the same day (a meeting over
    # by now would be held in it), nor one recorded at another set moment.
    from tests.conftest import at

    keys = []
    monkeypatch.setattr(replay, "once", lambda key, build, find: keys.append(key))
    morning = timezone.now().replace(hour=0, minute=5)
    replay.load()
    with at(morning):
        replay.load()
        replay.load()
    with at(morning + dt.timedelta(hours=1)):
        replay.load()
    assert keys[0] != keys[1] == keys[2] != keys[3] != keys[0]
