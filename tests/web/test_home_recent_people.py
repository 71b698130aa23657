"""Home's "Recent activity" is what people did: Accord's own marks (overdue, stuck, late,
missed check-ins), however many came last, are left to the Activity page, which keeps
everything; the page is read off the index of people's events, not by walking Accord's."""

from __future__ import annotations

import pytest
from django.db import connection

from accord.org import services
from accord.web.views import HOME_RECENT, home_feed
from tests.conftest import login, sqlite_plan


def recent(page: str) -> str:
    return page[page.index("<h2>Recent activity</h2>") :].split("</section>")[0]


def test_people_lead_home_and_accords_marks_stay_on_the_activity_page(cast):
    services.update_team(cast.org, cast.leader, cast.platform, name="Platform Core")
    for i in range(HOME_RECENT + 3):  # Accord's, after it: more than a page of them
        services.update_team(cast.org, None, cast.platform, description=f"checked {i}")
    client = login(cast.member)  # in Platform: its feed
    home = recent(client.get("/o/acme/").content.decode())
    assert "Platform Core" in home and "Leo Leader" in home
    assert "Accord" not in home.split("All of the organization")[0] and "checked" not in home
    assert "with what Accord marked itself" in home
    everything = client.get("/o/acme/activity/").content.decode()
    assert "checked 14" in everything and "Platform Core" in everything


def test_home_reads_its_page_off_the_index_of_peoples_events(cast):
    if connection.vendor != "sqlite":
        pytest.skip("the query plan checked here is SQLite's")
    for person in (cast.viewer, cast.admin):  # in no team: the organization's feed
        sql, params = home_feed(cast.org, person)[:HOME_RECENT].query.sql_with_params()
        plan = sqlite_plan(sql, params)
        assert "USING INDEX activity_event_people_order" in plan, plan
        assert "TEMP B-TREE" not in plan, plan  # in order off the index, stopped at a page


def test_a_team_members_home_reads_its_page_off_the_teams_indexes(cast):
    if connection.vendor != "sqlite":
        pytest.skip("the query plan checked here is SQLite's")
    sql, params = home_feed(cast.org, cast.member)[:HOME_RECENT].query.sql_with_params()
    plan = sqlite_plan(sql, params)
    assert "USING INDEX activity_event_team_order" in plan, plan
    assert "USING INDEX activity_event_other_order" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # both merged in order, stopped at a page
