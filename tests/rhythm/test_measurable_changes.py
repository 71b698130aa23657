"""A scorecard measurable can be edited (name, goal, unit, owner) and archived or put
back, in the page and the API; values are kept; bad goals are refused, nothing changed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accord.activity.models import Event
from accord.core.errors import PermissionDenied, ServiceError
from accord.rhythm import scorecard, services
from accord.rhythm.models import Measurable
from tests.conftest import api_client, login


@pytest.fixture
def signups(cast, rhythm):
    m = services.create_measurable(
        cast.org, None, team=cast.platform, name="Signups", goal_rule="at_least", goal_low=100
    )
    services.record_measurable_value(cast.org, None, m, week_start=dt.date(2026, 11, 2), value=90)
    return m


def test_editing_the_goal_recolours_kept_values(cast, signups):
    week = dt.date(2026, 11, 2)
    [row] = scorecard.team_scorecards(cast.org, [cast.platform.pk], weeks=1, until=week)
    assert row.cells[-1].rag != "green"
    services.update_measurable(
        cast.org,
        cast.leader,
        signups,
        name="Weekly signups",
        goal_rule="between",
        goal_low=80,
        goal_high=95,
        owner=cast.member,
    )
    signups.refresh_from_db()
    assert (signups.name, signups.goal_low, signups.goal_high) == (
        "Weekly signups",
        Decimal("80"),
        Decimal("95"),
    )
    assert signups.owner == cast.member and signups.values.count() == 1
    [row] = scorecard.team_scorecards(cast.org, [cast.platform.pk], weeks=1, until=week)
    assert row.cells[-1].rag == "green"
    event = Event.objects.filter(verb="updated", target_type="rhythm.measurable").get()
    assert event.before["name"] == "Signups" and event.after["name"] == "Weekly signups"


def test_a_bad_goal_or_a_member_is_refused_and_nothing_changes(cast, signups):
    before = Event.objects.count()
    with pytest.raises(ServiceError) as err:
        services.update_measurable(cast.org, cast.leader, signups, goal_rule="at_most")
    assert "goal_high" in err.value.fields
    with pytest.raises(PermissionDenied):
        services.update_measurable(cast.org, cast.member, signups, name="Mine now")
    signups.refresh_from_db()
    assert signups.name == "Signups" and signups.goal_rule == "at_least"
    assert Event.objects.count() == before


def test_archiving_takes_it_off_the_scorecard_and_restoring_puts_it_back(cast, signups):
    services.archive_measurable(cast.org, cast.leader, signups)
    assert scorecard.team_scorecards(cast.org, [cast.platform.pk], weeks=4) == []
    assert signups.values.count() == 1
    services.archive_measurable(cast.org, cast.leader, signups, archived=False)
    assert len(scorecard.team_scorecards(cast.org, [cast.platform.pk], weeks=4)) == 1
    verbs = list(
        Event.objects.filter(target_type="rhythm.measurable")
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs[-2:] == ["archived", "restored"]


def test_the_page_edits_and_archives(cast, signups):
    url = reverse(
        "rhythm:measurable_edit",
        kwargs={"org_slug": "acme", "team_slug": "platform", "measurable_id": signups.pk},
    )
    client = login(cast.leader)
    team_url = reverse("rhythm:team", kwargs={"org_slug": "acme", "team_slug": "platform"})
    team_page = client.get(team_url)
    assert url in team_page.content.decode()
    refused = client.post(url, {"name": "Signups", "goal_rule": "at_most", "goal_low": "1"})
    assert refused.status_code == 422 and "Give the highest good value." in refused.content.decode()
    ok = client.post(
        url,
        {
            "name": "Signups",
            "goal_rule": "at_most",
            "goal_high": "5",
            "unit": "k",
            "version": signups.version,
        },
    )
    assert ok.status_code == 302
    signups.refresh_from_db()
    assert signups.goal_rule == "at_most" and signups.goal_low is None and signups.unit == "k"
    client.post(url, {"what": "archive"})
    signups.refresh_from_db()
    assert not signups.is_active
    assert login(cast.member).get(url).status_code == 403


def test_the_api_edits_archives_and_restores(cast, signups):
    client = api_client(cast.leader)
    url = f"/api/v1/rhythm/measurables/{signups.pk}"
    r = client.patch(url, {"goal_low": 120, "unit": "people"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["goal_low"] == 120 and r.json()["unit"] == "people"
    bad = client.patch(url, {"goal_rule": "between"}, content_type="application/json")
    assert bad.status_code == 422
    assert client.post(f"{url}/archive").json()["is_active"] is False
    listed = client.get("/api/v1/rhythm/measurables").json()["count"]
    archived = client.get("/api/v1/rhythm/measurables?archived=true").json()["count"]
    assert (listed, archived) == (0, 1)
    assert client.post(f"{url}/restore").json()["is_active"] is True
    assert api_client(cast.member).post(f"{url}/archive").status_code == 403
    assert Measurable.objects.get(pk=signups.pk).is_active
