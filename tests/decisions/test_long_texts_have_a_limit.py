"""An issue's description and a decision's context, outcome and rationale are long texts
with the one limit every long text has (`LONG_TEXT_MAX`): a pasted wall of text is
refused, with a message naming the field, on the page, through the API and in the
services, and nothing changes."""

from __future__ import annotations

import pytest

from accord.activity.models import Event
from accord.core.errors import ServiceError
from accord.core.services import LONG_TEXT_MAX
from accord.decisions import services
from accord.decisions.models import Decision, Issue
from tests.conftest import api_client, login

WALL = "x" * (LONG_TEXT_MAX + 1)


def test_the_api_refuses_an_issue_description_past_the_limit(cast):
    client = api_client(cast.member)
    before = (Issue.objects.count(), Event.objects.count())
    r = client.post(
        "/api/v1/issues",
        {"team_id": cast.platform.pk, "title": "Slow builds", "description": WALL},
        content_type="application/json",
    )
    assert r.status_code == 422, r.content
    error = r.json()["error"]
    assert "description" in error["fields"] and "too long" in error["message"]
    assert (Issue.objects.count(), Event.objects.count()) == before


@pytest.mark.parametrize("field", ["context", "rationale", "outcome"])
def test_the_api_refuses_a_decision_text_past_the_limit(cast, field):
    client = api_client(cast.member)
    before = (Decision.objects.count(), Event.objects.count())
    r = client.post(
        "/api/v1/decisions",
        {"question": "Which queue?", "approver_id": cast.leader.pk, field: WALL},
        content_type="application/json",
    )
    assert r.status_code == 422, r.content
    assert field in r.json()["error"]["fields"]
    assert (Decision.objects.count(), Event.objects.count()) == before


def test_the_raise_form_refuses_a_description_past_the_limit(cast):
    r = login(cast.member).post(
        "/o/acme/decisions/issues/new/",
        {
            "team": cast.platform.pk,
            "title": "Slow builds",
            "severity": "medium",
            "description": WALL,
        },
    )
    assert r.status_code in (200, 422)
    assert "at most 20,000 characters" in r.content.decode().replace("20000", "20,000")
    assert not Issue.objects.filter(title="Slow builds").exists()


def test_changing_an_issue_or_deciding_is_held_to_the_limit_too(cast):
    issue = services.raise_issue(cast.org, cast.member, cast.platform, "Flaky tests")
    with pytest.raises(ServiceError, match="too long"):
        services.update_issue(cast.org, cast.member, issue, description=WALL)
    issue.refresh_from_db()
    assert issue.description == ""
    d = services.create_decision(cast.org, cast.member, "Which queue?", approver=cast.leader)
    with pytest.raises(ServiceError, match="too long"):
        services.decide(cast.org, cast.leader, d, outcome="Kafka", rationale=WALL)
    d.refresh_from_db()
    assert d.status != "decided" and d.rationale == ""
    # At the limit it is taken.
    services.update_issue(cast.org, cast.member, issue, description="y" * LONG_TEXT_MAX)
