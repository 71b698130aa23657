"""Dates a person enters lie in 1900 to 2999 (the one rule of accord.core.dates), on the
page, through the API and from the services; a revisit date is on or after the day the
decision was opened. Refusals name the field and change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.core.errors import ServiceError
from accord.decisions import services
from accord.decisions.models import ActionItem, Decision
from tests.conftest import api_client, login
from tests.decisions.helpers import counts

RANGE = "1900 to 2999"


@pytest.mark.parametrize("due", ["9999-12-31", "3000-01-01", "0001-01-01"])
def test_an_action_item_due_outside_the_supported_years_is_refused_by_the_service(cast, due):
    before = counts(cast.org)
    with pytest.raises(ServiceError) as exc:
        services.create_action_item(cast.org, cast.member, "Ship it", cast.member, due_on=due)
    assert exc.value.code == "out_of_range" and RANGE in exc.value.message
    assert f"({due})" in exc.value.message
    assert RANGE in exc.value.fields["due_on"][0]
    assert counts(cast.org) == before


def test_an_action_item_due_on_the_last_supported_day_is_accepted(cast):
    item = services.create_action_item(
        cast.org, cast.member, "Ship it", cast.member, due_on=dt.date(2999, 12, 31)
    )
    assert item.due_on == dt.date(2999, 12, 31)


def test_the_action_item_page_refuses_a_due_date_in_year_9999_beside_the_field(cast):
    before = ActionItem.objects.count()
    response = login(cast.leader).post(
        "/o/acme/decisions/actions/new/",
        {"title": "Ship the guide", "owner": cast.member.pk, "due_on": "9999-12-31"},
        follow=True,
    )
    assert f"Due: Dates are supported from {RANGE}." in response.content.decode()
    assert ActionItem.objects.count() == before


def test_the_api_refuses_an_action_item_due_in_year_9999(cast):
    client = api_client(cast.member)
    before = counts(cast.org)
    response = client.post(
        "/api/v1/action-items",
        {"title": "Ship it", "owner_id": cast.member.pk, "due_on": "9999-12-31"},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert RANGE in error["message"] and "due_on" in error["fields"]
    assert counts(cast.org) == before


def test_changing_an_action_item_to_year_9999_is_refused(cast):
    item = services.create_action_item(cast.org, cast.member, "Ship it", cast.member)
    with pytest.raises(ServiceError) as exc:
        services.update_action_item(cast.org, cast.member, item, due_on=dt.date(9999, 12, 31))
    assert "due_on" in exc.value.fields
    item.refresh_from_db()
    assert item.due_on is None


def test_a_decide_by_date_in_year_9999_is_refused(cast):
    before = counts(cast.org)
    with pytest.raises(ServiceError) as exc:
        services.create_decision(
            cast.org, cast.member, "Far off?", approver=cast.leader, decide_by="9999-12-31"
        )
    assert RANGE in exc.value.message and "decide_by" in exc.value.fields
    assert counts(cast.org) == before


def test_a_revisit_date_in_year_1_is_refused_and_written_with_four_digits(cast):
    before = counts(cast.org)
    with pytest.raises(ServiceError) as exc:
        services.create_decision(
            cast.org, cast.member, "Old?", approver=cast.leader, revisit_on=dt.date(1, 1, 1)
        )
    assert "(0001-01-01)" in exc.value.message and "revisit_on" in exc.value.fields
    assert counts(cast.org) == before


def test_a_revisit_date_before_the_decision_was_opened_is_refused(cast):
    before = counts(cast.org)
    opened = timezone.now() - dt.timedelta(days=10)
    with pytest.raises(ServiceError) as exc:
        services.create_decision(
            cast.org,
            None,
            "Backdated",
            approver=cast.leader,
            opened_at=opened,
            revisit_on=timezone.localdate(opened) - dt.timedelta(days=1),
        )
    assert "before the decision was opened" in exc.value.message
    assert "revisit_on" in exc.value.fields
    assert counts(cast.org) == before


def test_a_revisit_date_on_the_opening_day_or_between_it_and_today_is_accepted(cast):
    opened = timezone.now() - dt.timedelta(days=10)
    d = services.create_decision(
        cast.org,
        None,
        "Backdated",
        approver=cast.leader,
        opened_at=opened,
        revisit_on=timezone.localdate(opened) + dt.timedelta(days=2),
    )
    assert d.revisit_on == timezone.localdate(opened) + dt.timedelta(days=2)
    same_day = services.create_decision(
        cast.org, cast.member, "Today", approver=cast.leader, revisit_on=timezone.localdate()
    )
    assert same_day.revisit_on == timezone.localdate()


def test_moving_a_revisit_date_before_the_opening_is_refused(cast):
    d = services.create_decision(cast.org, cast.member, "When?", approver=cast.leader)
    yesterday = timezone.localdate(d.opened_at) - dt.timedelta(days=1)
    with pytest.raises(ServiceError) as exc:
        services.update_decision(cast.org, cast.member, d, revisit_on=yesterday)
    assert "revisit_on" in exc.value.fields
    d.refresh_from_db()
    assert d.revisit_on is None


def test_an_opening_in_year_1_is_refused(cast):
    before = counts(cast.org)
    with pytest.raises(ServiceError) as exc:
        services.create_decision(
            cast.org,
            None,
            "Ancient",
            approver=cast.leader,
            opened_at=dt.datetime(1, 1, 2, tzinfo=dt.UTC),
        )
    assert "opened_at" in exc.value.fields and RANGE in exc.value.message
    assert counts(cast.org) == before


def test_the_decision_page_shows_each_refused_date_beside_its_field(cast):
    before = Decision.objects.count()
    response = login(cast.member).post(
        "/o/acme/decisions/new/",
        {
            "question": "Far off?",
            "approver": cast.leader.pk,
            "driver": cast.member.pk,
            "decide_by": "9999-12-31",
            "revisit_on": "0001-01-01",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["decide_by"] == [f"Dates are supported from {RANGE}."]
    assert form.errors["revisit_on"] == [f"Dates are supported from {RANGE}."]
    assert Decision.objects.count() == before


def test_the_decision_page_refuses_a_revisit_date_before_today_beside_the_field(cast):
    response = login(cast.member).post(
        "/o/acme/decisions/new/",
        {
            "question": "When?",
            "approver": cast.leader.pk,
            "driver": cast.member.pk,
            "revisit_on": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "revisit_on" in response.context["form"].errors
    assert not Decision.objects.filter(question="When?").exists()


def test_the_api_refuses_a_revisit_date_before_the_opening(cast):
    client = api_client(cast.member)
    before = counts(cast.org)
    response = client.post(
        "/api/v1/decisions",
        {
            "question": "When?",
            "approver_id": cast.leader.pk,
            "revisit_on": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert "revisit_on" in response.json()["error"]["fields"]
    assert counts(cast.org) == before


def test_a_decision_dated_in_year_9999_is_refused(cast):
    d = services.create_decision(cast.org, cast.member, "Which?", approver=cast.leader)
    with pytest.raises(ServiceError) as exc:
        services.decide(
            cast.org,
            cast.leader,
            d,
            "This one",
            decided_at=dt.datetime(9999, 12, 31, tzinfo=dt.UTC),
        )
    assert "decided_at" in exc.value.fields and RANGE in exc.value.message
    d.refresh_from_db()
    assert d.status == "open" and d.decided_at is None


def test_an_issue_raised_in_year_1_is_refused(cast):
    before = counts(cast.org)
    with pytest.raises(ServiceError) as exc:
        services.raise_issue(
            cast.org,
            None,
            cast.platform,
            "Ancient",
            raised_by=cast.member,
            opened_at=dt.datetime(1, 1, 2, tzinfo=dt.UTC),
        )
    assert "opened_at" in exc.value.fields
    assert counts(cast.org) == before
