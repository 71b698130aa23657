"""An edit form opens for exactly those whose save the service accepts, and its Edit
button shows for them alone: an organization objective's, a period's and a milestone's are
for leaders and admins; a team objective's, its key results' and a team's initiative's for
the team's members (and owners, leads of a team above, leaders and admins), not for a
member of another team. Anyone else who opens the form's address gets the 403 page naming
who may, as the save would answer them, and nothing changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accord.alignment import milestones
from accord.alignment import services as s
from accord.alignment.models import Objective, Period
from tests.conftest import login

ORG_OBJECTIVE = (
    "Only someone with the Leader role or above may set or change organization objectives; "
    "your role is Member."
)
PERIODS = "Only someone with the Leader role or above may plan periods; your role is Member."
MILESTONES = "Only someone with the Leader role or above may plan milestones; your role is Member."


def url(name, **kw):
    return reverse(f"alignment:{name}", kwargs={"org_slug": "acme", **kw})


@pytest.fixture
def pages(cast, plan) -> dict[str, tuple[str, set[str]]]:
    """Each edit page, with the roles whose save its service accepts."""
    org = cast.org
    kr = s.create_key_result(org, None, plan.company, name="Revenue", start=0, target=10)
    mine = s.create_key_result(
        org, None, plan.platform_obj, name="P95", start=9, target=1, direction="decrease"
    )
    theirs = s.create_key_result(org, None, plan.sales_obj, name="Deals", start=0, target=10)
    work = s.create_initiative(org, None, team=cast.platform, title="Checkout rewrite")
    sold = s.create_initiative(org, None, team=plan.sales, title="Partner deals")
    release = milestones.create_milestone(org, None, name="Release", date=dt.date(2026, 2, 2))
    leaders = {"admin", "leader"}
    everyone = {"admin", "leader", "member"}
    return {
        "organization objective": (url("objective_edit", objective_id=plan.company.pk), leaders),
        "team objective": (url("objective_edit", objective_id=plan.platform_obj.pk), everyone),
        "another team's objective": (
            url("objective_edit", objective_id=plan.sales_obj.pk),
            leaders,
        ),
        "organization key result": (url("kr_edit", kr_id=kr.pk), leaders),
        "key result": (url("kr_edit", kr_id=mine.pk), everyone),
        "another team's key result": (url("kr_edit", kr_id=theirs.pk), leaders),
        "initiative": (url("initiative_edit", initiative_id=work.pk), everyone),
        "another team's initiative": (url("initiative_edit", initiative_id=sold.pk), leaders),
        "period": (url("period_edit", period_id=plan.q1.pk), leaders),
        "milestone": (url("milestone_edit", milestone_id=release.pk), leaders),
    }


def test_each_edit_form_opens_for_exactly_those_who_may_save_it(cast, pages):
    for role in ("admin", "leader", "member", "viewer"):
        client = login(getattr(cast, role))
        for what, (address, allowed) in pages.items():
            r = client.get(address)
            expected = 200 if role in allowed else 403
            assert r.status_code == expected, (role, what, r.status_code)
            if r.status_code == 200:
                assert 'name="version"' in r.content.decode(), (role, what)  # the form
    member = login(cast.member)
    for what, message in (
        ("organization objective", ORG_OBJECTIVE),
        ("period", PERIODS),
        ("milestone", MILESTONES),
    ):
        body = member.get(pages[what][0]).content.decode()
        assert "Not allowed" in body and message in body, what
        assert 'name="version"' not in body, what


def test_a_member_is_refused_an_organization_objective_they_own_as_its_save_refuses_them(
    cast, plan
):
    org = cast.org
    goal = s.create_objective(
        org, None, title="Be loved", period=plan.q1, level="org", owner=cast.member
    )
    client = login(cast.member)
    edit = url("objective_edit", objective_id=goal.pk)
    r = client.get(edit)
    assert r.status_code == 403 and ORG_OBJECTIVE in r.content.decode()
    r = client.post(edit, {"title": "Be adored", "period": plan.q1.pk, "level": "org"})
    assert r.status_code == 403 and ORG_OBJECTIVE in r.content.decode()
    assert Objective.objects.get(pk=goal.pk).title == "Be loved"
    # The owner of a team objective opens it (any member may).
    mine = s.create_objective(
        org, None, title="Mine", period=plan.q1, team=cast.platform, owner=cast.member
    )
    assert client.get(url("objective_edit", objective_id=mine.pk)).status_code == 200


def test_the_objective_page_shows_edit_only_to_who_may_save(cast, plan):
    company = url("objective", objective_id=plan.company.pk)
    edit = url("objective_edit", objective_id=plan.company.pk)
    assert edit not in login(cast.member).get(company).content.decode()
    assert edit in login(cast.admin).get(company).content.decode()
    assert edit in login(cast.leader).get(company).content.decode()
    team = url("objective", objective_id=plan.platform_obj.pk)
    team_edit = url("objective_edit", objective_id=plan.platform_obj.pk)
    assert team_edit in login(cast.member).get(team).content.decode()
    other = url("objective", objective_id=plan.sales_obj.pk)
    other_edit = url("objective_edit", objective_id=plan.sales_obj.pk)
    assert other_edit not in login(cast.member).get(other).content.decode()
    assert other_edit in login(cast.leader).get(other).content.decode()


def test_the_periods_page_offers_edit_to_leaders_only(cast, plan):
    edit = url("period_edit", period_id=plan.q1.pk)
    assert login(cast.member).get(edit).status_code == 403
    assert edit not in login(cast.member).get(url("periods")).content.decode()
    assert edit in login(cast.leader).get(url("periods")).content.decode()
    r = login(cast.member).post(edit, {"name": "Renamed", "kind": "quarter"})
    assert r.status_code == 403 and PERIODS in r.content.decode()
    assert Period.objects.get(pk=plan.q1.pk).name == "Q1 2026"


def test_an_objective_without_key_results_asks_for_them_only_of_who_may_add_them(cast, plan):
    """A viewer reads "No key results yet." and is not told to add what they cannot."""
    page = url("objective", objective_id=plan.platform_obj.pk)
    ask = "say how you will know it is achieved"
    assert ask in login(cast.member).get(page).content.decode()
    seen = login(cast.viewer).get(page).content.decode()
    assert "No key results yet." in seen and ask not in seen
