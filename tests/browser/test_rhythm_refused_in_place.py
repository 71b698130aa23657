"""A change a running meeting's page sends in place (htmx) and that is refused says why
beside it, in the refusal's own words, whatever they hold (a cadence's name with "<>" in
it too), as the other pages' in-place refusals do: not "Accord refused it (error 422)".
What was typed stays in its box."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.org import services as org_services
from accord.org.models import Membership
from accord.rhythm import services
from tests.browser.conftest import open_signed_in
from tests.rhythm.conftest import rhythm, utc  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST = utc(2026, 11, 9, 9)  # Monday 10:00 Berlin


def test_notes_refused_in_place_say_why_in_the_refusals_words(page, cast, rhythm):  # noqa: F811
    sync = services.update_cadence(cast.org, None, rhythm.sync, name="Platform <> Payments sync")
    m = services.open_meeting(cast.org, cast.leader, sync, FIRST)
    m = services.start_meeting(cast.org, cast.leader, m, now=FIRST)
    page.set_default_navigation_timeout(60_000)
    open_signed_in(page, cast.member.email, f"/o/acme/rhythm/cadences/{sync.pk}/{m.key}/")
    box = page.get_by_label("Notes on Issues")
    box.fill("Mia: CI is slow")
    # Moved out of Platform meanwhile: no longer one of the meeting's participants.
    term = Membership.terms.get(org=cast.org, person=cast.member, team=cast.platform)
    org_services.remove_membership(cast.org, None, term)
    page.get_by_role("button", name="Save notes on Issues").click()
    expect(page.locator("#saved-issues")).to_have_text(
        "Not saved: Only the participants of Platform <> Payments sync may take notes."
    )
    expect(box).to_have_value("Mia: CI is slow")
    m.refresh_from_db()
    assert m.notes.get("issues", "") == ""
