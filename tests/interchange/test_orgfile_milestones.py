"""Milestones in the organization file: relative ones in any order, a dependency needed by
a milestone, plan, apply, export and round trip; cycles and dateless ones are reported."""

from __future__ import annotations

import datetime as dt

from accord.alignment.models import Milestone
from accord.coordination.models import Dependency
from accord.interchange import services
from accord.org.models import Organization

from .helpers import ORG_FILE, event_count

TRAIN = (
    ORG_FILE
    + """\
periods:
  - {name: Train 27.1, kind: release, start: 2027-01-04, end: 2027-03-28}
milestones:
  - {name: Feature freeze 27.1, kind: feature_freeze, anchor: Release 27.1, offset_days: -28}
  - {name: Code freeze 27.1, kind: code_freeze, anchor: RC 27.1, offset_days: -7, teams: [eng]}
  - {name: RC 27.1, kind: release_candidate, anchor: Release 27.1, offset_days: -7}
  - {name: Release 27.1, kind: release, date: 2027-03-22, period: Train 27.1}
initiatives:
  - {id: tps, team: eng, title: TPS cover sheets, status: active}
dependencies:
  - id: racks
    initiative: tps
    provider: ops
    title: Racks for the new build farm
    need_by: 2027-02-01
    need_by_milestone: Code freeze 27.1
"""
)


def test_a_release_train_applies_exports_and_round_trips(db):
    plan = services.plan_file(TRAIN, org_slug="initech")
    assert plan.ok, plan.as_text()
    assert plan.counts()["milestones"]["create"] == 4
    outcome = services.apply_file(TRAIN, org_slug="initech")
    assert outcome.ok and not outcome.report, outcome.as_text()
    org = Organization.objects.get(slug="initech")
    dates = dict(Milestone.objects.filter(org=org).values_list("name", "date"))
    assert dates == {
        "Release 27.1": dt.date(2027, 3, 22),
        "RC 27.1": dt.date(2027, 3, 15),
        "Code freeze 27.1": dt.date(2027, 3, 8),
        "Feature freeze 27.1": dt.date(2027, 2, 22),
    }
    dep = Dependency.objects.get(org=org)
    assert dep.need_by == dt.date(2027, 3, 8) and dep.need_by_milestone.name == "Code freeze 27.1"

    before = event_count()
    assert services.apply_file(TRAIN, org_slug="initech").changes == []
    assert event_count() == before

    first = services.export_text(org)
    assert "anchor: Release 27.1" in first and "need_by_milestone: Code freeze 27.1" in first
    copy = services.apply_file(first, org_slug="initech-copy")
    assert copy.ok and not copy.report, copy.as_text()
    second = services.export_text(Organization.objects.get(slug="initech-copy"))
    body = lambda text: text.split("\nteams:", 1)[1]  # noqa: E731
    assert body(second) == body(first)

    # Moving the release in the file moves the whole train and the dependency with it.
    moved = TRAIN.replace("date: 2027-03-22", "date: 2027-03-29")
    outcome = services.apply_file(moved, org_slug="initech")
    assert outcome.ok, outcome.as_text()
    assert [c.key for c in outcome.changes] == ["release 27.1"]
    dep.refresh_from_db()
    assert dep.need_by == dt.date(2027, 3, 15)


def test_cycles_and_milestones_without_a_date_are_reported_and_skipped(db):
    bad = (
        ORG_FILE
        + """\
milestones:
  - {name: A, anchor: B, offset_days: -7}
  - {name: B, anchor: A, offset_days: 7}
  - {name: Nowhen}
  - {name: Fine, date: 2027-01-04}
"""
    )
    outcome = services.apply_file(bad, org_slug="initech")
    text = outcome.report.as_text()
    assert "a cycle" in text and "needs a date or an anchor" in text
    org = Organization.objects.get(slug="initech")
    assert list(Milestone.objects.filter(org=org).values_list("name", flat=True)) == ["Fine"]
    strict = services.apply_file(bad, org_slug="initech-strict", strict=True)
    assert not strict.ok
    assert not Organization.objects.filter(slug="initech-strict").exists()
