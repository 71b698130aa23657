"""Solve, escalate or drop sent from a form opened while the issue was with another team:
escalated meanwhile, it is refused, saying to whom, by whom and why, with what was typed;
sent again from the page as it is now, it is done (if it is still the sender's to do)."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from accord.decisions import services
from accord.decisions.models import Issue
from tests.conftest import login

HX = {"HX-Request": "true"}


@pytest.fixture
def issue(cast):
    return services.raise_issue(cast.org, cast.member, cast.platform, "Flaky tests")


def _level(page: str) -> str:
    return re.search(r'name="level" value="(\d+)"', page).group(1)


def test_a_solve_from_before_an_escalation_is_refused_and_kept(cast, issue):
    leo = login(cast.leader)
    part = leo.get(f"/o/acme/decisions/issues/{issue.pk}/solve/?next=/", headers=HX)
    seen = _level(part.content.decode())
    assert seen == str(cast.platform.pk)
    services.escalate_issue(cast.org, cast.member, issue, "Needs a budget")
    r = leo.post(
        f"/o/acme/decisions/issues/{issue.pk}/solve/",
        {"resolution": "Quarantined them", "level": seen, "next": "/"},
    )
    assert r.status_code == 422
    page = htmllib.unescape(r.content.decode())
    assert (
        f"Not solved: {cast.member.name} escalated it to Acme at" in page
        and "after you opened this form (“Needs a budget”)" in page
    )
    assert "Quarantined them" in page  # the resolution as typed, in the form again
    assert Issue.objects.get(pk=issue.pk).status == "open"
    # Seen, and still his to solve (a leader): sent again from this page, it is solved.
    assert _level(page) == str(cast.root.pk)
    again = leo.post(
        f"/o/acme/decisions/issues/{issue.pk}/solve/",
        {"resolution": "Quarantined them", "level": _level(page)},
    )
    assert again.status_code == 302
    assert Issue.objects.get(pk=issue.pk).status == "solved"


def test_an_escalation_no_longer_ones_own_says_so_at_the_top_with_the_text(cast, issue):
    mia = login(cast.member)
    seen = _level(mia.get(f"/o/acme/decisions/issues/{issue.pk}/").content.decode())
    services.escalate_issue(cast.org, cast.leader, issue, "Company-wide")
    r = mia.post(
        f"/o/acme/decisions/issues/{issue.pk}/escalate/",
        {"reason": "We cannot fix it alone", "level": seen},
    )
    assert r.status_code == 422
    page = htmllib.unescape(r.content.decode())
    assert f"Not escalated: {cast.leader.name} escalated it to Acme at" in page
    assert "What you typed, not sent: “We cannot fix it alone”" in page
    assert Issue.objects.get(pk=issue.pk).escalations.count() == 1  # not sent up twice
