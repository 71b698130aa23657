"""A sentence that ends with a decision's question ends with its question mark, not with a
full stop after it ("From decision Where does the table live?", never "…live?.")."""

from __future__ import annotations

import re

from accord.decisions import services
from tests.conftest import login


def test_an_action_item_from_a_question_takes_no_full_stop_after_it(cast):
    d = services.create_decision(
        cast.org, cast.member, "Where does the customer 360 table live?", approver=cast.leader
    )
    item = services.create_action_item(
        cast.org,
        cast.member,
        "Move the table",
        cast.member,
        source_type="decisions.decision",
        source_id=d.pk,
    )
    page = login(cast.member).get(f"/o/acme/decisions/actions/{item.pk}/").content.decode()
    assert re.search(
        r"From decision <a [^>]*>Where does the customer 360 table live\?</a></p>", page
    )
    # A source that ends no sentence of its own is still given its full stop.
    issue = services.raise_issue(cast.org, cast.member, cast.platform, "Flaky tests")
    item = services.create_action_item(
        cast.org,
        cast.member,
        "Fix them",
        cast.member,
        source_type="decisions.issue",
        source_id=issue.pk,
    )
    page = login(cast.member).get(f"/o/acme/decisions/actions/{item.pk}/").content.decode()
    assert re.search(r"From issue <a [^>]*>Flaky tests</a>\.</p>", page)


def test_an_issue_solved_by_a_decision_and_a_superseding_decision_end_with_its_question(cast):
    old = services.create_decision(cast.org, None, "Which CI?", approver=cast.leader)
    services.decide(cast.org, None, old, outcome="Jenkins")
    new = services.create_decision(cast.org, None, "Which CI now?", approver=cast.leader)
    services.decide(cast.org, None, new, outcome="GitHub Actions")
    services.supersede(cast.org, None, old, by=new, reason="Cheaper")
    issue = services.raise_issue(cast.org, cast.member, cast.platform, "Slow builds")
    services.solve_issue(cast.org, None, issue, "Moved", decision=new)
    client = login(cast.member)
    page = client.get(f"/o/acme/decisions/issues/{issue.pk}/").content.decode()
    assert re.search(r"Solved by decision <a [^>]*>Which CI now\?</a></p>", page)
    page = client.get(f"/o/acme/decisions/{new.pk}/").content.decode()
    assert re.search(r"This decision supersedes <a [^>]*>Which CI\?</a></p>", page)
