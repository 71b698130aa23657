"""Every export of personal data is recorded, with who took it, in which format and how: the
whole organization (everyone's addresses) in an event only admins read, one person's own
data in a personal event (read by whoever took it and admins)."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client

from accord.activity.models import Event
from tests.conftest import api_client, login

ORG_EXPORT = "interchange.organizationexport"
OWN_EXPORT = "interchange.personaldataexport"


def _download(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, response.content
    b"".join(response.streaming_content)


def _recorded(org, target_type: str) -> list[tuple]:
    events = Event.objects.filter(org=org, target_type=target_type).order_by("id")
    return [(e.verb, e.actor, e.after.get("format"), e.after.get("via")) for e in events]


def _kinds_seen(client: Client) -> list[str]:
    response = client.get("/api/v1/events?limit=200")
    assert response.status_code == 200
    return [e["kind"] for e in response.json()["items"]]


def test_each_export_of_the_organization_is_recorded_for_admins_only(cast, tmp_path):
    org, admin = cast.org, cast.admin
    _download(api_client(admin), "/api/v1/interchange/export?format=csv")
    _download(login(admin), "/o/acme/interchange/export.yaml")
    call_command("export", "--org", "acme", "-o", str(tmp_path / "acme.yaml"))

    assert _recorded(org, ORG_EXPORT) == [
        ("created", admin, "csv", "api"),
        ("created", admin, "yaml", "page"),
        ("created", None, "yaml", "command"),
    ]
    assert f"{ORG_EXPORT}.created" in _kinds_seen(api_client(admin))
    for person in (cast.leader, cast.member, cast.viewer):
        assert f"{ORG_EXPORT}.created" not in _kinds_seen(api_client(person))


def test_a_refused_export_records_nothing(cast):
    assert api_client(cast.member).get("/api/v1/interchange/export").status_code == 403
    assert login(cast.member).get("/o/acme/interchange/export.zip").status_code == 403
    assert api_client(cast.admin).get("/api/v1/interchange/export?format=xml").status_code == 404
    assert _recorded(cast.org, ORG_EXPORT) == []


def test_downloading_ones_own_data_is_recorded_for_oneself_and_admins(cast):
    org, mia = cast.org, cast.member
    _download(api_client(mia), "/api/v1/interchange/export/me")
    _download(login(mia), "/o/acme/interchange/my-data.yaml")

    assert _recorded(org, OWN_EXPORT) == [
        ("created", mia, "yaml", "api"),
        ("created", mia, "yaml", "page"),
    ]
    (event, _) = Event.objects.filter(org=org, target_type=OWN_EXPORT)
    assert event.after["person"] == mia.pk
    assert _kinds_seen(api_client(mia)).count(f"{OWN_EXPORT}.created") == 2
    assert _kinds_seen(api_client(cast.admin)).count(f"{OWN_EXPORT}.created") == 2
    for person in (cast.leader, cast.viewer):
        assert f"{OWN_EXPORT}.created" not in _kinds_seen(api_client(person))
