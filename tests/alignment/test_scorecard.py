"""A period's scorecard of a department: each objective of the team and the teams below it,
with its progress, its confidence when the period began and now, its status and the work
serving it re-planned later during the period; the same rows as a CSV; nothing of
another organization or of a team outside the department."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from accord.alignment import services as s
from accord.alignment.models import Replan
from tests.conftest import login


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


@pytest.fixture
def quarter(cast):
    today = timezone.localdate()
    q = s.create_period(
        cast.org, None, name="This quarter", start=today - dt.timedelta(days=40),
        end=today + dt.timedelta(days=50), is_current=True,
    )  # fmt: skip
    checkout = s.create_objective(
        cast.org, None, title="Faster checkout", period=q, team=cast.platform, owner=cast.member
    )
    s.set_objective_confidence(cast.org, None, checkout, 8, at=_at(q.start))
    s.set_objective_confidence(cast.org, None, checkout, 4, at=_at(today - dt.timedelta(days=3)))
    quiet = s.create_objective(cast.org, None, title="Quiet one", period=q, team=cast.root)
    late = s.create_objective(cast.org, None, title="Late start", period=q, team=cast.platform)
    s.set_objective_confidence(cast.org, None, late, 6, at=_at(q.start + dt.timedelta(days=9)))
    s.set_objective_confidence(cast.org, None, late, 7, at=_at(q.start + dt.timedelta(days=20)))
    api = s.create_initiative(
        cast.org, None, team=cast.platform, title="Checkout API", status="active",
        objectives=[checkout], target_date=today + dt.timedelta(days=5),
    )  # fmt: skip
    s.replan_initiative(cast.org, None, api, today + dt.timedelta(days=30), "Vendor is late")
    Replan.objects.filter(initiative=api).update(at=_at(today - dt.timedelta(days=10)))
    return q, checkout, quiet


def test_a_departments_scorecard_lists_its_objectives_with_then_and_now(cast, quarter):
    q, _, _ = quarter
    page = login(cast.member).get(
        "/o/acme/alignment/scorecard/", {"period": q.pk, "team": "platform"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    row = html.split("Faster checkout")[1].split("</tr>")[0]
    assert "8/10" in row and "4/10" in row and "(-4)" in row
    assert "Checkout API:" in row and "→" in row
    assert "Quiet one" not in html  # Acme's own, above the department
    # None given by the first day: the first given in the period, and when.
    late = html.split("Late start")[1].split("</tr>")[0]
    assert "6/10" in late and "first given" in late and "7/10" in late
    whole = login(cast.member).get("/o/acme/alignment/scorecard/", {"period": q.pk})
    assert "Quiet one" in whole.content.decode()


def test_the_scorecard_as_csv_has_the_same_rows(cast, quarter):
    q, _, _ = quarter
    resp = login(cast.member).get(
        "/o/acme/alignment/scorecard/", {"period": q.pk, "team": "platform", "format": "csv"}
    )
    assert resp["Content-Type"].startswith("text/csv")
    assert "acme-scorecard-this-quarter-platform.csv" in resp["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.content.decode())))
    assert [r["objective"] for r in rows] == ["Faster checkout", "Late start"]
    row = rows[0]
    assert rows[1]["confidence_at_start"] == "6" and rows[1]["confidence_first_given_on"]
    assert row["confidence_at_start"] == "8" and row["confidence_now"] == "4"
    assert row["status"] == "Active" and row["team"] == "Platform"
    assert row["slipped"].startswith("Checkout API: ")


def test_another_organizations_team_or_period_shows_nothing_of_ours(cast, quarter):
    q, _, _ = quarter
    outsider = login(cast.outsider)
    page = outsider.get("/o/acme/alignment/scorecard/", {"period": q.pk})
    assert page.status_code in (403, 404)
    theirs = outsider.get("/o/globex/alignment/scorecard/", {"period": q.pk}).content.decode()
    assert "Faster checkout" not in theirs
    missing = login(cast.member).get("/o/acme/alignment/scorecard/", {"team": "labs"})
    assert missing.status_code == 404
