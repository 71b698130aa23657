"""Calendar-feed secrets are stored hashed, as API tokens are: the address is shown once,
can be regenerated and revoked, and addresses handed out before keep working."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from accord.activity.models import Event
from accord.org.models import MembershipRole
from accord.rhythm import services
from accord.rhythm.models import CalendarFeed
from tests.conftest import login

FEED_URL = re.compile(r"https?://[^\s\"'<>]+/api/v1/rhythm/calendar/([A-Za-z0-9_-]+)\.ics")


def _nowhere_in_the_database(raw: str) -> bool:
    rows = list(CalendarFeed.objects.values()) + list(Event.objects.values())
    return raw not in json.dumps(rows, default=str)


def test_only_a_hash_of_the_secret_is_stored(cast, rhythm):
    feed, raw = services.create_feed(cast.org, cast.member, person=cast.member)
    assert len(raw) >= 32
    assert feed.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert feed.prefix == raw[:6]
    assert _nowhere_in_the_database(raw)
    assert Client().get(f"/api/v1/rhythm/calendar/{raw}.ics").status_code == 200
    # The digest itself is not a way in.
    assert Client().get(f"/api/v1/rhythm/calendar/{feed.digest}.ics").status_code == 404


def test_the_settings_page_shows_the_address_once_then_offers_to_regenerate(cast, rhythm):
    client = login(cast.member)
    created = client.post("/o/acme/rhythm/settings/", {"what": "feed"})
    assert created.status_code == 200
    [raw] = set(FEED_URL.findall(created.content.decode()))
    assert "shown only once" in created.content.decode()
    assert Client().get(f"/api/v1/rhythm/calendar/{raw}.ics").status_code == 200
    later = client.get("/o/acme/rhythm/settings/").content.decode()
    assert raw not in later and "Regenerate the address" in later
    assert raw[:6] in later  # recognisable by its first characters
    feed = CalendarFeed.objects.get(revoked_at__isnull=True)
    again = client.post("/o/acme/rhythm/settings/", {"what": "regenerate", "feed": feed.pk})
    assert again.status_code == 200
    [new] = set(FEED_URL.findall(again.content.decode()))
    assert new != raw
    assert Client().get(f"/api/v1/rhythm/calendar/{raw}.ics").status_code == 404
    assert Client().get(f"/api/v1/rhythm/calendar/{new}.ics").status_code == 200
    current = CalendarFeed.objects.get(revoked_at__isnull=True)
    client.post("/o/acme/rhythm/settings/", {"what": "revoke", "feed": current.pk})
    assert Client().get(f"/api/v1/rhythm/calendar/{new}.ics").status_code == 404


def test_the_team_page_shows_a_team_address_once(cast, rhythm):
    client = login(cast.leader)
    created = client.post("/o/acme/rhythm/teams/platform/", {"what": "feed"})
    assert created.status_code == 200
    [raw] = set(FEED_URL.findall(created.content.decode()))
    assert Client().get(f"/api/v1/rhythm/calendar/{raw}.ics").status_code == 200
    assert raw not in client.get("/o/acme/rhythm/teams/platform/").content.decode()
    feed = CalendarFeed.objects.get()
    again = client.post("/o/acme/rhythm/teams/platform/", {"what": "regenerate", "feed": feed.pk})
    [new] = set(FEED_URL.findall(again.content.decode()))
    assert Client().get(f"/api/v1/rhythm/calendar/{raw}.ics").status_code == 404
    assert Client().get(f"/api/v1/rhythm/calendar/{new}.ics").status_code == 200


def test_someone_else_cannot_regenerate_a_feed(cast, rhythm):
    from accord.core.errors import PermissionDenied
    from accord.org import services as org_services

    org_services.add_membership(
        cast.org, None, person=cast.viewer, team=cast.platform, role=MembershipRole.MEMBER
    )
    feed, raw = services.create_feed(cast.org, cast.member, person=cast.member)
    with pytest.raises(PermissionDenied):
        services.regenerate_feed(cast.org, cast.viewer, feed)
    assert Client().get(f"/api/v1/rhythm/calendar/{raw}.ics").status_code == 200
    assert CalendarFeed.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_addresses_handed_out_before_keep_working_after_the_migration(cast):
    executor = MigrationExecutor(connection)
    before = [("rhythm", "0002_delivery_moves_to_activity")]
    after = [("rhythm", "0003_calendar_feed_hashed_token")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Feed = old.get_model("rhythm", "CalendarFeed")
    Feed.objects.create(org_id=cast.org.pk, person_id=cast.member.pk, token="old-secret-1")
    Feed.objects.create(org_id=cast.org.pk, team_id=cast.platform.pk, token="old-secret-2")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Client().get("/api/v1/rhythm/calendar/old-secret-1.ics").status_code == 200
    assert Client().get("/api/v1/rhythm/calendar/old-secret-2.ics").status_code == 200
    assert _nowhere_in_the_database("old-secret-1")
    assert set(CalendarFeed.objects.values_list("prefix", flat=True)) == {"old-se"}


def test_a_revoked_feed_is_not_regenerated(cast, rhythm):
    from accord.core.errors import ServiceError

    feed, _ = services.create_feed(cast.org, cast.member, person=cast.member)
    services.revoke_feed(cast.org, cast.member, feed)
    with pytest.raises(ServiceError) as exc:
        services.regenerate_feed(cast.org, cast.member, feed)
    assert exc.value.code == "revoked"
    assert not CalendarFeed.objects.filter(revoked_at__isnull=True).exists()


def test_a_viewer_takes_their_own_calendar_along_until_deactivated(cast, rhythm):
    """Anyone may create their own feed (it only reads); once the person is deactivated
    the address answers 404, as their API tokens stop answering."""
    from accord.org import services as org_services

    _, raw = services.create_feed(cast.org, cast.viewer, person=cast.viewer)
    url = f"/api/v1/rhythm/calendar/{raw}.ics"
    assert Client().get(url).status_code == 200
    _, team_raw = services.create_feed(cast.org, cast.admin, team=cast.platform)
    org_services.update_person(cast.org, cast.admin, cast.viewer, is_active=False)
    assert Client().get(url).status_code == 404
    assert Client().get(f"/api/v1/rhythm/calendar/{team_raw}.ics").status_code == 200
