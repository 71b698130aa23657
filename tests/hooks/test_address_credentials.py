"""An address with credentials in it (`user:password@host`) is refused wherever Accord takes
one: the webhook form, the API and chat webhooks. Addresses are shown in lists, the activity
feed and events, so the password would be too; the signing secret is how a receiver knows
the request is Accord's."""

from __future__ import annotations

import json

import pytest

from accord.activity import delivery
from accord.activity.models import ChatWebhook, Event
from accord.core.errors import ServiceError
from accord.core.outbound import CREDENTIALS_REFUSED
from accord.hooks import services
from accord.hooks.models import Webhook

ADDRESSES = [
    "http://user:pass@127.0.0.1:1/x",
    "https://user@hooks.example.com/x",
    "https://:secret@hooks.example.com/x",
]


@pytest.mark.parametrize("url", ADDRESSES)
def test_the_api_refuses_an_address_with_credentials(cast, api_admin, url):
    response = api_admin.post(
        "/api/v1/webhooks", json.dumps({"url": url, "events": ["*"]}), "application/json"
    )
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "address_refused"
    assert error["fields"] == {"url": [CREDENTIALS_REFUSED]}
    assert url not in response.content.decode()  # the credentials are not repeated
    assert "signed with their secret" in error["message"]
    assert not Webhook.objects.exists()
    assert not Event.objects.filter(target_type="hooks.webhook").exists()


def test_a_change_to_an_address_with_credentials_is_refused(cast, receiver, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1
    hook, _ = services.create_webhook(cast.org, cast.admin, url=receiver.url, events=["*"])
    with pytest.raises(ServiceError) as refused:
        services.update_webhook(
            cast.org, cast.admin, hook, url=receiver.url.replace("://", "://u:p@")
        )
    assert refused.value.fields == {"url": [CREDENTIALS_REFUSED]}
    hook.refresh_from_db()
    assert hook.url == receiver.url


def test_the_webhook_form_refuses_it_and_says_why(cast, as_admin, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True  # refused for the credentials, not the address
    page = as_admin.post(
        "/o/acme/settings/webhooks/", {"url": "http://user:pass@127.0.0.1:1/x", "events": "*"}
    )
    assert page.status_code == 200
    assert b"may not hold a user name or password" in page.content
    assert not Webhook.objects.exists()
    assert b"user:pass@" not in as_admin.get(f"/o/{cast.org.slug}/activity/").content


def test_a_chat_webhook_with_credentials_is_refused(cast, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True
    with pytest.raises(ServiceError) as refused:
        delivery.add_chat_webhook(
            cast.org,
            cast.admin,
            cast.platform,
            url="https://u:p@chat.example.com/hook",
            flavor="slack",
        )
    assert refused.value.fields == {"url": [CREDENTIALS_REFUSED]}
    assert not ChatWebhook.objects.exists()
