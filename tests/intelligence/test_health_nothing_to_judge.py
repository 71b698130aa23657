"""A team or department with nothing to judge has no health score, not 100 and "good":
stored as None, shown as "Not enough activity to score" with why, left out of the roll-ups
above it and of briefings, null with a reason in the API. A dimension with nothing to
judge in a team that has a score is left out of its overall, not counted as 100.

The cast's Acme (1 person) provides Platform (2 people) a blocked request; Platform's one
initiative serves nothing. Neither has a check-in, meeting, decision, action item or
issue."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from accord.briefings import compose
from accord.briefings import services as briefings
from accord.intelligence import evaluate, pages, queries
from accord.intelligence.models import DIMENSIONS
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from tests.conftest import login, make_person

COLUMNS = (*DIMENSIONS, "overall")
WHY = (
    "no objectives or initiatives in progress; no dependencies open or closed in the last "
    "8 weeks; no check-ins or meetings due in the last 8 weeks; no decisions, action items "
    "or issues in the last 8 weeks"
)
RHYTHM = "no check-ins or meetings due in the last 8 weeks"
DECISIONS = "no decisions, action items or issues in the last 8 weeks"


@pytest.fixture
def sales(cast, blocked):
    """A new department with nothing in it yet, evaluated."""
    dept = org_services.create_team(cast.org, None, name="Sales", parent=cast.root)
    evaluate.evaluate(cast.org)
    return dept


@pytest.fixture
def silent(cast, sales):
    """A team in Sales with a lead (so no "no lead" signal) and nothing else, evaluated."""
    team = org_services.create_team(cast.org, None, name="Inside Sales", parent=sales)
    lead = make_person(cast.org, "Ines Lead", Role.MEMBER)
    org_services.add_membership(cast.org, None, person=lead, team=team, role=MembershipRole.LEAD)
    evaluate.evaluate(cast.org)
    return team


def row_of(page: str, name: str) -> str:
    """The heat-map line whose header names `name` (its HTML)."""
    for row in re.findall(r"<tr[^>]*>.*?</tr>", page, re.S):
        header = re.search(r"<th scope=\"row\">(.*?)</th>", row, re.S)
        if header and re.sub(r"<[^>]+>", "", header.group(1)).strip().startswith(name):
            return row
    raise AssertionError(f"no heat-map line of {name}")


def test_an_empty_department_has_no_score_and_says_why(cast, sales, api_admin):
    h = queries.health(cast.org, sales.pk)
    assert [getattr(h, c) for c in COLUMNS] == [None] * 6
    assert [getattr(h, f"rollup_{c}") for c in COLUMNS] == [None] * 6

    body = api_admin.get(f"/api/v1/health/{sales.pk}").json()
    for part in ("own", "rollup"):
        assert body[part]["overall"] is None and body[part]["dependencies"] is None
        assert body[part]["reason"] == f"Not enough activity to score: {WHY}."
        assert set(body[part]["left_out"]) == set(DIMENSIONS)
    history = api_admin.get(f"/api/v1/health/{sales.pk}/history").json()
    assert [p["rollup"]["overall"] for p in history] == [None]

    page = login(cast.admin).get(f"/o/acme/insights/?scope={sales.pk}").content.decode()
    summary = row_of(page, "All of Sales")
    assert "Not enough activity to score" in summary and WHY.capitalize() in summary
    assert "heat--good" not in summary and ">100<" not in summary.replace(" ", "")
    assert "Not enough activity to score health on any day from" in page
    # The whole organization's heat-map lists Sales as not scored, not among the healthy.
    page = login(cast.admin).get("/o/acme/insights/?scope=all").content.decode()
    line = row_of(page, "Sales")
    assert "Not enough activity to score" in line and "heat--good" not in line

    panel = login(cast.admin).get(f"/o/acme/insights/teams/{sales.pk}/panel/").content.decode()
    assert "Not enough activity to score" in panel and WHY in panel
    assert "heat--good" not in panel


def test_a_silent_team_has_no_score_and_does_not_lift_the_roll_ups_above_it(cast, silent):
    h = queries.health(cast.org, silent.pk)
    assert h.people == 1 and h.overall is None and h.rollup_overall is None
    sales = queries.health(cast.org, silent.parent_id)
    assert sales.rollup_people == 1 and sales.rollup_overall is None
    # Acme's roll-up is Acme's and Platform's own scores only (75 and 85, people 1:2),
    # though Inside Sales's person counts among its people.
    acme = queries.health(cast.org, cast.root.pk)
    assert acme.rollup_people == 4
    assert acme.rollup_overall == pytest.approx((75 + 2 * 85) / 3, abs=0.05)
    trend = pages.trend(cast.org, pages.scope_of(cast.org, silent.pk))
    assert trend[-1]["overall"] is None and trend[-1]["rhythm"] is None

    page = login(cast.admin).get(f"/o/acme/insights/?scope={silent.parent_id}").content.decode()
    for name in ("All of Sales", "Sales itself", "Inside Sales"):
        line = row_of(page, name)
        assert "Not enough activity to score" in line, name
        assert "heat--good" not in line and "heat--watch" not in line, name

    # Its briefing says so instead of a score (before: "Coordination health 100").
    week = compose.week_of(timezone.now())
    content = briefings.build_for(cast.org, week, team=silent)
    assert content["headline"]["health"] is None
    assert content["headline"]["text"].startswith(
        "Coordination health not scored: not enough activity;"
    )


def test_a_dimension_with_nothing_to_judge_is_left_out_not_counted_as_100(cast, blocked, api_admin):
    h = queries.health(cast.org, cast.platform.pk)
    assert (h.alignment, h.execution, h.dependencies) == (80, 100, 75)
    assert h.rhythm is None and h.decisions is None
    assert h.overall == 85  # (80 + 100 + 75) / 3; with rhythm and decisions as 100: 91

    body = api_admin.get(f"/api/v1/health/{cast.platform.pk}").json()
    assert body["own"]["overall"] == 85 and body["own"]["reason"] is None
    assert body["own"]["left_out"] == {"rhythm": RHYTHM, "decisions": DECISIONS}
    assert body["rollup"]["rhythm"] is None

    panel = login(cast.admin).get(f"/o/acme/insights/teams/{cast.platform.pk}/panel/")
    panel = panel.content.decode()
    assert "Not scored, so left out of overall: rhythm" in panel and RHYTHM in panel
    assert "Not enough activity" not in panel

    page = login(cast.admin).get("/o/acme/insights/?scope=all").content.decode()
    line = row_of(page, "Platform")
    assert f"Platform, rhythm: not scored, {RHYTHM}</span>" in line
    # A critical signal is open: held at watch, and said so.
    assert (
        'aria-label="Platform, overall: 85, watch (at most watch while a critical signal is '
        'open)"' in line
    )
