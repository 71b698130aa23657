"""GET /api/v1/events: the audit trail, filtered and paginated."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accord.activity.models import Event
from accord.org import services
from tests.conftest import api_client


def test_it_lists_events_newest_first_with_before_and_after(cast):
    services.update_team(cast.org, cast.leader, cast.platform, name="Platform Core")
    body = api_client(cast.viewer).get("/api/v1/events").json()
    newest = body["items"][0]
    assert newest["kind"] == "api.apitoken.created"  # the token this client was made with
    change = next(e for e in body["items"] if e["verb"] == "updated")
    assert change == {
        "id": change["id"],
        "kind": "org.team.updated",
        "verb": "updated",
        "target_type": "org.team",
        "target_id": str(cast.platform.pk),
        "target_label": "Platform Core",
        "actor_id": cast.leader.pk,
        "actor_name": "Leo Leader",
        "actor_is_agent": False,
        "on_behalf_of_id": None,
        "on_behalf_of_name": "",
        "via_token": None,  # made by a service, not through an API token
        "actor_display": "Leo Leader",
        "before": {"name": "Platform"},
        "after": {"name": "Platform Core"},
        "created_at": change["created_at"],
        "team_id": cast.platform.pk,
        "other_team_id": None,
    }
    ids = [e["id"] for e in body["items"]]
    assert ids == sorted(ids, reverse=True)
    assert body["count"] == Event.objects.for_org(cast.org).count()


def test_it_filters_by_target_actor_and_time(cast):
    services.update_team(cast.org, cast.leader, cast.platform, name="Platform Core")
    services.update_team(cast.org, cast.admin, cast.root, description="Everyone")
    client = api_client(cast.member)

    def kinds(query: str) -> list[str]:
        response = client.get(f"/api/v1/events?{query}")
        assert response.status_code == 200, response.content
        return [e["kind"] for e in response.json()["items"]]

    assert kinds(f"target_type=org.team&target_id={cast.platform.pk}") == [
        "org.team.updated",
        "org.team.created",
    ]
    assert kinds(f"actor_id={cast.leader.pk}") == ["org.team.updated"]
    assert set(kinds("target_type=org.membership")) == {"org.membership.created"}
    future = (timezone.now() + dt.timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert kinds(f"since={future}") == []
    past = (timezone.now() - dt.timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert len(kinds(f"since={past}&limit=200")) == Event.objects.for_org(cast.org).count()


def test_a_bad_filter_is_a_422(cast):
    response = api_client(cast.member).get("/api/v1/events?since=yesterday")
    assert response.status_code == 422
    assert "since" in response.json()["error"]["fields"]


def test_only_admins_read_the_events_of_webhooks_whose_address_may_hold_a_secret(cast):
    from accord.hooks import services as hooks
    from tests.conftest import login

    secret_url = "https://hooks.example/T0/B0/s3cr3t"
    hook, _ = hooks.create_webhook(cast.org, cast.admin, url=secret_url, events=["*"])
    hooks.pause_webhook(cast.org, cast.admin, hook)
    query = f"/api/v1/events?target_type=hooks.webhook&target_id={hook.pk}"
    for person in (cast.viewer, cast.member, cast.leader):
        body = api_client(person).get(query).json()
        assert body["items"] == [], person.name
        feed = login(person).get("/o/acme/activity/").content.decode()
        assert "s3cr3t" not in feed and "hooks.webhook" not in feed, person.name
        everything = api_client(person).get("/api/v1/events?limit=200").content.decode()
        assert "s3cr3t" not in everything, person.name
    admin = api_client(cast.admin).get(query).json()["items"]
    assert [e["verb"] for e in admin] == ["paused", "created"]
    assert admin[1]["after"]["url"] == secret_url
    assert 'value="hooks.webhook"' in login(cast.admin).get("/o/acme/activity/").content.decode()
