"""Optimistic concurrency: a change based on a stale version is refused with 409."""

from __future__ import annotations

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
