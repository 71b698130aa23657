"""Back, then Comment again: the same comment from its author on the same object minutes
later is not posted a second time unless they tick the box the form then offers."""

from __future__ import annotations

import html as htmllib

from accord.conversation.models import Comment
from tests.conftest import login


def test_the_same_comment_posted_again_asks_first(world):
    member = login(world.member)
    body = {"target": "initiative", "target_id": world.initiative.pk, "body": "Shipped it."}
    first = member.post("/o/acme/comments/new/", body)
    assert first.status_code == 302
    again = member.post("/o/acme/comments/new/", body, follow=True)
    page = htmllib.unescape(again.content.decode())
    assert "Not posted: you posted this same comment at" in page
    assert 'type="checkbox" name="again"' in page and ">Shipped it.</textarea>" in page
    assert Comment.objects.count() == 1
    # The box shows once, for the comment held; the next visit is a plain form again.
    later = member.get(f"/o/acme/alignment/initiatives/{world.initiative.pk}/").content.decode()
    assert 'name="again"' not in later
    member.post("/o/acme/comments/new/", {**body, "again": "on"})
    assert Comment.objects.count() == 2
    # Someone else saying the same is no second click.
    login(world.leader).post("/o/acme/comments/new/", body)
    assert Comment.objects.count() == 3


def test_a_stale_comment_edit_says_what_changed_and_saves_when_sent_again(world):
    from accord.conversation import services

    comment = services.post_comment(world.org, world.member, world.initiative, "v1")
    url = f"/o/acme/comments/{comment.pk}/edit/"
    first, second = login(world.member), login(world.member)
    assert 'name="version" value="1"' in second.get(url).content.decode()
    assert first.post(url, {"body": "v2", "version": "1"}).status_code == 302
    refused = second.post(url, {"body": "v3", "version": "1"})
    page = htmllib.unescape(refused.content.decode())
    assert "This comment was changed since you opened this form (by you" in page
    assert "is now “v2” (changed by you at" in page and ">v3</textarea>" in page
    assert 'name="version" value="2"' in page  # the version now: sent again, it saves
    assert second.post(url, {"body": "v3", "version": "2"}).status_code == 302
    comment.refresh_from_db()
    assert comment.body == "v3"


def test_the_same_comment_sent_twice_through_the_api_is_posted_once(world):
    from tests.conftest import api_client

    api = api_client(world.member)
    body = {"target": "initiative", "target_id": world.initiative.pk, "body": "Shipped it."}
    first = api.post("/api/v1/comments", body, content_type="application/json")
    assert first.status_code == 201, first.content
    again = api.post("/api/v1/comments", body, content_type="application/json")
    assert again.status_code == 422, again.content
    error = again.json()["error"]
    assert error["code"] == "duplicate" and error["existing_id"] == first.json()["id"]
    assert Comment.objects.count() == 1
    sent = api.post("/api/v1/comments", {**body, "again": True}, content_type="application/json")
    assert sent.status_code == 201, sent.content
    assert Comment.objects.count() == 2
