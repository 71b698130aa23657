"""Deciding makes a record final, so the approver says why: on the decision's page and
through the API, a decision without a rationale is refused, clearly, and nothing changes.
Files and imports still record decisions that have none (history may lack one)."""

from __future__ import annotations

import pytest

from accord.decisions import services
from accord.decisions.models import Decision, DecisionStatus
from tests.conftest import api_client, login
from tests.decisions.helpers import counts


@pytest.fixture
def decision(cast):
    return services.create_decision(
        cast.org, cast.member, "Which queue do we adopt?", approver=cast.leader
    )


def _decide_form(page: str, d: Decision) -> str:
    return page[page.index(f'action="/o/acme/decisions/{d.pk}/decide/"') :].split("</form>")[0]


@pytest.mark.parametrize("rationale", ["", "   "])
def test_the_page_refuses_a_decision_without_a_rationale_and_changes_nothing(
    cast, decision, rationale
):
    before = counts(cast.org)
    response = login(cast.leader).post(
        f"/o/acme/decisions/{decision.pk}/decide/", {"outcome": "Kafka", "rationale": rationale}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "A decision needs a rationale; nothing was decided." in page
    form = _decide_form(page, decision)
    assert "Say why this outcome: the record keeps it." in form  # beside the field
    assert "Kafka" in form  # what was typed stays
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.OPEN and decision.outcome == ""
    assert counts(cast.org) == before


def test_the_approvers_form_asks_for_the_rationale(cast, decision):
    page = login(cast.leader).get(f"/o/acme/decisions/{decision.pk}/").content.decode()
    form = _decide_form(page, decision)
    assert "required" in form.split('name="rationale"')[1].split(">")[0]
    assert "Required: the decision is final once made." in form


def test_the_page_decides_with_a_rationale(cast, decision):
    response = login(cast.leader).post(
        f"/o/acme/decisions/{decision.pk}/decide/",
        {"outcome": "Kafka", "rationale": "Replay matters"},
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DECIDED
    assert decision.rationale == "Replay matters"


def test_someone_else_is_refused_as_before_not_asked_for_a_rationale(cast, decision):
    response = login(cast.admin).post(f"/o/acme/decisions/{decision.pk}/decide/", {"outcome": "X"})
    assert response.status_code == 403


def test_the_api_refuses_a_decision_without_a_rationale(cast, decision):
    client = api_client(cast.leader)
    before = counts(cast.org)
    response = client.post(
        f"/api/v1/decisions/{decision.pk}/decide",
        {"outcome": "Kafka"},
        content_type="application/json",
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "rationale_required"
    assert "rationale" in error["message"]
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.OPEN
    assert counts(cast.org) == before


def test_the_api_takes_the_proposals_rationale(cast, decision):
    services.propose(cast.org, cast.member, decision, "Kafka", "Replay matters")
    response = api_client(cast.leader).post(
        f"/api/v1/decisions/{decision.pk}/decide", {}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["rationale"] == "Replay matters"


def test_files_and_imports_may_still_record_a_decision_without_one(cast, decision):
    services.decide(cast.org, None, decision, "Kafka", as_history=True)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DECIDED and decision.rationale == ""
