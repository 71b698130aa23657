"""Targets, starts, periods and key-result baselines lie in 1900 to 2999 (the one rule of
accord.core.dates): refused by the page beside the field, by the API and by the services,
with nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accord.activity.models import Event
from accord.alignment import services as s
from accord.alignment.models import Initiative, Period
from accord.core.errors import ServiceError
from tests.conftest import api_client, login

RANGE = "1900 to 2999"


def test_an_initiative_targeting_year_9999_is_refused_by_the_service(cast):
    with pytest.raises(ServiceError) as exc:
        s.create_initiative(
            cast.org, None, team=cast.platform, title="Forever", target_date="9999-12-31"
        )
    assert exc.value.code == "out_of_range" and "(9999-12-31)" in exc.value.message
    assert RANGE in exc.value.fields["target_date"][0]
    assert not Initiative.objects.exists()


def test_moving_an_initiatives_target_to_year_9999_is_refused_and_changes_nothing(cast):
    item = s.create_initiative(
        cast.org, None, team=cast.platform, title="Soon", target_date=dt.date(2026, 12, 20)
    )
    events = Event.objects.count()
    with pytest.raises(ServiceError) as exc:
        s.update_initiative(
            cast.org, cast.admin, item, target_date=dt.date(9999, 12, 31), reason="Later"
        )
    assert "target_date" in exc.value.fields
    item.refresh_from_db()
    assert item.target_date == dt.date(2026, 12, 20) and Event.objects.count() == events


def test_the_initiative_page_refuses_a_target_in_year_9999_beside_the_field(cast):
    response = login(cast.admin).post(
        reverse("alignment:initiative_new", kwargs={"org_slug": "acme"}),
        {
            "title": "Forever",
            "team": cast.platform.pk,
            "status": "proposed",
            "progress": 0,
            "target_date": "9999-12-31",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors == {"target_date": [f"Dates are supported from {RANGE}."]}, errors
    assert not Initiative.objects.exists()


def test_the_api_refuses_an_initiative_target_in_year_9999(cast):
    client = api_client(cast.admin)
    response = client.post(
        "/api/v1/initiatives",
        {"team_id": cast.platform.pk, "title": "Forever", "target_date": "9999-12-31"},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert "target_date" in response.json()["error"]["fields"]
    assert not Initiative.objects.exists()


def test_a_period_ending_in_year_3000_is_refused(cast):
    with pytest.raises(ServiceError) as exc:
        s.create_period(
            cast.org, None, name="Long", start=dt.date(2026, 1, 1), end=dt.date(3000, 1, 1)
        )
    assert "end" in exc.value.fields
    assert not Period.objects.filter(name="Long").exists()


def test_an_organization_file_with_a_target_in_year_9999_is_refused_naming_the_item(db):
    from accord.interchange import services as interchange
    from tests.interchange.helpers import ORG_FILE

    text = ORG_FILE + (
        "initiatives:\n"
        "  - {id: tps, team: eng, title: TPS cover sheets, status: active}\n"
        "  - {id: forever, team: eng, title: Forever, target_date: 9999-12-31}\n"
    )
    plan = interchange.plan_file(text, org_slug="initech").as_text()
    assert "Could not create initiative 'forever': Target date (9999-12-31)" in plan, plan
    outcome = interchange.apply_file(text, org_slug="initech")
    report = outcome.as_text()
    assert "'forever'" in report and "(9999-12-31) is out of range" in report, report
    assert not Initiative.objects.filter(title="Forever").exists()


def test_a_key_result_value_dated_in_year_1_is_refused(cast, plan):
    kr = s.create_key_result(cast.org, None, plan.platform_obj, name="Uptime", start=0, target=100)
    ancient = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
    with pytest.raises(ServiceError) as exc:
        s.record_key_result_value(cast.org, None, kr, 50, at=ancient)
    assert "recorded_at" in exc.value.fields and "(0001-01-02)" in exc.value.message
    with pytest.raises(ServiceError) as exc:
        s.import_key_result_values(cast.org, None, kr, [(ancient, 50)])
    assert "recorded_at" in exc.value.fields
    kr.refresh_from_db()
    assert kr.current == 0 and kr.values.count() == 1
