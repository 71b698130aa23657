"""Optimistic concurrency: a change based on a stale version is refused with 409."""

from __future__ import annotations

import re

from accord.activity.models import Event
from accord.org.models import Membership
from tests.api.conftest import send
from tests.conftest import api_client


def test_a_stale_if_match_is_a_409_and_changes_nothing(cast):
    client = api_client(cast.admin)
    url = f"/api/v1/teams/{cast.platform.pk}"
    ok = send(client, "patch", url, {"name": "Platform A"}, HTTP_IF_MATCH='"1"')
    assert ok.status_code == 200 and ok.json()["version"] == 2
    events = Event.objects.count()
    stale = send(client, "patch", url, {"name": "Platform B"}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "conflict"
    assert "you had version 1, it is now at version 2" in error["message"]
    assert send(client, "get", url).json()["name"] == "Platform A"
    assert Event.objects.count() == events


def test_if_match_works_for_people_and_memberships_and_accepts_weak_tags(cast):
    client = api_client(cast.admin)
    person = f"/api/v1/people/{cast.member.pk}"
    assert send(client, "patch", person, {"title": "X"}, HTTP_IF_MATCH='W/"1"').status_code == 200
    assert send(client, "patch", person, {"title": "Y"}, HTTP_IF_MATCH="1").status_code == 409
    m = Membership.objects.get(person=cast.member)
    url = f"/api/v1/memberships/{m.pk}"
    assert send(client, "patch", url, {"allocation": 10}, HTTP_IF_MATCH='"5"').status_code == 409
    assert send(client, "patch", url, {"allocation": 10}).status_code == 200  # no If-Match


def test_a_malformed_if_match_is_a_422(cast):
    client = api_client(cast.admin)
    url = f"/api/v1/teams/{cast.platform.pk}"
    response = send(client, "patch", url, {"name": "Z"}, HTTP_IF_MATCH='"abc"')
    assert response.status_code == 422
    assert "If-Match" in response.json()["error"]["fields"]


def test_if_match_star_is_any_current_version(cast):
    client = api_client(cast.admin)
    url = f"/api/v1/teams/{cast.platform.pk}"
    send(client, "patch", url, {"name": "Platform A"})  # now at version 2
    response = send(client, "patch", url, {"name": "Platform B"}, HTTP_IF_MATCH="*")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Platform B"


def version_of(tag: str) -> int:
    """The version an ETag carries: `"3.9f86d081884c7d65"` is 3."""
    match = re.fullmatch(r'"(\d+)\.[0-9a-f]{16}"', tag)
    assert match, tag
    return int(match[1])


def test_a_read_and_a_change_carry_the_version_as_etag_which_if_match_takes_back(cast):
    client = api_client(cast.admin)
    url = f"/api/v1/people/{cast.member.pk}"
    read = send(client, "get", url)
    assert version_of(read["ETag"]) == read.json()["version"]
    changed = send(client, "patch", url, {"title": "X"}, HTTP_IF_MATCH=read["ETag"])
    assert changed.status_code == 200
    assert version_of(changed["ETag"]) == changed.json()["version"] == 2
    assert changed["ETag"] != read["ETag"]
    stale = send(client, "patch", url, {"title": "Y"}, HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 409


def test_a_created_object_carries_its_etag_which_if_match_takes_back(cast):
    client = api_client(cast.admin)
    created = send(client, "post", "/api/v1/teams", {"name": "Skunkworks"})
    assert created.status_code == 201 and version_of(created["ETag"]) == 1
    url = f"/api/v1/teams/{created.json()['id']}"
    changed = send(client, "patch", url, {"name": "Skunk"}, HTTP_IF_MATCH=created["ETag"])
    assert changed.status_code == 200 and version_of(changed["ETag"]) == 2
    # The answer to the change is what a read shows next: its ETag is the read's.
    assert send(client, "get", url)["ETag"] == changed["ETag"]


def test_if_match_lists_several_etags_and_takes_any_of_their_versions(cast):
    client = api_client(cast.admin)
    url = f"/api/v1/teams/{cast.platform.pk}"
    read = send(client, "get", url)["ETag"]  # version 1
    listed = f'"7", {read}, W/"9.0123456789abcdef"'
    ok = send(client, "patch", url, {"name": "Platform A"}, HTTP_IF_MATCH=listed)
    assert ok.status_code == 200, ok.content
    again = send(client, "patch", url, {"name": "Platform B"}, HTTP_IF_MATCH='"1","2"')
    assert again.status_code == 200 and again.json()["version"] == 3


def test_a_list_of_stale_etags_is_a_409_naming_them_and_changes_nothing(cast):
    client = api_client(cast.admin)
    url = f"/api/v1/teams/{cast.platform.pk}"
    send(client, "patch", url, {"name": "Platform A"})  # now at version 2
    events = Event.objects.count()
    stale = send(client, "patch", url, {"name": "Platform B"}, HTTP_IF_MATCH='"1", "3"')
    assert stale.status_code == 409
    assert "you had version 1 or 3, it is now at version 2" in stale.json()["error"]["message"]
    assert send(client, "get", url).json()["name"] == "Platform A"
    assert Event.objects.count() == events


def test_a_malformed_if_match_list_is_a_422_naming_it_and_changes_nothing(cast):
    client = api_client(cast.admin)
    url = f"/api/v1/teams/{cast.platform.pk}"
    events = Event.objects.count()
    for value in ('"1", "abc"', '*, "1"', '"1", ""', '"1.NOTHEX"'):
        response = send(client, "patch", url, {"name": "Z"}, HTTP_IF_MATCH=value)
        assert response.status_code == 422, value
        assert list(response.json()["error"]["fields"]) == ["If-Match"], value
    assert send(client, "get", url).json()["name"] == "Platform"
    assert Event.objects.count() == events


def test_a_list_carries_no_etag(cast):
    response = send(api_client(cast.admin), "get", "/api/v1/teams")
    assert response.status_code == 200 and "ETag" not in response


def test_every_operation_that_honours_if_match_declares_it_in_the_openapi_description(cast):
    from accord.api.common import reads_if_match
    from accord.api.main import api

    document = send(api_client(cast.admin), "get", "/api/v1/openapi.json").json()
    paths = document["paths"]

    def declares(path: str, method: str) -> bool:
        parameters = paths[path][method].get("parameters", [])
        return any(p["in"] == "header" and p["name"] == "If-Match" for p in parameters)

    assert declares("/api/v1/people/{person_id}", "patch")
    assert declares("/api/v1/teams/{team_id}", "patch")
    assert not declares("/api/v1/people/{person_id}", "get")
    honouring = [
        ("/api/v1/" + path.lstrip("/"), method.lower())
        for _prefix, router in api._routers
        for path, view in router.path_operations.items()
        for operation in view.operations
        if reads_if_match(operation.view_func)
        for method in operation.methods
    ]
    assert len(honouring) > 20
    assert [p for p in honouring if not declares(*p)] == []
    # Every PATCH of a versioned object (one whose answer carries `version`) honours it.
    schemas = document["components"]["schemas"]

    def versioned(operation: dict) -> bool:
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        return "version" in schemas[ref.rsplit("/", 1)[1]]["properties"]

    patches = [(path, "patch") for path, item in paths.items() if "patch" in item]
    versioned_patches = [p for p in patches if versioned(paths[p[0]]["patch"])]
    assert len(versioned_patches) > 15
    assert [p for p in versioned_patches if not declares(*p)] == []


def test_a_team_briefing_schedule_refuses_a_stale_if_match(cast):
    from accord.briefings.queries import team_schedule_of

    client = api_client(cast.admin)
    url = f"/api/v1/teams/{cast.platform.pk}/briefing-schedule"
    first = send(client, "patch", url, {"enabled": True})
    assert first.status_code == 200, first.content
    read = f'"{first.json()["version"]}"'
    assert send(client, "patch", url, {"hour": 9}, HTTP_IF_MATCH=read).status_code == 200
    stale = send(client, "patch", url, {"hour": 10}, HTTP_IF_MATCH=read)
    assert stale.status_code == 409
    assert team_schedule_of(cast.org, cast.platform).hour == 9
