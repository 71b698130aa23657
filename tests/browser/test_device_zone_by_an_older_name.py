"""A person's own profile offers "Use this device's time zone" also when the browser names
the zone by an older name of its place (Chromium says Asia/Calcutta, Europe/Kiev), which
the time zone list offers under the place's own name (Asia/Kolkata, Europe/Kyiv).
In Debian's Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.core import timezones
from tests import conftest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("device", "listed"), [("Asia/Kolkata", "Asia/Kolkata"), ("Europe/Kyiv", "Europe/Kyiv")]
)
def test_the_devices_zone_is_offered_by_its_places_own_name(
    browser, live_server, cast, device, listed
):
    assert listed in timezones.places()
    context = browser.new_context(base_url=live_server.url, timezone_id=device)
    try:
        from django.conf import settings

        session = conftest.login(cast.member).cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session,
                    "domain": "localhost",
                    "path": "/",
                }
            ]
        )
        page = context.new_page()
        page.goto(f"/o/acme/people/{cast.member.pk}/edit/")
        said = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
        button = page.get_by_role("button", name="Use this device's time zone")
        expect(button).to_be_visible()
        expect(button).to_contain_text(listed)
        button.click()
        assert page.locator("#id_timezone").input_value() == listed, said
    finally:
        context.close()


def test_older_names_lead_to_listed_places():
    names = timezones.other_names()
    assert names["Asia/Calcutta"] == "Asia/Kolkata"
    assert names["Europe/Kiev"] == "Europe/Kyiv"
    assert set(names.values()) <= set(timezones.places())
    assert not set(names) & set(timezones.places())
