"""Back, then submit again: a new issue, decision or action item identical to one the same
person made minutes ago, still open, is refused as a second click, the form offering a box
to make it anyway (as a second request for the same thing is, in coordination)."""

from __future__ import annotations

import datetime as dt
import html as htmllib

from django.utils import timezone

from accord.decisions import services
from accord.decisions.models import ActionItem, Decision, Issue
from tests.conftest import login


def _page(response) -> str:
    return htmllib.unescape(response.content.decode())


def test_raising_the_same_issue_twice_asks_first(cast):
    client = login(cast.member)
    form = {"title": "Deploys are slow", "team": cast.platform.pk, "severity": "medium"}
    assert client.post("/o/acme/decisions/issues/new/", form).status_code == 302
    again = client.post("/o/acme/decisions/issues/new/", form)
    assert again.status_code == 422
    page = _page(again)
    first = Issue.objects.get(title="Deploys are slow")
    assert "You raised this for Platform at" in page and f"(#{first.pk}, still open)" in page
    assert 'type="checkbox" name="again"' in page and "Make it anyway: a second issue" in page
    assert Issue.objects.filter(title="Deploys are slow").count() == 1
    ticked = client.post("/o/acme/decisions/issues/new/", {**form, "again": "on"})
    assert ticked.status_code == 302
    assert Issue.objects.filter(title="Deploys are slow").count() == 2


def test_the_same_title_from_someone_else_or_long_ago_is_no_twin(cast):
    form = {"title": "Deploys are slow", "team": cast.platform.pk, "severity": "medium"}
    assert login(cast.member).post("/o/acme/decisions/issues/new/", form).status_code == 302
    assert login(cast.leader).post("/o/acme/decisions/issues/new/", form).status_code == 302
    Issue.objects.filter(title="Deploys are slow").update(
        opened_at=timezone.now() - dt.timedelta(minutes=11)
    )
    assert login(cast.member).post("/o/acme/decisions/issues/new/", form).status_code == 302


def test_opening_the_same_decision_twice_asks_first(cast):
    client = login(cast.member)
    form = {"question": "Which queue do we use?", "approver": cast.leader.pk}
    assert client.post("/o/acme/decisions/new/", form).status_code == 302
    again = client.post("/o/acme/decisions/new/", form)
    assert again.status_code != 302
    page = _page(again)
    assert "You opened this decision at" in page and "for Leo Leader to decide" in page
    assert 'type="checkbox" name="again"' in page
    assert Decision.objects.filter(question="Which queue do we use?").count() == 1
    assert client.post("/o/acme/decisions/new/", {**form, "again": "on"}).status_code == 302
    assert Decision.objects.filter(question="Which queue do we use?").count() == 2


def test_recording_the_same_action_item_from_an_issue_twice_asks_first(cast):
    issue = services.raise_issue(cast.org, cast.member, cast.platform, "Flaky tests")
    url = f"/o/acme/decisions/issues/{issue.pk}/"
    client = login(cast.member)
    form = {
        "title": "Quarantine the flaky ones",
        "owner": cast.member.pk,
        "team": cast.platform.pk,
        "source_type": "decisions.issue",
        "source_id": issue.pk,
        "next": url,
    }
    assert client.post("/o/acme/decisions/actions/new/", form).status_code == 302
    again = client.post("/o/acme/decisions/actions/new/", form, follow=True)
    page = _page(again)
    assert "The action item was not recorded." in page
    assert "You recorded this action item for Mia Member at" in page
    assert 'type="checkbox" name="again"' in page  # the form on the issue's page, open
    assert ActionItem.objects.filter(title="Quarantine the flaky ones").count() == 1
    client.post("/o/acme/decisions/actions/new/", {**form, "again": "on"})
    assert ActionItem.objects.filter(title="Quarantine the flaky ones").count() == 2
