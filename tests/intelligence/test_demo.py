"""On first start Northwind's Insights page is meaningful: the story's problems are found
by the engine, and 13 weeks of health history are computed from the demo's own history."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from accord import demo
from accord.briefings import compose
from accord.coordination.models import Dependency
from accord.decisions.models import Decision
from accord.intelligence import pages
from accord.intelligence.models import Evaluation, HealthScore, Signal, SignalState
from accord.org.models import Membership, Team


def test_the_demo_tells_its_story_in_signals_and_health_history(db):
    org = demo.load()
    live = Signal.objects.filter(org=org).exclude(state=SignalState.RESOLVED)

    def teams_of(kind):
        return [
            {t.slug for t in s.teams.all()}
            for s in live.filter(kind=kind).prefetch_related("teams")
        ]

    assert teams_of("objectives.confidence_falling")  # a team whose confidence fell
    # An objective rated on track while its key results lag.
    assert teams_of("objectives.on_track_but_behind")
    assert teams_of("decisions.approver_bottleneck")  # decisions pile up on one approver
    assert teams_of("dependencies.cycle")
    assert teams_of("initiatives.unaligned")
    # An overloaded provider whose commitments come late.
    overloaded = {slug for ts in teams_of("load.overloaded") for slug in ts}
    late = live.filter(kind__in=("dependencies.predicted_late", "dependencies.overdue"))
    providers = set(
        Dependency.objects.filter(pk__in=[int(s.subject_id) for s in late]).values_list(
            "provider_team__slug", flat=True
        )
    )
    assert overloaded & providers, (overloaded, providers)

    # 13 weeks of signals and health, each evaluated by the engine as of its week's end (the
    # moment that week's briefing reads as "the week's end"), as a weekly run would have
    # (nothing typed in), then now.
    weekly = Evaluation.objects.filter(org=org, backfill=False)
    assert weekly.count() >= 14
    week = compose.last_complete_week(timezone.now())
    ends = [week.signals_at - dt.timedelta(weeks=n) for n in range(13)]
    assert set(ends) <= {e.as_of for e in weekly}
    assert min(e.as_of for e in weekly) == ends[-1]
    # A signal is seen from the week its cause appeared, not from the day of loading.
    first_week = ends[-1].date()
    for s in live.filter(kind="decisions.overdue"):
        due = Decision.objects.get(pk=int(s.subject_id)).decide_by
        assert due < s.first_seen.date() <= max(due, first_week) + dt.timedelta(days=8), s
    root = Team.objects.get(org=org, parent=None)
    days = set(HealthScore.objects.filter(org=org, team=root).values_list("date", flat=True))
    assert len(days) >= 13
    # The whole organization's people are its people (each once), not its memberships.
    latest = HealthScore.objects.filter(org=org, team=root).order_by("-date").first()
    members = Membership.objects.filter(org=org, person__is_active=True)
    assert latest.rollup_people == members.values("person").distinct().count()
    trend = pages.trend(org, pages.scope_of(org, None))
    # A point for each week of the last 13 (the one 13 weeks back too, from its end), each
    # of its week's end but this week's, of today.
    assert len(trend) >= 13
    starts = [dt.date.fromisoformat(p["week_start"]) for p in trend]
    assert all(b - a == dt.timedelta(weeks=1) for a, b in itertools.pairwise(starts))
    assert all(p["date"] == p["week_end"] for p in trend[:-1])
    assert trend[-1]["date"] == timezone.localdate().isoformat()
    assert len({p["overall"] for p in trend}) > 3  # it moves with the story
    # From the story's past to today without a cliff made by loading it in one go: past
    # decisions were decided in the past, past requests were answered in the past.
    # Work loaded with its links served its objectives all along, not from today on.
    for column in ("overall", "alignment", "decisions", "dependencies"):
        assert abs(trend[-1][column] - trend[-2][column]) < 10, (column, trend)
    assert any(p["dependencies"] is not None and p["dependencies"] < 100 for p in trend[:-1])
    # The story's first dependencies were requested weeks into it: before, there was
    # nothing to judge, and the chart has a gap there, not a perfect 100.
    assert trend[0]["dependencies"] is None, trend
    # Every current team of the demo has something to judge today: a score, not a gap.
    today_rows = HealthScore.objects.filter(org=org, date=latest.date).exclude(
        team__state="retired"
    )
    assert today_rows.count() == Team.objects.filter(org=org).exclude(state="retired").count()
    assert not today_rows.filter(overall__isnull=True).exists()
    assert not today_rows.filter(rollup_overall__isnull=True).exists()
    resolved = Signal.objects.filter(org=org, state=SignalState.RESOLVED)
    assert not resolved.filter(kind="decisions.overdue").exists()
    # A weekly run a week ago, then now: new and resolved since last week mean something.
    week_ago = timezone.now() - dt.timedelta(days=6)
    assert live.filter(first_seen__lt=week_ago).exists()
    assert live.filter(first_seen__gte=week_ago).exists()
