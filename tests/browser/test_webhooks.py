"""An admin adds a webhook from the side navigation, copies its secret (shown once), and
reads the delivery log after an event reached a real receiver; on a laptop and a phone."""

from __future__ import annotations

import re

import pytest
from django.urls import get_resolver
from playwright.sync_api import expect

from accord.hooks import sender
from accord.hooks.models import Webhook
from accord.org import services as org
from tests.browser.conftest import open_signed_in
from tests.hooks.conftest import receiver  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_adds_a_webhook_and_reads_its_log(page, shot, cast, receiver):  # noqa: F811
    get_resolver().url_patterns  # noqa: B018 (load every page's code before the first request)
    open_signed_in(page, cast.admin.user.username, "/o/acme/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", level=1)).to_be_visible()
    page.get_by_label("Payload URL").fill(receiver.url)
    page.get_by_label("Event kinds").fill("org.team.*")
    page.get_by_label("Description").fill("Data lake")
    page.get_by_role("button", name="Add webhook").click()
    secret = page.get_by_label("Signing secret")
    expect(secret).to_have_value(re.compile(r"^whsec_"))
    assert [secret.input_value()] == Webhook.objects.get().secrets()
    shot(page, "created")
    page.reload()
    expect(page.get_by_role("heading", name="Deliveries")).to_be_visible()
    expect(page.get_by_label("Signing secret")).to_have_count(0)
    assert Webhook.objects.count() == 1

    org.create_team(cast.org, cast.leader, name="Payments", parent=cast.root)
    sender.deliver()
    page.get_by_role("link", name="Webhooks").first.click()
    page.get_by_role("link", name=receiver.url).click()
    log = page.get_by_role("table")
    expect(log.get_by_role("row").filter(has_text="Payments")).to_contain_text("delivered")
    expect(log).to_contain_text("200")
    shot(page, "log-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(log.get_by_role("row").filter(has_text="Payments")).to_be_visible()
    shot(page, "log-phone")
    assert len(receiver.requests) == 1
