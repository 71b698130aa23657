"""The comments block on each object's page, the inbox page and the top bar's count."""

from __future__ import annotations

import re

from accord.conversation import services
from accord.conversation.models import Comment, InboxItem
from accord.conversation.queries import COMMENTS_PER_PAGE
from tests.conftest import login


def test_a_comment_from_the_page_with_a_mention_reaches_the_inbox(world):
    url = f"/o/acme/alignment/initiatives/{world.initiative.pk}/"
    member = login(world.member)
    page = member.get(url)
    assert b'id="comments"' in page.content and b'name="body"' in page.content
    sent = member.post(
        "/o/acme/comments/new/",
        {"target": "initiative", "target_id": world.initiative.pk, "body": "**Go** @leo.leader"},
    )
    comment = Comment.objects.get()
    assert sent.status_code == 302
    assert sent["Location"] == f"{url}?comment={comment.pk}#comment-{comment.pk}"
    shown = member.get(sent["Location"]).content.decode()
    assert "<strong>Go</strong>" in shown and 'class="mention"' in shown

    leader = login(world.leader)
    home = leader.get("/o/acme/").content.decode()
    assert re.search(r'class="inboxlink"[^>]*data-unread="1"', home)
    inbox = leader.get("/o/acme/inbox/").content.decode()
    assert "Mia Member mentioned you on initiative" in inbox
    item = InboxItem.objects.get(person=world.leader)
    # Looking at a link changes nothing; following the item (a POST) marks it read.
    assert leader.get(f"/o/acme/inbox/{item.pk}/open/").status_code == 405
    item.refresh_from_db()
    assert item.read_at is None
    opened = leader.post(f"/o/acme/inbox/{item.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == item.link
    item.refresh_from_db()
    assert item.read_at is not None
    done = leader.post(f"/o/acme/inbox/{item.pk}/done/", {"state": "open"})
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.done_at is not None
    assert "Nothing waiting on you" in leader.get("/o/acme/inbox/").content.decode()


def test_each_object_page_shows_its_comments(world):
    import datetime as dt

    from django.utils import timezone

    from accord.coordination import services as coordination
    from accord.decisions import services as decisions

    org = world.org
    dep = coordination.create_dependency(
        org,
        None,
        requester_initiative=world.initiative,
        provider_team=world.root,
        title="Review",
        need_by=timezone.localdate() + dt.timedelta(days=9),
    )
    decision = decisions.create_decision(org, None, "Which cloud?", approver=world.admin)
    issue = decisions.raise_issue(org, None, world.platform, "Flaky builds")
    pages = {
        world.objective: f"/o/acme/alignment/objectives/{world.objective.pk}/",
        world.initiative: f"/o/acme/alignment/initiatives/{world.initiative.pk}/",
        dep: f"/o/acme/coordination/d/{dep.pk}/",
        decision: f"/o/acme/decisions/{decision.pk}/",
        issue: f"/o/acme/decisions/issues/{issue.pk}/",
    }
    client = login(world.member)
    for obj, url in pages.items():
        services.post_comment(org, world.member, obj, f"Remark on {url}")
        body = client.get(url).content.decode()
        assert f"Remark on {url}" in body, url
        assert 'name="target_id"' in body, url


def test_a_viewer_reads_comments_and_sees_no_form(world):
    services.post_comment(world.org, world.member, world.initiative, "Visible to all")
    url = f"/o/acme/alignment/initiatives/{world.initiative.pk}/"
    page = login(world.viewer).get(url).content.decode()
    assert "Visible to all" in page
    assert 'action="/o/acme/comments/new/"' not in page
    assert "/edit/" not in page.split('id="comments"')[1]
    refused = login(world.viewer).post(
        "/o/acme/comments/new/",
        {"target": "initiative", "target_id": world.initiative.pk, "body": "me too"},
    )
    assert refused.status_code == 403
    assert Comment.objects.count() == 1


def test_only_the_author_and_admins_see_edit_and_delete(world):
    comment = services.post_comment(world.org, world.member, world.initiative, "mine")
    url = f"/o/acme/alignment/initiatives/{world.initiative.pk}/"
    edit = f"/o/acme/comments/{comment.pk}/edit/"
    assert edit in login(world.member).get(url).content.decode()
    assert edit in login(world.admin).get(url).content.decode()
    assert edit not in login(world.leader).get(url).content.decode()
    assert login(world.leader).post(edit, {"body": "theirs"}).status_code == 403
    saved = login(world.member).post(edit, {"body": "edited", "version": "1"})
    assert saved.status_code == 302
    empty = login(world.member).post(edit, {"body": " ", "version": "2"})
    assert empty.status_code == 422
    deleted = login(world.admin).post(f"/o/acme/comments/{comment.pk}/delete/")
    assert deleted.status_code == 302 and not Comment.objects.exists()


def test_comments_paginate_and_a_link_opens_the_page_holding_the_comment(world):
    org = world.org
    made = [
        services.post_comment(org, world.member, world.objective, f"Comment number {i}")
        for i in range(COMMENTS_PER_PAGE + 3)
    ]
    url = f"/o/acme/alignment/objectives/{world.objective.pk}/"
    client = login(world.member)
    first = client.get(url).content.decode()
    assert f"Comment number {len(made) - 1}<" in first  # newest first
    assert "Comment number 0<" not in first and "comments_page=2" in first
    oldest = client.get(url, {"comment": made[0].pk}).content.decode()
    assert "Comment number 0<" in oldest


def test_another_organizations_comment_and_inbox_pages_are_not_found(world):
    comment = services.post_comment(world.org, world.member, world.initiative, "@leo.leader")
    item = InboxItem.objects.get()
    outsider = login(world.outsider)
    assert outsider.get(f"/o/globex/comments/{comment.pk}/edit/").status_code == 404
    assert outsider.post(f"/o/globex/comments/{comment.pk}/delete/").status_code == 404
    assert outsider.post(f"/o/globex/inbox/{item.pk}/open/").status_code == 404
    assert outsider.post(f"/o/globex/inbox/{item.pk}/done/").status_code == 404
    bad = outsider.post(
        "/o/globex/comments/new/",
        {"target": "initiative", "target_id": world.initiative.pk, "body": "hi"},
    )
    assert bad.status_code == 404
    # Within the organization, someone else's item is not found either.
    assert login(world.admin).post(f"/o/acme/inbox/{item.pk}/open/").status_code == 404
    assert Comment.objects.count() == 1 and InboxItem.objects.get().read_at is None


def test_the_activity_feed_says_who_commented_on_what(world):
    """A comment's events read as what was done to the thing commented on, linked to it:
    "Mia Member commented on initiative “…”", not "created comment Comment on …"."""
    comment = services.post_comment(world.org, world.member, world.initiative, "First slice")
    services.edit_comment(world.org, world.member, comment, "First slice, in review")
    services.delete_comment(world.org, world.member, comment)
    feed = login(world.member).get("/o/acme/activity/").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", feed))
    title = world.initiative.title
    for said in ("commented on", "edited a comment on", "deleted a comment on"):
        assert f"Mia Member {said} initiative “{title}”" in text
    assert "Comment on initiative" not in text and "created comment" not in text
