"""`delivery.notify`, the one entry every pillar uses to tell someone something, against a
real local SMTP server (aiosmtpd) and a real local HTTP server for chat webhooks: a key is
told once, `once_per` spaces repeats, muted kinds and channels turned off are respected for
every caller, a failing receiver is retried until it answers, and nothing is sent twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from accord.activity import delivery
from accord.activity.models import DeliveryStatus, Event, Notification
from accord.core.errors import NotFound, PermissionDenied, ServiceError

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
WEEK = dt.timedelta(days=7)


def tell(cast, *, now=T0, key="signal:7", kind="signal_critical", **kw):
    kw.setdefault("people", [cast.member])
    with transaction.atomic():  # as a pillar does, inside its own write
        return delivery.notify(
            cast.org,
            kind=kind,
            key=key,
            subject="Platform's check-ins are stale",
            text="Nobody on Platform has checked in for 3 weeks.",
            link="http://localhost:8000/o/acme/",
            now=now,
            **kw,
        )


def recipients(smtp) -> list[str]:
    return sorted(m["X-Rcpt"] for m in smtp.messages)


def test_a_key_is_told_once_however_often_it_is_queued(cast, smtp, good_hook):
    delivery.add_chat_webhook(cast.org, None, cast.platform, url=good_hook.url, flavor="slack")
    assert tell(cast, people=[cast.member, cast.leader], teams=[cast.platform]) == 3
    assert tell(cast, people=[cast.member, cast.leader], teams=[cast.platform]) == 0
    assert tell(cast, now=T0 + 30 * WEEK, people=[cast.member], teams=[cast.platform]) == 0
    assert delivery.deliver(now=T0) == {"sent": 3, "retry": 0, "given_up": 0}
    assert recipients(smtp) == sorted([cast.member.email, cast.leader.email])
    msg = next(m for m in smtp.messages if m["X-Rcpt"] == cast.member.email)
    assert msg["Subject"] == "Platform's check-ins are stale"
    text = msg.get_body(("plain",)).get_content()
    assert text.startswith("Hello Mia,") and "checked in for 3 weeks" in text
    assert "\nhttp://localhost:8000/o/acme/\r\n" in text and "/rhythm/settings/" in text
    html = msg.get_body(("html",)).get_content()
    assert "<strong>Platform&#x27;s check-ins are stale</strong>" in html
    [post] = good_hook.posts
    assert post == {
        "text": "Platform's check-ins are stale\n"
        "Nobody on Platform has checked in for 3 weeks.\n"
        "http://localhost:8000/o/acme/"
    }


def test_once_per_tells_each_person_at_most_once_in_the_window(cast, smtp):
    assert tell(cast, once_per=WEEK) == 1
    assert tell(cast, now=T0 + dt.timedelta(days=3), once_per=WEEK) == 0
    # Someone who was not told yet is told, within the same window.
    assert tell(cast, now=T0 + dt.timedelta(days=3), once_per=WEEK, people=[cast.leader]) == 1
    # Just inside the window the member is still not told; after it, once more.
    assert tell(cast, now=T0 + WEEK - dt.timedelta(minutes=1), once_per=WEEK) == 0
    assert tell(cast, now=T0 + WEEK + dt.timedelta(minutes=1), once_per=WEEK) == 1
    assert tell(cast, now=T0 + WEEK + dt.timedelta(days=2), once_per=WEEK) == 0
    delivery.deliver(now=T0 + 3 * WEEK)
    assert recipients(smtp) == sorted([cast.member.email, cast.member.email, cast.leader.email])


def test_a_muted_kind_reaches_no_one_who_muted_it(cast, smtp):
    delivery.set_preferences(cast.org, cast.member, cast.member, muted_kinds=["decision_decided"])
    assert tell(cast, kind="decision_decided", people=[cast.member, cast.leader]) == 1
    assert tell(cast, kind="decision_reversed", key="decision:1:reversed") == 1  # not muted
    delivery.deliver(now=T0)
    assert recipients(smtp) == sorted([cast.leader.email, cast.member.email])
    told = Notification.objects.order_by("person__name").values_list("person__name", "kind")
    assert list(told) == [("Leo Leader", "decision_decided"), ("Mia Member", "decision_reversed")]


def test_email_turned_off_sends_no_email_but_teams_still_hear(cast, smtp, good_hook):
    delivery.add_chat_webhook(cast.org, None, cast.platform, url=good_hook.url, flavor="slack")
    delivery.set_preferences(cast.org, cast.member, cast.member, email=False)
    assert tell(cast, people=[cast.member], teams=[cast.platform]) == 1
    delivery.deliver(now=T0)
    assert smtp.messages == [] and len(good_hook.posts) == 1


def email_left_unset(settings, monkeypatch, smtp) -> None:
    """E-mail as a fresh install leaves it: no EMAIL_HOST, no EMAIL_BACKEND, so Django's
    SMTP server on localhost; here `smtp` listens on that port, to catch what is tried."""
    monkeypatch.delenv("EMAIL_HOST", raising=False)
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    settings.EMAIL_HOST = "localhost"


def test_without_email_set_up_no_email_is_queued_or_tried_and_chat_still_goes(
    cast, smtp, good_hook, settings, monkeypatch
):
    """A fresh install said "Accord sends no e-mail here", yet the worker tried each notice
    on localhost:25 and every admin page then said messages were not getting through."""
    delivery.add_chat_webhook(cast.org, None, cast.platform, url=good_hook.url, flavor="slack")
    # One e-mail queued while e-mail was set up, before it was unset.
    assert tell(cast, key="signal:6", people=[cast.leader]) == 1
    email_left_unset(settings, monkeypatch, smtp)
    assert tell(cast, people=[cast.member, cast.leader], teams=[cast.platform]) == 1
    assert list(
        Notification.objects.filter(topic="signal:7").values_list("channel", flat=True)
    ) == ["chat"]
    assert delivery.deliver(now=T0) == {"sent": 1, "retry": 0, "given_up": 0}
    assert smtp.messages == [] and len(good_hook.posts) == 1
    waiting = Notification.objects.get(topic="signal:6")
    assert waiting.status == DeliveryStatus.PENDING and waiting.attempts == 0
    assert delivery.trouble(cast.org, now=T0 + WEEK) == {
        "email": 0,
        "chat": 0,
        "overdue": 0,
        "error": "",
    }


def test_people_without_an_address_or_no_longer_active_are_left_out(cast, smtp):
    cast.leader.is_active = False
    cast.leader.save()
    cast.viewer.email = ""
    cast.viewer.save()
    assert tell(cast, people=[cast.leader, cast.viewer, cast.member, None]) == 1


def test_a_failing_receiver_is_retried_until_it_answers(cast, bad_hook, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    delivery.add_chat_webhook(cast.org, None, cast.platform, url=bad_hook.url, flavor="teams")
    tell(cast, people=[], teams=[cast.platform])
    assert delivery.deliver(now=T0) == {"sent": 0, "retry": 1, "given_up": 0}
    row = Notification.objects.get()
    assert row.status == DeliveryStatus.PENDING and row.next_attempt_at == T0 + delivery.backoff(1)
    assert "500" in row.last_error
    bad_hook.fail = False  # the chat server is back
    assert delivery.deliver(now=T0 + dt.timedelta(seconds=30)) == {
        "sent": 0,
        "retry": 0,
        "given_up": 0,
    }
    assert delivery.deliver(now=row.next_attempt_at) == {"sent": 1, "retry": 0, "given_up": 0}
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT and row.attempts == 2 and row.last_error == ""
    assert len(bad_hook.posts) == 2 and bad_hook.posts[1]["@type"] == "MessageCard"
    assert delivery.deliver(now=T0 + WEEK)["sent"] == 0
    assert len(bad_hook.posts) == 2
    assert not Event.objects.filter(verb="given_up").exists()


@pytest.mark.parametrize("flavor", ["slack", "teams", "mattermost"])
def test_what_people_wrote_reaches_chat_as_written_not_as_markup_or_a_mass_mention(
    cast, good_hook, flavor
):
    """A rationale with "<!channel>" pinged a whole Slack channel, "<script>" went raw
    into a Teams card next to its <br> markup, "@channel" pings Mattermost."""
    delivery.add_chat_webhook(cast.org, None, cast.platform, url=good_hook.url, flavor=flavor)
    with transaction.atomic():
        delivery.notify(
            cast.org,
            kind="signal_critical",
            key="decision:9",
            subject="Decided: <b>ship</b> & tell",
            text="<!channel> @channel @here <script>alert(1)</script>",
            link="http://localhost:8000/o/acme/",
            teams=[cast.platform],
            now=T0,
        )
    assert delivery.deliver(now=T0)["sent"] == 1
    [post] = good_hook.posts
    body = post["text"]
    if flavor != "mattermost":  # Mattermost shows markup as text; it pings on "@channel"
        assert "<!channel>" not in body and "<script>" not in body and "<b>" not in body
    if flavor == "slack":
        assert "&lt;!channel&gt;" in body and "&amp; tell" in body
    elif flavor == "teams":
        assert "&lt;script&gt;" in body and "<br>" in body
        assert post["title"] == "Decided: &lt;b&gt;ship&lt;/b&gt; &amp; tell"
    else:
        assert "@\u200bchannel @\u200bhere" in body and " @channel" not in body


def test_a_refused_write_queues_nothing(cast):
    with pytest.raises(ServiceError), transaction.atomic():
        tell(cast)
        raise ServiceError("the pillar's write was refused")
    assert Notification.objects.count() == 0


def test_another_organizations_people_or_teams_are_refused(cast):
    with pytest.raises(NotFound):
        tell(cast, people=[cast.outsider])
    with pytest.raises(NotFound):
        tell(cast, people=[], teams=[cast.other_team])
    assert Notification.objects.count() == 0


def test_a_key_too_long_or_an_empty_kind_is_a_programming_error(cast):
    with pytest.raises(ValueError):
        tell(cast, key="x" * 151)
    with pytest.raises(ValueError):
        tell(cast, kind="")
    with pytest.raises(ValueError):
        tell(cast, once_per=dt.timedelta(0))


def test_preferences_refuse_unknown_kinds_and_other_peoples_settings(cast):
    with pytest.raises(ServiceError) as refused:
        delivery.set_preferences(cast.org, cast.member, cast.member, muted_kinds=["nonsense"])
    assert refused.value.fields == {"muted_kinds": ["Unknown kind 'nonsense'."]}
    with pytest.raises(PermissionDenied):
        delivery.set_preferences(cast.org, cast.leader, cast.member, email=False)
    assert delivery.preferences_of(cast.org, cast.member).email is True
    assert not Event.objects.filter(target_type="activity.deliverypreferences").exists()


def test_every_kind_a_pillar_sends_can_be_muted():
    kinds = {k.kind: k for k in delivery.kinds()}
    assert {"checkin_open", "checkin_due", "agenda"} <= set(kinds)
    assert {"decision_decided", "decision_superseded", "decision_reversed"} <= set(kinds)
    assert kinds["agenda"].group == "Rhythm"
