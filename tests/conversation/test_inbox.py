"""The inbox: what concerns me lands there once, is counted unread in one query, and is
marked read or done by me only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.activity.models import Event
from accord.conversation import queries, services
from accord.conversation.models import InboxItem
from accord.coordination import services as coordination
from accord.core.errors import NotFound
from accord.decisions import services as decisions
from accord.org import services as org_services
from accord.org.models import MembershipRole
from tests.conftest import login, sqlite_plan


@pytest.fixture
def request_to_platform(world):
    """Acme (the root team) asks Platform, which Leo leads, for something."""
    from accord.alignment import services as alignment

    org_services.add_membership(
        world.org, None, person=world.admin, team=world.root, role=MembershipRole.LEAD
    )
    mine = alignment.create_initiative(org=world.org, actor=None, team=world.root, title="Launch")
    return coordination.create_dependency(
        world.org,
        world.admin,
        requester_initiative=mine,
        provider_team=world.platform,
        title="An API for the launch",
        need_by=timezone.localdate() + dt.timedelta(days=14),
    )


def test_a_request_to_my_team_lands_in_my_inbox_and_closes_when_answered(
    world, request_to_platform
):
    dep = request_to_platform
    (item,) = InboxItem.objects.filter(person=world.leader)
    assert item.kind == "request" and "An API for the launch" in item.title
    assert item.link == f"/o/acme/coordination/d/{dep.pk}/"
    assert not InboxItem.objects.filter(person=world.admin).exists()  # who asked is not told
    coordination.transition(
        world.org,
        world.leader,
        dep,
        "decline",
        note="Not this quarter",
    )
    item.refresh_from_db()
    assert item.done_at is not None


def test_a_proposal_answers_the_request_and_asks_the_other_side_in_turn(world, request_to_platform):
    from accord.alignment import services as alignment

    dep = request_to_platform
    work = alignment.create_initiative(
        org=world.org, actor=None, team=world.platform, title="API work"
    )
    (asked,) = InboxItem.objects.filter(person=world.leader)
    later = timezone.localdate() + dt.timedelta(days=30)
    dep = coordination.transition(
        world.org, world.leader, dep, "propose", proposed_date=later, provider_initiative=work
    )
    asked.refresh_from_db()
    assert asked.done_at is not None  # Leo answered
    (turn,) = InboxItem.objects.filter(person=world.admin, done_at__isnull=True)
    assert turn.title == "Platform proposes another date or scope: An API for the launch"
    # An answer to Acme's own request, waiting on it: the inbox does not call it a request
    # to Acme's team, which would read as a new one.
    assert turn.get_kind_display() == "Waiting on your team"
    page = login(world.admin).get("/o/acme/inbox/").content.decode()
    assert "Request to your team" not in page and "Waiting on your team" in page
    dep = coordination.transition(
        world.org, world.admin, dep, "counter", proposed_date=later - dt.timedelta(days=7)
    )
    turn.refresh_from_db()
    assert turn.done_at is not None
    (back,) = InboxItem.objects.filter(person=world.leader, done_at__isnull=True)
    assert back.title == "Acme counter-proposes: An API for the launch"
    coordination.transition(world.org, world.leader, dep, "accept", committed_date=later)
    assert not InboxItem.objects.filter(kind="request", done_at__isnull=True).exists()
    # What is left is the news of the answer, for the side that asked.
    (news,) = InboxItem.objects.filter(done_at__isnull=True)
    assert news.person == world.admin and news.title.startswith("Platform accepts, for ")


def test_a_decision_waiting_on_me_and_an_action_item_for_me(world):
    org = world.org
    d = decisions.create_decision(org, world.member, "Which cloud?", approver=world.leader)
    a = decisions.create_action_item(org, world.leader, "Write the memo", owner=world.member)
    assert InboxItem.objects.get(person=world.leader).kind == "decision"
    mine = InboxItem.objects.get(person=world.member)
    assert mine.kind == "action" and mine.link == f"/o/acme/decisions/actions/{a.pk}/"
    decisions.complete_action_item(org, world.member, a)
    assert InboxItem.objects.get(person=world.member).done_at is not None
    assert d.pk and InboxItem.objects.get(person=world.leader).done_at is None


def test_an_issue_for_my_team(world):
    decisions.raise_issue(world.org, world.member, world.platform, "Builds are flaky")
    (item,) = InboxItem.objects.filter(person=world.leader)
    assert item.kind == "issue" and "Builds are flaky" in item.title


def test_an_escalated_issue_leaves_the_inbox_of_the_team_it_left(world):
    org_services.add_membership(
        world.org, None, person=world.admin, team=world.root, role=MembershipRole.LEAD
    )
    issue = decisions.raise_issue(world.org, world.member, world.platform, "Builds are flaky")
    decisions.escalate_issue(world.org, world.leader, issue, "Needs budget")
    (left,) = InboxItem.objects.filter(person=world.leader)
    assert left.done_at is not None  # Platform's lead handed it on: nothing more to do
    (now,) = InboxItem.objects.filter(person=world.admin)
    assert now.done_at is None and now.title.startswith(f"Issue for {world.root.name}:")


def test_the_unread_count_is_one_query_and_counts_open_unread_items(world):
    services.post_comment(world.org, world.member, world.initiative, "@leo.leader one")
    services.post_comment(world.org, world.member, world.objective, "@leo.leader two")
    with CaptureQueriesContext(connection) as ctx:
        assert queries.unread_count(world.org, world.leader) == 2
    assert len(ctx.captured_queries) == 1
    first, second = queries.inbox(world.org, world.leader)
    services.mark_read(world.org, world.leader, first)
    assert queries.unread_count(world.org, world.leader) == 1
    services.mark_done(world.org, world.leader, second)
    assert queries.unread_count(world.org, world.leader) == 0
    assert list(queries.inbox(world.org, world.leader, "done")) == [second]
    services.reopen(world.org, world.leader, second)
    assert list(queries.inbox(world.org, world.leader)) == [first, second]
    verbs = list(
        Event.objects.filter(target_type="conversation.inboxitem")
        .order_by("id")
        .values_list("verb", "target_label")
    )
    assert verbs == [("read", "Inbox item"), ("done", "Inbox item"), ("reopened", "Inbox item")]


def test_nobody_changes_another_persons_inbox(world):
    services.post_comment(world.org, world.member, world.initiative, "@leo.leader one")
    item = InboxItem.objects.get(person=world.leader)
    for person in (world.admin, world.member, world.outsider):
        with pytest.raises(NotFound):
            services.mark_done(
                world.org if person != world.outsider else world.other_org, person, item
            )
    item.refresh_from_db()
    assert item.done_at is None and item.read_at is None


def test_mark_all_read(world):
    services.post_comment(world.org, world.member, world.initiative, "@leo.leader one")
    services.post_comment(world.org, world.member, world.objective, "@leo.leader two")
    assert services.mark_all_read(world.org, world.leader) == 2
    assert queries.unread_count(world.org, world.leader) == 0
    assert services.mark_all_read(world.org, world.leader) == 0


def test_deleting_a_comment_removes_its_mentions_from_inboxes(world):
    comment = services.post_comment(world.org, world.member, world.initiative, "@leo.leader")
    services.delete_comment(world.org, world.member, comment)
    assert not InboxItem.objects.exists()


def test_the_unread_count_reads_the_inbox_index(world):
    if connection.vendor != "sqlite":
        pytest.skip("the plan is checked on SQLite; PostgreSQL picks by table statistics")
    qs = InboxItem.objects.filter(
        person=world.leader, org=world.org, done_at__isnull=True, read_at__isnull=True
    )
    sql, params = qs.query.sql_with_params()
    plan = sqlite_plan(sql, params)
    # One of the inbox's indexes, searched by person: never a scan of the table.
    assert "SEARCH conversation_inboxitem USING INDEX inbox_" in plan, plan
    assert "SCAN" not in plan, plan


def test_an_action_item_given_to_someone_else_is_done_for_its_previous_owner(world):
    org = world.org
    a = decisions.create_action_item(org, world.leader, "Add disk alerts", owner=world.member)
    (was,) = InboxItem.objects.filter(person=world.member)
    a = decisions.update_action_item(org, world.leader, a, owner=world.admin)
    was.refresh_from_db()
    assert was.done_at is not None  # no longer Mia's to do
    (now,) = InboxItem.objects.filter(person=world.admin, done_at__isnull=True)
    assert now.title == "Action item for you: Add disk alerts"
    decisions.update_action_item(org, world.leader, a, owner=world.member)  # given back
    was.refresh_from_db()
    now.refresh_from_db()
    assert was.done_at is None and was.read_at is None and now.done_at is not None
