"""The demo organization's web of dependencies tells the whole story."""

from __future__ import annotations

from django.utils import timezone

from accord import demo
from accord.coordination import queries
from accord.coordination.models import Dependency, Flag, State


def test_the_demo_has_every_state_a_cycle_a_critical_path_late_ones_and_a_ripple(db):
    org = demo.load()
    deps = Dependency.objects.for_org(org)
    assert 35 <= deps.count() <= 45
    assert set(deps.values_list("state", flat=True)) == set(State.values)
    assert deps.filter(flag=Flag.BLOCKED).exists()
    assert deps.filter(state=State.NEGOTIATING, awaiting="requester").exists()
    assert deps.filter(state=State.NEGOTIATING, awaiting="provider").exists()

    cycles = queries.cycles(org)
    assert len(cycles) == 1 and len(cycles[0]["teams"]) == 3

    chain = queries.map_elements(org)["critical_path"]
    assert len(chain) >= 5
    assert chain[0]["title"] == "Loyalty 2.0 launch"
    assert len({i["team_id"] for i in chain}) == len(chain)

    decorated = queries.decorate(queries.base(org))
    assert sum(1 for d in decorated if d.late) >= 2
    rippled = deps.filter(flag_auto=True, flag=Flag.AT_RISK)
    assert rippled.count() >= 3
    assert rippled.filter(flag_note__startswith="Upstream slip").count() >= 2

    # A release train: freezes relative to the release; a dependency needed by one.
    tied = deps.get(need_by_milestone__isnull=False)
    freeze = tied.need_by_milestone
    assert freeze.kind == "code_freeze" and tied.need_by == freeze.date
    assert freeze.anchor.kind == "release" and freeze.offset_days == -14
    assert freeze.period.kind == "release"
    assert freeze.anchor.dependants.get(kind="feature_freeze").offset_days == -28

    # Every request was asked on or before the day it was needed by, as a team asks.
    asked_late = [
        (d.pk, d.title, timezone.localtime(d.created_at).date(), d.need_by)
        for d in deps
        if timezone.localtime(d.created_at).date() > d.need_by or d.created_at.date() > d.need_by
    ]
    assert asked_late == []
