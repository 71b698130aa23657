"""Input the database cannot hold is refused at the edge with the API's error, never a 500:
numbers too large for their column, ids and offsets beyond 64 bits, NUL characters, nulls
for required fields, bodies that are not JSON objects or too large; deleting what is still
in use is refused the same way."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import override_settings

from accord.alignment import services as alignment
from accord.alignment.models import Initiative
from accord.coordination import services as coordination
from accord.core.errors import ServiceError
from accord.decisions import services as decisions
from accord.org.models import Team
from accord.rhythm import services as rhythm
from accord.rhythm.models import Measurable, MeasurableValue
from tests.api.conftest import send
from tests.conftest import login

HUGE = 2**63


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    error = json.loads(response.content)["error"]
    assert set(error) == {"code", "message", "fields"}
    return error


@pytest.fixture
def measurable(cast):
    return rhythm.create_measurable(
        cast.org, cast.admin, team=cast.platform, name="Leads", goal_rule="at_least", goal_low=5
    )


# --- decimals that do not fit their column ----------------------------------------------


@pytest.mark.parametrize("value", [1e15, 1e20, -1e15, 0.125])
def test_a_measurable_value_too_large_or_too_precise_is_a_422_and_reads_keep_working(
    cast, api_admin, measurable, value
):
    url = f"/api/v1/rhythm/measurables/{measurable.pk}/values"
    r = send(api_admin, "put", url, {"week": "2026-11-30", "value": value})
    assert "value" in error_of(r, 422)["fields"]
    assert not MeasurableValue.objects.filter(measurable=measurable).exists()
    assert api_admin.get(url).status_code == 200


def test_a_goal_too_large_is_a_422(cast, api_admin, measurable):
    r = send(api_admin, "patch", f"/api/v1/rhythm/measurables/{measurable.pk}", {"goal_low": 1e20})
    assert "goal_low" in error_of(r, 422)["fields"]
    r = send(
        api_admin,
        "post",
        "/api/v1/rhythm/measurables",
        {"team_id": cast.platform.pk, "name": "X", "goal_rule": "at_most", "goal_high": 1e15},
    )
    assert "goal_high" in error_of(r, 422)["fields"]


def test_nan_and_infinity_are_not_numbers(cast, api_admin, measurable):
    url = f"/api/v1/rhythm/measurables/{measurable.pk}/values"
    for literal in ("NaN", "Infinity", "-Infinity"):
        body = '{"week": "2026-11-30", "value": ' + literal + "}"
        r = api_admin.put(url, body, content_type="application/json")
        assert "value" in error_of(r, 422)["fields"]


@pytest.mark.parametrize("value", ["1e15", "123456789012345", "1.005", "NaN", "Infinity"])
def test_every_surface_shares_the_bound_forms_files_and_the_api(cast, measurable, value):
    """The service every page, file import and API call goes through refuses it too."""
    with pytest.raises(ServiceError) as exc:
        rhythm.record_measurable_value(
            cast.org, cast.admin, measurable, week_start=dt.date(2026, 11, 30), value=value
        )
    assert "value" in exc.value.fields
    with pytest.raises(ServiceError):
        rhythm.update_measurable(cast.org, cast.admin, measurable, goal_low=value)
    assert Measurable.objects.get(pk=measurable.pk).goal_low == 5


def test_the_largest_value_that_fits_is_kept(cast, api_admin, measurable):
    url = f"/api/v1/rhythm/measurables/{measurable.pk}/values"
    r = send(api_admin, "put", url, {"week": "2026-11-30", "value": 999999999999.99})
    assert r.status_code == 200, r.content
    assert api_admin.get(url).json()["items"][0]["value"] == 999999999999.99


# --- deleting what is still in use ------------------------------------------------------


def test_deleting_an_initiative_with_dependencies_is_refused(cast, api_admin):
    work = alignment.create_initiative(cast.org, None, team=cast.platform, title="Checkout")
    coordination.create_dependency(
        cast.org,
        None,
        requester_initiative=work,
        provider_team=cast.root,
        title="Payments API",
        need_by=dt.date(2026, 12, 31),
    )
    error = error_of(api_admin.delete(f"/api/v1/initiatives/{work.pk}"), 422)
    assert error["code"] == "in_use" and "dependencies" in error["message"]
    assert Initiative.objects.filter(pk=work.pk).exists()


# --- integers beyond 64 bits ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/teams?offset={HUGE}",
        f"/api/v1/teams?parent_id={HUGE}",
        f"/api/v1/initiatives?team_id={HUGE}",
        f"/api/v1/objectives?owner_id={HUGE}",
        f"/api/v1/events?offset={HUGE}",
        f"/api/v1/decisions?offset={HUGE}",
    ],
)
def test_offsets_and_filters_beyond_64_bits_are_a_422(api_admin, url):
    assert error_of(api_admin.get(url), 422)["fields"]


@pytest.mark.parametrize("path", [f"/api/v1/teams/{HUGE}", f"/api/v1/initiatives/{HUGE}"])
def test_path_ids_beyond_64_bits_answer_in_the_api_format(api_admin, path):
    r = api_admin.get(path)
    assert r.status_code in (404, 422)
    error_of(r, r.status_code)


def test_a_body_id_beyond_64_bits_is_a_422(cast, api_admin):
    r = send(api_admin, "post", "/api/v1/teams", {"name": "Deep", "parent_id": HUGE})
    assert "parent_id" in error_of(r, 422)["fields"]


# --- bodies that cannot be read ---------------------------------------------------------


def test_malformed_json_is_a_400_in_the_api_format(api_admin):
    r = api_admin.post("/api/v1/teams", "{not json", content_type="application/json")
    assert error_of(r, 400)["code"] == "bad_request"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_over_the_size_limit_is_a_400_in_the_api_format(api_admin):
    body = json.dumps({"name": "Big", "description": "x" * 5000})
    r = api_admin.post("/api/v1/teams", body, content_type="application/json")
    assert error_of(r, 400)["code"] == "bad_request"


@pytest.mark.parametrize("body", ["[]", "[1]", '"x"', "3", "null"])
def test_a_body_that_is_not_an_object_is_a_422(cast, api_admin, body):
    r = api_admin.put(
        f"/api/v1/stacks/{cast.platform.pk}/wip-limit", body, content_type="application/json"
    )
    assert r.status_code in (400, 422)
    error_of(r, r.status_code)


def test_an_unexpected_error_answers_in_the_api_format(api_admin, monkeypatch):
    from accord.org import api as org_api

    def boom(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(org_api, "org_of", boom)
    r = api_admin.get("/api/v1/teams")
    assert error_of(r, 500)["code"] == "server_error"
    assert "a bug" not in r.content.decode()


# --- null for a required field ------------------------------------------------------------


def test_patching_an_issue_with_a_null_description_is_a_422(cast, api_admin):
    issue = decisions.raise_issue(cast.org, None, cast.platform, "Outage", raised_by=cast.admin)
    r = send(api_admin, "patch", f"/api/v1/issues/{issue.pk}", {"description": None})
    assert "description" in error_of(r, 422)["fields"]


def test_patching_a_cadence_with_a_null_flag_is_a_422(cast, api_admin):
    cadence = rhythm.create_cadence_from_template(
        cast.org, cast.admin, "weekly-checkin", team=cast.platform
    )
    r = send(api_admin, "patch", f"/api/v1/rhythm/cadences/{cadence.pk}", {"is_active": None})
    assert "is_active" in error_of(r, 422)["fields"]


def test_null_still_clears_what_may_be_empty(cast, api_admin):
    r = send(api_admin, "patch", f"/api/v1/teams/{cast.platform.pk}", {"parent_id": None})
    assert r.status_code == 200 and r.json()["parent_id"] is None


# --- NUL characters -----------------------------------------------------------------------


def test_a_nul_character_in_a_body_is_a_422_naming_the_field(cast, api_admin):
    r = send(api_admin, "post", "/api/v1/teams", {"name": "Bad\x00name"})
    assert "name" in error_of(r, 422)["fields"]
    assert not Team.objects.filter(name__startswith="Bad").exists()


def test_a_nul_character_in_a_query_is_a_422(api_admin):
    assert "q" in error_of(api_admin.get("/api/v1/teams?q=a%00b"), 422)["fields"]


def test_a_nul_character_in_a_page_form_is_a_form_error(cast):
    page = login(cast.admin).post("/o/acme/teams/new/", {"name": "Bad\x00name", "slug": ""})
    assert page.status_code == 200
    assert "Null characters are not allowed" in page.content.decode()
    assert not Team.objects.filter(name__startswith="Bad").exists()


def test_errors_django_answers_itself_are_json_under_the_api_only(db):
    from django.test import RequestFactory

    from accord.api import views

    factory = RequestFactory()
    for handler, status in ((views.server_error, 500), (views.bad_request, 400)):
        error_of(handler(factory.get("/api/v1/teams")), status)
        page = handler(factory.get("/o/acme/"))
        assert page.status_code == status and not page["Content-Type"].startswith(
            "application/json"
        )


def test_a_nul_character_in_a_required_text_is_refused_by_every_surface(cast):
    """Pages that read a field without a Django form, files and the CLI share the check."""
    from accord.api import services as token_services
    from accord.org import services as org_services

    with pytest.raises(ServiceError) as exc:
        org_services.create_team(cast.org, cast.admin, name="Bad\x00name")
    assert "name" in exc.value.fields
    with pytest.raises(ServiceError):
        token_services.create_token(cast.org, cast.admin, "ci\x00")
    assert not Team.objects.filter(name__startswith="Bad").exists()
