"""A person's notification preferences through the API: read, change (channels and muted
kinds of notice), refused with a clear error for unknown kinds or a stale version."""

from __future__ import annotations

from accord.activity.models import DeliveryPreferences, Event
from tests.conftest import api_client


def test_the_defaults_are_everything_on_and_nothing_muted(cast):
    client = api_client(cast.member)
    got = client.get("/api/v1/me/notifications").json()
    assert got == {
        "email": True,
        "chat": True,
        "muted_kinds": [],
        "agenda_emails": "weekly",
        "version": 1,
    }


def test_the_kinds_that_can_be_muted_are_listed(cast):
    kinds = api_client(cast.viewer).get("/api/v1/notification-kinds").json()
    assert {
        "kind": "agenda",
        "label": "A meeting's agenda, before it starts",
        "group": "Rhythm",
    } in (kinds)
    assert "decision_decided" in {k["kind"] for k in kinds}


def test_a_person_mutes_kinds_and_turns_a_channel_off(cast):
    client = api_client(cast.viewer)  # a viewer chooses what they are told, too
    response = client.patch(
        "/api/v1/me/notifications",
        {"email": False, "muted_kinds": ["decision_reversed", "agenda", "agenda"]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "email": False,
        "chat": True,
        "muted_kinds": ["agenda", "decision_reversed"],
        "agenda_emails": "weekly",
        "version": 2,
    }
    prefs = DeliveryPreferences.objects.get(person=cast.viewer)
    assert prefs.muted_kinds == ["agenda", "decision_reversed"] and not prefs.email
    event = Event.objects.get(target_type="activity.deliverypreferences")
    assert event.actor == cast.viewer and event.after["muted_kinds"] == prefs.muted_kinds
    # Other people's preferences are untouched.
    assert not DeliveryPreferences.objects.filter(person=cast.member).exists()


def test_an_unknown_kind_is_refused_and_changes_nothing(cast):
    client = api_client(cast.member)
    response = client.patch(
        "/api/v1/me/notifications",
        {"email": False, "muted_kinds": ["decision_decided", "no_such_kind"]},
        content_type="application/json",
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["fields"] == {"muted_kinds": ["Unknown kind 'no_such_kind'."]}
    assert "no_such_kind" in error["message"]
    assert client.get("/api/v1/me/notifications").json()["email"] is True


def test_a_stale_version_is_refused(cast):
    client = api_client(cast.member)
    body = {"chat": False}
    first = client.patch(
        "/api/v1/me/notifications",
        body,
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client.patch(
        "/api/v1/me/notifications",
        {"chat": True},
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert stale.status_code == 409
    assert client.get("/api/v1/me/notifications").json()["chat"] is False
