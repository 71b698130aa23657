"""A call sent twice (a retry, an assistant repeating itself) makes one decision, issue or
action item: the second is refused with code `duplicate` naming the first, unless sent
with `"again": true`. The rule is the services' (`queries.twin_*`), so the pages, the API
and MCP refuse the same; Accord's own writes (imports, the demo) are not second clicks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.core.errors import Duplicate
from accord.decisions import services
from accord.decisions.models import ActionItem, Decision, Issue
from tests.conftest import api_client


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def _refused_as_twin(response, first_id: int) -> dict:
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "duplicate"
    assert error["existing_id"] == first_id
    assert f"#{first_id}" in error["message"]
    assert "again" in error["fields"]
    return error


def test_an_action_item_sent_twice_is_recorded_once_unless_sent_again(cast):
    client = api_client(cast.member)
    body = {"title": "Book the venue", "owner_id": cast.member.pk, "team_id": cast.platform.pk}
    first = _post(client, "/api/v1/action-items", body)
    assert first.status_code == 201, first.content
    error = _refused_as_twin(_post(client, "/api/v1/action-items", body), first.json()["id"])
    assert "You recorded this action item for Mia Member" in error["message"]
    assert ActionItem.objects.filter(title="Book the venue").count() == 1
    again = _post(client, "/api/v1/action-items", {**body, "again": True})
    assert again.status_code == 201, again.content
    assert ActionItem.objects.filter(title="Book the venue").count() == 2


def test_a_decision_sent_twice_is_opened_once_unless_sent_again(cast):
    client = api_client(cast.member)
    body = {"question": "Which queue do we use?", "approver_id": cast.leader.pk}
    first = _post(client, "/api/v1/decisions", body)
    assert first.status_code == 201, first.content
    error = _refused_as_twin(_post(client, "/api/v1/decisions", body), first.json()["id"])
    assert "for Leo Leader to decide" in error["message"]
    assert Decision.objects.filter(question="Which queue do we use?").count() == 1
    assert _post(client, "/api/v1/decisions", {**body, "again": True}).status_code == 201
    assert Decision.objects.filter(question="Which queue do we use?").count() == 2


def test_an_issue_sent_twice_is_raised_once_unless_sent_again(cast):
    client = api_client(cast.member)
    body = {"title": "Deploys are slow", "team_id": cast.platform.pk}
    first = _post(client, "/api/v1/issues", body)
    assert first.status_code == 201, first.content
    _refused_as_twin(_post(client, "/api/v1/issues", body), first.json()["id"])
    assert Issue.objects.filter(title="Deploys are slow").count() == 1
    assert _post(client, "/api/v1/issues", {**body, "again": True}).status_code == 201
    assert Issue.objects.filter(title="Deploys are slow").count() == 2


def test_the_services_refuse_the_twin_whoever_calls_them(cast):
    item = services.create_action_item(cast.org, cast.member, "Write it up", cast.member)
    with pytest.raises(Duplicate) as refused:
        services.create_action_item(cast.org, cast.member, "  write it up ", cast.member)
    assert refused.value.code == "duplicate" and refused.value.existing_id == item.pk
    # Someone else, another owner, or long ago: not the same one again.
    services.create_action_item(cast.org, cast.leader, "Write it up", cast.member)
    services.create_action_item(cast.org, cast.member, "Write it up", cast.leader)
    ActionItem.objects.filter(pk=item.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=11)
    )
    services.create_action_item(cast.org, cast.member, "Write it up", cast.member)
    # Accord's own writes (an import, the demo) record what they are given.
    services.create_action_item(cast.org, None, "Write it up", cast.member)
    services.create_action_item(cast.org, None, "Write it up", cast.member)


def test_a_due_date_in_the_past_is_refused_for_a_new_action_item(cast):
    client = api_client(cast.member)
    body = {"title": "Backfill the report", "owner_id": cast.member.pk, "due_on": "1999-01-01"}
    response = _post(client, "/api/v1/action-items", body)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "past_date"
    assert error["fields"]["due_on"] == ["The date is in the past; choose today or later."]
    assert not ActionItem.objects.filter(title="Backfill the report").exists()
    today = timezone.localdate().isoformat()
    assert _post(client, "/api/v1/action-items", {**body, "due_on": today}).status_code == 201


def test_history_keeps_its_past_due_dates(cast):
    """The demo dates its items back (`created_at`), a meeting's story records them as
    Accord (`actor` None): both keep the due date they had."""
    long_ago = timezone.now() - dt.timedelta(days=30)
    past = timezone.localdate() - dt.timedelta(days=25)
    dated = services.create_action_item(
        cast.org, cast.leader, "Old work", cast.member, due_on=past, created_at=long_ago
    )
    as_accord = services.create_action_item(cast.org, None, "Old work", cast.member, due_on=past)
    assert dated.due_on == past and as_accord.due_on == past
