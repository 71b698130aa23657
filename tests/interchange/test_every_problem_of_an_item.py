"""A plan names every problem of an item in one run: each field's value, each reference (not
only the first one found), and the references of an item already refused for a value. The
item is still skipped, and nothing else of it is taken."""

from __future__ import annotations

import pytest

from accord.interchange import services
from accord.org.models import Organization, Team

from .helpers import ORG_FILE

PERIOD = "periods:\n  - {name: 2027 Q1, start: 2027-01-01, end: 2027-03-31}\n"


@pytest.fixture
def initech(db) -> Organization:
    outcome = services.apply_file(ORG_FILE + PERIOD, org_slug="initech")
    assert outcome.ok and not outcome.report, outcome.as_text()
    return Organization.objects.get(slug="initech")


def _problems(outcome) -> list[tuple[str, str]]:
    return [(p.path, p.kind) for p in outcome.report.problems]


def test_a_team_with_a_bad_state_an_unknown_kind_and_an_unknown_parent_names_all_three(initech):
    text = ORG_FILE.replace(
        "    parent: initech\n    description: Builds",
        "    parent: nowhere\n    kind: spaceship\n    state: flying\n    description: Builds",
    )
    outcome = services.plan_file(text, org_slug="initech")
    assert _problems(outcome) == [
        ("teams[1].state", "invalid_value"),
        ("teams[1].parent", "missing_reference"),
        ("teams[1].kind", "missing_reference"),
    ], outcome.as_text()
    words = outcome.as_text()
    assert "state must be one of" in words
    assert "parent refers to team 'nowhere'" in words
    assert "kind refers to kind of team 'spaceship'" in words
    # Still skipped: the team stays as it is, and nothing is removed for it.
    applied = services.apply_file(text, org_slug="initech")
    assert not [c for c in applied.changes if c.section == "teams"], applied.as_text()
    assert Team.objects.get(org=initech, slug="eng").parent.slug == "initech"


def test_an_objective_with_an_unknown_period_and_owner_names_both(initech):
    text = (
        ORG_FILE
        + PERIOD
        + "objectives:\n"
        + "  - {id: faster, title: Faster, period: 2031 Q9, team: eng, owner: nobody@x.example}\n"
        + "  - {id: lighter, title: Lighter, period: 2027 Q1, team: eng, parents: [a, b]}\n"
    )
    outcome = services.plan_file(text, org_slug="initech")
    assert _problems(outcome) == [
        ("objectives[0].period", "missing_reference"),
        ("objectives[0].owner", "missing_reference"),
        ("objectives[1].parents", "missing_reference"),
        ("objectives[1].parents", "missing_reference"),
    ], outcome.as_text()
    assert [c.key for c in outcome.changes if c.section == "objectives"] == []


def test_a_value_refused_and_a_reference_missing_are_both_named_in_a_csv_too(initech):
    from accord.interchange import csvio

    outcome = csvio.import_csv(
        b"id,title,period,team,owner,status\nfaster,Faster,2031 Q9,eng,peter@initech.example,"
        b"sideways\n",
        org_slug="initech",
        filename="objectives.csv",
        dry_run=True,
    )
    assert _problems(outcome) == [
        ("objectives[0].status", "invalid_value"),
        ("objectives[0].period", "missing_reference"),
    ], outcome.as_text()
    assert outcome.changes == []
