"""An item done by itself (the action item done, the issue solved) reads as read in the
API as on the inbox page: `read_at` is set, and it is in no unread count."""

from __future__ import annotations

import re
from importlib import import_module

from django.apps import apps as django_apps

from accord.conversation import queries
from accord.conversation.models import InboxItem
from accord.decisions import services as decisions
from tests.conftest import api_client, login


def test_an_action_item_done_by_its_owner_is_read_in_the_api_and_on_the_page(world):
    item = decisions.create_action_item(world.org, world.admin, "Write the runbook", world.leader)
    inbox = InboxItem.objects.get(person=world.leader, target_id=item.pk)
    assert inbox.done_at is None and inbox.read_at is None
    api = api_client(world.leader)
    assert api.get("/api/v1/me/inbox/unread").json() == {"unread": 1}

    decisions.complete_action_item(world.org, world.leader, item)

    (done,) = api.get("/api/v1/me/inbox", {"state": "done"}).json()["items"]
    assert done["id"] == inbox.pk and done["done_at"] is not None
    assert done["read_at"] is not None
    assert api.get("/api/v1/me/inbox/unread").json() == {"unread": 0}
    assert api.get("/api/v1/me/inbox").json()["count"] == 0
    # The page says the same: listed as done, not tagged unread.
    page = login(world.leader).get("/o/acme/inbox/?state=done").content.decode()
    row = re.search(rf'<li class="([^"]*)" id="inbox-{inbox.pk}">(.*?)</li>', page, re.S)
    assert row and "unread" not in row.group(1) and ">unread<" not in row.group(2)
    assert queries.unread_count(world.org, world.leader) == 0


def test_an_item_read_before_it_was_done_keeps_when_it_was_read(world):
    from accord.conversation import services

    item = decisions.create_action_item(world.org, world.admin, "Write the runbook", world.leader)
    inbox = InboxItem.objects.get(person=world.leader, target_id=item.pk)
    read = services.mark_read(world.org, world.leader, inbox).read_at
    decisions.complete_action_item(world.org, world.leader, item)
    inbox.refresh_from_db()
    assert inbox.done_at is not None and inbox.read_at == read


def test_a_solved_issue_is_read_for_the_team_leads(world):
    issue = decisions.raise_issue(world.org, world.member, world.platform, "Flaky tests")
    decisions.solve_issue(world.org, world.admin, issue, "Quarantined")
    (done,) = api_client(world.leader).get("/api/v1/me/inbox", {"state": "done"}).json()["items"]
    assert done["target_id"] == issue.pk and done["read_at"] is not None


def test_items_done_before_are_read_from_when_they_were_done(world):
    item = decisions.create_action_item(world.org, world.admin, "Write the runbook", world.leader)
    decisions.complete_action_item(world.org, world.leader, item)
    inbox = InboxItem.objects.get(person=world.leader, target_id=item.pk)
    InboxItem.objects.filter(pk=inbox.pk).update(read_at=None)  # as such items were kept
    migration = import_module("accord.conversation.migrations.0007_done_inbox_items_read")
    migration.done_is_read(django_apps, None)
    inbox.refresh_from_db()
    assert inbox.read_at == inbox.done_at


def test_undone_by_its_owner_the_item_is_back_unread_as_it_was(world):
    item = decisions.create_action_item(world.org, world.admin, "Write the runbook", world.leader)
    decisions.complete_action_item(world.org, world.leader, item)
    decisions.reopen_action_item(world.org, world.leader, item)  # the Undo
    inbox = InboxItem.objects.get(person=world.leader, target_id=item.pk)
    assert inbox.done_at is None and inbox.read_at is None
    assert api_client(world.leader).get("/api/v1/me/inbox/unread").json() == {"unread": 1}
