"""A scorecard measurable can be pulled like a key result: this week's value, marked as
pulled, rounded to the scorecard's two decimal places."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from accord.core.errors import PermissionDenied
from accord.intelligence.evaluate import evaluate
from accord.intelligence.models import Signal
from accord.rhythm import services as rhythm
from accord.rhythm.models import MeasurableValue
from accord.rhythm.scorecard import monday
from accord.sources import services
from accord.sources.models import KeyResultSource
from accord.sources.tasks import pull_due
from tests.conftest import api_client, login


@pytest.fixture
def measurable(cast):
    return rhythm.create_measurable(
        cast.org,
        None,
        team=cast.platform,
        name="Deploys",
        goal_rule="at_least",
        goal_low=10,
        owner=cast.member,
    )


def test_a_measurable_pulls_this_weeks_value(cast, measurable, upstream):
    url = upstream.answer("/deploys.json", json.dumps({"count": 12.345}))
    source = services.set_source(
        cast.org, cast.member, measurable, kind="json", url=url, json_path="$.count"
    )
    assert services.pull_source(cast.org, None, source).ok
    row = MeasurableValue.objects.get(measurable=measurable)
    assert (str(row.value), row.source, row.entered_by) == ("12.35", "source", None)
    assert row.week_start == monday(timezone.localdate())


def test_the_api_sets_and_pulls_a_measurable_source_in_its_organization(cast, measurable, upstream):
    url = upstream.answer("/d.json", '{"n": 7}')
    path = f"/api/v1/measurables/{measurable.pk}/source"
    body = json.dumps({"kind": "json", "url": url, "json_path": "$.n"})
    r = api_client(cast.member).put(path, body, content_type="application/json")
    assert r.status_code == 200 and r.json()["measurable_id"] == measurable.pk
    assert api_client(cast.member).post(f"{path}/pull").json()["value"] == 7
    outsider = api_client(cast.outsider)
    assert outsider.put(path, body, content_type="application/json").status_code == 404
    assert outsider.get(path).status_code == 404


def test_only_its_owner_or_an_admin_sets_it(cast, measurable):
    data = {"kind": "json", "url": "https://example.com/d.json", "json_path": "$.n"}
    with pytest.raises(PermissionDenied):
        services.set_source(cast.org, cast.leader, measurable, **data)
    services.set_source(cast.org, cast.admin, measurable, **data)


def test_failures_of_a_measurable_source_become_a_signal_and_the_schedule_skips_archived(
    cast, measurable, upstream
):
    url = upstream.answer("/d.json", "nope", status=500)
    services.set_source(cast.org, cast.member, measurable, kind="json", url=url, json_path="$.n")
    for _ in range(3):
        KeyResultSource.objects.update(last_attempt_at=None)
        assert pull_due()["failed"] == 1
    evaluate(cast.org, announce=False)
    signal = Signal.objects.get(kind="sources.failing")
    assert (signal.subject_type, signal.subject_id) == ("rhythm.measurable", str(measurable.pk))
    assert not MeasurableValue.objects.exists()
    rhythm.archive_measurable(cast.org, None, measurable)
    KeyResultSource.objects.update(last_attempt_at=None)
    assert pull_due()["sources"] == 0


def test_the_measurable_page_sets_pulls_shows_and_clears_its_source(cast, measurable, upstream):
    url = upstream.answer("/deploys.json", '{"count": 12}')
    edit = f"/o/acme/rhythm/teams/platform/measurables/{measurable.pk}/"
    base = f"/o/acme/sources/measurables/{measurable.pk}"
    admin = login(cast.admin)
    page = admin.get(edit).content.decode()
    assert "Set a source" in page and f"{base}/edit/" in page

    # Its owner (not a lead of the team) sets it and pulls; the scorecard shows where it came from.
    owner = login(cast.member)
    r = owner.post(f"{base}/edit/", {"kind": "json", "url": url, "json_path": "$.count"})
    assert r.status_code == 302 and r["Location"] == "/o/acme/rhythm/teams/platform/"
    page = owner.post(f"{base}/pull/", follow=True).content.decode()
    assert "Pulled Deploys: Read 12." in page and "from source" in page

    # A failure is shown on the measurable's page with its reason; nothing else changes.
    upstream.answer("/deploys.json", '{"count": "many"}')
    admin.post(f"{base}/pull/")
    page = admin.get(edit).content.decode()
    assert "1 in a row" in page and "not a number" in page and url in page
    assert MeasurableValue.objects.get(measurable=measurable).value == 12

    assert login(cast.viewer).get(f"{base}/edit/").status_code == 403
    assert login(cast.outsider).get(f"{base}/edit/").status_code == 404
    assert login(cast.outsider).post(f"{base}/clear/").status_code == 404
    assert KeyResultSource.objects.filter(measurable=measurable).exists()

    r = admin.post(f"{base}/clear/")
    assert r.status_code == 302 and r["Location"] == edit
    assert not KeyResultSource.objects.filter(measurable=measurable).exists()
    assert "Set a source" in admin.get(edit).content.decode()
