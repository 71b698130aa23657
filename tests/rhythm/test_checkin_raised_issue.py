"""A check-in whose blocker was also raised as an issue for the team it names says so:
the thanks after saving names the team and links the issue, and the form, opened again,
shows which issue it became."""

from __future__ import annotations

import html
import re

import pytest
from django.utils import timezone

from accord.decisions.models import Issue
from accord.org import services as org_services
from accord.rhythm import queries, services
from tests.conftest import login


@pytest.fixture
def raised(cast, rhythm):
    """Mia's check-in, its blocker raised as an issue for Data; the form's URL."""
    data = org_services.create_team(cast.org, None, name="Data & Analytics", parent=cast.root)
    services.update_cadence(cast.org, None, rhythm.checkin, window_opens_hours=8 * 24)
    occ = queries.next_occurrence(rhythm.checkin, timezone.now())
    url = f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{occ.key}/checkin/"
    form = {"blockers": "Waiting on the usage export", "blocker_team": data.pk,
            "raise_blocker": "1"}  # fmt: skip
    response = login(cast.member).post(url, form, follow=True)
    assert response.status_code == 200
    return url, response.content.decode(), Issue.objects.get()


def _flash(page: str) -> str:
    found = re.search(r'<p class="msg msg--success">(.*?)</p>', page, re.S)
    assert found, "no message"
    return found.group(1)


def test_the_thanks_says_the_blocker_was_raised_and_links_the_issue(cast, raised):
    _, page, issue = raised
    said = _flash(page)
    assert said.startswith("Check-in for Weekly team check-in · Platform saved. Thank you!")
    assert (
        "Its blocker is raised as an issue for Data &amp; Analytics: "
        f'<a href="/o/acme/decisions/issues/{issue.pk}/">'
        "Blocking Mia Member: Waiting on the usage export</a>."
    ) in said


def test_the_form_opened_again_shows_the_issue_its_blocker_became(cast, raised):
    url, _, issue = raised
    page = login(cast.member).get(url).content.decode()
    found = re.search(r'<p class="notice" id="blocker-raised">(.*?)</p>', page, re.S)
    assert found, "the form does not say the blocker was raised"
    assert html.unescape(re.sub(r"<[^>]+>", "", found.group(1))) == (
        "This blocker was raised as an issue for Data & Analytics: "
        "Blocking Mia Member: Waiting on the usage export (open)."
    )
    assert f'href="/o/acme/decisions/issues/{issue.pk}/"' in found.group(1)
    # A check-in with no blocker raised says nothing of the kind.
    page = login(cast.leader).get(url).content.decode()
    assert 'id="blocker-raised"' not in page
