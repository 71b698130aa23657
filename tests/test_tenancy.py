"""A second organization never sees the first one's data: pages and API answer 404."""

from __future__ import annotations

import pytest

from accord.activity.models import Event
from accord.org import services
from accord.org.models import Membership, MembershipRole, Team
from tests.conftest import api_client, login


@pytest.fixture
def globex(cast):
    """Globex's objects, as seen by an admin of Acme (who must never reach them)."""
    otto = cast.outsider
    membership = services.add_membership(
        cast.other_org, None, person=otto, team=cast.other_team, role=MembershipRole.LEAD
    )
    return {"team": cast.other_team, "person": otto, "membership": membership}


def test_pages_of_another_organization_answer_404(cast, globex):
    client = login(cast.admin)
    team, person, membership = globex["team"], globex["person"], globex["membership"]
    urls = [
        "/o/globex/",
        "/o/globex/teams/",
        "/o/globex/people/",
        "/o/globex/activity/",
        f"/o/globex/teams/{team.slug}/",
        f"/o/acme/teams/{team.slug}/",  # Globex's team through Acme's address
        f"/o/acme/teams/{team.slug}/edit/",
        f"/o/acme/people/{person.pk}/",
        f"/o/acme/people/{person.pk}/edit/",
        f"/o/acme/memberships/{membership.pk}/",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_writes_to_another_organizations_objects_answer_404_and_change_nothing(cast, globex):
    client = login(cast.admin)
    team, person, membership = globex["team"], globex["person"], globex["membership"]
    events_before = Event.objects.count()
    posts = [
        (f"/o/acme/teams/{team.slug}/edit/", {"name": "Hijacked", "description": ""}),
        (f"/o/acme/teams/{team.slug}/delete/", {}),
        (f"/o/acme/teams/{team.slug}/members/", {"person": cast.member.pk, "allocation": 10}),
        (f"/o/acme/memberships/{membership.pk}/", {"role": "member", "allocation": 5}),
        (f"/o/acme/memberships/{membership.pk}/remove/", {}),
        (f"/o/acme/people/{person.pk}/edit/", {"name": "Hijacked", "role": "viewer"}),
        (f"/o/globex/teams/{team.slug}/delete/", {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    team.refresh_from_db()
    person.refresh_from_db()
    assert team.name == "Globex Labs"
    assert person.name == "Otto Outsider" and person.role == "admin"
    assert Membership.objects.filter(pk=membership.pk, allocation=100).exists()
    assert Event.objects.count() == events_before


def test_a_team_of_this_organization_cannot_take_a_parent_from_another(cast, globex):
    client = login(cast.admin)
    response = client.post(
        f"/o/acme/teams/{cast.platform.slug}/edit/",
        {"name": "Platform", "parent": globex["team"].pk, "description": ""},
    )
    assert response.status_code == 200  # the form shows the error
    assert "Select a valid choice" in response.content.decode()
    cast.platform.refresh_from_db()
    assert cast.platform.parent_id == cast.root.pk


def test_the_api_answers_404_for_every_object_of_another_organization(cast, globex):
    client = api_client(cast.admin)
    team, person, membership = globex["team"], globex["person"], globex["membership"]
    for url in (
        f"/api/v1/teams/{team.pk}",
        f"/api/v1/people/{person.pk}",
        f"/api/v1/memberships/{membership.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"
        assert client.patch(url, {}, content_type="application/json").status_code == 404, url
        assert client.delete(url).status_code == 404, url
    assert Team.objects.filter(pk=team.pk).exists()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_api_lists_never_include_another_organizations_objects(cast, globex):
    client = api_client(cast.admin)
    other_ids = {
        "teams": {globex["team"].pk},
        "people": {globex["person"].pk},
        "memberships": {globex["membership"].pk},
        "events": set(Event.objects.for_org(cast.other_org).values_list("pk", flat=True)),
    }
    assert other_ids["events"], "Globex has events of its own"
    for name, foreign in other_ids.items():
        body = client.get(f"/api/v1/{name}?limit=200").json()
        ids = {item["id"] for item in body["items"]}
        assert ids, name
        assert not ids & foreign, name
        assert body["count"] == len(ids), name
    # Filters naming a foreign object are told it is not there (404, as for an unknown id),
    # rather than leaking it.
    for name in ("people", "memberships"):
        foreign = client.get(f"/api/v1/{name}?team_id={globex['team'].pk}")
        assert foreign.status_code == 404, name
        assert foreign.json()["error"]["message"] == f"No team with id {globex['team'].pk}."
    events = client.get(f"/api/v1/events?target_type=org.team&target_id={globex['team'].pk}")
    assert events.json()["count"] == 0


def test_pages_never_list_another_organizations_objects(cast, globex):
    client = login(cast.admin)
    for url in ("/o/acme/teams/", "/o/acme/people/", "/o/acme/activity/", "/o/acme/"):
        page = client.get(url).content.decode()
        assert "Globex Labs" not in page, url
        assert "Otto Outsider" not in page, url


def test_a_token_of_one_organization_cannot_reach_another(cast, globex):
    client = api_client(cast.outsider)  # Globex's admin
    assert client.get("/api/v1/me").json()["organization_slug"] == "globex"
    assert client.get(f"/api/v1/teams/{cast.platform.pk}").status_code == 404
    assert client.get(f"/api/v1/people/{cast.member.pk}").status_code == 404
    teams = client.get("/api/v1/teams").json()
    assert {t["id"] for t in teams["items"]} == {globex["team"].pk}
    response = client.post(
        "/api/v1/memberships",
        {"person_id": cast.member.pk, "team_id": globex["team"].pk, "allocation": 10},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "person_id" in response.json()["error"]["fields"]
    assert not Membership.objects.filter(person=cast.member, team=globex["team"]).exists()


def test_a_person_in_both_organizations_sees_each_only_at_its_own_address(cast, globex):
    both = cast.admin
    services.add_person(cast.other_org, None, name="Ada in Globex", role="viewer", user=both.user)
    client = login(both)
    assert client.get("/o/globex/").status_code == 200
    assert client.get(f"/o/globex/teams/{cast.platform.slug}/").status_code == 404
    assert client.get(f"/o/acme/teams/{globex['team'].slug}/").status_code == 404
