"""A generated organization reads like a real one in the early-warning views: most of it
healthy with a few troubled parts (the heat map is not uniform), a realistic share of
late dependencies, and — with `evaluate` — signals and weekly health over its history."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command

from accord.coordination.models import Dependency
from accord.core.generator import generate, history_days
from accord.intelligence import evaluate
from accord.intelligence.models import Evaluation, HealthScore, Signal, SignalState
from accord.org.models import Team
from tests.intelligence.world import Clock, controlled

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def _rollups(org, depth: int) -> dict[str, float]:
    """The overall health rolled up over each team `depth` levels below the root."""
    parents = dict(Team.objects.filter(org=org).values_list("pk", "parent_id"))

    def depth_of(pk):
        return 0 if parents[pk] is None else 1 + depth_of(parents[pk])

    day = HealthScore.objects.filter(org=org).latest("date").date
    return {
        h.team.name: h.rollup_overall
        for h in HealthScore.objects.filter(org=org, date=day).select_related("team")
        if depth_of(h.team_id) == depth and h.rollup_overall is not None
    }


def test_the_heat_map_shows_trouble_spots_not_uniform_failure(db):
    with controlled(Clock(NOW)):
        org = generate(150, seed=3, slug="spots", now=NOW).org
        evaluate.evaluate(org, NOW, announce=False)
    for depth in (1, 2):  # departments, and the groups below them
        scores = _rollups(org, depth)
        assert len(scores) >= 3
        assert max(scores.values()) - min(scores.values()) >= 10, (depth, scores)
    groups = _rollups(org, 2)
    assert max(groups.values()) >= 70 and min(groups.values()) < 60, groups
    deps = list(Dependency.objects.filter(org=org))
    late = sum(d.is_late(NOW.date()) for d in deps) / len(deps)
    assert 0.02 <= late <= 0.2, late  # not most of them, as when every team failed


def test_evaluate_gives_signals_and_weekly_health_over_the_history(db):
    with controlled(Clock(NOW)):
        org = generate(20, seed=2, slug="history", now=NOW, weeks=6, evaluate=True).org
    days = history_days(NOW, 6)
    assert days == [dt.date(2026, 10, 25) + dt.timedelta(weeks=n) for n in range(6)]
    runs = Evaluation.objects.filter(org=org, backfill=False).order_by("as_of")
    assert runs.count() == len(days) + 1 and runs.last().as_of == NOW
    assert set(HealthScore.objects.filter(org=org).values_list("date", flat=True)) == {
        *days,
        NOW.date(),
    }
    first_seen = set(Signal.objects.filter(org=org).values_list("first_seen", flat=True))
    assert len({moment.date() for moment in first_seen}) >= 3  # not all new on one day
    assert Signal.objects.filter(org=org, state=SignalState.RESOLVED).exists()
    assert (
        Signal.objects.filter(org=org, first_seen=NOW).count()
        < Signal.objects.filter(org=org).exclude(state=SignalState.RESOLVED).count()
    )


def test_the_command_evaluates_the_history_when_asked(db):
    out = io.StringIO()
    with controlled(Clock(NOW)):
        call_command(
            "generate", "--teams", "15", "--org", "told", "--weeks", "2", "--evaluate",
            "--now", "2026-11-30T12:00:00+00:00", stdout=out,
        )  # fmt: skip
    assert "Evaluated as of the end of each week of its history and as of now" in out.getvalue()
    assert Evaluation.objects.filter(org__slug="told").count() == 3
