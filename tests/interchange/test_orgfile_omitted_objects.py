"""What a file leaves out is removed only where Accord can remove it; the rest is kept."""

from __future__ import annotations

from accord.alignment.models import Period
from accord.interchange import services

from .helpers import ORG_FILE, event_count

WITH_PERIODS = (
    ORG_FILE
    + """\
periods:
  - {name: 2026 Q3, kind: quarter, start: 2026-07-01, end: 2026-09-30, state: active, current: true}
  - {name: 2026 Q4, kind: quarter, start: 2026-10-01, end: 2026-12-31}
"""
)


def test_a_period_left_out_of_the_next_file_is_kept_not_a_crash(db):
    assert services.apply_file(WITH_PERIODS, org_slug="initech").ok
    without_q4 = WITH_PERIODS.replace(
        "  - {name: 2026 Q4, kind: quarter, start: 2026-10-01, end: 2026-12-31}\n", ""
    )
    plan = services.plan_file(without_q4, org_slug="initech")
    assert plan.ok, plan.as_text()
    assert not [c for c in plan.changes if c.section == "periods"]
    before = event_count()
    outcome = services.apply_file(without_q4, org_slug="initech")
    assert outcome.ok, outcome.as_text()
    assert event_count() == before
    assert set(Period.objects.filter(org__slug="initech").values_list("name", flat=True)) == {
        "2026 Q3",
        "2026 Q4",
    }


def test_a_renamed_quarter_is_not_added_over_the_old_one(db):
    """Periods are matched by name: a renamed one is a new period, and a second quarter on
    the old one's days is refused, naming it (two quarters never share a day)."""
    assert services.apply_file(WITH_PERIODS, org_slug="initech").ok
    renamed = WITH_PERIODS.replace("name: 2026 Q4", "name: Q4 2026")
    outcome = services.apply_file(renamed, org_slug="initech")
    names = set(Period.objects.filter(org__slug="initech").values_list("name", flat=True))
    assert names == {"2026 Q3", "2026 Q4"}
    assert "2026 Q4 is a quarter too, from 1 Oct 2026 to 31 Dec 2026" in outcome.as_text()
    # As a custom period on those days, it is added beside the old one.
    custom = renamed.replace("name: Q4 2026, kind: quarter", "name: Q4 2026, kind: custom")
    assert services.apply_file(custom, org_slug="initech").ok
    names = set(Period.objects.filter(org__slug="initech").values_list("name", flat=True))
    assert names == {"2026 Q3", "2026 Q4", "Q4 2026"}


def test_a_reference_to_someone_the_file_removes_says_so(db):
    """Leaving a person out of `people:` removes them; a membership still naming them is
    skipped for that reason, not as if they had never been in the organization."""
    assert services.apply_file(ORG_FILE, org_slug="initech").ok
    without_peter = ORG_FILE.replace(
        "  - email: peter@initech.example\n    name: Peter Gibbons\n"
        "    timezone: America/Chicago\n",
        "",
    )
    text = services.plan_file(without_peter, org_slug="initech").as_text()
    assert "'peter@initech.example', which this file removes" in text, text
    assert "in the organization but not in the file's people: section" in text
    assert "nor in the organization" not in text
    # Someone never in the organization is still named as such.
    stranger = ORG_FILE + "  - {team: ops, person: nobody@initech.example}\n"
    text = services.plan_file(stranger, org_slug="initech").as_text()
    assert "'nobody@initech.example', which is not among the file's valid items nor in the" in (
        text.replace("\n", " ")
    ), text
