"""A programme manager (a member who owns a cross-team initiative) sets up its weekly sync
from the initiative's page in a real browser: the form comes filled in for the teams' leads,
the cadence page names the initiative, the initiative's page names its sync; someone who
may set up no cadence is told so before filling the form in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.rhythm.models import Cadence
from tests.browser.conftest import open_signed_in
from tests.rhythm.test_programme_sync import programme  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_initiatives_owner_sets_up_its_sync_from_its_page(page, shot, cast, programme):  # noqa: F811
    p = programme
    initiative = f"/o/acme/alignment/initiatives/{p.launch.pk}/"
    open_signed_in(page, p.priya.email, initiative)
    page.get_by_role("link", name="Set up its sync").click()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Spring launch sync")
    expect(page.get_by_label("Scope")).to_have_value("teams")
    expect(page.get_by_label("Participants", exact=True)).to_have_value("leads")
    teams = page.locator(".field").filter(has=page.get_by_label("Teams", exact=True))
    for name in ("Product", "Storefront", "Fulfilment"):
        expect(teams).to_contain_text(name)
    expect(teams).not_to_contain_text("Ops")
    shot(page, "form")
    page.get_by_role("button", name="Set up cadence").click()
    expect(page.get_by_text("Spring launch sync set up.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("(the teams' leads only)")
    expect(page.get_by_role("link", name="Spring launch", exact=True)).to_be_visible()
    sync = Cadence.objects.get(name="Spring launch sync")
    assert sync.owner == p.priya and list(sync.initiatives.all()) == [p.launch]
    page.goto(initiative)
    expect(page.get_by_role("link", name="Spring launch sync")).to_be_visible()
    shot(page, "initiative")


def test_scope_one_team_hides_the_participants_and_sets_them_to_everyone(page, cast):
    open_signed_in(page, cast.leader.email, "/o/acme/rhythm/cadences/new/")
    participants = page.get_by_label("Participants", exact=True)
    expect(participants).to_be_hidden()
    page.get_by_label("Scope").select_option("teams")
    expect(participants).to_be_visible()
    participants.select_option("leads")
    page.get_by_label("Scope").select_option("team")
    expect(participants).to_be_hidden()
    expect(participants).to_have_value("everyone")


def test_someone_who_may_set_up_nothing_is_told_before_the_form(page, cast):
    open_signed_in(page, cast.member.email, "/o/acme/rhythm/cadences/new/")
    expect(page.get_by_text("You may not set up cadences in Acme.")).to_be_visible()
    expect(page.get_by_label("Name", exact=True)).to_have_count(0)
