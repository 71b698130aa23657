"""A new objective whose Level is Organization hides and clears the Team field the page
filled in (the person's one team), so it is saved with no team; choosing Team shows the
field again."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from accord.alignment import services as s
from accord.alignment.models import Objective
from accord.org import services as org_services
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_organization_objective_made_on_the_page_has_no_team(page, shot, cast):
    s.create_period(
        cast.org,
        None,
        name="Q1 2026",
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 3, 31),
        is_current=True,
    )
    # The leader is in one team: the form starts with it as the team.
    org_services.add_membership(cast.org, None, person=cast.leader, team=cast.platform)
    open_signed_in(page, cast.leader.user.email, "/o/acme/alignment/objectives/new/")
    team = page.locator("#id_team-field")
    expect(team).to_be_visible()
    expect(page.get_by_role("combobox", name="Team")).to_have_value("Platform")
    page.get_by_label("Title").fill("Grow margins")
    page.get_by_label("Level").select_option("org")
    expect(team).to_be_hidden()
    shot(page, "organization-objective-no-team")
    page.get_by_label("Level").select_option("team")
    expect(team).to_be_visible()
    page.get_by_label("Level").select_option("org")
    page.get_by_role("button", name="Create objective").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grow margins")
    made = Objective.objects.get(title="Grow margins")
    assert (made.level, made.team) == ("org", None)
