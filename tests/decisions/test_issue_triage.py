"""The issues list can be triaged: open issues most severe first (then longest at their
level), a severity filter kept in the page's links (a value it does not know named and
left out), and how many the list holds, of each severity, above it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from accord.decisions import services
from accord.decisions.models import Issue
from tests.conftest import login

LIST = "/o/acme/decisions/issues/"


def _titles(body: str) -> list[str]:
    return re.findall(r'<h2 class="issue-title"><a href="[^"]+">([^<]+)</a>', body)


def _raise(cast, title: str, severity: str, days_at_level: int, team=None) -> Issue:
    issue = services.raise_issue(cast.org, cast.member, team or cast.platform, title, "", severity)
    since = timezone.now() - dt.timedelta(days=days_at_level)
    Issue.objects.filter(pk=issue.pk).update(level_since=since)
    return issue


@pytest.fixture
def issues(cast) -> dict[str, Issue]:
    """Five open issues at Platform: the oldest is low, the newest critical."""
    return {
        title: _raise(cast, title, severity, days)
        for title, severity, days in [
            ("Old low", "low", 90),
            ("Medium", "medium", 60),
            ("Older critical", "critical", 20),
            ("High", "high", 10),
            ("Newer critical", "critical", 2),
        ]
    }


def test_open_issues_come_most_severe_first_then_longest_at_their_level(cast, issues):
    body = login(cast.member).get(f"{LIST}?team=").content.decode()
    assert _titles(body) == ["Older critical", "Newer critical", "High", "Medium", "Old low"]


def test_closed_issues_keep_the_latest_closed_first(cast, issues):
    services.solve_issue(cast.org, cast.admin, issues["Newer critical"], "Fixed.")
    services.solve_issue(cast.org, cast.admin, issues["Old low"], "Fixed too.")
    body = login(cast.member).get(f"{LIST}?team=&show=closed").content.decode()
    assert _titles(body) == ["Old low", "Newer critical"]


def test_the_severity_filter_shows_one_severity_and_keeps_it_in_the_links(cast, issues):
    body = login(cast.member).get(f"{LIST}?team=platform&severity=critical").content.decode()
    assert _titles(body) == ["Older critical", "Newer critical"]
    assert '<option value="critical" selected>Critical</option>' in body
    # The rows' team links, the scope's and the viewer's own teams keep it...
    assert 'at <a href="?team=platform&amp;severity=critical">Platform</a>' in body
    assert "&amp;raised=1&amp;show=open&amp;severity=critical" in body
    # ...and the count line links back to every severity.
    assert 'href="?team=platform&amp;show=open"><strong>5 open</strong></a>' in body


def test_the_severity_filter_is_kept_from_page_to_page(cast):
    for n in range(51):
        _raise(cast, f"Critical {n}", "critical", 100 - n)
    _raise(cast, "Low", "low", 200)
    client = login(cast.member)
    first = client.get(f"{LIST}?team=platform&severity=critical").content.decode()
    assert "Low" not in _titles(first) and len(_titles(first)) == 50
    nxt = "?team=platform&amp;show=open&amp;severity=critical&amp;page=2"
    assert f'<a href="{nxt}">Next →</a>' in first
    second = client.get(f"{LIST}?team=platform&show=open&severity=critical&page=2")
    assert _titles(second.content.decode()) == ["Critical 50"]


def test_a_severity_not_understood_is_named_and_left_out(cast, issues):
    response = login(cast.member).get(f"{LIST}?team=&severity=urgent")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Left out of the filter, not understood: severity=“urgent”." in body
    assert len(_titles(body)) == 5  # every severity, rather than nothing without a word
    assert "severity=urgent" not in body.split("data-ignored")[1]  # in no link


def test_the_list_says_how_many_it_holds_and_of_each_severity(cast, issues):
    _raise(cast, "Elsewhere", "critical", 1, team=cast.root)
    client = login(cast.member)
    counts = re.compile(r"<p class=\"muted\" data-issue-counts>(.*?)</p>", re.S)

    def line(url: str) -> list[str]:
        return re.sub(
            r"<[^>]+>|\s+", " ", counts.search(client.get(url).content.decode()).group(1)
        ).split()

    assert " ".join(line(f"{LIST}?team=")) == "6 open · 3 critical · 1 high · 1 medium · 1 low"
    assert " ".join(line(f"{LIST}?team=platform")) == (
        "Platform and the teams below it: 5 open · 2 critical · 1 high · 1 medium · 1 low"
    )
    # Filtered, the count is still the list's, the chosen severity marked as current.
    body = client.get(f"{LIST}?team=&severity=high").content.decode()
    assert '<strong aria-current="true">1 high</strong>' in body
    assert 'href="?team=&amp;show=open&amp;severity=critical">3 critical</a>' in body
    services.solve_issue(cast.org, cast.admin, issues["High"], "Fixed.")
    assert " ".join(line(f"{LIST}?team=&show=closed")) == (
        "1 solved or dropped · 0 critical · 1 high · 0 medium · 0 low"
    )
