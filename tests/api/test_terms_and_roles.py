"""Roles in teams, terms with dates, open positions, liaisons and unknown allocations
through the API."""

from __future__ import annotations

from accord.org import services
from accord.org.models import Membership, TeamLink, TeamVacancy
from tests.api.conftest import send
from tests.conftest import api_client


def test_roles_are_listed_added_and_guarded(cast):
    client = api_client(cast.admin)
    roles = send(client, "get", "/api/v1/team-roles").json()
    assert {r["slug"] for r in roles} == {"lead", "co-lead", "chair", "member", "liaison"}
    made = send(client, "post", "/api/v1/team-roles", {"name": "Scribe"})
    assert made.status_code == 201 and made.json()["slug"] == "scribe"
    lead = next(r for r in roles if r["slug"] == "lead")
    assert send(client, "delete", f"/api/v1/team-roles/{lead['id']}").status_code == 422
    assert send(client, "delete", f"/api/v1/team-roles/{made.json()['id']}").status_code == 204
    other = api_client(cast.outsider)
    assert send(other, "get", "/api/v1/team-roles").json()[0]["id"] not in {r["id"] for r in roles}


def test_a_term_with_an_unknown_allocation_starts_and_ends(cast):
    client = api_client(cast.leader)
    body = {
        "person_id": cast.viewer.pk,
        "team_id": cast.root.pk,
        "role": "chair",
        "allocation": None,
        "started_on": "2026-01-05",
    }
    made = send(client, "post", "/api/v1/memberships", body)
    assert made.status_code == 201, made.content
    m = made.json()
    assert (m["role"], m["allocation"], m["started_on"]) == ("chair", None, "2026-01-05")
    ended = send(client, "post", f"/api/v1/memberships/{m['id']}/end", {"ended_on": "2026-02-01"})
    assert ended.status_code == 200 and ended.json()["ended_on"] == "2026-02-01"
    url = f"/api/v1/memberships?team_id={cast.root.pk}"
    assert send(client, "get", url).json()["items"] == []
    past = send(client, "get", url + "&terms=past").json()["items"]
    assert [p["id"] for p in past] == [m["id"]]
    # A past term cannot be changed.
    changed = send(client, "patch", f"/api/v1/memberships/{m['id']}", {"role": "lead"})
    assert changed.status_code == 422


def test_an_unknown_role_is_refused_with_the_field_named(cast):
    client = api_client(cast.admin)
    body = {"person_id": cast.viewer.pk, "team_id": cast.root.pk, "role": "boss"}
    response = send(client, "post", "/api/v1/memberships", body)
    assert response.status_code == 422
    assert "role" in response.json()["error"]["fields"]
    assert not Membership.objects.filter(person=cast.viewer).exists()


def test_an_open_position_is_declared_and_filled(cast):
    client = api_client(cast.admin)
    made = send(client, "post", "/api/v1/vacancies", {"team_id": cast.root.pk, "role": "lead"})
    assert made.status_code == 201
    assert send(client, "get", "/api/v1/vacancies").json()["items"][0]["role"] == "lead"
    other = send(api_client(cast.outsider), "post", "/api/v1/vacancies", {"team_id": cast.root.pk})
    assert other.status_code in (404, 422)
    body = {"person_id": cast.leader.pk, "team_id": cast.root.pk, "role": "lead"}
    assert send(client, "post", "/api/v1/memberships", body).status_code == 201
    assert not TeamVacancy.objects.exists()


def test_a_liaison_link_names_its_person(cast):
    sig = services.create_team(cast.org, None, name="SIG", slug="sig", parent=cast.root)
    client = api_client(cast.admin)
    body = {"from_team_id": cast.platform.pk, "to_team_id": sig.pk, "kind": "liaison"}
    missing = send(client, "post", "/api/v1/team-links", body)
    assert missing.status_code == 422 and "person_id" in missing.json()["error"]["fields"]
    made = send(client, "post", "/api/v1/team-links", {**body, "person_id": cast.member.pk})
    assert made.status_code == 201 and made.json()["person_id"] == cast.member.pk
    assert TeamLink.objects.get().person == cast.member
