"""A mention is delivered by the worker through the one delivery path: one e-mail to the
person (real SMTP) and one post to a mentioned team's chat (a real local webhook), both
linking to the comment; a restarted worker sends nothing twice."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accord.activity import delivery
from accord.activity.models import Notification
from accord.conversation import services


def test_a_mention_is_mailed_and_posted_once_with_a_link_to_the_comment(world, smtp, good_hook):
    delivery.add_chat_webhook(world.org, None, world.platform, url=good_hook.url, flavor="slack")
    comment = services.post_comment(
        world.org, world.member, world.initiative, "@leo.leader and @platform: *ready*?"
    )
    services.edit_comment(world.org, world.member, comment, "@leo.leader and @platform: ready!")
    assert smtp.messages == [] and good_hook.posts == []  # the worker sends, not the write
    later = timezone.now() + dt.timedelta(minutes=1)
    assert delivery.deliver(now=later)["sent"] == 2
    (mail,) = smtp.messages
    assert mail["X-Rcpt"] == world.leader.email
    assert mail["Subject"].strip() == (
        "Mia Member mentioned you on initiative “Build the pipeline”"
    )
    body = mail.get_body(("plain",)).get_content()
    link = (
        f"/o/acme/alignment/initiatives/{world.initiative.pk}/"
        f"?comment={comment.pk}#comment-{comment.pk}"
    )
    assert link in body and "*ready*?" in body
    (post,) = good_hook.posts
    assert link in post["text"]
    assert delivery.deliver(now=later + dt.timedelta(minutes=10))["sent"] == 0
    assert len(smtp.messages) == 1 and len(good_hook.posts) == 1


def test_a_team_s_chat_reads_that_the_team_was_mentioned_and_a_person_that_they_were(
    world, good_hook
):
    delivery.add_chat_webhook(world.org, None, world.platform, url=good_hook.url, flavor="slack")
    services.post_comment(world.org, world.member, world.initiative, "@platform, @leo.leader: go?")
    subjects = dict(Notification.objects.values_list("channel", "subject"))
    on = "on initiative “Build the pipeline”"
    assert subjects == {
        "email": f"Mia Member mentioned you {on}",
        "chat": f"Mia Member mentioned Platform {on}",
    }
    delivery.deliver(now=timezone.now() + dt.timedelta(minutes=1))
    (post,) = good_hook.posts
    assert f"Mia Member mentioned Platform {on}" in post["text"]
    assert "mentioned you" not in post["text"]
