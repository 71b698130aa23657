"""A person finds their time zone by typing their country's name in the select (its
type-ahead), without knowing the zone's IANA name; the zone's name is what is saved.
In Debian's Chromium."""

from __future__ import annotations

import pytest
from django.conf import settings

from accord.org.models import Person
from tests import conftest

pytestmark = pytest.mark.browser


def test_typing_the_country_chooses_its_zone(browser, live_server, cast):
    context = browser.new_context(base_url=live_server.url)
    try:
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
        select = page.locator("#id_timezone")
        select.focus()
        page.keyboard.type("Nigeria", delay=20)
        assert select.input_value() == "Africa/Lagos"
        label = select.locator("option:checked").inner_text()
        assert label.startswith("Nigeria · Lagos (UTC+01:00)")
        page.get_by_role("button", name="Save").click()
        page.wait_for_url(f"**/people/{cast.member.pk}/")
        assert Person.objects.get(pk=cast.member.pk).timezone == "Africa/Lagos"
    finally:
        context.close()
