"""A team is scored on what is its own and its subtree's, not on the organization's own
objectives: a new organization's empty department ("Sales": nobody in it, no objective or
initiative) beside one company objective has no score — "Not enough activity to score" on
Insights and on its team's panel, null with a reason in the API and in `accord health` —
where it showed Alignment 100, Execution 100, Overall 100 "good". The organization's own
problems (a company objective nothing serves) concern its top teams with people in them,
not an empty department that has nobody to act on them."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from accord import cli
from accord.alignment import services as alignment
from accord.intelligence import evaluate, queries
from accord.intelligence.models import DIMENSIONS, SignalTeam
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from tests.conftest import api_client, login, make_person
from tests.intelligence.test_health_nothing_to_judge import WHY, row_of

D = dt.date
COLUMNS = (*DIMENSIONS, "overall")


@pytest.fixture
def fresh(db, clock):
    """Fay founds Fresh: she leads Leadership; Sales is there with nobody in it yet; the
    quarter's one objective is the company's own, and no work serves it yet (past its
    grace days: a signal of the organization's own). Evaluated."""
    clock.at(D(2026, 1, 5), 9)
    org = org_services.create_organization("Fresh", "fresh")
    fay = make_person(org, "Fay Founder", Role.ADMIN)
    leadership = org_services.create_team(org, None, name="Leadership")
    org_services.add_membership(org, None, person=fay, team=leadership, role=MembershipRole.LEAD)
    sales = org_services.create_team(org, None, name="Sales")
    period = alignment.create_period(
        org, None, name="Q1 2026", start=D(2026, 1, 1), end=D(2026, 3, 31),
        state="active", is_current=True,
    )  # fmt: skip
    alignment.create_objective(
        org, None, title="Grow online revenue", period=period, level="org", owner=fay
    )
    clock.at(D(2026, 1, 22), 12)
    evaluate.evaluate(org)
    return org, fay, leadership, sales


def test_an_empty_department_is_not_scored_on_the_companys_objective(fresh, capsys):
    org, fay, _, sales = fresh
    h = queries.health(org, sales.pk)
    assert [getattr(h, c) for c in COLUMNS] == [None] * 6
    assert [getattr(h, f"rollup_{c}") for c in COLUMNS] == [None] * 6

    page = login(fay).get("/o/fresh/insights/?scope=all").content.decode()
    line = row_of(page, "Sales")
    assert "Not enough activity to score" in line and WHY.capitalize() in line
    assert "heat--good" not in line and ">100<" not in line.replace(" ", "")
    panel = login(fay).get(f"/o/fresh/insights/teams/{sales.pk}/panel/").content.decode()
    assert "Not enough activity to score" in panel and "heat--good" not in panel

    body = api_client(fay).get(f"/api/v1/health/{sales.pk}").json()
    for part in ("own", "rollup"):
        assert body[part]["overall"] is None and body[part]["alignment"] is None
        assert body[part]["reason"] == f"Not enough activity to score: {WHY}."

    assert cli.main(["health", "--org", "fresh", "--json"]) == 0
    rows = {r["team"]: r for r in json.loads(capsys.readouterr().out)["teams"]}
    assert rows["Sales"]["overall"] is None and rows["Sales"]["alignment"] is None
    assert rows["Sales"]["reason"] == f"Not enough activity to score: {WHY}."


def test_the_companys_own_problem_concerns_the_top_team_with_people(fresh):
    org, _, leadership, _ = fresh
    [orphaned] = [
        link.signal
        for link in SignalTeam.objects.filter(org=org).select_related("signal")
        if link.signal.kind == "objectives.orphaned"
    ]
    teams = set(SignalTeam.objects.filter(signal=orphaned).values_list("team_id", flat=True))
    assert teams == {leadership.pk}
    # An organization's objective is the organization's, not a team's ("… of —").
    assert orphaned.explanation.endswith(f" of {org.name}.")
    h = queries.health(org, leadership.pk)
    # Weighed as Leadership's (a warning: 10 points); the objective itself is not
    # Leadership's work to be scored on, so execution has nothing to judge.
    assert h.alignment == 90 and h.execution is None and h.overall == 90
