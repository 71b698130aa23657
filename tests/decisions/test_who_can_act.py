"""Where a page shows its viewer no controls (decide, edit, complete, solve), it says in one
line who may act, in the words the service refuses a forced post with; the person who may
act sees the controls and no such line. Done and Drop on a list offer Undo."""

from __future__ import annotations

import re
from html import unescape

import pytest

from accord.decisions import services
from accord.org import services as org_services
from accord.org.models import MembershipRole
from tests.conftest import login

WHO = re.compile(r"<p[^>]*data-who-acts[^>]*>(.*?)</p>", re.S)


def who_acts(client, url: str) -> list[str]:
    """The page's who-may-act lines, as text."""
    html = client.get(url).content.decode()
    return [" ".join(unescape(re.sub(r"<[^>]+>", "", line)).split()) for line in WHO.findall(html)]


@pytest.fixture
def decision(cast):
    """Leo's question, Ada decides: Mia (a member who neither drives nor contributes) may
    do nothing with it."""
    return services.create_decision(cast.org, cast.leader, "Adopt trunk-based work?", cast.admin)


def test_a_member_is_told_who_decides_and_who_may_edit_an_open_decision(cast, decision):
    url = f"/o/acme/decisions/{decision.pk}/"
    lines = who_acts(login(cast.member), url)
    assert lines == [
        "Ada Admin decides this. To ask, mention @ada.admin in a comment.",
        "Only the decision's driver, approver, contributors, whoever opened it, or a leader "
        "may edit it.",
    ]
    # The approver decides (the form is there) and is told nothing of the kind.
    html = login(cast.admin).get(url).content.decode()
    assert 'aria-labelledby="decide-h"' in html and "data-who-acts" not in html
    # A viewer reads who decides, without the invitation to comment, and why not edit.
    assert who_acts(login(cast.viewer), url) == [
        "Ada Admin decides this.",
        "Only someone with the Member role or above may edit decisions; your role is Viewer.",
    ]


def test_who_may_change_course_on_a_decided_decision(cast, decision):
    services.decide(cast.org, cast.admin, decision, "Trunk", "Small merges.")
    url = f"/o/acme/decisions/{decision.pk}/"
    assert who_acts(login(cast.member), url) == [
        "Only the approver (Ada Admin) or a leader may supersede or reverse it."
    ]
    assert who_acts(login(cast.admin), url) == []


@pytest.fixture
def leos_item(cast):
    return services.create_action_item(
        cast.org, cast.leader, "Write the runbook", cast.leader, team=cast.platform
    )


def test_a_member_is_told_who_may_complete_someone_elses_action_item(cast, leos_item):
    url = f"/o/acme/decisions/actions/{leos_item.pk}/"
    assert who_acts(login(cast.member), url) == [
        "Only its owner (Leo Leader), whoever recorded it (Leo Leader), Platform's lead or a "
        "leader may complete, drop or edit it."
    ]
    html = login(cast.leader).get(url).content.decode()
    assert "Mark done" in html and "data-who-acts" not in html
    services.complete_action_item(cast.org, cast.leader, leos_item)
    assert who_acts(login(cast.member), url) == [
        "Only its owner (Leo Leader), whoever recorded it (Leo Leader), Platform's lead or a "
        "leader may reopen it."
    ]
    assert who_acts(login(cast.leader), url) == []


def test_a_member_is_told_who_may_solve_another_teams_issue(cast):
    data = org_services.create_team(cast.org, None, name="Data", slug="data", parent=cast.root)
    issue = services.raise_issue(cast.org, cast.leader, data, "Stale dashboards")
    url = f"/o/acme/decisions/issues/{issue.pk}/"
    assert who_acts(login(cast.member), url) == [
        "Only people of Data or a leader may solve, escalate or drop it."
    ]
    assert who_acts(login(cast.leader), url) == []
    org_services.add_membership(
        cast.org, None, person=cast.member, team=data, role=MembershipRole.MEMBER, allocation=50
    )
    html = login(cast.member).get(url).content.decode()
    assert "Mark solved" in html and "data-who-acts" not in html


@pytest.mark.parametrize(("action", "said"), [("complete", "Done"), ("drop", "Dropped")])
def test_done_or_drop_on_a_list_is_undone_from_its_message(cast, action, said):
    item = services.create_action_item(
        cast.org, cast.leader, "Tidy the wiki", cast.member, team=cast.platform
    )
    client = login(cast.member)
    listed = "/o/acme/decisions/actions/?team=platform"
    answer = client.post(
        f"/o/acme/decisions/actions/{item.pk}/{action}/", {"next": listed}, follow=True
    )
    html = answer.content.decode()
    reopen = f"/o/acme/decisions/actions/{item.pk}/reopen/"
    form = re.search(r'<form id="(msg-undo-\d+)" method="post" action="([^"]+)" hidden>', html)
    assert form and form[2] == reopen, html[html.find('class="messages"') :][:600]
    message = re.search(r'<p class="msg msg--success">(.*?)</p>', html, re.S)[1]
    assert f"{said}: Tidy the wiki." in message
    assert f'form="{form[1]}"' in message and ">Undo</button>" in message
    item.refresh_from_db()
    assert item.status != "open"

    # Undo comes back to the list, the item open again; that message offers no Undo.
    undone = client.post(reopen, {"next": listed}, follow=True)
    assert undone.redirect_chain[-1][0] == listed
    item.refresh_from_db()
    assert item.status == "open"
    html = undone.content.decode()
    assert "Reopened: Tidy the wiki." in html and "msg-undo" not in html
