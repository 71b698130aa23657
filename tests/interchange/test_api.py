"""The organization-file API: admins plan, apply and export their own organization only."""

from __future__ import annotations

import io
import zipfile

from accord.org.models import Team
from tests.conftest import api_client

from .helpers import dump

NEW_TEAM = (
    "teams:\n  - {slug: acme, name: Acme}\n"
    "  - {slug: platform, name: Platform, parent: acme}\n"
    "  - {slug: sales, name: Sales, parent: acme}\n"
)


def _post(client, path, body, content_type="application/yaml"):
    return client.post(f"/api/v1/interchange/{path}", data=body, content_type=content_type)


def test_an_admin_plans_then_applies_a_file(cast, api_admin):
    planned = _post(api_admin, "plan", NEW_TEAM)
    assert planned.status_code == 200, planned.content
    assert planned.json()["counts"] == {"teams": {"create": 1, "update": 0, "remove": 0}}
    assert not Team.objects.filter(slug="sales").exists()
    applied = _post(api_admin, "apply", NEW_TEAM)
    assert applied.status_code == 200 and applied.json()["applied"]
    assert Team.objects.get(org=cast.org, slug="sales").parent == cast.root
    assert _post(api_admin, "apply", NEW_TEAM).json()["changes"] == []


def test_a_refused_file_is_a_422_with_the_problem_and_changes_nothing(cast, api_admin):
    before = dump()
    response = _post(api_admin, "apply?strict=true", NEW_TEAM.replace("Sales", "[1]"))
    assert response.status_code == 422
    problem = response.json()["report"]["problems"][0]
    assert problem["path"] == "teams[2].name" and problem["line"] == 4
    assert dump() == before


def test_only_admins_may_use_files(cast):
    for person in (cast.leader, cast.member, cast.viewer):
        client = api_client(person)
        assert _post(client, "apply", NEW_TEAM).status_code == 403
        assert client.get("/api/v1/interchange/export").status_code == 403
    assert not Team.objects.filter(slug="sales").exists()


def test_a_file_never_reaches_another_organization(cast):
    outsider = api_client(cast.outsider)
    text = "organization: {slug: acme}\n" + NEW_TEAM
    # A file naming another organization is refused (it would make this one into that
    # one), and reaches neither.
    refused = _post(outsider, "apply", text)
    assert refused.status_code == 422
    error = refused.json()["error"]  # the API's error shape, beside the report
    assert error["code"] == "other_organization"
    assert "describes the organization 'acme', not 'globex'" in error["message"]
    assert not Team.objects.filter(slug="sales").exists()
    assert _post(outsider, "apply", NEW_TEAM).status_code == 200
    assert not Team.objects.filter(org=cast.org, slug="sales").exists()
    assert Team.objects.filter(org=cast.other_org, slug="sales").exists()
    body = b"".join(outsider.get("/api/v1/interchange/export").streaming_content).decode()
    assert "name: Globex" in body and "otto.outsider@globex.example" in body
    assert "@acme.example" not in body


def test_exports_stream_yaml_and_a_zip_and_each_person_gets_their_own_data(cast, api_admin):
    response = api_admin.get("/api/v1/interchange/export")
    assert response.status_code == 200 and response["Content-Type"] == "application/yaml"
    assert "- slug: platform\n" in b"".join(response.streaming_content).decode()
    zipped = b"".join(api_admin.get("/api/v1/interchange/export?format=csv").streaming_content)
    assert "teams.csv" in zipfile.ZipFile(io.BytesIO(zipped)).namelist()
    mine = api_client(cast.member).get("/api/v1/interchange/export/me")
    text = b"".join(mine.streaming_content).decode()
    assert "mia.member@acme.example" in text and "ada.admin" not in text
    assert "team: platform" in text


def test_schema_and_templates_are_public_to_members(cast):
    client = api_client(cast.viewer)
    assert client.get("/api/v1/interchange/schema").json()["title"] == "Accord organization file"
    template = client.get("/api/v1/interchange/templates/people.csv")
    assert template.content.decode().startswith("email,name,title,role")
    assert client.get("/api/v1/interchange/templates/nope.csv").status_code == 404


def test_csv_upload_through_the_api(cast, api_admin):
    response = _post(api_admin, "csv", "slug;name;parent\r\nsales;Sales;acme\r\n", "text/csv")
    assert response.status_code == 200, response.content
    assert Team.objects.filter(org=cast.org, slug="sales").exists()


def test_a_file_bigger_than_djangos_form_limit_is_accepted_up_to_the_cap(cast, api_admin):
    padding = "#" + "x" * 99 + "\n"
    big = NEW_TEAM + padding * 30_000  # 3 MB of comments
    response = _post(api_admin, "plan", big)
    # A file this large is planned in the background: 202 with the job to follow.
    assert response.status_code == 202, response.content[:300]
    from accord.interchange import services

    assert services.run_job(response.json()["id"]) == "done"
    job = api_admin.get(response.json()["url"]).json()
    assert job["state"] == "done"
    assert job["result"]["counts"]["teams"]["create"] == 1


def test_an_oversized_body_is_refused_before_it_is_read(cast, api_admin, settings):
    settings.ACCORD_ORGFILE_MAX_BYTES = 1024 * 1024
    before = dump()
    response = _post(api_admin, "apply", "#" * (1024 * 1024 + 1))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "too_large"
    assert dump() == before
