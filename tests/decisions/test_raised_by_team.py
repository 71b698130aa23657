"""A team follows the issues it raised after they are escalated: the issues list's "raised
by this team" filter (wherever they sit now, and where that is), linked from its list and
its team page; the API's `raised_in_id`. Also: the new-issue address answers a GET, and the
pages with two reason forms give each field an id of its own."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from accord.decisions import services
from accord.org import services as org_services
from accord.org.models import MembershipRole
from tests.conftest import api_client, login


@pytest.fixture
def squad(cast):
    """Acme > Platform > Payments, the member leading Payments."""
    team = org_services.create_team(
        cast.org, None, name="Payments", slug="payments", parent=cast.platform
    )
    org_services.add_membership(
        cast.org, None, person=cast.member, team=team, role=MembershipRole.LEAD, allocation=50
    )
    return team


@pytest.fixture
def escalated(cast, squad):
    issue = services.raise_issue(cast.org, cast.member, squad, "Staging out of capacity")
    services.escalate_issue(cast.org, cast.member, issue, "Needs budget")
    services.raise_issue(cast.org, cast.member, squad, "Flaky card tests")  # stays
    return issue


def _titles(body: str) -> list[str]:
    return re.findall(r'<h2 class="issue-title"><a href="[^"]+">([^<]+)</a>', body)


def test_the_teams_list_links_to_what_it_raised_and_where_it_sits_now(cast, escalated):
    client = login(cast.member)
    own = client.get("/o/acme/decisions/issues/?team=payments").content.decode()
    assert _titles(own) == ["Flaky card tests"]
    assert "1 issue raised here now sits higher up" in own
    assert 'href="?team=payments&amp;raised=1&amp;show=open"' in own

    raised = client.get("/o/acme/decisions/issues/?team=payments&raised=1")
    body = raised.content.decode()
    assert raised.status_code == 200
    assert "<h1>Issues · raised by Payments</h1>" in body
    assert sorted(_titles(body)) == ["Flaky card tests", "Staging out of capacity"]
    card = body.split("Staging out of capacity")[1].split("</li>")[0]
    assert 'now at <a href="?team=platform">Platform</a>' in card
    assert "escalated 1 time" in card
    assert 'name="raised" value="1" checked' in body


def test_closed_issues_it_raised_are_listed_too(cast, escalated):
    services.solve_issue(cast.org, cast.leader, escalated, "Bought nodes")
    client = login(cast.member)
    body = client.get("/o/acme/decisions/issues/?team=payments&raised=1&show=closed")
    assert _titles(body.content.decode()) == ["Staging out of capacity"]
    # Nothing open sits higher up any more: the list offers the filter without a count.
    own = client.get("/o/acme/decisions/issues/?team=payments").content.decode()
    assert "Issues raised by Payments, wherever they sit now" in own


def test_a_department_follows_what_its_teams_raised(cast, escalated):
    services.escalate_issue(cast.org, cast.leader, escalated, "Needs the exec team")
    client = login(cast.member)
    body = client.get("/o/acme/decisions/issues/?team=platform").content.decode()
    assert "1 issue raised here now sits higher up" in body
    raised = client.get("/o/acme/decisions/issues/?team=platform&raised=1").content.decode()
    assert sorted(_titles(raised)) == ["Flaky card tests", "Staging out of capacity"]
    only = client.get("/o/acme/decisions/issues/?team=platform&raised=1&only=1")
    assert _titles(only.content.decode()) == []  # raised in Payments, not Platform itself


def test_the_team_page_links_to_what_it_raised(cast, escalated):
    body = login(cast.member).get("/o/acme/teams/payments/").content.decode()
    link = 'href="/o/acme/decisions/issues/?team=payments&amp;raised=1"'
    assert f"{link}>Issues raised by Payments, wherever they sit now" in body


def test_the_api_filters_by_the_team_that_raised_them(cast, escalated, squad):
    api = api_client(cast.member)
    at = api.get(f"/api/v1/issues?team_id={squad.pk}").json()["items"]
    assert [i["title"] for i in at] == ["Flaky card tests"]
    raised = api.get(f"/api/v1/issues?raised_in_id={squad.pk}").json()["items"]
    assert sorted(i["title"] for i in raised) == ["Flaky card tests", "Staging out of capacity"]
    assert api.get("/api/v1/issues?raised_in_id=999999").status_code == 404


def test_the_new_issue_address_answers_a_get_with_the_form(cast, squad):
    """Its own page (tests/decisions/test_raising_an_issue.py), for the team it names."""
    client = login(cast.member)
    answer = client.get("/o/acme/decisions/issues/new/?team=payments")
    assert answer.status_code == 200
    assert 'name="team" value="payments"' not in answer.content.decode()  # chosen by id
    assert f'name="team" value="{squad.pk}" data-picker-value' in answer.content.decode()
    assert client.get("/o/acme/decisions/issues/new/?team=nope").status_code == 404
    # Links made for the list's old form ("#raise-h") land on its "Raise an issue".
    page = client.get("/o/acme/decisions/issues/?team=payments").content.decode()
    assert 'id="raise-h" href="/o/acme/decisions/issues/new/?team=payments"' in page


def _duplicate_ids(body: str) -> list[str]:
    return [i for i, n in Counter(re.findall(r'\sid="([^"]+)"', body)).items() if n > 1]


def test_the_decision_and_issue_pages_give_each_reason_field_its_own_id(cast, squad):
    from accord.decisions import services as d

    first = d.create_decision(cast.org, cast.leader, "Which cloud?", approver=cast.leader)
    d.decide(cast.org, cast.leader, first, outcome="AWS")
    second = d.create_decision(cast.org, cast.leader, "Which region?", approver=cast.leader)
    client = login(cast.leader)
    body = client.get(f"/o/acme/decisions/{first.pk}/").content.decode()
    assert "Reverse decision" in body and "Supersede" in body
    assert 'id="id_reverse_reason"' in body and 'id="id_supersede_reason"' in body
    assert _duplicate_ids(body) == []
    # The posts keep the fields' names.
    reversed_ = client.post(f"/o/acme/decisions/{first.pk}/reverse/", {"reason": "Too dear"})
    assert reversed_.status_code == 302
    first.refresh_from_db()
    assert first.status == "reversed"
    d.decide(cast.org, cast.leader, second, outcome="eu-west")
    issue = services.raise_issue(cast.org, cast.member, squad, "Card fees doubled")
    page = login(cast.member).get(f"/o/acme/decisions/issues/{issue.pk}/").content.decode()
    assert 'id="id_escalate_reason"' in page and 'id="id_drop_reason"' in page
    assert _duplicate_ids(page) == []
    dropped = login(cast.member).post(
        f"/o/acme/decisions/issues/{issue.pk}/drop/", {"reason": "Fees went back"}
    )
    assert dropped.status_code == 302
    issue.refresh_from_db()
    assert issue.status == "dropped"


def test_the_list_says_how_long_ago_an_issue_was_raised_as_the_rest_of_accord_does(cast, squad):
    """A fresh issue was raised "just now", not "0 minutes ago"; an old one on a day, not a
    sum of weeks and days ago."""
    import datetime as dt

    from django.utils import timezone

    from accord.decisions.models import Issue

    fresh = services.raise_issue(cast.org, cast.member, squad, "Fresh issue")
    old = services.raise_issue(cast.org, cast.member, squad, "Old issue")
    Issue.objects.filter(pk=old.pk).update(opened_at=timezone.now() - dt.timedelta(days=17))
    body = login(cast.member).get("/o/acme/decisions/issues/?team=payments").content.decode()

    def card(title: str) -> str:
        return body.split(f">{title}</a>")[1].split("</li>")[0]

    assert f'datetime="{timezone.localtime(fresh.opened_at).isoformat()}">just now</time>' in (
        card("Fresh issue")
    )
    assert "0 minutes" not in body
    assert "weeks" not in card("Old issue") and " ago" not in card("Old issue")
