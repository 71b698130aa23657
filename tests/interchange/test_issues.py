"""Issues travel in the organization file with their owner (by e-mail), rank and vote count;
applying the file sets owner and rank and ignores the votes, which are each person's own."""

from __future__ import annotations

import yaml

from accord.decisions import services as decisions
from accord.decisions.models import Issue, IssueVote
from accord.interchange import services
from accord.org.models import Organization


def _issues(text: str) -> dict[str, dict]:
    return {i["title"]: i for i in yaml.safe_load(text)["issues"]}


def _body(text: str) -> str:
    return text.split("\nteams:", 1)[1]


def test_issues_round_trip_with_owner_and_rank_and_export_their_votes(cast):
    org = cast.org
    flaky = decisions.raise_issue(
        org, None, cast.platform, "Flaky builds", severity="high", raised_by=cast.member
    )
    decisions.set_issue_owner(org, None, flaky, cast.member)
    decisions.rank_issue(org, None, flaky, 2)
    for person, value in ((cast.member, 1), (cast.leader, 1), (cast.admin, -1)):
        decisions.vote_issue(org, person, flaky, value)
    slow = decisions.raise_issue(org, None, cast.platform, "Slow reviews")
    decisions.rank_issue(org, None, slow, 1)
    decisions.escalate_issue(org, None, slow, "Needs a budget")
    fixed = decisions.raise_issue(org, None, cast.platform, "Old laptops")
    decisions.set_issue_owner(org, None, fixed, cast.leader)
    decisions.solve_issue(org, None, fixed, "Bought new ones")
    dropped = decisions.raise_issue(org, None, cast.root, "Coffee")
    decisions.drop_issue(org, None, dropped, "Not a problem after all")

    first = services.export_text(org)
    exported = _issues(first)
    assert exported["Flaky builds"] == {
        "id": f"issue-{flaky.pk}",
        "title": "Flaky builds",
        "team": "platform",
        "severity": "high",
        "raised_by": cast.member.email,
        "owner": cast.member.email,
        "rank": 2,
        "opened_at": exported["Flaky builds"]["opened_at"],
        "votes": 1,
    }
    assert exported["Slow reviews"]["team"] == "acme" and exported["Slow reviews"]["rank"] == 1
    assert exported["Old laptops"]["status"] == "solved"
    assert exported["Old laptops"]["owner"] == cast.leader.email
    assert exported["Coffee"]["resolution"] == "Not a problem after all"

    outcome = services.apply_file(first, org_slug="acme-copy")
    assert outcome.ok and not outcome.report, outcome.report.as_text()
    copy = Organization.objects.get(slug="acme-copy")
    issue = Issue.objects.for_org(copy).select_related("owner", "team").get(title="Flaky builds")
    assert (issue.owner.email, issue.rank, issue.team.slug) == (cast.member.email, 2, "platform")
    # Votes are each person's own act: the file cast none.
    assert not IssueVote.objects.filter(org=copy).exists()
    second = services.export_text(copy)
    assert _body(second) == _body(first).replace("  votes: 1\n", "")
    # Applying either file again changes nothing, whatever the vote counts say.
    assert services.apply_file(first, org=copy).changes == []
    assert services.apply_file(first, org=org).changes == []


def test_a_file_changes_owner_and_rank_but_not_votes_or_team(cast):
    org = cast.org
    issue = decisions.raise_issue(org, None, cast.platform, "Flaky builds")
    decisions.vote_issue(org, cast.member, issue, 1)
    head, issues = services.export_text(org).split("\nissues:\n")
    issues = issues.replace("  title: Flaky builds\n", "  title: Flaky builds\n  rank: 3\n")
    issues = issues.replace("  votes: 1\n", f"  votes: 7\n  owner: {cast.leader.email}\n")
    outcome = services.apply_file(f"{head}\nissues:\n{issues}", org=org)
    assert outcome.ok, outcome.report.as_text()
    issue.refresh_from_db()
    assert (issue.rank, issue.owner_id) == (3, cast.leader.pk)
    assert [v.value for v in IssueVote.objects.filter(issue=issue)] == [1]
    head, issues = services.export_text(org).split("\nissues:\n")
    issues = issues.replace("  team: platform\n", "  team: acme\n")
    outcome = services.apply_file(f"{head}\nissues:\n{issues}", org=org)
    assert "escalation" in outcome.report.as_text()
    issue.refresh_from_db()
    assert issue.team_id == cast.platform.pk
