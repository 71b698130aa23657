"""A person's allocations across teams never exceed 100%, and the refusal shows the sums."""

from __future__ import annotations

import json

import pytest

from accord.activity.models import Event
from accord.core.errors import ServiceError
from accord.org import services
from accord.org.models import Membership
from tests.conftest import api_client, login


def memberships_state() -> tuple:
    rows = Membership.objects.order_by("id").values_list("id", "team_id", "allocation", "version")
    return list(rows), Event.objects.count()


def test_adding_a_membership_over_100_percent_is_refused_with_the_numbers(cast):
    # Mia is already 50% in Platform.
    before = memberships_state()
    with pytest.raises(ServiceError) as exc:
        services.add_membership(
            cast.org, cast.admin, person=cast.member, team=cast.root, allocation=60
        )
    assert exc.value.message == (
        "Mia Member would be allocated 110%: Platform 50% + Acme 60%. "
        "At most 100% is allowed; 50% is free."
    )
    assert exc.value.code == "over_allocated"
    assert exc.value.fields == {"allocation": ["Would make 110% in all (at most 100%)."]}
    assert memberships_state() == before


def test_changing_an_allocation_over_100_percent_is_refused_with_the_numbers(cast):
    m = services.add_membership(cast.org, None, person=cast.member, team=cast.root, allocation=40)
    before = memberships_state()
    with pytest.raises(ServiceError) as exc:
        services.update_membership(cast.org, cast.admin, m, allocation=51)
    assert "would be allocated 101%: Platform 50% + Acme 51%" in exc.value.message
    assert memberships_state() == before
    m.refresh_from_db()
    assert m.allocation == 40


def test_exactly_100_percent_is_allowed(cast):
    m = services.add_membership(
        cast.org, cast.admin, person=cast.member, team=cast.root, allocation=50
    )
    assert m.allocation == 50
    services.update_membership(cast.org, cast.admin, m, allocation=40)
    services.update_membership(cast.org, cast.admin, m, allocation=50)
    assert sum(cast.member.memberships.values_list("allocation", flat=True)) == 100


def test_the_api_answers_422_with_the_numbers(cast):
    client = api_client(cast.admin)
    before = memberships_state()
    response = client.post(
        "/api/v1/memberships",
        json.dumps({"person_id": cast.member.pk, "team_id": cast.root.pk, "allocation": 75}),
        content_type="application/json",
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "over_allocated"
    assert "125%: Platform 50% + Acme 75%" in error["message"]
    assert error["fields"] == {"allocation": ["Would make 125% in all (at most 100%)."]}
    platform = Membership.objects.get(person=cast.member, team=cast.platform)
    response = client.patch(
        f"/api/v1/memberships/{platform.pk}",
        json.dumps({"allocation": 101}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "allocation" in response.json()["error"]["fields"]
    assert memberships_state() == before


def test_the_team_page_shows_the_refusal_with_the_numbers(cast):
    client = login(cast.admin)
    before = memberships_state()
    response = client.post(
        "/o/acme/teams/acme/members/",
        {"person": cast.member.pk, "role": "member", "allocation": 80},
        follow=True,
    )
    page = response.content.decode()
    assert "Mia Member would be allocated 130%: Platform 50% + Acme 80%" in page
    assert memberships_state() == before


def test_the_membership_form_shows_the_refusal_on_the_allocation_field(cast):
    m = services.add_membership(cast.org, None, person=cast.member, team=cast.root, allocation=10)
    before = memberships_state()
    response = login(cast.admin).post(
        f"/o/acme/memberships/{m.pk}/", {"role": "member", "allocation": 70}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Would make 120% in all (at most 100%)." in page
    assert "Platform 50% + Acme 70%" in page
    assert memberships_state() == before


@pytest.mark.parametrize("allocation", [-1, 101, "lots"])
def test_allocations_outside_0_to_100_are_refused(cast, allocation):
    before = memberships_state()
    with pytest.raises(ServiceError) as exc:
        services.add_membership(
            cast.org, cast.admin, person=cast.viewer, team=cast.root, allocation=allocation
        )
    assert exc.value.fields == {"allocation": ["Enter a whole number from 0 to 100."]}
    assert memberships_state() == before


def test_a_refused_new_member_comes_back_as_typed_with_the_error_beside_its_field(cast):
    """Over 100% (the service's refusal) or out of range (the form's): the team page shows
    the form open again with the person, role, share and date typed, and nothing added."""
    client = login(cast.admin)
    before = memberships_state()
    for allocation, error in ((80, "Would make 130% in all"), (150, "less than or equal to 100")):
        response = client.post(
            "/o/acme/teams/acme/members/",
            {
                "person": cast.member.pk,
                "role": "co-lead",
                "allocation": allocation,
                "started_on": "2026-01-05",
            },
        )
        assert response.status_code == 422
        page = response.content.decode()
        form = page[page.index("<summary>Add a member</summary>") - 40 :]
        form = form[: form.index("</details>")]
        assert '<details class="add" open>' in form
        assert f'value="{allocation}"' in form and 'value="2026-01-05"' in form
        assert 'value="co-lead" selected' in form
        assert f'value="{cast.member.pk}"' in form  # the person chosen
        assert error in form  # beside the allocation, in the form itself
    assert memberships_state() == before
