"""Solving issues as a team does in its meeting: an owner and a rank, one changeable vote
per person, and solve (a decision and action items), keep or escalate, each one call that
records its event; the ranked list goes by rank, then votes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.activity.models import Event
from accord.core.errors import PermissionDenied, ServiceError
from accord.decisions import queries, services
from accord.decisions.models import ActionItem, DecisionStatus, IssueStatus, IssueVote
from accord.org import services as org_services
from accord.org.models import Role
from tests.conftest import make_person
from tests.decisions.helpers import counts


@pytest.fixture
def issue(cast):
    return services.raise_issue(cast.org, cast.member, cast.platform, "Flaky builds")


def _votes(org):
    return IssueVote.objects.for_org(org).count()


def test_one_vote_per_person_changeable_and_recorded(cast, issue):
    services.vote_issue(cast.org, cast.member, issue, 1)
    services.vote_issue(cast.org, cast.member, issue, 1)  # the same again changes nothing
    services.vote_issue(cast.org, cast.leader, issue, "1")
    assert [(r.score, r.ups) for r in queries.ranked_issues(cast.org)] == [(2, 2)]
    services.vote_issue(cast.org, cast.member, issue, -1)
    (row,) = queries.ranked_issues(cast.org, voter=cast.member)
    assert (row.score, row.ups, row.downs, row.my_vote) == (0, 1, 1, -1)
    services.vote_issue(cast.org, cast.member, issue, 0)
    assert _votes(cast.org) == 1
    verbs = Event.objects.filter(verb="voted", target_id=issue.pk).order_by("pk")
    assert [(e.before["vote"], e.after["vote"]) for e in verbs] == [
        (0, 1),
        (0, 1),
        (1, -1),
        (-1, 0),
    ]


def test_a_vote_is_up_down_or_back_and_viewers_cannot_vote(cast, issue):
    before = counts(cast.org)
    for bad in (2, "x", None):
        with pytest.raises(ServiceError):
            services.vote_issue(cast.org, cast.member, issue, bad)
    with pytest.raises(PermissionDenied):
        services.vote_issue(cast.org, cast.viewer, issue, 1)
    assert counts(cast.org) == before and _votes(cast.org) == 0


def test_the_ranked_list_goes_by_rank_then_votes(cast, issue):
    second = services.raise_issue(cast.org, cast.member, cast.platform, "Slow reviews")
    third = services.raise_issue(cast.org, cast.member, cast.platform, "No on-call rota")
    services.vote_issue(cast.org, cast.member, third, 1)
    services.vote_issue(cast.org, cast.leader, third, 1)
    services.vote_issue(cast.org, cast.member, second, 1)
    assert [i.title for i in queries.ranked_issues(cast.org)] == [
        "No on-call rota",
        "Slow reviews",
        "Flaky builds",
    ]
    services.rank_issue(cast.org, cast.member, issue, 1)
    services.rank_issue(cast.org, cast.member, second, "2")
    assert [i.title for i in queries.ranked_issues(cast.org, [cast.platform.pk])] == [
        "Flaky builds",
        "Slow reviews",
        "No on-call rota",
    ]
    assert Event.objects.filter(verb="ranked", target_id=issue.pk).get().after == {"rank": 1}


def test_owner_and_rank_are_checked(cast, issue):
    issue = services.set_issue_owner(cast.org, cast.member, issue, cast.member)
    assert issue.owner == cast.member
    assert Event.objects.filter(verb="assigned", target_id=issue.pk).exists()
    outsider_of_team = make_person(cast.org, "Nia Nonmember", Role.MEMBER)
    before = counts(cast.org)
    for bad in (0, 1000, "first", -1):
        with pytest.raises(ServiceError) as exc:
            services.rank_issue(cast.org, cast.member, issue, bad)
        assert "rank" in exc.value.fields
    with pytest.raises(ServiceError):  # another organization's person
        services.set_issue_owner(cast.org, cast.member, issue, cast.outsider)
    with pytest.raises(PermissionDenied):
        services.set_issue_owner(cast.org, cast.viewer, issue, cast.member)
    with pytest.raises(PermissionDenied):
        services.rank_issue(cast.org, outsider_of_team, issue, 1)
    assert counts(cast.org) == before


def test_solving_takes_a_decision_and_action_items_in_one_call(cast, issue):
    solved = services.solve_issue_with_decision(
        cast.org,
        cast.member,
        issue,
        outcome="Quarantine flaky tests after two failures.",
        actions=[
            {
                "title": "Write the quarantine job",
                "owner": cast.member,
                "due_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
            },
            {"title": "", "owner": None},  # an empty row of the form is skipped
        ],
        meeting_id=None,
    )
    assert solved.status == IssueStatus.SOLVED
    d = solved.decision
    assert d.status == DecisionStatus.DECIDED and d.approver == cast.member
    assert d.outcome == solved.resolution == "Quarantine flaky tests after two failures."
    assert {(link.target_type, link.target_id) for link in d.links.all()} == {
        ("decisions.issue", issue.pk)
    }
    (item,) = ActionItem.objects.for_org(cast.org)
    assert (item.source_type, item.source_id, item.team) == (
        "decisions.issue",
        issue.pk,
        cast.platform,
    )
    verbs = set(Event.objects.values_list("verb", flat=True))
    assert {"solved", "decided", "created"} <= verbs


def test_a_bad_action_item_solves_nothing(cast, issue):
    before = counts(cast.org)
    with pytest.raises(ServiceError) as exc:
        services.solve_issue_with_decision(
            cast.org,
            cast.member,
            issue,
            outcome="Do it",
            actions=[{"title": "Nobody's job", "owner": None}],
        )
    assert exc.value.message.startswith("Action item 1:")
    with pytest.raises(ServiceError):
        services.solve_issue_with_decision(cast.org, cast.member, issue, outcome="  ")
    with pytest.raises(PermissionDenied):
        services.solve_issue_with_decision(cast.org, cast.viewer, issue, outcome="Do it")
    assert counts(cast.org) == before
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN


def test_keeping_an_issue_counts_and_records_it(cast, issue):
    issue = services.keep_issue(cast.org, cast.member, issue, note="Out of time")
    issue = services.keep_issue(cast.org, cast.member, issue)
    assert issue.kept_count == 2 and issue.status == IssueStatus.OPEN
    events = Event.objects.filter(verb="kept", target_id=issue.pk).order_by("pk")
    assert [e.after for e in events] == [
        {"kept_count": 1, "note": "Out of time"},
        {"kept_count": 2},
    ]
    services.solve_issue(cast.org, cast.member, issue, "Gone")
    with pytest.raises(ServiceError):
        services.keep_issue(cast.org, cast.member, issue)


def test_another_organization_cannot_touch_an_issue(cast, issue):
    before = counts(cast.org)
    other = cast.outsider
    for call in (
        lambda: services.vote_issue(other.org, other, issue, 1),
        lambda: services.rank_issue(other.org, other, issue, 1),
        lambda: services.keep_issue(other.org, other, issue),
        lambda: services.set_issue_owner(other.org, other, issue, None),
        lambda: services.solve_issue_with_decision(other.org, other, issue, outcome="x"),
    ):
        with pytest.raises(ServiceError):
            call()
    assert counts(cast.org) == before and _votes(cast.org) == 0


def test_a_member_of_another_team_may_vote_but_not_solve(cast, issue):
    p = make_person(cast.org, "Sam Sales", Role.MEMBER)
    sales = org_services.create_team(cast.org, None, name="Sales", slug="sales", parent=cast.root)
    org_services.add_membership(cast.org, None, person=p, team=sales)
    services.vote_issue(cast.org, p, issue, 1)
    with pytest.raises(PermissionDenied):
        services.solve_issue_with_decision(cast.org, p, issue, outcome="Mine now")


def test_the_api_ranks_votes_keeps_and_solves_an_issue(cast, issue):
    from tests.conftest import api_client

    client = api_client(cast.member)
    base = f"/api/v1/issues/{issue.pk}"

    def post(path, body):
        return client.post(base + path, body, content_type="application/json")

    assert post("/owner", {"owner_id": cast.member.pk}).json()["owner_id"] == cast.member.pk
    assert post("/rank", {"rank": 2}).json()["rank"] == 2
    assert post("/vote", {"value": 1}).json()["votes"] == 1
    r = post("/vote", {"value": 5})
    assert r.status_code == 422
    assert post("/keep", {}).json()["kept_count"] == 1
    other = services.raise_issue(cast.org, cast.member, cast.platform, "Unranked, no votes")
    ranked = client.get("/api/v1/issues?ranked=true").json()["items"]
    assert [i["id"] for i in ranked] == [issue.pk, other.pk]
    r = post("/owner", {"owner_id": cast.outsider.pk})
    assert r.status_code == 422
    r = post(
        "/decide-and-solve",
        {
            "outcome": "Quarantine",
            "rationale": "Red builds block releases",
            "actions": [{"title": "Write the job", "owner_id": cast.member.pk}],
        },
    )
    assert r.status_code == 200 and r.json()["status"] == "solved"
    assert ActionItem.objects.get().source_id == issue.pk
    viewer = api_client(cast.viewer)
    r = viewer.post(
        f"/api/v1/issues/{other.pk}/vote", {"value": 1}, content_type="application/json"
    )
    assert r.status_code == 403
    outsider = api_client(cast.outsider)
    r = outsider.post(
        f"/api/v1/issues/{other.pk}/vote", {"value": 1}, content_type="application/json"
    )
    assert r.status_code == 404


def test_the_issue_page_shows_its_owner_rank_votes_and_keeps(cast, issue):
    from tests.conftest import login

    services.set_issue_owner(cast.org, cast.member, issue, cast.member)
    services.rank_issue(cast.org, cast.member, issue, 3)
    services.vote_issue(cast.org, cast.member, issue, 1)
    services.vote_issue(cast.org, cast.leader, issue, 1)
    services.keep_issue(cast.org, cast.member, issue)
    page = login(cast.viewer).get(f"/o/acme/decisions/issues/{issue.pk}/").content.decode()
    assert "Owned by Mia Member · rank #3 · 2 votes · kept for next time 1\u00d7" in page


def test_the_api_solves_with_a_decision_only_given_its_rationale(cast, issue):
    from tests.conftest import api_client

    client = api_client(cast.member)
    url = f"/api/v1/issues/{issue.pk}/decide-and-solve"
    job = {"title": "Write the job", "owner_id": cast.member.pk}
    body = {"outcome": "Quarantine", "actions": [job]}
    before = counts(cast.org)
    for rationale in ("", "   "):
        r = client.post(url, {**body, "rationale": rationale}, content_type="application/json")
        assert r.status_code == 422
        error = r.json()["error"]
        assert error["code"] == "rationale_required" and "rationale" in error["message"]
        assert error["fields"] == {"rationale": ["Say why this outcome: the record keeps it."]}
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN
    assert counts(cast.org) == before  # no decision, no action item, no event
    r = client.post(url, {**body, "rationale": "Red builds"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "solved"
    issue.refresh_from_db()
    assert (issue.decision.status, issue.decision.rationale) == ("decided", "Red builds")


def test_files_and_the_demo_may_still_solve_with_a_decision_without_one(cast, issue):
    solved = services.solve_issue_with_decision(
        cast.org, None, issue, outcome="Quarantine", approver=cast.member
    )
    assert solved.decision.status == DecisionStatus.DECIDED and solved.decision.rationale == ""
    other = services.raise_issue(cast.org, cast.member, cast.platform, "Slow reviews")
    with pytest.raises(ServiceError) as exc:  # what a person's page or the API asks
        services.solve_issue_with_decision(
            cast.org, cast.member, other, outcome="Pair", require_rationale=True
        )
    assert exc.value.code == "rationale_required"
    # Named another approver, the decision waits for them (they will say why).
    solved = services.solve_issue_with_decision(
        cast.org, cast.member, other, outcome="Pair", approver=cast.leader, require_rationale=True
    )
    assert solved.decision.status == DecisionStatus.OPEN
