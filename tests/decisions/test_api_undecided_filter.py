"""The API's decision list takes `status=undecided` (open or proposed: both still wait for
their decision), as the log's page offers *Open or proposed*; the schema lists it among the
statuses, and a status it does not know is refused, saying which it takes."""

from __future__ import annotations

from typing import get_args

from accord.decisions import queries, services
from accord.decisions.models import DecisionStatus
from tests.conftest import api_client, login


def test_undecided_lists_the_open_and_proposed_decisions_as_the_log_does(cast):
    services.create_decision(cast.org, None, "Adopt Kafka?", approver=cast.leader)
    proposed = services.create_decision(cast.org, None, "Rename the wiki?", approver=cast.admin)
    services.propose(cast.org, None, proposed, "Call it the handbook")
    decided = services.create_decision(cast.org, None, "Move to Paris?", approver=cast.leader)
    services.decide(cast.org, None, decided, "No")
    client = api_client(cast.member)

    resp = client.get("/api/v1/decisions", {"status": "undecided"})
    assert resp.status_code == 200, resp.content
    listed = {d["question"] for d in resp.json()["items"]}
    assert listed == {"Adopt Kafka?", "Rename the wiki?"}
    assert resp.json()["count"] == 2
    # The same rows as the log's page filtered by *Open or proposed*.
    page = login(cast.member).get("/o/acme/decisions/?status=undecided").content.decode()
    assert all(q in page for q in listed) and "Move to Paris?" not in page
    # One status still lists that status alone.
    resp = client.get("/api/v1/decisions", {"status": "proposed"})
    assert [d["question"] for d in resp.json()["items"]] == ["Rename the wiki?"]


def test_the_schema_offers_undecided_among_the_statuses(cast):
    schema = api_client(cast.member).get("/api/v1/openapi.json").json()
    listing = schema["paths"]["/api/v1/decisions"]["get"]
    params = listing["parameters"]
    status = next(p for p in params if p["name"] == "status")
    choices = status["schema"].get("enum") or next(
        s["enum"] for s in status["schema"]["anyOf"] if "enum" in s
    )
    assert set(choices) == {"undecided", *DecisionStatus.values}
    assert "`undecided` for those open or proposed" in listing["description"]
    # One list of the log's statuses: a decision's, and the log's own "undecided".
    from accord.decisions.api import LogStatus

    assert set(get_args(LogStatus)) == {queries.UNDECIDED_FILTER, *DecisionStatus.values}


def test_a_status_it_does_not_know_is_refused_naming_the_choices(cast):
    resp = api_client(cast.member).get("/api/v1/decisions", {"status": "pending"})
    assert resp.status_code == 422
    said = resp.content.decode()
    assert "status" in said and "undecided" in said
