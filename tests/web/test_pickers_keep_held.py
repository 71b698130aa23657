"""Editing a record keeps the retired team or deactivated person it already holds, while
the pickers still refuse any other retired team, inactive person or another tenant's row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accord.alignment import services as alignment
from accord.alignment.models import Objective
from accord.core.errors import ServiceError
from accord.decisions import services as decisions
from accord.decisions.models import ActionItem
from accord.org import services as org_services
from tests.conftest import login, make_person


@pytest.fixture
def retired(cast):
    """The Platform team's objective, then Platform retired; a second retired team."""
    period = alignment.create_period(
        cast.org,
        cast.admin,
        name="Q4",
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 12, 31),
        state="active",
    )
    objective = alignment.create_objective(
        cast.org, cast.admin, title="Ship the platform", period=period, team=cast.platform
    )
    old = org_services.create_team(cast.org, cast.admin, name="Old", slug="old", parent=cast.root)
    org_services.retire_team(cast.org, cast.admin, old)
    org_services.retire_team(cast.org, cast.admin, cast.platform)
    return objective, old


def _objective_post(objective, **changes):
    data = {
        "title": objective.title,
        "description": "",
        "period": objective.period_id,
        "level": objective.level,
        "team": objective.team_id,
        "owner": "",
        "status": objective.status,
        "version": objective.version,
    }
    return {**data, **changes}


def test_editing_an_objective_of_a_retired_team_keeps_the_team(cast, retired):
    objective, _ = retired
    url = reverse("alignment:objective_edit", args=[cast.org.slug, objective.pk])
    page = login(cast.admin).get(url)
    assert page.status_code == 200
    assert "Platform" in page.content.decode()  # shown as chosen
    response = login(cast.admin).post(url, _objective_post(objective, title="Platform wound up"))
    assert response.status_code == 302, response.content.decode()[:2000]
    objective.refresh_from_db()
    assert objective.title == "Platform wound up" and objective.team_id == cast.platform.pk


def test_moving_an_objective_to_another_retired_team_is_refused(cast, retired):
    objective, old = retired
    url = reverse("alignment:objective_edit", args=[cast.org.slug, objective.pk])
    for team in (old, cast.other_team):
        response = login(cast.admin).post(url, _objective_post(objective, title="X", team=team.pk))
        assert response.status_code == 422
        assert "Select a valid choice" in response.content.decode()
    assert Objective.objects.get(pk=objective.pk).title == "Ship the platform"


@pytest.fixture
def orphaned_item(cast):
    """An action item of Mia's; then Mia is deactivated. Bo stays inactive all along."""
    item = decisions.create_action_item(
        cast.org, cast.admin, "Write the runbook", cast.member, team=cast.platform
    )
    bo = make_person(cast.org, "Bo Gone", "member")
    for person in (cast.member, bo):
        org_services.update_person(cast.org, cast.admin, person, is_active=False)
    bo.refresh_from_db()
    return item, bo


def _item_post(item, **changes):
    data = {
        "title": item.title,
        "owner": item.owner_id,
        "due_on": "",
        "team": item.team_id or "",
        "version": item.version,
    }
    return {**data, **changes}


def test_editing_an_action_item_of_a_deactivated_owner_keeps_the_owner(cast, orphaned_item):
    item, _ = orphaned_item
    url = reverse("decisions:action", args=[cast.org.slug, item.pk])
    assert cast.member.name in login(cast.admin).get(url).content.decode()
    response = login(cast.admin).post(url, _item_post(item, title="Write the new runbook"))
    assert response.status_code == 302, response.content.decode()[:2000]
    item = ActionItem.objects.get(pk=item.pk)
    assert item.title == "Write the new runbook" and item.owner_id == cast.member.pk


def test_handing_an_action_item_to_another_inactive_person_is_refused(cast, orphaned_item):
    item, bo = orphaned_item
    url = reverse("decisions:action", args=[cast.org.slug, item.pk])
    for owner in (bo, cast.outsider):
        response = login(cast.admin).post(url, _item_post(item, title="X", owner=owner.pk))
        assert response.status_code == 422
        assert "Select a valid choice" in response.content.decode()
    assert ActionItem.objects.get(pk=item.pk).title == "Write the runbook"


def test_the_service_still_refuses_giving_an_item_to_an_inactive_person(cast, orphaned_item):
    item, bo = orphaned_item
    with pytest.raises(ServiceError, match="no longer active"):
        decisions.update_action_item(cast.org, cast.admin, item, owner=bo)
