"""Signed-in pages are sent with `Cache-Control: no-store, private`, so that Back loads
them again instead of showing a copy from before a change (an action item marked done
still listed on home). Answers that say how they may be kept keep their own header."""

from __future__ import annotations

from django.test import Client

from accord.rhythm import services as rhythm
from tests.conftest import login


def _directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_signed_in_pages_are_not_kept_by_the_browser(cast):
    client = login(cast.member)
    for url in ("/o/acme/", "/o/acme/decisions/actions/", f"/o/acme/teams/{cast.platform.slug}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html")
        assert {"no-store", "private"} <= _directives(response), url


def test_an_htmx_part_of_a_page_is_not_kept_either(cast):
    response = login(cast.member).get("/o/acme/", headers={"HX-Request": "true"})
    assert {"no-store", "private"} <= _directives(response)


def test_what_is_not_a_signed_in_page_keeps_its_own_header(cast):
    # A calendar feed says how long a calendar may keep it, even opened signed in.
    _, token = rhythm.create_feed(cast.org, cast.member, person=cast.member)
    client = login(cast.member)
    feed = client.get(f"/api/v1/rhythm/calendar/{token}.ics")
    assert feed.status_code == 200
    assert _directives(feed) == {"private", "max-age=300"}
    # Static files are WhiteNoise's, before any page.
    static = client.get("/static/accord/shell.js")
    assert static.status_code == 200
    assert "no-store" not in _directives(static)
    # Signed out, a public page is not a person's data.
    assert "no-store" not in _directives(Client().get("/healthz"))


def test_a_download_of_peoples_data_is_not_kept_either(cast):
    # One's own data and the organization's export hold addresses and people's words: not
    # to be left in a shared computer's cache.
    mine = login(cast.member).get("/o/acme/interchange/my-data.yaml")
    assert mine.status_code == 200 and not mine["Content-Type"].startswith("text/html")
    assert {"no-store", "private"} <= _directives(mine)
    whole = login(cast.admin).get("/o/acme/interchange/export.yaml")
    assert whole.status_code == 200
    assert {"no-store", "private"} <= _directives(whole)
