"""Bad input gets a clear error and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.core.errors import ServiceError
from accord.decisions import services
from tests.conftest import api_client
from tests.decisions.helpers import counts


def test_it_refuses_two_approvers(cast):
    before = counts(cast.org)
    with pytest.raises(ServiceError) as exc:
        services.create_decision(
            cast.org, cast.member, "Who decides?", approver=[cast.leader, cast.admin]
        )
    assert exc.value.fields["approver"] == ["Choose exactly one approver."]
    assert "exactly one approver" in exc.value.message
    assert counts(cast.org) == before


def test_the_api_refuses_two_approvers(cast):
    client = api_client(cast.member)
    before = counts(cast.org)
    resp = client.post(
        "/api/v1/decisions",
        {"question": "Who decides?", "approver_id": [cast.leader.pk, cast.admin.pk]},
        content_type="application/json",
    )
    assert resp.status_code == 422
    assert "approver_id" in resp.json()["error"]["fields"]
    assert counts(cast.org) == before


def test_it_refuses_a_decide_by_date_in_the_past_on_creation(cast):
    before = counts(cast.org)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ServiceError) as exc:
        services.create_decision(
            cast.org, cast.member, "Late already?", approver=cast.leader, decide_by=yesterday
        )
    assert "in the past" in exc.value.message and "decide_by" in exc.value.fields
    assert counts(cast.org) == before


def test_it_refuses_an_action_item_owner_from_another_organization(cast):
    before = counts(cast.org)
    with pytest.raises(ServiceError) as exc:
        services.create_action_item(cast.org, cast.member, "Call the bank", owner=cast.outsider)
    assert exc.value.code == "unknown_reference" and "owner" in exc.value.fields
    assert counts(cast.org) == before
    assert counts(cast.other_org)[2] == 0


def test_the_api_refuses_an_owner_from_another_organization(cast):
    client = api_client(cast.member)
    before = counts(cast.org)
    resp = client.post(
        "/api/v1/action-items",
        {"title": "Call the bank", "owner_id": cast.outsider.pk},
        content_type="application/json",
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == {"owner_id": [f"Unknown person {cast.outsider.pk}."]}
    assert counts(cast.org) == before


def test_it_refuses_an_approver_or_team_from_another_organization(cast):
    before = counts(cast.org)
    with pytest.raises(ServiceError):
        services.create_decision(cast.org, cast.member, "Q?", approver=cast.outsider)
    with pytest.raises(ServiceError):
        services.create_decision(
            cast.org, cast.member, "Q?", approver=cast.leader, teams=[cast.other_team]
        )
    with pytest.raises(ServiceError):
        services.raise_issue(cast.org, cast.member, cast.other_team, "Not ours")
    assert counts(cast.org) == before


def test_it_refuses_an_empty_question_and_an_unknown_severity(cast):
    before = counts(cast.org)
    with pytest.raises(ServiceError) as exc:
        services.create_decision(cast.org, cast.member, "  ", approver=cast.leader)
    assert "question" in exc.value.fields
    with pytest.raises(ServiceError) as exc:
        services.raise_issue(cast.org, cast.member, cast.platform, "Hot", severity="apocalyptic")
    assert "severity" in exc.value.fields
    with pytest.raises(ServiceError):
        services.create_action_item(
            cast.org, cast.member, "From nowhere", cast.member, source_type="rhythm.nothing"
        )
    assert counts(cast.org) == before
