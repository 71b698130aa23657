"""A yes-or-no filter of the API's lists selects both ways: `true` keeps what matches,
`false` the others, and leaving it out lists everything (as `late` of the dependencies
list does). `overdue=false` once listed every item, the overdue among them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.decisions import services
from tests.conftest import api_client


def _listed(client, path, **params) -> set[str]:
    resp = client.get(path, params)
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["count"] == len(body["items"])
    return {i.get("question") or i.get("title") for i in body["items"]}


@pytest.fixture
def decisions(cast):
    long_ago = timezone.now() - dt.timedelta(days=30)
    today = timezone.localdate()
    services.create_decision(
        cast.org,
        None,
        "Late for Leo?",
        approver=cast.leader,
        opened_at=long_ago,
        decide_by=today - dt.timedelta(days=3),
    )
    services.create_decision(
        cast.org,
        None,
        "Late for the admin?",
        approver=cast.admin,
        opened_at=long_ago,
        decide_by=today - dt.timedelta(days=3),
    )
    services.create_decision(cast.org, None, "In time for Leo?", approver=cast.leader)
    decided = services.create_decision(
        cast.org,
        None,
        "Decided late?",
        approver=cast.leader,
        opened_at=long_ago,
        decide_by=today - dt.timedelta(days=3),
    )
    services.decide(cast.org, None, decided, "Yes")
    services.create_decision(cast.org, None, "Undated for Leo?", approver=cast.leader)


EVERY_DECISION = {
    "Late for Leo?",
    "Late for the admin?",
    "In time for Leo?",
    "Decided late?",
    "Undated for Leo?",
}


def test_decisions_overdue_true_false_and_absent(cast, decisions):
    client = api_client(cast.leader)
    overdue = {"Late for Leo?", "Late for the admin?"}
    assert _listed(client, "/api/v1/decisions", overdue="true") == overdue
    assert _listed(client, "/api/v1/decisions", overdue="false") == EVERY_DECISION - overdue
    assert _listed(client, "/api/v1/decisions") == EVERY_DECISION


def test_decisions_waiting_on_me_true_false_and_absent(cast, decisions):
    client = api_client(cast.leader)
    mine = {"Late for Leo?", "In time for Leo?", "Undated for Leo?"}
    assert _listed(client, "/api/v1/decisions", waiting_on_me="true") == mine
    assert _listed(client, "/api/v1/decisions", waiting_on_me="false") == EVERY_DECISION - mine
    assert _listed(client, "/api/v1/decisions") == EVERY_DECISION
    # Both at once: overdue, and not waiting on Leo.
    both = _listed(client, "/api/v1/decisions", overdue="true", waiting_on_me="false")
    assert both == {"Late for the admin?"}


def test_the_log_page_still_lists_every_decision_unticked(cast, decisions):
    """The page's *Only overdue* box unticked lists them all, as before."""
    from tests.conftest import login

    page = login(cast.leader).get("/o/acme/decisions/").content.decode()
    assert all(q in page for q in EVERY_DECISION)
    page = login(cast.leader).get("/o/acme/decisions/", {"overdue": "on"}).content.decode()
    assert "Late for Leo?" in page and "In time for Leo?" not in page


def test_action_items_overdue_true_false_and_absent(cast, action_item):
    action_item("Overdue", cast.member, cast.platform, -5)
    action_item("Done late", cast.member, cast.platform, -10, done=True)
    action_item("Due later", cast.member, cast.platform, 4)
    action_item("Due today", cast.member, cast.platform, 0)
    client = api_client(cast.admin)
    every = {"Overdue", "Done late", "Due later", "Due today"}
    assert _listed(client, "/api/v1/action-items", overdue="true") == {"Overdue"}
    assert _listed(client, "/api/v1/action-items", overdue="false") == every - {"Overdue"}
    assert _listed(client, "/api/v1/action-items") == every
    # With another filter: Platform's items not overdue.
    team = _listed(client, "/api/v1/action-items", overdue="false", team_id=cast.platform.pk)
    assert team == every - {"Overdue"}


def test_issues_stale_true_false_and_absent(cast):
    old = timezone.now() - dt.timedelta(days=20)
    services.raise_issue(cast.org, None, cast.platform, "Stuck", opened_at=old)
    services.raise_issue(cast.org, None, cast.platform, "Fresh")
    client = api_client(cast.admin)
    assert _listed(client, "/api/v1/issues", stale="true") == {"Stuck"}
    assert _listed(client, "/api/v1/issues", stale="false") == {"Fresh"}
    assert _listed(client, "/api/v1/issues") == {"Stuck", "Fresh"}


def test_a_filter_that_is_not_yes_or_no_is_refused(cast):
    client = api_client(cast.admin)
    for path, name in (
        ("/api/v1/decisions", "overdue"),
        ("/api/v1/decisions", "waiting_on_me"),
        ("/api/v1/action-items", "overdue"),
        ("/api/v1/issues", "stale"),
    ):
        resp = client.get(path, {name: "maybe"})
        assert resp.status_code == 422, (path, name)
        assert name in resp.content.decode()
