"""Initiatives that follow a GitHub, GitLab or Jira item: the JSON shapes below are those
of each API's documentation (GitHub REST "Get an issue" / "Get a milestone", GitLab API v4
issues, milestones, issues_statistics and epics, Jira REST API 2 "Get issue" and search)."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from accord.alignment.models import Initiative
from accord.core.errors import PermissionDenied, ServiceError
from accord.sources import services, trackers
from accord.sources.models import TrackerCredential, TrackerLink
from tests.conftest import api_client, login

GITHUB_ISSUE = {
    "id": 1,
    "number": 1347,
    "state": "open",
    "title": "Found a bug",
    "sub_issues_summary": {"total": 4, "completed": 3, "percent_completed": 75},
}
GITHUB_MILESTONE = {
    "number": 3,
    "state": "open",
    "title": "v1.0",
    "open_issues": 4,
    "closed_issues": 8,
}
GITLAB_ISSUE = {
    "iid": 12,
    "state": "closed",
    "title": "Checkout fails",
    "task_completion_status": {"count": 0, "completed_count": 0},
}
GITLAB_MILESTONE = [{"id": 61, "iid": 2, "title": "Release 2.0", "state": "active"}]
GITLAB_STATS = {"statistics": {"counts": {"all": 10, "closed": 4, "opened": 6}}}
GITLAB_EPIC = {"iid": 5, "state": "opened", "title": "New checkout"}
GITLAB_EPIC_ISSUES = [{"iid": 1, "state": "closed"}, {"iid": 2, "state": "opened"}]


def _jira_status(name: str, category: str) -> dict:
    return {"name": name, "statusCategory": {"key": category, "name": name}}


JIRA_ISSUE = {
    "key": "SHOP-7",
    "fields": {
        "summary": "Checkout epic",
        "status": _jira_status("In Progress", "indeterminate"),
        "subtasks": [{"key": "SHOP-8", "fields": {"status": _jira_status("Done", "done")}}],
    },
}
JIRA_CHILDREN = {
    "total": 2,
    "issues": [
        {"key": "SHOP-9", "fields": {"status": _jira_status("Done", "done")}},
        {"key": "SHOP-10", "fields": {"status": _jira_status("To Do", "new")}},
    ],
}


def test_the_kind_of_item_is_recognised_from_its_address():
    cases = {
        "https://github.com/acme/shop/issues/12": ("github", "issue", "acme/shop", "12"),
        "https://github.com/acme/shop/milestone/3": ("github", "milestone", "acme/shop", "3"),
        "https://gitlab.com/acme/web/shop/-/issues/4": ("gitlab", "issue", "acme/web/shop", "4"),
        "https://gitlab.com/groups/acme/-/epics/5": ("gitlab", "epic", "acme", "5"),
        "https://gitlab.com/acme/shop/-/milestones/2": ("gitlab", "milestone", "acme/shop", "2"),
        "https://acme.atlassian.net/browse/SHOP-7": ("jira", "issue", "", "SHOP-7"),
    }
    for url, (tracker, kind, path, ref) in cases.items():
        item = trackers.recognise(url)
        assert (item.tracker, item.kind, item.path, item.ref) == (tracker, kind, path, ref), url
    assert trackers.recognise("https://github.com/acme/shop/pulls/1") is None
    assert trackers.recognise("https://example.com/anything") is None


def _link(cast, initiative, upstream, tracker, url, token="tok-123"):
    services.set_credential(cast.org, cast.admin, tracker, base_url=upstream.base, token=token)
    return services.set_tracker_link(cast.org, cast.member, initiative, url)


def _progress(initiative) -> int:
    return Initiative.objects.get(pk=initiative.pk).progress


def test_a_github_issue_gives_its_state_and_sub_issue_progress(cast, initiative, upstream):
    upstream.answer("/repos/acme/shop/issues/1347", json.dumps(GITHUB_ISSUE))
    link = _link(cast, initiative, upstream, "github", "https://github.com/acme/shop/issues/1347")
    assert services.pull_tracker(cast.org, None, link).ok
    link.refresh_from_db()
    assert (link.state, link.closed, link.done_count, link.total_count) == ("open", False, 3, 4)
    assert link.title == "Found a bug"
    assert _progress(initiative) == 75
    _path, headers = upstream.requests[-1]
    assert headers["Authorization"] == "Bearer tok-123"


def test_a_github_milestone_counts_closed_of_all_issues(cast, initiative, upstream):
    upstream.answer("/repos/acme/shop/milestones/3", json.dumps(GITHUB_MILESTONE))
    link = _link(cast, initiative, upstream, "github", "https://github.com/acme/shop/milestone/3")
    assert services.pull_tracker(cast.org, None, link).ok
    link.refresh_from_db()
    assert (link.done_count, link.total_count) == (8, 12)
    assert _progress(initiative) == 67


def test_gitlab_issue_milestone_and_epic(cast, initiative, upstream):
    upstream.answer("/projects/acme%2Fshop/issues/12", json.dumps(GITLAB_ISSUE))
    link = _link(cast, initiative, upstream, "gitlab", "https://gitlab.com/acme/shop/-/issues/12")
    assert services.pull_tracker(cast.org, None, link).ok
    link.refresh_from_db()
    assert (link.state, link.closed, _progress(initiative)) == ("closed", True, 100)
    assert upstream.requests[-1][1]["Private-Token"] == "tok-123"

    upstream.answer("/projects/acme%2Fshop/milestones?iids[]=2", json.dumps(GITLAB_MILESTONE))
    upstream.answer(
        "/projects/acme%2Fshop/issues_statistics?milestone=Release%202.0", json.dumps(GITLAB_STATS)
    )
    link = services.set_tracker_link(
        cast.org, cast.member, initiative, "https://gitlab.com/acme/shop/-/milestones/2"
    )
    assert services.pull_tracker(cast.org, None, link).ok
    link.refresh_from_db()
    assert (link.state, link.done_count, link.total_count) == ("active", 4, 10)
    assert _progress(initiative) == 40

    upstream.answer("/groups/acme/epics/5", json.dumps(GITLAB_EPIC))
    upstream.answer(
        "/groups/acme/epics/5/issues?per_page=100&page=1", json.dumps(GITLAB_EPIC_ISSUES)
    )
    link = services.set_tracker_link(
        cast.org, cast.member, initiative, "https://gitlab.com/groups/acme/-/epics/5"
    )
    assert services.pull_tracker(cast.org, None, link).ok
    link.refresh_from_db()
    assert (link.state, link.done_count, link.total_count) == ("opened", 1, 2)
    assert _progress(initiative) == 50


def test_a_jira_issue_counts_its_subtasks_and_children(cast, initiative, upstream):
    upstream.answer(
        "/rest/api/2/issue/SHOP-7?fields=status,summary,subtasks", json.dumps(JIRA_ISSUE)
    )
    upstream.answer(
        "/rest/api/2/search?jql=parent%20%3D%20%22SHOP-7%22&fields=status&startAt=0&maxResults=100",
        json.dumps(JIRA_CHILDREN),
    )
    link = _link(
        cast,
        initiative,
        upstream,
        "jira",
        "https://acme.atlassian.net/browse/SHOP-7",
        token="ada@acme.example:api-token",
    )
    assert services.pull_tracker(cast.org, None, link).ok
    link.refresh_from_db()
    assert (link.state, link.closed, link.done_count, link.total_count) == (
        "In Progress",
        False,
        2,
        3,
    )
    assert _progress(initiative) == 67
    assert upstream.requests[-1][1]["Authorization"].startswith("Basic ")


def test_epic_issues_and_jira_children_are_read_past_the_first_page(cast, initiative, upstream):
    # GitLab: the first page names the next one in X-Next-Page; the last one leaves it empty.
    upstream.answer("/groups/acme/epics/5", json.dumps(GITLAB_EPIC))
    first = [{"iid": n, "state": "closed"} for n in range(100)]
    second = [{"iid": 100, "state": "closed"}, {"iid": 101, "state": "opened"}]
    epic_issues = "/groups/acme/epics/5/issues?per_page=100&page="
    upstream.answer(epic_issues + "1", json.dumps(first), headers={"X-Next-Page": "2"})
    upstream.answer(epic_issues + "2", json.dumps(second), headers={"X-Next-Page": ""})
    link = _link(cast, initiative, upstream, "gitlab", "https://gitlab.com/groups/acme/-/epics/5")
    assert services.pull_tracker(cast.org, None, link).ok
    link.refresh_from_db()
    assert (link.done_count, link.total_count) == (101, 102)

    # Jira: startAt moves by the page read until it reaches the answer's total.
    issue = {"key": "SHOP-7", "fields": {**JIRA_ISSUE["fields"], "subtasks": []}}
    upstream.answer("/rest/api/2/issue/SHOP-7?fields=status,summary,subtasks", json.dumps(issue))
    search = "/rest/api/2/search?jql=parent%20%3D%20%22SHOP-7%22&fields=status"
    done, todo = _jira_status("Done", "done"), _jira_status("To Do", "new")
    page1 = [{"key": f"SHOP-{n}", "fields": {"status": done}} for n in range(100, 200)]
    page2 = [{"key": "SHOP-200", "fields": {"status": todo}}]
    upstream.answer(
        search + "&startAt=0&maxResults=100", json.dumps({"total": 101, "issues": page1})
    )
    upstream.answer(
        search + "&startAt=100&maxResults=100", json.dumps({"total": 101, "issues": page2})
    )
    services.set_credential(cast.org, cast.admin, "jira", base_url=upstream.base, token="t")
    link = services.set_tracker_link(
        cast.org, cast.member, initiative, "https://acme.atlassian.net/browse/SHOP-7"
    )
    assert services.pull_tracker(cast.org, None, link).ok
    link.refresh_from_db()
    assert (link.done_count, link.total_count) == (100, 101)


def test_a_revoked_token_is_reported_on_the_initiative_and_the_integrations(
    cast, initiative, upstream
):
    upstream.answer("/repos/acme/shop/issues/1", '{"message": "Bad credentials"}', status=401)
    link = _link(cast, initiative, upstream, "github", "https://github.com/acme/shop/issues/1")
    result = services.pull_tracker(cast.org, None, link)
    assert not result.ok and "refused the token" in result.message
    link.refresh_from_db()
    assert link.failures == 1 and "HTTP 401" in link.last_error
    cred = TrackerCredential.objects.get(org=cast.org, tracker="github")
    assert "refused the token" in cred.auth_error
    assert _progress(initiative) == 0
    page = login(cast.member).get(f"/o/acme/alignment/initiatives/{initiative.pk}/")
    assert "refused the token" in page.content.decode()
    page = login(cast.admin).get("/o/acme/sources/integrations/")
    assert "refused the token" in page.content.decode()
    # A new token clears the report.
    services.set_credential(cast.org, cast.admin, "github", token="new-token")
    assert not TrackerCredential.objects.get(pk=cred.pk).auth_error


def test_malformed_answers_are_failures_that_change_nothing(cast, initiative, upstream):
    upstream.answer("/repos/acme/shop/issues/2", "<html>oops</html>")
    link = _link(cast, initiative, upstream, "github", "https://github.com/acme/shop/issues/2")
    result = services.pull_tracker(cast.org, None, link)
    assert not result.ok and "not JSON" in result.message
    upstream.answer("/repos/acme/shop/issues/2", '{"title": "no state"}')
    assert "no state" in services.pull_tracker(cast.org, None, link).message
    link.refresh_from_db()
    assert link.failures == 2 and link.state == "" and _progress(initiative) == 0


def test_the_token_is_encrypted_in_the_database_and_never_shown(cast, upstream):
    services.set_credential(cast.org, cast.admin, "gitlab", token="glpat-very-secret")
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM sources_trackercredential")
        (raw,) = cursor.fetchone()
    assert raw and "glpat-very-secret" not in raw
    body = api_client(cast.admin).get("/api/v1/integrations/trackers").json()
    assert body[0]["token_set"] is True and "glpat" not in json.dumps(body)
    page = login(cast.admin).get("/o/acme/sources/integrations/").content.decode()
    assert "glpat-very-secret" not in page


def test_only_admins_set_tokens_and_unknown_addresses_are_refused(cast, initiative):
    with pytest.raises(PermissionDenied):
        services.set_credential(cast.org, cast.leader, "github", token="x")
    with pytest.raises(ServiceError) as exc:
        services.set_tracker_link(cast.org, cast.member, initiative, "https://example.com/x")
    assert exc.value.code == "unknown_tracker"
    with pytest.raises(ServiceError):
        services.set_tracker_link(cast.org, cast.member, initiative, "javascript:alert(1)")
    assert not TrackerLink.objects.exists()


def test_a_finished_item_marks_the_initiative_done_unless_alignment_refuses(
    cast, initiative, upstream
):
    from accord.activity.models import Event
    from accord.alignment import services as alignment
    from accord.coordination import services as coordination

    alignment.set_initiative_status(cast.org, None, initiative, "active")
    path = "/repos/acme/shop/issues/1347"
    closed_undone = {**GITHUB_ISSUE, "state": "closed"}  # closed, 3 of 4 sub-issues done
    upstream.answer(path, json.dumps(closed_undone))
    link = _link(cast, initiative, upstream, "github", "https://github.com/acme/shop/issues/1347")
    assert services.pull_tracker(cast.org, None, link).ok
    assert Initiative.objects.get(pk=initiative.pk).status == "active"

    # Closed with every sub-issue done, but the initiative still waits on a dependency:
    # alignment refuses, the pull succeeds and says why; nothing else changes.
    dep = coordination.create_dependency(
        cast.org,
        None,
        requester_initiative=initiative,
        provider_team=cast.root,
        title="Payments API",
        need_by=initiative.created_at.date(),
    )
    finished = {
        **GITHUB_ISSUE,
        "state": "closed",
        "sub_issues_summary": {"total": 4, "completed": 4},
    }
    upstream.answer(path, json.dumps(finished))
    result = services.pull_tracker(cast.org, None, link)
    assert result.ok and "Not marked done" in result.message and "Payments API" in result.message
    link.refresh_from_db()
    assert link.finished and "Payments API" in link.note and link.last_error == ""
    assert Initiative.objects.get(pk=initiative.pk).status == "active"
    page = login(cast.member).get(f"/o/acme/alignment/initiatives/{initiative.pk}/")
    assert "Payments API" in page.content.decode()

    # Once the dependency is no longer awaited, the next pull marks it done, naming the tracker.
    coordination.Dependency.objects.filter(pk=dep.pk).update(state="cancelled")
    assert services.pull_tracker(cast.org, None, link).ok
    item = Initiative.objects.get(pk=initiative.pk)
    assert (item.status, item.progress) == ("done", 100)
    event = Event.objects.filter(verb="status_changed", target_id=str(initiative.pk)).latest("id")
    assert event.after["status"] == "done" and event.actor is None
    assert "GitHub issue https://github.com/acme/shop/issues/1347" in event.after["reason"]
    link.refresh_from_db()
    assert link.note == ""

    # A person reopens it: later pulls of the same finished item leave their decision alone.
    alignment.set_initiative_status(cast.org, cast.member, item, "active")
    assert services.pull_tracker(cast.org, None, link).ok
    assert Initiative.objects.get(pk=initiative.pk).status == "active"


def test_the_schedule_pulls_each_linked_item_when_due_and_not_before(cast, initiative, upstream):
    from accord.sources.tasks import pull_due

    upstream.answer("/repos/acme/shop/milestones/3", json.dumps(GITHUB_MILESTONE))
    link = _link(cast, initiative, upstream, "github", "https://github.com/acme/shop/milestone/3")
    assert pull_due()["trackers"] == 1
    assert _progress(initiative) == 67
    assert pull_due()["trackers"] == 0  # not due again before SOURCES_PULL_MINUTES
    assert len(upstream.requests) == 1
    link.refresh_from_db()
    assert (link.done_count, link.total_count, link.state) == (8, 12, "open")
