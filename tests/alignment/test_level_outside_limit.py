"""A level to hold (keep above, keep below, keep within a range) on the wrong side of its
limit reads "outside its limit", not the share done its partial credit would give ("93%"
for an availability of 99.94 % to keep above 99.95 %), wherever a key result's progress is
shown: Home's key results to update, the objective's page, the key result's own page, the
alignment tree and an initiative serving it."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from accord.alignment import services as alignment
from accord.alignment.models import Direction
from accord.alignment.progress import outside_limit, progress
from tests.conftest import api_client, login


def test_a_level_is_outside_its_limit_only_on_the_wrong_side_of_it():
    assert outside_limit("above", 99.95, 99.94) == "outside its limit"
    assert outside_limit("above", 99.95, 99.95) == ""  # at the limit: held
    assert outside_limit("below", 250, 310) == "outside its limit"
    assert outside_limit("below", 250, 250) == ""
    assert outside_limit("range", 0, 47, low=30, high=45) == "outside its range"
    assert outside_limit("range", 0, 45, low=30, high=45) == ""
    assert outside_limit("range", 0, 40, low=45, high=30) == ""  # bounds given the wrong way
    # What is not a level is never outside a limit.
    assert outside_limit("increase", 100, 10) == outside_limit("decrease", 10, 100) == ""
    assert outside_limit("above", 1, 0, is_milestone=True) == ""
    assert outside_limit("above", 99.95, float("nan")) == ""
    # Outside its limit it is failing now: 0, however close it came from where it started.
    assert progress("above", 99.8, 99.95, 99.94) == 0


def _objective_with_levels(cast):
    today = timezone.localdate()
    period = alignment.create_period(
        cast.org,
        None,
        name="Now",
        start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=60),
        state="active",
    )
    goal = alignment.create_objective(
        cast.org, None, title="Reliable platform", period=period, team=cast.platform
    )
    made = {}
    for name, unit, direction, start, target, now in (
        ("Availability", "%", Direction.ABOVE, 99.8, 99.95, 99.94),
        ("p95 latency", "ms", Direction.BELOW, 420, 250, 310),
        ("Error budget", "%", Direction.ABOVE, 50, 80, 85),  # holds its level
    ):
        kr = alignment.create_key_result(
            cast.org, None, goal, owner=cast.member, name=name, unit=unit,
            direction=direction, start=start, target=target,
        )  # fmt: skip
        alignment.record_key_result_value(cast.org, cast.member, kr, now)
        made[name] = kr
    initiative = alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Multi-region failover", status="active"
    )
    alignment.link_initiative(cast.org, None, initiative, key_result=made["Availability"])
    return goal, made, initiative


def _progress_of(html: str, name: str) -> str:
    """The text shown right after the key result named `name` on a page."""
    at = html.index(f">{name}<")
    shown = re.sub(r"<[^>]+>", " ", html[at : at + 1500])
    return re.sub(r"\s+", " ", shown)


def test_pages_say_outside_its_limit_instead_of_a_share_done(cast):
    goal, krs, initiative = _objective_with_levels(cast)
    client = login(cast.member)
    pages = {
        "home": "/o/acme/",
        "objective": f"/o/acme/alignment/objectives/{goal.pk}/",
        "tree": "/o/acme/alignment/",
        "initiative": f"/o/acme/alignment/initiatives/{initiative.pk}/",
    }
    for where, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, where
        html = response.content.decode()
        shown = _progress_of(html, "Availability")
        assert "outside its limit" in shown, (where, shown[:200])
        assert "93%" not in html, where
        if where != "initiative":
            assert "outside its limit" in _progress_of(html, "p95 latency"), where
            assert "65%" not in html, where
            # A level held shows its progress as before.
            assert "100%" in _progress_of(html, "Error budget"), where
    page = client.get(f"/o/acme/alignment/key-results/{krs['Availability'].pk}/")
    body = page.content.decode()
    assert re.search(r'class="tag tag--bad kr-outside"[^>]*>outside its limit<', body)
    assert "93%" not in body


def test_a_level_outside_its_limit_counts_0_toward_its_objective(cast):
    """Its objective's progress, stored and recomputed, is the mean of what its key results
    show: "outside its limit" counts 0 (not its hidden partial credit), and its objective's
    page says so; the API, the history and the objective's parent agree."""
    from accord.activity.models import Event
    from accord.alignment import rollups
    from accord.alignment.models import Objective
    from accord.alignment.services import link_objective

    goal, krs, _ = _objective_with_levels(cast)
    goal.refresh_from_db()
    # Availability and p95 latency outside their limits: 0 each; Error budget holds: 100.
    assert goal.rollup_progress == 100 / 3
    assert rollups.computed(cast.org.pk)[goal.pk][0] == goal.rollup_progress
    parent = alignment.create_objective(
        cast.org, None, title="Trusted product", period=goal.period, team=cast.platform
    )
    link_objective(cast.org, None, goal, parent)
    assert Objective.objects.get(pk=parent.pk).rollup_progress == 100 / 3

    client = login(cast.member)
    html = client.get(f"/o/acme/alignment/objectives/{goal.pk}/").content.decode()
    how = re.search(r'id="objective-progress-how">([^<]*)<', html).group(1)
    assert how == "weighted mean of its key results; 2 key results outside their limits count 0"
    parent_html = client.get(f"/o/acme/alignment/objectives/{parent.pk}/").content.decode()
    how = re.search(r'id="objective-progress-how">([^<]*)<', parent_html).group(1)
    assert how == "weighted mean of its contributing objectives"  # it has no key results
    alignment.create_key_result(cast.org, None, parent, name="NPS", start=10, target=50)
    parent_html = client.get(f"/o/acme/alignment/objectives/{parent.pk}/").content.decode()
    how = re.search(r'id="objective-progress-how">([^<]*)<', parent_html).group(1)
    assert how == "weighted mean of its key results and contributing objectives"

    api = api_client(cast.member).get(f"/api/v1/key-results/{krs['Availability'].pk}")
    assert api.status_code == 200
    assert api.json()["progress"] == 0
    assert api.json()["outside_limit"] == "outside its limit"
    # What its history says it came to: 0, as its page reads it.
    event = (
        Event.objects.filter(target_id=krs["Availability"].pk, verb="value_recorded")
        .order_by("-id")
        .first()
    )
    assert event.after["progress"] == 0


def test_the_migration_recounts_stored_figures_of_an_existing_database(cast):
    """An existing database's objectives carry the partial credit stored before the rule
    changed: `migrate` recounts them (and a closed period's frozen key results) to what the
    roll-up computes now."""
    import importlib

    from django.apps import apps

    from accord.alignment import rollups
    from accord.alignment.models import FrozenKeyResult, Objective

    recount = importlib.import_module(
        "accord.alignment.migrations.0012_levels_outside_their_limit_count_zero"
    ).recount
    goal, krs, _ = _objective_with_levels(cast)
    # As stored under the old rule: 93% and 65% of partial credit, the mean 86%.
    Objective.objects.filter(pk=goal.pk).update(rollup_progress=86.0)
    frozen = FrozenKeyResult.objects.create(
        org=cast.org,
        period=goal.period,
        key_result=krs["Availability"],
        value=99.94,
        progress=93.3,
        frozen_at=timezone.now(),
    )
    recount(apps, None)
    assert Objective.objects.get(pk=goal.pk).rollup_progress == 100 / 3
    stored = dict(Objective.objects.for_org(cast.org).values_list("id", "rollup_progress"))
    for oid, (progress_now, _, _) in rollups.computed(cast.org.pk).items():
        assert stored[oid] == progress_now, oid
    frozen.refresh_from_db()
    assert frozen.progress == 0
