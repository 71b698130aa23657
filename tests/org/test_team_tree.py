"""The team tree: any depth, sub-trees move whole, and no move ever makes a cycle."""

from __future__ import annotations

import json

import pytest

from accord.activity.models import Event
from accord.core.errors import ServiceError
from accord.org import queries, services
from accord.org.models import Team
from tests.conftest import api_client, login


def chain(org, n: int, prefix: str, parent=None) -> list[Team]:
    teams = []
    for i in range(n):
        parent = services.create_team(org, None, name=f"{prefix} {i}", parent=parent)
        teams.append(parent)
    return teams


def tree_state(org) -> tuple:
    rows = Team.objects.for_org(org).order_by("id").values_list("id", "parent_id", "version")
    return list(rows), Event.objects.count()


def test_a_team_cannot_become_its_own_parent(cast):
    before = tree_state(cast.org)
    with pytest.raises(ServiceError) as exc:
        services.update_team(cast.org, cast.admin, cast.platform, parent=cast.platform)
    assert exc.value.message == "Platform cannot be its own parent."
    assert exc.value.fields == {"parent": ["A team cannot contain itself."]}
    assert tree_state(cast.org) == before


def test_a_team_cannot_move_under_its_own_child(cast):
    before = tree_state(cast.org)
    with pytest.raises(ServiceError) as exc:
        services.update_team(cast.org, cast.admin, cast.root, parent=cast.platform)
    assert exc.value.code == "cycle"
    assert "would make a cycle: Platform is inside Acme" in exc.value.message
    assert tree_state(cast.org) == before


def test_a_team_cannot_move_under_a_deep_descendant(cast):
    deep = chain(cast.org, 30, "Layer", parent=cast.platform)
    before = tree_state(cast.org)
    with pytest.raises(ServiceError) as exc:
        services.update_team(cast.org, cast.admin, cast.root, parent=deep[-1])
    assert "Layer 29 is inside Acme" in exc.value.message
    assert tree_state(cast.org) == before


def test_the_api_refuses_a_cycle_with_422_on_the_parent_field(cast):
    client = api_client(cast.admin)
    before = tree_state(cast.org)
    response = client.patch(
        f"/api/v1/teams/{cast.root.pk}",
        json.dumps({"parent_id": cast.platform.pk}),
        content_type="application/json",
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "cycle"
    assert "cycle" in error["message"]
    assert error["fields"] == {"parent_id": ["Platform is a sub-team of Acme."]}
    assert tree_state(cast.org) == before


def test_the_edit_page_refuses_a_cycle_with_a_clear_message(cast):
    client = login(cast.leader)
    before = tree_state(cast.org)
    response = client.post(
        "/o/acme/teams/acme/edit/",
        {"name": "Acme", "parent": cast.platform.pk, "description": "", "version": 1},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Moving Acme under Platform would make a cycle" in page
    assert "Platform is a sub-team of Acme." in page
    assert tree_state(cast.org) == before


def test_the_tree_has_no_depth_limit(cast):
    teams = chain(cast.org, 200, "Level")
    top, bottom = teams[0], teams[-1]
    parents = queries.parent_map(cast.org)
    assert len(queries.ancestors_of(bottom.pk, parents)) == 199
    # Moving the top of the 200-deep chain under another root carries all of it.
    services.update_team(cast.org, cast.admin, top, parent=cast.platform)
    parents = queries.parent_map(cast.org)
    assert queries.ancestors_of(bottom.pk, parents)[-2:] == [cast.platform.pk, cast.root.pk]
    assert len(queries.descendants_of(cast.root.pk, parents)) == 201
    # And a move that would close the loop at the very bottom is still refused.
    with pytest.raises(ServiceError):
        services.update_team(cast.org, cast.admin, cast.root, parent=bottom)
    client = login(cast.member)
    page = client.get(f"/o/acme/teams/{bottom.slug}/").content.decode()
    assert page.count("/o/acme/teams/level-") >= 199  # the whole path in the breadcrumbs
    # The directory shows the top levels and opens the rest one level at a time.
    directory = client.get("/o/acme/teams/").content.decode()
    assert f"?parent={teams[0].slug}" in directory
    below = client.get(
        f"/o/acme/teams/?parent={teams[-2].slug}&depth=201", headers={"HX-Request": "true"}
    ).content.decode()
    assert 'data-level="202"' in below and bottom.name in below


def test_moving_a_team_carries_its_whole_sub_tree(cast):
    sales = services.create_team(cast.org, None, name="Sales")
    emea = services.create_team(cast.org, None, name="EMEA", parent=cast.platform)
    paris = services.create_team(cast.org, None, name="Paris", parent=emea)
    services.update_team(cast.org, cast.leader, cast.platform, parent=sales)
    for team in (cast.platform, emea, paris):
        team.refresh_from_db()
    assert cast.platform.parent_id == sales.pk
    assert (emea.parent_id, paris.parent_id) == (cast.platform.pk, emea.pk)
    parents = queries.parent_map(cast.org)
    assert queries.descendants_of(sales.pk, parents) == {cast.platform.pk, emea.pk, paris.pk}
    assert queries.descendants_of(cast.root.pk, parents) == set()
    event = Event.objects.for_target("org.team", cast.platform.pk).first()
    assert (event.verb, event.before, event.after) == (
        "moved",
        {"parent": cast.root.pk},
        {"parent": sales.pk},
    )


def test_a_team_moves_to_the_top_level_and_back(cast):
    client = api_client(cast.leader)
    url = f"/api/v1/teams/{cast.platform.pk}"
    response = client.patch(url, json.dumps({"parent_id": None}), content_type="application/json")
    assert response.status_code == 200 and response.json()["parent_id"] is None
    response = client.patch(
        url, json.dumps({"parent_id": cast.root.pk}), content_type="application/json"
    )
    assert response.json()["parent_id"] == cast.root.pk


def test_a_team_with_sub_teams_cannot_be_deleted(cast):
    services.create_team(cast.org, None, name="Infra", parent=cast.platform)
    client = api_client(cast.admin)
    before = tree_state(cast.org)
    with pytest.raises(ServiceError) as exc:
        services.delete_team(cast.org, cast.admin, cast.root)
    assert exc.value.message == "Acme still has sub-teams (Platform); move or delete them first."
    response = client.delete(f"/api/v1/teams/{cast.platform.pk}")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "has_children"
    page = login(cast.admin).post("/o/acme/teams/platform/delete/", follow=True)
    assert "Platform still has sub-teams (Infra)" in page.content.decode()
    assert tree_state(cast.org) == before


def test_deleting_a_leaf_team_takes_its_memberships_and_records_it(cast):
    response = login(cast.leader).post("/o/acme/teams/platform/delete/")
    assert response.status_code == 302
    assert not Team.objects.filter(pk=cast.platform.pk).exists()
    assert not cast.member.memberships.exists()
    event = Event.objects.for_target("org.team", cast.platform.pk).first()
    assert event.verb == "deleted"
    assert event.before["name"] == "Platform"
    assert event.after["history_moved_to"] == cast.platform.parent_id  # its events went there


def test_a_deactivated_lead_is_no_longer_shown_leading_or_counted(cast):
    """Someone deactivated (left) is not "Led by" on the team's page, nor counted among its
    members there or in the directory, though their term is kept until it is ended."""
    from accord.org.models import MembershipRole

    services.add_membership(
        cast.org, None, person=cast.leader, team=cast.platform, role=MembershipRole.LEAD,
        allocation=50,
    )  # fmt: skip
    client = login(cast.admin)
    page = client.get("/o/acme/teams/platform/").content.decode()
    assert "Led by" in page and "2 members" in page
    services.update_person(cast.org, cast.admin, cast.leader, is_active=False)
    page = client.get("/o/acme/teams/platform/").content.decode()
    assert "Led by" not in page and "1 member<" in page.replace("</a>", "<")
    directory = client.get("/o/acme/teams/").content.decode()
    assert cast.leader.name not in directory
