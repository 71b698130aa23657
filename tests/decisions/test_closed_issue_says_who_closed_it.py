"""A solved or dropped issue says who closed it and when, where an open one says who owns it:
an issue escalated and solved by a head without an owner does not read "No owner yet"."""

from __future__ import annotations

from accord.decisions import services
from tests.conftest import login


def _byline(client, issue) -> str:
    html = client.get(f"/o/acme/decisions/issues/{issue.pk}/").content.decode()
    return html.split('<p class="muted">')[2].split("</p>")[0]


def test_an_issue_says_its_owner_while_open_and_who_closed_it_after(cast):
    client = login(cast.member)
    flaky = services.raise_issue(cast.org, cast.member, cast.platform, "Flaky builds")
    assert _byline(client, flaky).startswith("No owner yet")
    services.solve_issue(cast.org, cast.leader, flaky, "Pinned the runner image")
    line = _byline(client, flaky)
    assert line.startswith("Solved by") and cast.leader.name in line and " on " in line
    assert "No owner yet" not in line

    coffee = services.raise_issue(cast.org, cast.member, cast.platform, "Coffee")
    services.set_issue_owner(cast.org, None, coffee, cast.member)
    assert _byline(client, coffee).startswith("Owned by")
    services.drop_issue(cast.org, cast.leader, coffee, "Not a problem after all")
    line = _byline(client, coffee)
    assert line.startswith("Dropped by") and "owned by" in line and cast.member.name in line
