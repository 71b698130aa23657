"""An issue solved by a decision shows that decision's action items beside its own, so
that follow-up still open is in sight; its Solve form says how many action items of the
decision chosen are still open before it is solved (a notice: solving is not refused)."""

from __future__ import annotations

import pytest

from accord.decisions import services
from accord.decisions.models import IssueStatus
from tests.conftest import login


@pytest.fixture
def outage(cast):
    issue = services.raise_issue(
        cast.org, cast.member, cast.platform, "Storefront down", severity="critical"
    )
    d = services.create_decision(
        cast.org, cast.member, "Roll back or hotfix?", approver=cast.leader
    )
    services.decide(cast.org, cast.leader, d, "Roll back and rotate the key")
    rotate = services.create_action_item(
        cast.org, cast.leader, "Rotate the IdP key", cast.member,
        source_type="decisions.decision", source_id=d.pk,
    )  # fmt: skip
    services.create_action_item(
        cast.org, cast.leader, "Write the post-mortem", cast.leader,
        source_type="decisions.decision", source_id=d.pk,
    )  # fmt: skip
    services.complete_action_item(cast.org, cast.member, rotate)
    return issue, d


def _page(client, issue):
    return client.get(f"/o/acme/decisions/issues/{issue.pk}/")


def test_a_solved_issue_lists_the_action_items_of_the_decision_that_solved_it(cast, outage):
    issue, d = outage
    client = login(cast.member)
    assert "Write the post-mortem" not in _page(client, issue).content.decode()
    services.solve_issue(cast.org, cast.member, issue, "Rolled back", decision=d)
    html = _page(client, issue).content.decode()
    listed = html[html.index("From the decision that solved it") :]
    assert "Write the post-mortem" in listed and "Rotate the IdP key" in listed
    assert '<span class="tag tag--ok">done</span>' in listed  # the one done says so


def test_the_solve_form_says_how_many_of_the_chosen_decisions_items_are_still_open(cast, outage):
    issue, d = outage
    client = login(cast.member)
    html = _page(client, issue).content.decode()
    notice_url = f"/o/acme/decisions/issues/{issue.pk}/solve/open-items/"
    assert f'hx-get="{notice_url}"' in html and "data-solve-open" not in html
    said = client.get(notice_url, {"decision": d.pk}, HTTP_HX_REQUEST="true")
    assert said.status_code == 200
    assert "That decision has 1 action item still open." in said.content.decode()
    # None chosen, one with nothing open, or an id of nothing: nothing to say.
    other = services.create_decision(cast.org, cast.member, "Pager rota?", approver=cast.leader)
    for value in ("", other.pk, "abc", 10**12):
        assert "data-solve-open" not in client.get(notice_url, {"decision": value}).text
    # Another organization's issue is not found.
    assert login(cast.outsider).get(notice_url, {"decision": d.pk}).status_code in (403, 404)


def test_solving_with_a_decision_whose_items_are_open_is_not_refused_and_says_so(cast, outage):
    issue, d = outage
    client = login(cast.member)
    url = f"/o/acme/decisions/issues/{issue.pk}/solve/"
    page = f"/o/acme/decisions/issues/{issue.pk}/"
    # Refused for another reason (no resolution): the form again, still saying it.
    refused = client.post(url, {"resolution": "", "decision": d.pk, "next": page})
    assert refused.status_code == 422
    assert "That decision has 1 action item still open." in refused.content.decode()
    solved = client.post(
        url, {"resolution": "Rolled back", "decision": d.pk, "next": page}, follow=True
    )
    issue.refresh_from_db()
    assert (issue.status, issue.decision) == (IssueStatus.SOLVED, d)
    assert "Its decision has 1 action item still open" in solved.content.decode()
