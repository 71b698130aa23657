"""A comment's text lives on the comment alone: the events of posting, editing and deleting
it say what was done, never what it said, so words taken back by an edit or a deletion are
not readable through the activity, the events API or webhooks (which send the events)."""

from __future__ import annotations

import json

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accord.activity.models import Event
from accord.conversation import services
from tests.conftest import api_client

SECRET = "The supplier is about to go bankrupt"
TAKEN_BACK = "Sorry, I should not have written that"


def comment_events(org, comment_id):
    return Event.objects.for_org(org).for_target("conversation.comment", comment_id)


def test_a_deleted_or_edited_comment_is_not_readable_through_the_events(world):
    org = world.org
    comment = services.post_comment(org, world.member, world.initiative, f"{SECRET} @leo.leader")
    services.edit_comment(org, world.member, comment, TAKEN_BACK)
    services.delete_comment(org, world.member, comment)

    events = list(comment_events(org, comment.pk).order_by("pk"))
    assert [e.verb for e in events] == ["created", "updated", "deleted"]
    for event in events:
        stored = json.dumps([event.before, event.after, event.target_label])
        assert SECRET not in stored and TAKEN_BACK not in stored
    # What was done is still there: on what, whom it mentioned, when it was edited.
    assert events[0].after["mentions"] == [world.leader.pk]
    assert events[0].after["target_id"] == world.initiative.pk
    assert "edited_at" in events[1].after

    # A viewer reading the events API (as any read token) finds no word of it.
    answer = api_client(world.viewer).get("/api/v1/events", {"target_type": "conversation.comment"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["count"] == 3
    assert SECRET not in answer.content.decode() and TAKEN_BACK not in answer.content.decode()


def test_the_migration_takes_the_text_out_of_comments_events_recorded_before(world):
    """Events recorded before held the text; migration conversation 0004 empties it (and
    keeps every other key, and every other kind of event as it was)."""
    from importlib import import_module

    comment = services.post_comment(world.org, world.member, world.initiative, "Kept here")
    old = {"target": "initiative", "target_id": world.initiative.pk, "mentions": []}
    created = Event(
        org=world.org,
        actor=world.member,
        actor_name=world.member.name,
        verb="created",
        target_type="conversation.comment",
        target_id=str(comment.pk),
        target_label="Comment on initiative “Build the pipeline”",
        after={**old, "body": SECRET},
    )
    created.save(force_insert=True)
    edited = Event(
        org=world.org,
        actor=world.admin,
        actor_name=world.admin.name,
        verb="updated",
        target_type="conversation.comment",
        target_id=str(comment.pk),
        before={"body": SECRET, "body_html": f"<p>{SECRET}</p>", "edited_at": None},
        after={"body": TAKEN_BACK, "body_html": "<p>…</p>", "edited_at": "2026-01-02T10:00:00"},
    )
    edited.save(force_insert=True)
    other = Event.objects.for_org(world.org).exclude(target_type="conversation.comment")
    others_before = list(other.order_by("pk").values_list("pk", "before", "after"))

    migration = import_module("accord.conversation.migrations.0004_comment_text_out_of_events")
    state = MigrationExecutor(connection).loader.project_state(
        ("conversation", "0004_comment_text_out_of_events")
    )
    migration.forget_comment_text(state.apps, None)

    created = Event.objects.get(pk=created.pk)
    edited = Event.objects.get(pk=edited.pk)
    assert created.after == {**old, "body": None}
    assert edited.before == {"body": None, "edited_at": None}
    assert edited.after == {"body": None, "edited_at": "2026-01-02T10:00:00"}
    assert list(other.order_by("pk").values_list("pk", "before", "after")) == others_before
