"""Conditional reads (RFC 9110 §13.1.2): a read of one object whose `If-None-Match` names the
ETag its answer would carry is a 304 with that ETag and no body."""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.alignment import services as alignment
from accord.hooks.models import Webhook
from accord.org.models import Membership
from tests.api.conftest import send
from tests.conftest import api_client

ETAG = re.compile(r'^"(\d+)\.[0-9a-f]{16}"$')


def test_a_read_naming_the_current_etag_is_a_304_with_the_etag_and_no_body(cast):
    client = api_client(cast.admin)
    url = f"/api/v1/people/{cast.member.pk}"
    read = send(client, "get", url)
    assert read.status_code == 200 and ETAG.match(read["ETag"])
    again = send(client, "get", url, HTTP_IF_NONE_MATCH=read["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == read["ETag"]
    assert "Content-Type" not in again


def test_a_read_after_the_object_changed_is_a_200_with_its_new_etag(cast):
    client = api_client(cast.admin)
    url = f"/api/v1/teams/{cast.platform.pk}"
    read = send(client, "get", url)
    assert send(client, "patch", url, {"name": "Platform A"}).status_code == 200
    again = send(client, "get", url, HTTP_IF_NONE_MATCH=read["ETag"])
    assert again.status_code == 200
    assert again.json()["name"] == "Platform A"
    assert again["ETag"] != read["ETag"]
    assert send(client, "get", url, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304


def test_a_change_the_objects_version_does_not_count_is_a_200_too(cast):
    """An objective's progress rolls up from its key results: recording a value leaves the
    objective's version as it was, but not what its answer shows."""
    org = cast.org
    period = alignment.create_period(
        org, None, name="Q1", start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31)
    )
    objective = alignment.create_objective(
        org, None, title="Faster", period=period, team=cast.platform
    )
    kr = alignment.create_key_result(org, None, objective, name="p95", start=0, target=10)
    client = api_client(cast.admin)
    url = f"/api/v1/objectives/{objective.pk}"
    read = send(client, "get", url)
    recorded = send(client, "post", f"/api/v1/key-results/{kr.pk}/values", {"value": 5})
    assert recorded.status_code == 201, recorded.content
    again = send(client, "get", url, HTTP_IF_NONE_MATCH=read["ETag"])
    assert again.status_code == 200
    assert again.json()["version"] == read.json()["version"]
    assert again.json()["progress"] != read.json()["progress"]
    # The version still guards a change: the ETag read before is taken back by If-Match.
    changed = send(client, "patch", url, {"title": "Fast"}, HTTP_IF_MATCH=read["ETag"])
    assert changed.status_code == 200, changed.content


def test_if_none_match_compares_weakly(cast):
    client = api_client(cast.admin)
    url = f"/api/v1/memberships/{Membership.objects.get(person=cast.member).pk}"
    tag = send(client, "get", url)["ETag"]
    assert send(client, "get", url, HTTP_IF_NONE_MATCH=f"W/{tag}").status_code == 304


def test_if_none_match_star_is_any_existing_object_and_a_missing_one_is_still_a_404(cast):
    client = api_client(cast.admin)
    found = send(client, "get", f"/api/v1/teams/{cast.platform.pk}", HTTP_IF_NONE_MATCH="*")
    assert found.status_code == 304 and ETAG.match(found["ETag"])
    missing = send(client, "get", "/api/v1/teams/999999", HTTP_IF_NONE_MATCH="*")
    assert missing.status_code == 404


def test_if_none_match_takes_a_list_of_etags(cast):
    client = api_client(cast.admin)
    url = f"/api/v1/teams/{cast.platform.pk}"
    tag = send(client, "get", url)["ETag"]
    old = '"1.0123456789abcdef", W/"7.0123456789abcdef"'
    assert send(client, "get", url, HTTP_IF_NONE_MATCH=f"{old}, {tag}").status_code == 304
    assert send(client, "get", url, HTTP_IF_NONE_MATCH=f"{tag},{old}").status_code == 304
    other = send(client, "get", url, HTTP_IF_NONE_MATCH=old)
    assert other.status_code == 200 and other["ETag"] == tag


def test_a_bare_version_does_not_name_an_answer_so_it_is_a_200(cast):
    client = api_client(cast.admin)
    url = f"/api/v1/teams/{cast.platform.pk}"
    read = send(client, "get", url)
    bare = f'"{read.json()["version"]}"'
    assert send(client, "get", url, HTTP_IF_NONE_MATCH=bare).status_code == 200


def test_a_malformed_if_none_match_is_a_422_naming_it(cast):
    client = api_client(cast.admin)
    url = f"/api/v1/teams/{cast.platform.pk}"
    tag = send(client, "get", url)["ETag"]
    for value in ('"abc"', f"{tag}, *", f'{tag}, "3.XYZ"', '""'):
        response = send(client, "get", url, HTTP_IF_NONE_MATCH=value)
        assert response.status_code == 422, value
        error = response.json()["error"]
        assert list(error["fields"]) == ["If-None-Match"] and "If-None-Match" in error["message"]


def test_another_organizations_object_is_a_404_whatever_etag_is_guessed(cast):
    client = api_client(cast.admin)
    url = f"/api/v1/teams/{cast.other_team.pk}"
    for guess in ("*", '"1"', f'"{cast.other_team.version}.0123456789abcdef"'):
        response = send(client, "get", url, HTTP_IF_NONE_MATCH=guess)
        assert response.status_code == 404, guess
        assert "ETag" not in response


def test_what_the_token_may_not_read_is_a_403_not_a_304(cast):
    hook = Webhook.objects.create(org=cast.org, url="https://example.com/hook", secret="s")
    url = f"/api/v1/webhooks/{hook.pk}"
    tag = send(api_client(cast.admin), "get", url)["ETag"]
    for guess in ("*", tag):
        response = send(api_client(cast.member), "get", url, HTTP_IF_NONE_MATCH=guess)
        assert response.status_code == 403 and "ETag" not in response


def test_a_304_costs_no_more_queries_than_the_200(cast):
    client = api_client(cast.admin)
    url = f"/api/v1/people/{cast.member.pk}"
    tag = send(client, "get", url)["ETag"]
    with CaptureQueriesContext(connection) as full:
        assert send(client, "get", url).status_code == 200
    with CaptureQueriesContext(connection) as conditional:
        assert send(client, "get", url, HTTP_IF_NONE_MATCH=tag).status_code == 304
    assert len(conditional) <= len(full)


def test_a_list_carries_no_etag_and_ignores_if_none_match(cast):
    client = api_client(cast.admin)
    response = send(client, "get", "/api/v1/teams", HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 200 and "ETag" not in response


def test_every_read_of_one_versioned_object_declares_if_none_match_and_its_304(cast):
    document = send(api_client(cast.admin), "get", "/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]

    def versioned(operation: dict) -> bool:
        content = operation["responses"].get("200", {}).get("content", {})
        ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
        prop = schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}).get("version")
        return prop is not None and prop.get("type") == "integer"

    def declares(operation: dict) -> bool:
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        return "If-None-Match" in names and "304" in operation["responses"]

    operations = [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]
    reads = [(p, m) for p, m, o in operations if m == "get" and versioned(o)]
    assert ("/api/v1/people/{person_id}", "get") in reads
    assert ("/api/v1/objectives/{objective_id}", "get") in reads
    assert len(reads) > 15
    declaring = [(p, m) for p, m, o in operations if declares(o)]
    assert sorted(declaring) == sorted(reads)
    assert "If-None-Match" in document["info"]["description"]
