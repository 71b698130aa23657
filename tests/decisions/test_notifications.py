"""Deciding, superseding and reversing a decision tell its informed people by e-mail (as
they chose) and its affected teams' chat webhooks, through the one delivery path: sent by
the worker against a real local SMTP server and a real local HTTP server, once, retried."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.activity import delivery
from accord.activity.models import DeliveryStatus, Notification
from accord.core.errors import PermissionDenied
from accord.decisions import services


def add_hook(team, **kw):
    return delivery.add_chat_webhook(team.org, None, team, **kw)


def later(minutes: int = 1) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def _decision(cast, **kw):
    return services.create_decision(
        cast.org,
        cast.member,
        "Move the build farm to ARM?",
        approver=cast.leader,
        informed=[cast.member, cast.viewer, cast.admin],
        teams=[cast.platform],
        **kw,
    )


def test_deciding_emails_the_informed_and_posts_to_affected_teams(cast, smtp, good_hook):
    add_hook(cast.platform, url=good_hook.url, flavor="slack")
    add_hook(cast.root, url=good_hook.url, flavor="slack")
    delivery.set_preferences(cast.org, cast.admin, cast.admin, email=False)
    d = _decision(cast)
    assert smtp.messages == [] and good_hook.posts == []  # nothing is sent by the request
    services.decide(cast.org, cast.leader, d, outcome="Yes, by March", rationale="Cheaper")
    assert smtp.messages == [] and good_hook.posts == []  # the worker sends, not the request

    result = delivery.deliver(now=later())
    assert result["sent"] == 3  # member and viewer by e-mail (admin turned e-mail off), one post
    assert sorted(m["X-Rcpt"] for m in smtp.messages) == sorted(
        [cast.member.email, cast.viewer.email]
    )
    msg = smtp.messages[0]
    assert msg["Subject"].strip() == "Decided: Move the build farm to ARM?"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Leo Leader decided: Yes, by March" in text and "Why: Cheaper" in text
    assert f"/decisions/{d.pk}/" in text
    assert "<strong>Decided: Move the build farm to ARM?</strong>" in html
    [post] = good_hook.posts  # Platform is affected; the root team's webhook stays quiet
    assert post["text"].startswith("Decided: Move the build farm to ARM?\nLeo Leader decided")

    # A restarted worker sends nothing twice.
    assert delivery.deliver(now=later(10)) == {"sent": 0, "retry": 0, "given_up": 0}
    assert len(smtp.messages) == 2 and len(good_hook.posts) == 1


def test_superseding_and_reversing_are_announced_with_the_reason(cast, smtp):
    old = _decision(cast)
    services.decide(cast.org, cast.leader, old, outcome="Yes")
    new = services.create_decision(cast.org, cast.member, "Which ARM vendor?", cast.leader)
    services.decide(cast.org, cast.leader, new, outcome="Vendor B")
    services.supersede(cast.org, cast.leader, old, by=new, reason="Vendor B ships ARM only")
    delivery.deliver(now=later())
    subjects = sorted({m["Subject"].strip() for m in smtp.messages})
    assert subjects == [
        "Decided: Move the build farm to ARM?",
        "Superseded: Move the build farm to ARM?",
    ]
    superseded = next(m for m in smtp.messages if m["Subject"].startswith("Superseded"))
    body = superseded.get_body(("plain",)).get_content()
    assert "replaced by “Which ARM vendor?”: Vendor B" in body
    assert "Reason: Vendor B ships ARM only" in body

    third = _decision(cast)
    services.decide(cast.org, cast.leader, third, outcome="No")
    services.reverse(cast.org, cast.leader, third, reason="Prices changed")
    smtp.messages.clear()
    delivery.deliver(now=later(2))
    reversed_ = [m for m in smtp.messages if m["Subject"].startswith("Reversed")]
    assert len(reversed_) == 3  # member, viewer, admin
    assert "Reason: Prices changed" in reversed_[0].get_body(("plain",)).get_content()


def test_the_person_who_decides_is_not_told_their_own_decision(cast, smtp):
    d = services.create_decision(
        cast.org, cast.member, "Freeze Fridays?", approver=cast.leader, informed=[cast.leader]
    )
    services.decide(cast.org, cast.leader, d, outcome="Yes")
    assert Notification.objects.count() == 0


def test_a_refused_decision_queues_nothing(cast):
    d = _decision(cast)
    with pytest.raises(PermissionDenied):
        services.decide(cast.org, cast.member, d, outcome="Yes")  # not the approver
    assert Notification.objects.count() == 0


def test_history_recorded_by_the_system_is_not_news(cast):
    d = _decision(cast)
    services.decide(cast.org, None, d, outcome="Yes")  # demo loader, importers
    assert Notification.objects.count() == 0


def test_a_failing_team_webhook_is_retried_with_back_off(cast, bad_hook, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    add_hook(cast.platform, url=bad_hook.url, flavor="teams")
    services.decide(cast.org, cast.leader, _decision(cast), outcome="Yes")
    t = later()
    assert delivery.deliver(now=t) == {"sent": 3, "retry": 1, "given_up": 0}
    chat = Notification.objects.get(channel="chat")
    assert chat.kind == "decision_decided" and chat.status == DeliveryStatus.PENDING
    assert chat.next_attempt_at == t + delivery.backoff(1)
    assert bad_hook.posts[0]["@type"] == "MessageCard"
    for _ in range(delivery.MAX_ATTEMPTS - 1):
        chat.refresh_from_db()
        delivery.deliver(now=chat.next_attempt_at)
    chat.refresh_from_db()
    assert chat.status == DeliveryStatus.GIVEN_UP
    assert len(bad_hook.posts) == delivery.MAX_ATTEMPTS
