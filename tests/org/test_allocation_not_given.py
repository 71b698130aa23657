"""An allocation nobody gave never refuses putting someone in a team: 100% for someone in
no team yet, unknown for someone already in one. A share given that overflows is refused."""

from __future__ import annotations

import json

import pytest

from accord.core.errors import ServiceError
from accord.org import services
from accord.org.models import Membership
from tests.conftest import api_client, login


@pytest.fixture
def design(cast):
    return services.create_team(cast.org, None, name="Design", slug="design", parent=cast.root)


def test_a_first_team_left_without_allocation_is_full_time(cast):
    m = services.add_membership(cast.org, cast.admin, person=cast.leader, team=cast.platform)
    assert m.allocation == 100


def test_a_second_team_left_without_allocation_is_unknown_not_refused(cast, design):
    services.add_membership(cast.org, cast.admin, person=cast.leader, team=cast.platform)
    m = services.add_membership(cast.org, cast.admin, person=cast.leader, team=design)
    assert m.allocation is None
    assert sorted(
        Membership.objects.filter(person=cast.leader).values_list("team__slug", "allocation")
    ) == [("design", None), ("platform", 100)]


def test_a_given_share_that_overflows_is_still_refused(cast, design):
    services.add_membership(cast.org, cast.admin, person=cast.leader, team=cast.platform)
    with pytest.raises(ServiceError) as exc:
        services.add_membership(
            cast.org, cast.admin, person=cast.leader, team=design, allocation=100
        )
    assert exc.value.code == "over_allocated"
    assert "would be allocated 200%: Platform 100% + Design 100%" in exc.value.message


def test_many_terms_of_one_person_left_without_allocation(cast, design):
    """As a people file listing one address in two teams adds them."""
    made = services.add_memberships(
        cast.org,
        cast.admin,
        [
            {"person": cast.leader, "team": cast.platform},
            {"person": cast.leader, "team": design},
        ],
    )
    assert [m.allocation for m in made] == [100, None]


def test_inviting_someone_into_a_team_and_then_a_second_one(cast, design):
    services.add_person(
        cast.org, cast.admin, name="Grace Hopper", email="grace@acme.example", team=design
    )
    grace = cast.org.person_set.get(email="grace@acme.example")
    services.add_membership(cast.org, cast.admin, person=grace, team=cast.platform)
    assert dict(
        Membership.objects.filter(person=grace).values_list("team__slug", "allocation")
    ) == {"design": 100, "platform": None}


def test_add_a_member_form_left_empty_adds_someone_already_full_time(cast, design):
    services.add_membership(cast.org, cast.admin, person=cast.leader, team=cast.platform)
    client = login(cast.admin)
    page = client.get(f"/o/acme/teams/{design.slug}/")
    assert "unknown when they are already in a team" in page.content.decode()
    response = client.post(
        f"/o/acme/teams/{design.slug}/members/",
        {"person": cast.leader.pk, "role": "member", "allocation": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Membership.objects.get(person=cast.leader, team=design).allocation is None


def test_add_to_a_team_form_left_empty_on_someone_in_no_team(cast, design):
    client = login(cast.admin)
    response = client.post(
        f"/o/acme/people/{cast.viewer.pk}/teams/",
        {"team": design.pk, "role": "member", "allocation": ""},
    )
    assert response.status_code == 302
    assert Membership.objects.get(person=cast.viewer, team=design).allocation == 100


def test_the_form_still_refuses_a_given_share_that_overflows(cast, design):
    services.add_membership(cast.org, cast.admin, person=cast.leader, team=cast.platform)
    response = login(cast.admin).post(
        f"/o/acme/teams/{design.slug}/members/",
        {"person": cast.leader.pk, "role": "member", "allocation": "30"},
    )
    assert response.status_code == 422
    assert "Would make 130% in all (at most 100%)." in response.content.decode()
    assert not Membership.objects.filter(person=cast.leader, team=design).exists()


def test_the_api_without_allocation_and_with_null(cast, design):
    client = api_client(cast.admin)
    services.add_membership(cast.org, cast.admin, person=cast.leader, team=cast.platform)

    def post(body):
        return client.post("/api/v1/memberships", json.dumps(body), content_type="application/json")

    left_out = post({"person_id": cast.leader.pk, "team_id": design.pk})
    assert left_out.status_code == 201, left_out.content
    assert left_out.json()["allocation"] is None
    first = post({"person_id": cast.viewer.pk, "team_id": design.pk})
    assert first.json()["allocation"] == 100
    unknown = post({"person_id": cast.admin.pk, "team_id": design.pk, "allocation": None})
    assert unknown.json()["allocation"] is None
