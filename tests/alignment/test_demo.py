"""The demo organization's alignment tells the story the product promises."""

from __future__ import annotations

import datetime as dt
import random

from accord import demo
from accord.alignment import demo as alignment_demo
from accord.alignment import queries
from accord.alignment.models import FrozenKeyResult, KeyResultValue, Objective, Period, RankChange
from accord.org import demo as org_demo
from accord.org.services import create_organization


def test_the_demo_has_a_believable_alignment_story(db):
    # Only the loaders this story needs (the organization, then alignment).
    org = create_organization(demo.DEMO_NAME, demo.DEMO_SLUG)
    ctx = demo.DemoContext(org=org, rng=random.Random(demo.SEED), today=dt.date(2026, 11, 24))
    org_demo.load(ctx)
    alignment_demo.load(ctx)
    current = queries.current_period(org)
    previous = Period.objects.for_org(org).exclude(pk=current.pk).exclude(kind="release").get()
    assert previous.state == "closed" and FrozenKeyResult.objects.filter(period=previous).exists()
    assert Objective.objects.filter(period=current, carried_from__isnull=False).count() == 1

    tree = queries.alignment_tree(org, current)
    assert [n["level"] for n in tree["objectives"]].count("org") >= 3
    # company -> department -> team, and a team objective under two parents
    assert any(c["children"] for n in tree["objectives"] for c in n["children"])
    assert any(c["parent_count"] > 1 for n in tree["objectives"] for c in n["children"])
    assert 0 < tree["progress"] < 100

    orphaned = list(queries.orphaned_objectives(org, current))
    assert 1 <= len(orphaned) <= 2, [o.title for o in orphaned]
    unaligned = list(queries.unaligned_initiatives(org))
    assert 3 <= len(unaligned) <= 8
    assert queries.wip_breaches(org)
    assert RankChange.objects.for_org(org).filter(old_rank__isnull=False).count() >= 5

    # Ten weekly values behind most trend lines, spread over nine weeks.
    counts = [
        len(v)
        for v in queries.value_history(
            list(org.keyresult_set.values_list("id", flat=True))
        ).values()
    ]
    assert max(counts) >= 10
    span = KeyResultValue.objects.for_org(org).order_by("recorded_at")
    assert (
        span.last().recorded_at
        - span.filter(key_result__objective__period=current).first().recorded_at
    ).days >= 56
    assert ctx.extra["alignment"]["period"] == current.pk
    # Each value a person recorded says who (the key result's page shows "By <name>").
    by_hand = KeyResultValue.objects.for_org(org).filter(source="")
    assert by_hand.exists() and not by_hand.filter(recorded_by__isnull=True).exists()
