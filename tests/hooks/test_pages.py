"""Settings → Webhooks pages: an admin creates a webhook (the secret shown once), reads its
log, redelivers, rotates, pauses, resumes and deletes; other people get 403, another
organization's webhook is a 404."""

from __future__ import annotations

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
