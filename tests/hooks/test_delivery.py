"""Webhook deliveries from the write to the receiver, against a real HTTP server on
127.0.0.1, every request verified with the `standardwebhooks` package: what is sent and
how it is signed, retries, order under a burst, pause and resume, secret rotation,
refused private addresses and tenancy. The worker's function (`sender.deliver`) is called
as the worker's task calls it."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.fernet import Fernet
from django.db import transaction
from django.utils import timezone
from standardwebhooks import WebhookVerificationError

from accord.activity.models import Notification
from accord.core.errors import NotFound, PermissionDenied, ServiceError
from accord.hooks import sender, services
from accord.hooks.models import Delivery, DeliveryState, Webhook
from accord.org import services as org
from tests.hooks.conftest import Receiver

MINUTE = dt.timedelta(minutes=1)


def subscribe(cast, receiver, events=("*",)) -> tuple[Webhook, str]:
    return services.create_webhook(cast.org, cast.admin, url=receiver.url, events=list(events))


def later(minutes: float = 0) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def test_an_event_arrives_signed_with_what_happened_and_a_link(cast, receiver, settings):
    settings.SITE_URL = "https://accord.example.com"
    hook, secret = subscribe(cast, receiver, ["org.team.*", "decisions.*"])
    team = org.create_team(cast.org, cast.leader, name="Payments", parent=cast.root)
    org.update_team(cast.org, cast.leader, team, description="Money in, money out")
    org.add_person(cast.org, cast.admin, name="Not Subscribed")  # org.person: not asked for
    assert sender.deliver() == {"delivered": 2, "retry": 0, "given_up": 0, "paused": 0}
    created, updated = receiver.verified(secret)
    assert created["type"] == "org.team.created"
    data = created["data"]
    assert data["verb"] == "created" and data["kind"] == "org.team.created"
    assert data["actor"]["id"] == cast.leader.pk and data["actor"]["name"] == "Leo Leader"
    assert data["target"]["type"] == "org.team" and data["target"]["id"] == str(team.pk)
    assert data["target"]["label"] == "Payments"
    assert data["organization"] == {"slug": "acme", "name": "Acme"}
    assert updated["data"]["before"] == {"description": ""}
    assert updated["data"]["after"] == {"description": "Money in, money out"}
    headers, _ = receiver.requests[0]
    assert headers["webhook-id"] == f"evt_{data['id']}"
    assert headers["content-type"] == "application/json"
    # A tampered body, or another secret, does not verify.
    with pytest.raises(WebhookVerificationError):
        receiver.verified(services.new_secret())
    _, body = receiver.requests[0]
    from standardwebhooks import Webhook as Verifier

    with pytest.raises(WebhookVerificationError):
        Verifier(secret).verify(body.replace(b"Payments", b"Paym3nts"), headers)
    assert Delivery.objects.filter(webhook=hook, state=DeliveryState.DELIVERED).count() == 2


def test_the_link_is_the_objects_page(cast, receiver, settings):
    settings.SITE_URL = "https://accord.example.com"
    _, secret = subscribe(cast, receiver, ["org.person.created"])
    person = org.add_person(cast.org, cast.admin, name="Nia New")
    sender.deliver()
    [body] = receiver.verified(secret)
    assert body["data"]["target"]["url"] == (
        f"https://accord.example.com/o/acme/people/{person.pk}/"
    )
    # Objects people comment on link to the page `conversation.targets` names.
    assert sender.target_path(cast.org, "decisions.decision", "12") == "/o/acme/decisions/12/"
    assert sender.target_path(cast.org, "coordination.dependency", "7") == (
        "/o/acme/coordination/d/7/"
    )
    assert sender.target_path(cast.org, "hooks.webhook", "3") is None


def test_a_teams_event_links_to_the_teams_page_under_its_current_slug(cast, receiver, settings):
    settings.SITE_URL = "https://accord.example.com"
    _, secret = subscribe(cast, receiver, ["org.team.*"])
    team = org.create_team(cast.org, cast.leader, name="Payments", parent=cast.root)
    sender.deliver()
    [created] = receiver.verified(secret)
    assert created["data"]["target"]["url"] == "https://accord.example.com/o/acme/teams/payments/"
    # Another organization's team of that id is never linked from this one's events.
    assert sender.target_path(cast.other_org, "org.team", str(team.pk)) is None
    assert sender.target_path(cast.org, "org.team", "999999") is None
    assert sender.target_path(cast.org, "rhythm.cadence", "4") == "/o/acme/rhythm/cadences/4/"


def test_a_receiver_failing_three_times_gets_the_event_once_more_after_the_retries(cast, receiver):
    hook, secret = subscribe(cast, receiver, ["org.team.created"])
    receiver.fail_next = 3
    org.create_team(cast.org, cast.leader, name="Payments", parent=cast.root)
    now = timezone.now()
    outcomes = []
    for _ in range(3):
        outcomes.append(sender.deliver(now=now))
        d = Delivery.objects.get(webhook=hook)
        assert d.state == DeliveryState.PENDING and d.response_status == 503
        # Not before its back-off has passed ...
        assert sender.deliver(now=d.next_attempt_at - dt.timedelta(seconds=1))["retry"] == 0
        now = d.next_attempt_at
    assert [o["retry"] for o in outcomes] == [1, 1, 1]
    assert sender.deliver(now=now)["delivered"] == 1
    assert sender.deliver(now=now + dt.timedelta(days=2)) == {
        "delivered": 0,
        "retry": 0,
        "given_up": 0,
        "paused": 0,
    }
    bodies = receiver.verified(secret)
    assert len(bodies) == 4 and len({h["webhook-id"] for h, _ in receiver.requests}) == 1
    d = Delivery.objects.get(webhook=hook)
    assert (d.state, d.attempts, d.response_status, d.last_error) == ("delivered", 4, 200, "")
    assert d.duration_ms is not None
    hook.refresh_from_db()
    assert hook.consecutive_failures == 0


def test_the_back_off_doubles_and_gives_up_after_a_day(cast, receiver, settings):
    settings.WEBHOOK_PAUSE_AFTER = 1000
    hook, _ = subscribe(cast, receiver, ["org.team.created"])
    receiver.always_fail = True
    org.create_team(cast.org, cast.leader, name="Payments", parent=cast.root)
    org.create_team(cast.org, cast.leader, name="Billing", parent=cast.root)
    first, _ = Delivery.objects.filter(webhook=hook).order_by("pk")
    now, waits = timezone.now(), []
    while Delivery.objects.get(pk=first.pk).state == DeliveryState.PENDING:
        sender.deliver(now=now)
        d = Delivery.objects.get(pk=first.pk)
        waits.append(d.next_attempt_at - now)
        now = d.next_attempt_at
    assert waits[:4] == [dt.timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert max(waits) == sender.MAX_BACKOFF
    d = Delivery.objects.get(pk=first.pk)
    assert d.state == DeliveryState.GIVEN_UP and d.finished_at - d.created_at >= dt.timedelta(
        hours=24
    )
    # The next event waited for it: the receiver saw only the first event until then.
    kinds = {body["data"]["target"]["label"] for body in receiver.bodies()}
    assert kinds == {"Payments"} or kinds == {"Payments", "Billing"}
    assert receiver.bodies()[-2]["data"]["target"]["label"] == "Payments"


def test_order_holds_for_a_burst_of_500_events(cast, receiver):
    _, secret = subscribe(cast, receiver, ["org.team.updated"])
    receiver.fail_next = 1  # the first attempt fails: everything behind it waits
    with transaction.atomic():
        for i in range(250):
            org.update_team(cast.org, cast.leader, cast.platform, description=f"rev {i}")
    for i in range(250, 500):
        org.update_team(cast.org, cast.leader, cast.platform, description=f"rev {i}")
    now = timezone.now()
    assert sender.deliver(now=now)["retry"] == 1
    assert len(receiver.requests) == 1
    assert sender.deliver(now=now + MINUTE)["delivered"] == 500
    bodies = receiver.verified(secret)
    seen = [b["data"]["after"]["description"] for b in bodies[1:]]
    assert seen == [f"rev {i}" for i in range(500)]
    ids = [b["data"]["id"] for b in bodies[1:]]
    assert ids == sorted(ids)


def test_a_paused_webhook_keeps_what_waits_and_sends_it_in_order_when_resumed(cast, receiver):
    hook, secret = subscribe(cast, receiver, ["org.team.created"])
    services.pause_webhook(cast.org, cast.admin, hook)
    for name in ("One", "Two", "Three"):
        org.create_team(cast.org, cast.leader, name=name, parent=cast.root)
    assert sender.deliver(now=later(60)) == {
        "delivered": 0,
        "retry": 0,
        "given_up": 0,
        "paused": 0,
    }
    assert receiver.requests == []
    services.resume_webhook(cast.org, cast.admin, hook)
    assert sender.deliver()["delivered"] == 3
    assert [b["data"]["target"]["label"] for b in receiver.verified(secret)] == [
        "One",
        "Two",
        "Three",
    ]


def test_repeated_failures_pause_the_webhook_and_tell_the_admins(cast, receiver, settings):
    settings.WEBHOOK_PAUSE_AFTER = 3
    hook, _ = subscribe(cast, receiver, ["org.team.created"])
    receiver.always_fail = True
    org.create_team(cast.org, cast.leader, name="Payments", parent=cast.root)
    now = timezone.now()
    outcomes = []
    for _ in range(4):
        result = sender.deliver(now=now)
        outcomes.append(result)
        now += dt.timedelta(hours=3)
    assert [o["retry"] for o in outcomes] == [1, 1, 0, 0]
    assert outcomes[2]["paused"] == 1
    assert len(receiver.requests) == 3
    hook.refresh_from_db()
    assert hook.is_paused and "3 failed attempts in a row" in hook.paused_reason
    [notice] = Notification.objects.filter(kind="webhook_paused")
    assert notice.person == cast.admin
    assert receiver.url in notice.subject and f"/settings/webhooks/{hook.pk}/" in notice.link
    # Resumed, it tries again at once.
    receiver.always_fail = False
    services.resume_webhook(cast.org, cast.admin, hook)
    assert sender.deliver(now=timezone.now())["delivered"] >= 1


def test_both_secrets_sign_during_a_rotations_overlap_and_only_the_new_one_after(cast, receiver):
    hook, old = subscribe(cast, receiver, ["org.team.created"])
    hook, new = services.rotate_secret(cast.org, cast.admin, hook, overlap_hours=1)
    assert new != old and new.startswith("whsec_")
    org.create_team(cast.org, cast.leader, name="During", parent=cast.root)
    sender.deliver()
    assert receiver.verified(old)[0]["data"]["target"]["label"] == "During"
    assert receiver.verified(new)[0]["data"]["target"]["label"] == "During"
    headers, _ = receiver.requests[0]
    assert len(headers["webhook-signature"].split(" ")) == 2
    receiver.requests.clear()
    org.create_team(cast.org, cast.leader, name="After", parent=cast.root)
    sender.deliver(now=later(61))
    assert receiver.verified(new)[0]["data"]["target"]["label"] == "After"
    with pytest.raises(WebhookVerificationError):
        receiver.verified(old)
    # No overlap: the old secret stops at once.
    hook, newest = services.rotate_secret(cast.org, cast.admin, hook, overlap_hours=0)
    assert hook.secrets() == [newest]


def test_private_addresses_are_refused_when_saved_and_when_sent(cast, receiver, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    for url in (
        receiver.url,
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest",
        "http://[::1]:8080/x",
        "http://localhost/x",
    ):
        with pytest.raises(ServiceError) as refused:
            services.create_webhook(cast.org, cast.admin, url=url, events=["*"])
        assert refused.value.code == "address_refused" and "url" in refused.value.fields
    assert not Webhook.objects.exists()
    # Saved while allowed, refused at delivery once it is not: nothing reaches the server.
    settings.OUTBOUND_ALLOW_PRIVATE = True
    hook, _ = subscribe(cast, receiver, ["org.team.created"])
    settings.OUTBOUND_ALLOW_PRIVATE = False
    org.create_team(cast.org, cast.leader, name="Payments", parent=cast.root)
    assert sender.deliver()["retry"] == 1
    assert receiver.requests == []
    d = Delivery.objects.get(webhook=hook)
    assert "private or local address" in d.last_error and d.response_status is None


def test_a_webhook_never_receives_another_organizations_events(cast, receiver):
    hook, secret = subscribe(cast, receiver)  # every event (not webhooks': admins' only)
    other = Receiver()
    try:
        _, other_secret = services.create_webhook(
            cast.other_org, cast.outsider, url=other.url, events=["*"]
        )
        org.create_team(cast.other_org, cast.outsider, name="Globex Ops")
        org.create_team(cast.org, cast.leader, name="Acme Ops", parent=cast.root)
        assert Delivery.objects.filter(webhook=hook).count() == 1
        sender.deliver()
        mine, theirs = receiver.verified(secret), other.verified(other_secret)
    finally:
        other.close()
    assert [b["data"]["kind"] for b in mine] == ["org.team.created"]
    assert {b["data"]["organization"]["slug"] for b in mine} == {"acme"}
    assert "Globex" not in str(mine)
    assert [b["data"]["target"]["label"] for b in theirs][-1] == "Globex Ops"
    assert "Acme" not in str(theirs)


def test_a_redelivery_sends_the_same_event_again(cast, receiver):
    hook, secret = subscribe(cast, receiver, ["org.team.created"])
    org.create_team(cast.org, cast.leader, name="Payments", parent=cast.root)
    sender.deliver()
    first = Delivery.objects.get(webhook=hook)
    again = services.redeliver(cast.org, cast.admin, first)
    assert again.redelivery_of == first
    sender.deliver()
    one, two = receiver.verified(secret)
    assert one == two
    assert receiver.requests[0][0]["webhook-id"] == receiver.requests[1][0]["webhook-id"]


def test_only_admins_manage_webhooks(cast, receiver):
    for person in (cast.leader, cast.member, cast.viewer):
        with pytest.raises(PermissionDenied):
            services.create_webhook(cast.org, person, url=receiver.url, events=["*"])
    hook, _ = subscribe(cast, receiver)
    with pytest.raises(NotFound):
        services.pause_webhook(cast.other_org, cast.outsider, hook)


@pytest.mark.parametrize(
    "events",
    [[], ["nope.*"], ["org.teams.created"], ["Org.team"], ["org.*.created"], ["a b"], ["*."]],
)
def test_unknown_event_kinds_are_refused(cast, receiver, events):
    with pytest.raises(ServiceError) as refused:
        services.create_webhook(cast.org, cast.admin, url=receiver.url, events=events)
    assert "events" in refused.value.fields
    assert not Webhook.objects.exists()


def test_secrets_are_stored_encrypted_and_a_changed_key_asks_for_a_rotation(
    cast, receiver, settings
):
    hook, secret = subscribe(cast, receiver, ["org.team.created"])
    stored = Webhook.objects.values_list("secret", flat=True).get(pk=hook.pk)
    assert secret not in stored and not stored.startswith("whsec_")
    # The key changes (a new ACCORD_ENCRYPTION_KEY): the secret cannot be read, nothing is
    # sent unsigned, and the delivery log says what to do.
    settings.ACCORD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    org.create_team(cast.org, cast.leader, name="Payments", parent=cast.root)
    assert sender.deliver()["retry"] == 1
    assert receiver.requests == []
    d = Delivery.objects.get(webhook=hook)
    assert d.last_error == sender.UNREADABLE_SECRET
    # A rotation under the new key repairs it: the next attempt is signed with the new secret.
    hook.refresh_from_db()
    _, new_secret = services.rotate_secret(cast.org, cast.admin, hook)
    assert sender.deliver(now=d.next_attempt_at)["delivered"] == 1
    [body] = receiver.verified(new_secret)
    assert body["type"] == "org.team.created"
