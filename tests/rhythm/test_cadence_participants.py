"""A cadence's teams and extra participants change after creation, in the form and the
API, with events; bad references are refused and change nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accord.activity.models import Event
from accord.core.errors import ServiceError
from accord.org import services as org_services
from accord.rhythm import queries, services
from accord.rhythm.models import Scope
from tests.conftest import api_client, login


@pytest.fixture
def ops(cast):
    return org_services.create_team(cast.org, None, name="Ops", slug="ops", parent=cast.root)


def test_extra_participants_and_teams_change_with_events(cast, rhythm, ops):
    sync = rhythm.sync
    services.update_cadence(cast.org, cast.leader, sync, extra_participants=[cast.viewer])
    assert cast.viewer.pk in queries.Roster.load(cast.org).participant_ids(sync)
    teams = [ops, cast.platform]
    services.update_cadence(cast.org, cast.admin, sync, scope=Scope.TEAMS, teams=teams)
    sync.refresh_from_db()
    assert sync.scope == Scope.TEAMS and sync.team is None
    assert set(sync.teams.all()) == {ops, cast.platform}
    services.update_cadence(cast.org, cast.admin, sync, teams=[ops])
    assert list(sync.teams.all()) == [ops]
    changes = [
        e.after
        for e in Event.objects.for_org(cast.org)
        .for_target("rhythm.cadence", sync.pk)
        .filter(verb="updated")
        .order_by("id")
    ]
    assert {"extra_participants": [cast.viewer.pk]} in changes
    assert {"teams": [ops.pk]} in changes


def test_a_foreign_participant_is_refused_and_nothing_changes(cast, rhythm):
    before = Event.objects.count()
    with pytest.raises(ServiceError):
        services.update_cadence(
            cast.org, cast.leader, rhythm.sync, extra_participants=[cast.outsider]
        )
    assert list(rhythm.sync.extra_participants.all()) == []
    assert Event.objects.count() == before


def test_the_edit_form_changes_participants(cast, rhythm):
    sync = rhythm.sync
    url = reverse("rhythm:cadence_edit", kwargs={"org_slug": "acme", "cadence_id": sync.pk})
    client = login(cast.leader)
    page = client.get(url).content.decode()
    assert 'name="extra_participants"' in page and 'name="teams"' in page
    response = client.post(
        url,
        {
            "name": sync.name,
            "scope": "team",
            "team": cast.platform.pk,
            "extra_participants": [cast.viewer.pk, cast.admin.pk],
            "rrule": sync.rrule,
            "time": "10:00",
            "duration_minutes": 90,
            "timezone": sync.timezone,
            "checkin_owed_by": "everyone",
            "window_opens_hours": 48,
            "late_after_hours": 24,
            "is_active": "on",
            "agenda": "Check-in | none | 5",
            "version": sync.version,
        },
    )
    assert response.status_code == 302
    assert set(sync.extra_participants.all()) == {cast.viewer, cast.admin}


def test_the_api_changes_teams_and_extra_participants(cast, rhythm, ops):
    client = api_client(cast.admin)
    url = f"/api/v1/rhythm/cadences/{rhythm.sync.pk}"
    r = client.patch(
        url,
        {"scope": "teams", "team_ids": [ops.pk], "extra_participant_ids": [cast.viewer.pk]},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["scope"] == "teams" and body["team_ids"] == [ops.pk]
    assert body["extra_participant_ids"] == [cast.viewer.pk]
    bad = client.patch(
        url, {"extra_participant_ids": [cast.outsider.pk]}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert "extra_participant_ids" in bad.json()["error"]["fields"]
    assert client.get(url).json()["extra_participant_ids"] == [cast.viewer.pk]
