"""Settings → Webhooks pages: an admin creates a webhook (the secret shown once), reads its
log, redelivers, rotates, pauses, resumes and deletes; other people get 403, another
organization's webhook is a 404."""

from __future__ import annotations

from django.utils import timezone

from accord.hooks import sender, services
from accord.hooks.models import Delivery, Webhook
from accord.org import services as org
from tests.conftest import login


def test_an_admin_creates_a_webhook_and_sees_its_secret_once(cast, as_admin, receiver):
    index = "/o/acme/settings/webhooks/"
    page = as_admin.get(index)
    assert page.status_code == 200 and b"No webhooks yet" in page.content
    assert b'href="/o/acme/settings/webhooks/"' in page.content  # in the navigation
    bad = as_admin.post(index, {"url": "not an address", "events": "*"})
    assert bad.status_code == 200 and b"is not an http(s) address" in bad.content
    assert not Webhook.objects.exists()
    made = as_admin.post(
        index, {"url": receiver.url, "events": "org.team.* , decisions.*"}, follow=True
    )
    hook = Webhook.objects.get()
    assert hook.events == ["org.team.*", "decisions.*"]
    [secret] = hook.secrets()
    assert secret.encode() in made.content and b"shown only once" in made.content
    detail = f"/o/acme/settings/webhooks/{hook.pk}/"
    assert made.redirect_chain == [(detail, 302)]
    shown = as_admin.get(detail)  # a reload
    assert secret.encode() not in shown.content
    assert b"Nothing sent yet" in shown.content

    org.create_team(cast.org, cast.leader, name="Payments", parent=cast.root)
    sender.deliver()
    log = as_admin.get(detail).content.decode()
    assert "org.team.created" in log and "Payments" in log and "delivered" in log
    d = Delivery.objects.get()
    as_admin.post(f"{detail}deliveries/{d.pk}/redeliver/")
    assert Delivery.objects.filter(redelivery_of=d).count() == 1

    rotated = as_admin.post(f"{detail}rotate/", follow=True)
    hook.refresh_from_db()
    new, old = hook.secrets()  # both sign during the overlap
    assert old == secret and new.encode() in rotated.content
    as_admin.post(f"{detail}pause/")
    hook.refresh_from_db()
    assert hook.is_paused and b"Resume" in as_admin.get(detail).content
    as_admin.post(f"{detail}resume/")
    hook.refresh_from_db()
    assert not hook.is_paused
    saved = as_admin.post(detail, {"url": receiver.url, "events": "nope.*"})
    assert saved.status_code == 422 and b"No events are recorded about" in saved.content
    as_admin.post(f"{detail}delete/")
    assert not Webhook.objects.exists()


def test_only_admins_reach_the_pages_and_only_their_organizations(cast, receiver):
    theirs, _ = services.create_webhook(
        cast.other_org, cast.outsider, url=receiver.url, events=["*"]
    )
    for person in (cast.leader, cast.member, cast.viewer):
        client = login(person)
        assert client.get("/o/acme/settings/webhooks/").status_code == 403
        assert b"/settings/webhooks/" not in client.get("/o/acme/").content
    admin = login(cast.admin)
    assert admin.get(f"/o/acme/settings/webhooks/{theirs.pk}/").status_code == 404
    assert admin.post(f"/o/acme/settings/webhooks/{theirs.pk}/pause/").status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_paused


def test_the_actions_addresses_opened_by_get_lead_to_the_webhooks_page(cast, as_admin, receiver):
    hook, _ = services.create_webhook(
        cast.org, cast.admin, url=receiver.url, events=["org.team.created"]
    )
    org.create_team(cast.org, cast.leader, name="Payments", parent=cast.root)
    d = Delivery.objects.get()
    detail = f"/o/acme/settings/webhooks/{hook.pk}/"
    for action in ("pause/", "resume/", "rotate/", "delete/", "test/"):
        response = as_admin.get(f"{detail}{action}")
        assert (response.status_code, response["Location"]) == (302, detail), action
    for action in ("redeliver/", "retry/"):
        response = as_admin.get(f"{detail}deliveries/{d.pk}/{action}")
        assert (response.status_code, response["Location"]) == (302, detail), action
    hook.refresh_from_db()
    assert not hook.is_paused and Webhook.objects.exists() and Delivery.objects.count() == 1
    assert login(cast.member).get(f"{detail}rotate/").status_code == 403
    assert as_admin.get("/o/acme/settings/webhooks/999999/rotate/").status_code == 404


def test_a_test_event_goes_out_at_once_and_its_outcome_is_shown(cast, as_admin, receiver):
    hook, secret = services.create_webhook(
        cast.org, cast.admin, url=receiver.url, events=["org.team.*"]
    )
    detail = f"/o/acme/settings/webhooks/{hook.pk}/"
    assert b"Send a test event" in as_admin.get(detail).content
    sent = as_admin.post(f"{detail}test/", follow=True).content.decode()
    [body] = receiver.verified(secret)  # signed as every delivery is
    assert body["type"] == "hooks.webhook.tested"
    assert f"Test event #{body['data']['id']} delivered: HTTP 200" in sent
    assert Delivery.objects.get().state == "delivered"

    receiver.always_fail = True
    failed = as_admin.post(f"{detail}test/", follow=True).content.decode()
    assert "failed: HTTP 503. A test is not retried" in failed
    last = Delivery.objects.order_by("pk").last()
    assert last.state == "given_up" and last.attempts == 1
    hook.refresh_from_db()
    assert hook.consecutive_failures == 0  # a test does not pause a webhook


def test_an_address_that_does_not_resolve_is_kept_and_the_page_says_what_follows(cast, as_admin):
    made = as_admin.post(
        "/o/acme/settings/webhooks/",
        {"url": "https://hooks.nowhere.invalid/accord", "events": "*"},
        follow=True,
    ).content.decode()
    hook = Webhook.objects.get()
    assert "Accord cannot reach it now (cannot resolve hooks.nowhere.invalid" in made
    assert "retried for 24 hours" in made and "Send a test event" in made
    tested = as_admin.post(f"/o/acme/settings/webhooks/{hook.pk}/test/", follow=True)
    # (with private addresses refused, as by default: "cannot resolve hooks.nowhere.invalid")
    assert "failed: could not reach https://hooks.nowhere.invalid/accord" in tested.content.decode()


def test_a_retrying_delivery_can_be_retried_now_and_the_page_says_failing(cast, as_admin, receiver):
    hook, _ = services.create_webhook(
        cast.org, cast.admin, url=receiver.url, events=["org.team.created"]
    )
    receiver.fail_next = 1
    org.create_team(cast.org, cast.leader, name="Payments", parent=cast.root)
    assert sender.deliver()["retry"] == 1
    d = Delivery.objects.get()
    assert d.state == "pending" and d.next_attempt_at > timezone.now()
    listed = as_admin.get("/o/acme/settings/webhooks/").content.decode()
    page = as_admin.get(f"/o/acme/settings/webhooks/{hook.pk}/").content.decode()
    assert ">failing<" in listed and ">failing<" in page and "Failing: 1 attempt" in page
    retry = f"/o/acme/settings/webhooks/{hook.pk}/deliveries/{d.pk}/retry/"
    assert f'action="{retry}"' in page and "Retry now" in page
    as_admin.post(retry)
    d.refresh_from_db()
    assert d.next_attempt_at <= timezone.now()
    assert sender.deliver()["delivered"] == 1
    page = as_admin.get(f"/o/acme/settings/webhooks/{hook.pk}/").content.decode()
    assert ">active<" in page and "Retry now" not in page
    finished = as_admin.post(retry, follow=True).content.decode()
    assert "This delivery is finished; redeliver it" in finished
