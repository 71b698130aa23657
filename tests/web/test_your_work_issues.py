"""A head sees on her home page the open issues sitting at the teams she leads (raised
there or escalated to them), most severe first, a few with a link to the rest; her inbox
line for an issue says how severe it is."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.conversation.models import InboxItem
from accord.decisions import services as decisions
from accord.org import services as org_services
from accord.org.models import MembershipRole
from tests.conftest import login
from tests.web.test_your_work import text_of, work_card


@pytest.fixture
def head(cast):
    """Leo leads Acme, the team above Platform."""
    org_services.add_membership(
        cast.org, None, person=cast.leader, team=cast.root, role=MembershipRole.LEAD
    )
    return cast.leader


def test_an_escalated_critical_issue_is_on_the_heads_home_most_severe_first(cast, head):
    outage = decisions.raise_issue(
        cast.org, cast.member, cast.platform, "Storefront down after IdP key expiry",
        severity="critical",
    )  # fmt: skip
    decisions.escalate_issue(cast.org, cast.member, outage, "Needs two departments")
    decisions.raise_issue(cast.org, cast.member, cast.root, "Office wifi drops", severity="low")
    decisions.raise_issue(cast.org, cast.member, cast.root, "Hiring freeze", severity="high")
    decisions.raise_issue(cast.org, cast.member, cast.platform, "Flaky builds")  # Platform's
    solved = decisions.raise_issue(cast.org, cast.member, cast.root, "Old news")
    decisions.solve_issue(cast.org, head, solved, "Done")
    card = work_card(login(head).get("/o/acme/").content.decode())
    text = text_of(card)
    assert "Issues at your teams" in text
    shown = re.findall(r"(Storefront down|Office wifi|Hiring freeze|Flaky builds|Old news)", text)
    assert shown == ["Storefront down", "Hiring freeze", "Office wifi"]
    assert "Storefront down after IdP key expiry critical Acme since" in text
    assert f'href="/o/acme/decisions/issues/{outage.pk}/"' in card
    # The person page says the same of her to anyone.
    text = text_of(work_card(login(cast.member).get(f"/o/acme/people/{head.pk}/").text))
    assert "Issues at the teams Leo Leader leads" in text and "Storefront down" in text
    # Someone who leads no team is shown none.
    assert "Issues at" not in text_of(work_card(login(cast.member).get("/o/acme/").text))


def test_a_few_are_shown_with_a_link_to_the_teams_list_and_cost_no_query_per_row(cast, head):
    decisions.raise_issue(cast.org, cast.member, cast.root, "Issue 0", severity="high")
    client = login(head)
    client.get("/o/acme/")
    with CaptureQueriesContext(connection) as one:
        client.get("/o/acme/")
    for n in range(1, 8):
        decisions.raise_issue(cast.org, cast.member, cast.root, f"Issue {n}")
    with CaptureQueriesContext(connection) as many:
        card = work_card(client.get("/o/acme/").content.decode())
    assert len(re.findall(r"Issue \d", text_of(card))) == 5
    assert "All 8:" in text_of(card)
    assert 'href="/o/acme/decisions/issues/?team=acme&only=1">Acme →' in card
    # Past the first five: the count and the teams to link to, once.
    assert len(many.captured_queries) <= len(one.captured_queries) + 2


def test_the_inbox_line_of_an_issue_says_its_severity(cast, head):
    outage = decisions.raise_issue(
        cast.org, cast.member, cast.platform, "Storefront down", severity="critical"
    )
    decisions.escalate_issue(cast.org, cast.member, outage, "Needs two departments")
    (item,) = InboxItem.objects.filter(person=head, done_at__isnull=True)
    assert item.title == "Critical · Issue for Acme: Storefront down"
    # High is said too; the usual (medium) and low are not marked.
    for severity, said in (
        ("high", "High severity · Issue"),
        ("medium", "Issue"),
        ("low", "Issue"),
    ):
        decisions.raise_issue(
            cast.org, cast.member, cast.root, f"A {severity} one", severity=severity
        )
        line = InboxItem.objects.get(person=head, title__endswith=f"A {severity} one").title
        assert line == f"{said} for Acme: A {severity} one"
