"""Who may change what: viewers nothing, members their own teams' members if they lead them,
leaders the team tree, admins also people and roles."""

from __future__ import annotations

import json

import pytest

from accord.activity.models import Event
from accord.core.errors import PermissionDenied
from accord.org import services
from accord.org.models import Membership, MembershipRole, Person, Team
from tests.conftest import api_client, login


def state() -> tuple:
    """Everything a refused write must leave as it was."""
    return (
        list(Team.objects.order_by("id").values_list("id", "name", "parent_id", "version")),
        list(
            Membership.objects.order_by("id").values_list(
                "id", "person_id", "team_id", "role", "allocation", "version"
            )
        ),
        list(Person.objects.order_by("id").values_list("id", "name", "role", "is_active")),
        Event.objects.count(),
    )


def page_writes(cast) -> list[tuple[str, dict]]:
    membership = Membership.objects.get(person=cast.member, team=cast.platform)
    return [
        ("/o/acme/teams/new/", {"name": "Skunkworks", "description": ""}),
        (
            "/o/acme/teams/platform/edit/",
            {"name": "Renamed", "parent": "", "description": "", "version": 1},
        ),
        ("/o/acme/teams/platform/delete/", {}),
        (
            "/o/acme/teams/platform/members/",
            {"person": cast.viewer.pk, "role": "member", "allocation": 10},
        ),
        (f"/o/acme/memberships/{membership.pk}/", {"role": "lead", "allocation": 20}),
        (f"/o/acme/memberships/{membership.pk}/remove/", {}),
        ("/o/acme/people/new/", {"name": "New Hire", "role": "member", "timezone": "UTC"}),
        (
            f"/o/acme/people/{cast.member.pk}/edit/",
            {"name": "Renamed", "role": "admin", "timezone": "UTC"},
        ),
    ]


def api_writes(cast) -> list[tuple[str, str, dict]]:
    membership = Membership.objects.get(person=cast.member, team=cast.platform)
    return [
        ("post", "/api/v1/teams", {"name": "Skunkworks"}),
        ("patch", f"/api/v1/teams/{cast.platform.pk}", {"name": "Renamed"}),
        ("patch", f"/api/v1/teams/{cast.platform.pk}", {"parent_id": None}),
        ("delete", f"/api/v1/teams/{cast.platform.pk}", {}),
        ("post", "/api/v1/people", {"name": "New Hire"}),
        ("patch", f"/api/v1/people/{cast.member.pk}", {"role": "admin"}),
        (
            "post",
            "/api/v1/memberships",
            {"person_id": cast.viewer.pk, "team_id": cast.platform.pk, "allocation": 10},
        ),
        ("patch", f"/api/v1/memberships/{membership.pk}", {"allocation": 20}),
        ("delete", f"/api/v1/memberships/{membership.pk}", {}),
        # Last: deactivating Mia ends her terms, which the steps above change.
        ("delete", f"/api/v1/people/{cast.member.pk}", {}),
    ]


def call(client, method: str, url: str, body: dict):
    if method == "delete":
        return client.delete(url)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


# --- viewers -----------------------------------------------------------------------------


def test_a_viewer_is_refused_every_change_through_the_pages(cast):
    client = login(cast.viewer)
    before = state()
    for url, data in page_writes(cast):
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert "Not allowed" in response.content.decode(), url
    assert state() == before


def test_a_viewer_is_refused_even_when_the_form_is_incomplete(cast):
    client = login(cast.viewer)
    before = state()
    assert client.post("/o/acme/teams/platform/members/", {}).status_code == 403
    assert client.post("/o/acme/teams/new/", {}).status_code == 403
    assert client.post("/o/acme/people/new/", {}).status_code == 403
    assert client.get("/o/acme/teams/new/").status_code == 403
    assert state() == before


def test_a_viewer_changes_their_own_profile_and_nothing_more(cast):
    """Their name, title and time zone are a viewer's own settings: the page, the service
    and the API agree. Their role, their addresses and anyone else are not."""
    client = login(cast.viewer)
    page = client.get(f"/o/acme/people/{cast.viewer.pk}/").content.decode()
    assert f"/o/acme/people/{cast.viewer.pk}/edit/" in page
    form = client.get(f"/o/acme/people/{cast.viewer.pk}/edit/")
    assert form.status_code == 200
    assert 'name="timezone"' in form.content.decode() and 'name="role"' not in form.content.decode()
    response = client.post(
        f"/o/acme/people/{cast.viewer.pk}/edit/",
        {"name": "Vic Viewer", "title": "Board", "timezone": "Europe/Oslo", "role": "admin"},
    )
    assert response.status_code == 302
    cast.viewer.refresh_from_db()
    assert (cast.viewer.timezone, cast.viewer.title, cast.viewer.role) == (
        "Europe/Oslo",
        "Board",
        "viewer",
    )
    assert Event.objects.filter(
        target_type="org.person", target_id=str(cast.viewer.pk), actor=cast.viewer
    ).exists()
    # Someone else's profile stays out of reach, by page and by API.
    api = api_client(cast.viewer)
    before = state()
    other = client.post(f"/o/acme/people/{cast.member.pk}/edit/", {"name": "X", "timezone": "UTC"})
    assert other.status_code == 403
    assert call(api, "patch", f"/api/v1/people/{cast.member.pk}", {"name": "X"}).status_code == 403
    mine = f"/api/v1/people/{cast.viewer.pk}"
    assert call(api, "patch", mine, {"role": "member"}).status_code == 403
    assert call(api, "patch", mine, {"emails": ["vic@elsewhere.example"]}).status_code == 403
    assert state() == before
    changed = call(api, "patch", mine, {"timezone": "Asia/Tokyo"})
    assert changed.status_code == 200 and changed.json()["timezone"] == "Asia/Tokyo"
    with pytest.raises(PermissionDenied):
        services.update_person(cast.org, cast.viewer, cast.viewer, role="admin")


def test_a_viewer_is_refused_every_change_through_the_api(cast):
    client = api_client(cast.viewer)
    before = state()
    for method, url, body in api_writes(cast):
        response = call(client, method, url, body)
        assert response.status_code == 403, (method, url)
        assert response.json()["error"]["code"] == "forbidden", (method, url)
    assert state() == before


def test_a_viewer_sees_no_buttons_that_change_things(cast):
    client = login(cast.viewer)
    assert "New team" not in client.get("/o/acme/teams/").content.decode()
    team_page = client.get("/o/acme/teams/platform/").content.decode()
    for text in ("Edit or move", "Add sub-team", "Add a member", "Delete team", "Remove"):
        assert text not in team_page
    assert "Add person" not in client.get("/o/acme/people/").content.decode()


# --- members and team leads --------------------------------------------------------------


def test_a_member_cannot_change_the_team_tree(cast):
    page, api = login(cast.member), api_client(cast.member)
    before = state()
    assert page.post("/o/acme/teams/new/", {"name": "Mine"}).status_code == 403
    edit = {"name": "Platform", "parent": "", "description": ""}
    assert page.post("/o/acme/teams/platform/edit/", edit).status_code == 403
    assert page.post("/o/acme/teams/platform/delete/").status_code == 403
    assert call(api, "post", "/api/v1/teams", {"name": "Mine"}).status_code == 403
    move = call(api, "patch", f"/api/v1/teams/{cast.platform.pk}", {"parent_id": None})
    assert move.status_code == 403
    assert call(api, "delete", f"/api/v1/teams/{cast.platform.pk}", {}).status_code == 403
    assert state() == before


def test_a_member_who_does_not_lead_a_team_cannot_change_its_members(cast):
    client = login(cast.member)
    before = state()
    response = client.post(
        "/o/acme/teams/platform/members/",
        {"person": cast.viewer.pk, "role": "member", "allocation": 10},
    )
    assert response.status_code == 403
    assert state() == before


@pytest.fixture
def lead(cast) -> Person:
    """Mia, a plain member of the organization who leads Platform."""
    membership = Membership.objects.get(person=cast.member, team=cast.platform)
    services.update_membership(cast.org, None, membership, role=MembershipRole.LEAD)
    return cast.member


def test_a_team_lead_manages_the_members_of_their_own_team(cast, lead):
    client = login(lead)
    response = client.post(
        "/o/acme/teams/platform/members/",
        {"person": cast.viewer.pk, "role": "member", "allocation": 30},
    )
    assert response.status_code == 302
    added = Membership.objects.get(person=cast.viewer, team=cast.platform)
    assert added.allocation == 30
    response = client.post(f"/o/acme/memberships/{added.pk}/", {"role": "member", "allocation": 40})
    assert response.status_code == 302
    added.refresh_from_db()
    assert added.allocation == 40
    assert client.post(f"/o/acme/memberships/{added.pk}/remove/").status_code == 302
    assert not Membership.objects.filter(pk=added.pk).exists()
    verbs = list(
        Event.objects.filter(target_type="org.membership", actor=lead)
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["created", "updated", "deleted"]
    assert "Add a member" in client.get("/o/acme/teams/platform/").content.decode()


def test_a_team_lead_cannot_manage_another_team_or_the_tree(cast, lead):
    client = login(lead)
    before = state()
    response = client.post(
        "/o/acme/teams/acme/members/",
        {"person": cast.viewer.pk, "role": "member", "allocation": 10},
    )
    assert response.status_code == 403
    assert client.post("/o/acme/teams/new/", {"name": "Mine"}).status_code == 403
    assert state() == before
    assert "Add a member" not in client.get("/o/acme/teams/acme/").content.decode()


def test_a_team_lead_manages_members_through_the_api_too(cast, lead):
    client = api_client(lead)
    body = {"person_id": cast.viewer.pk, "team_id": cast.platform.pk, "allocation": 10}
    assert call(client, "post", "/api/v1/memberships", body).status_code == 201
    body["team_id"] = cast.root.pk
    assert call(client, "post", "/api/v1/memberships", body).status_code == 403


def test_a_member_edits_their_own_name_and_time_zone_but_not_their_role(cast):
    client = login(cast.member)
    response = client.post(
        f"/o/acme/people/{cast.member.pk}/edit/",
        {"name": "Mia M. Member", "title": "Engineer", "timezone": "Europe/Paris"},
    )
    assert response.status_code == 302
    cast.member.refresh_from_db()
    assert (cast.member.name, cast.member.timezone) == ("Mia M. Member", "Europe/Paris")
    assert cast.member.role == "member"
    form = client.get(f"/o/acme/people/{cast.member.pk}/edit/").content.decode()
    assert 'name="role"' not in form
    refused = call(
        api_client(cast.member), "patch", f"/api/v1/people/{cast.member.pk}", {"role": "admin"}
    )
    assert refused.status_code == 403
    cast.member.refresh_from_db()
    assert cast.member.role == "member"


# --- leaders -----------------------------------------------------------------------------


def test_a_leader_changes_the_tree_but_not_people_or_roles(cast):
    client = login(cast.leader)
    assert client.post("/o/acme/teams/new/", {"name": "Skunkworks"}).status_code == 302
    assert Team.objects.filter(org=cast.org, name="Skunkworks").exists()
    before = state()
    response = client.post(
        f"/o/acme/people/{cast.member.pk}/edit/",
        {"name": "Mia", "role": "admin", "timezone": "UTC"},
    )
    assert response.status_code == 403
    assert client.post("/o/acme/people/new/", {"name": "X", "timezone": "UTC"}).status_code == 403
    api = api_client(cast.leader)
    before = state()
    patch = call(api, "patch", f"/api/v1/people/{cast.member.pk}", {"role": "admin"})
    assert patch.status_code == 403
    assert state() == before


# --- admins ------------------------------------------------------------------------------


def test_an_admin_can_do_everything_through_the_pages(cast):
    client = login(cast.admin)
    ok = {302}
    for url, data in page_writes(cast):
        if "/delete/" in url:
            continue  # deleting Platform would remove the memberships the next steps use
        response = client.post(url, data)
        assert response.status_code in ok, (url, response.content.decode()[:2000])
    assert Team.objects.filter(org=cast.org, name="Skunkworks").exists()
    assert Person.objects.filter(org=cast.org, name="New Hire").exists()
    cast.member.refresh_from_db()
    assert cast.member.role == "admin"
    assert client.post("/o/acme/teams/skunkworks/delete/").status_code == 302
    assert not Team.objects.filter(org=cast.org, name="Skunkworks").exists()


def test_an_admin_can_do_everything_through_the_api(cast):
    client = api_client(cast.admin)
    for method, url, body in api_writes(cast):
        if url == f"/api/v1/teams/{cast.platform.pk}" and method == "delete":
            continue
        response = call(client, method, url, body)
        assert response.status_code in (200, 201, 204), (method, url, response.content)


def test_only_an_admin_changes_roles(cast):
    client = login(cast.admin)
    response = client.post(
        f"/o/acme/people/{cast.viewer.pk}/edit/",
        {
            "name": "Vic Viewer",
            "email": cast.viewer.email,
            "role": "leader",
            "timezone": "UTC",
            "version": 1,
        },
    )
    assert response.status_code == 302
    cast.viewer.refresh_from_db()
    assert cast.viewer.role == "leader"
    event = Event.objects.filter(target_type="org.person", target_id=str(cast.viewer.pk)).first()
    assert (event.verb, event.before, event.after) == (
        "updated",
        {"role": "viewer"},
        {"role": "leader"},
    )


def test_the_last_admin_cannot_be_demoted_or_deactivated(cast):
    client = login(cast.admin)
    services.update_person(cast.org, None, cast.member, role="admin")
    services.update_person(cast.org, None, cast.member, role="member")
    before = state()
    response = client.post(
        f"/o/acme/people/{cast.admin.pk}/edit/",
        {"name": "Ada Admin", "role": "member", "timezone": "UTC"},
    )
    assert response.status_code == 200
    assert "last admin of Acme" in response.content.decode()
    api = api_client(cast.admin)
    before = state()
    demote = call(api, "patch", f"/api/v1/people/{cast.admin.pk}", {"role": "viewer"})
    assert demote.status_code == 422
    assert "last admin" in demote.json()["error"]["message"]
    assert demote.json()["error"]["fields"] == {
        "role": ["The organization needs at least one admin."]
    }
    assert call(api, "delete", f"/api/v1/people/{cast.admin.pk}", {}).status_code == 422
    assert state() == before
    cast.admin.refresh_from_db()
    assert cast.admin.role == "admin" and cast.admin.is_active


def test_an_admin_without_a_login_does_not_count_as_another_admin(cast):
    nobody = services.add_person(cast.org, None, name="No Login", email="nologin@acme.example")
    services.update_person(cast.org, None, nobody, role="admin")
    assert nobody.user is None
    response = call(
        api_client(cast.admin), "patch", f"/api/v1/people/{cast.admin.pk}", {"role": "member"}
    )
    assert response.status_code == 422
    assert "who can sign in" in response.json()["error"]["message"]
    cast.admin.refresh_from_db()
    assert cast.admin.role == "admin"


def test_an_admin_can_step_down_once_someone_else_is_admin(cast):
    services.update_person(cast.org, None, cast.leader, role="admin")
    response = call(
        api_client(cast.admin), "patch", f"/api/v1/people/{cast.admin.pk}", {"role": "member"}
    )
    assert response.status_code == 200
    assert response.json()["role"] == "member"
