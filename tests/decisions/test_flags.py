"""The worker announces issues stuck at one level and overdue decisions, once each."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accord.activity.models import Event
from accord.decisions import services
from accord.decisions.tasks import flag_stuck_work


def _events(org, verb):
    return list(Event.objects.for_org(org).filter(verb=verb))


def test_a_stuck_issue_is_flagged_once_per_level(cast):
    old = timezone.now() - dt.timedelta(days=20)
    issue = services.raise_issue(cast.org, None, cast.platform, "Stuck", opened_at=old)
    services.raise_issue(cast.org, None, cast.platform, "Fresh")

    assert services.flag_stale_issues(cast.org) == 1
    assert services.flag_stale_issues(cast.org) == 0
    [event] = _events(cast.org, "stuck")
    assert event.target_id == str(issue.pk) and event.after["days_at_level"] == 20
    assert event.verb_phrase == "marked as stuck"

    services.escalate_issue(cast.org, None, issue, "Up", at=old + dt.timedelta(days=1))
    assert services.flag_stale_issues(cast.org) == 1  # stuck again, one level up
    assert len(_events(cast.org, "stuck")) == 2


def test_an_overdue_decision_is_announced_once_and_a_decided_one_never(cast):
    today = timezone.localdate()
    late = services.create_decision(cast.org, None, "Late?", approver=cast.leader, decide_by=today)
    done = services.create_decision(cast.org, None, "Done?", approver=cast.leader, decide_by=today)
    services.decide(cast.org, None, done, outcome="Yes")
    later = today + dt.timedelta(days=3)
    assert services.flag_overdue_decisions(cast.org, today=later) == 1
    assert services.flag_overdue_decisions(cast.org, today=later) == 0
    [event] = _events(cast.org, "overdue")
    assert event.target_id == str(late.pk) and event.after["days_overdue"] == 3
    assert event.verb_phrase == "marked as overdue"  # "Accord marked as overdue decision Late?"


def test_the_periodic_task_covers_every_organization(cast):
    old = timezone.now() - dt.timedelta(days=30)
    services.raise_issue(cast.org, None, cast.platform, "Ours", opened_at=old)
    services.raise_issue(cast.other_org, None, cast.other_team, "Theirs", opened_at=old)
    assert flag_stuck_work.call() == {"issues": 2, "decisions": 0}


def test_the_organizations_stuck_threshold_marks_pages_api_and_flags_alike(cast):
    """Insights settings change when an issue counts as stuck; the issue pages, the API's
    `stale` and the worker's flag follow the organization's value, not the server's."""
    from accord.intelligence import services as intelligence
    from tests.conftest import api_client, login

    five_days = timezone.now() - dt.timedelta(days=5)
    issue = services.raise_issue(cast.org, None, cast.platform, "Waiting", opened_at=five_days)
    theirs = services.raise_issue(
        cast.other_org, None, cast.other_team, "Theirs", opened_at=five_days
    )
    api = api_client(cast.admin)
    page = login(cast.admin)
    base = f"/o/{cast.org.slug}/decisions/issues/"

    # With the default of 14 days nothing is stuck yet.
    assert not api.get(f"/api/v1/issues/{issue.pk}").json()["stale"]
    assert api.get("/api/v1/issues?stale=true").json()["count"] == 0
    assert services.flag_stale_issues(cast.org) == 0
    assert "days at this level" not in page.get(base).content.decode()

    intelligence.update_settings(cast.org, cast.admin, detectors={"issues.stuck": {"days": 3}})
    assert api.get(f"/api/v1/issues/{issue.pk}").json()["stale"]
    listed = api.get("/api/v1/issues").json()["items"]
    assert [i["stale"] for i in listed] == [True]
    assert [i["id"] for i in api.get("/api/v1/issues?stale=true").json()["items"]] == [issue.pk]
    assert (
        "5 d here" in page.get(f"/o/{cast.org.slug}/teams/{cast.platform.slug}/").content.decode()
    )
    assert "5 days at this level" in page.get(base).content.decode()
    assert "5 days at this level" in page.get(f"{base}{issue.pk}/").content.decode()
    assert services.flag_stale_issues(cast.org) == 1
    # Another organization keeps the default: its five-day-old issue is not stuck.
    assert services.flag_stale_issues(cast.other_org) == 0
    assert not theirs.is_stale()
