"""An item done by itself (what it is about was answered or closed) is not "unread" in
the Done tab, and "Mark all read" marks every item read, the done ones too."""

from __future__ import annotations

import re

from accord.conversation import queries, services
from accord.conversation.models import InboxItem
from accord.decisions import services as decisions
from tests.conftest import login


def _closed_for_the_lead(world):
    """An issue for Platform (its lead Leo's inbox), solved by the admin: done by itself."""
    issue = decisions.raise_issue(world.org, world.member, world.platform, "Flaky tests")
    decisions.solve_issue(world.org, world.admin, issue, "Quarantined")
    item = InboxItem.objects.get(person=world.leader)
    assert item.done_at is not None and item.read_at is not None
    return item


def test_the_done_tab_shows_no_item_unread(world):
    item = _closed_for_the_lead(world)
    page = login(world.leader).get("/o/acme/inbox/?state=done").content.decode()
    row = re.search(rf'<li class="([^"]*)" id="inbox-{item.pk}">(.*?)</li>', page, re.S)
    assert row, "the done item is not listed"
    assert "unread" not in row.group(1) and ">unread<" not in row.group(2)
    assert queries.unread_count(world.org, world.leader) == 0


def test_mark_all_read_marks_the_done_items_read_too(world):
    item = _closed_for_the_lead(world)
    services.post_comment(world.org, world.member, world.initiative, "@leo.leader look")
    assert services.mark_all_read(world.org, world.leader) == 1  # the open one counted
    assert not InboxItem.objects.filter(person=world.leader, read_at__isnull=True).exists()
    # Reopened, it is not news again.
    services.reopen(world.org, world.leader, item)
    assert queries.unread_count(world.org, world.leader) == 0
