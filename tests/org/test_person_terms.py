"""A person's page tells their story in teams: the teams they are in now, with their role
and since when, and their past terms, newest first, a bounded list whatever their number."""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.org import queries, services
from accord.org.models import Membership, Team
from tests.conftest import login


def page_of(cast, person) -> str:
    response = login(cast.viewer).get(f"/o/acme/people/{person.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, css_class: str) -> str:
    found = re.search(rf'<table class="table {css_class}".*?</table>', html, re.S)
    assert found, css_class
    return found.group(0)


def test_it_shows_current_teams_with_role_and_since_and_past_terms_newest_first(cast):
    services.add_team_role(cast.org, cast.admin, name="Release manager")
    services.add_membership(
        cast.org,
        None,
        person=cast.leader,
        team=cast.platform,
        role="release-manager",
        allocation=30,
        started_on="2025-04-01",
    )
    services.add_membership(
        cast.org,
        None,
        person=cast.leader,
        team=cast.root,
        role="lead",
        started_on="2021-01-04",
        ended_on="2022-06-30",
    )
    services.add_membership(
        cast.org,
        None,
        person=cast.leader,
        team=cast.platform,
        role="chair",
        started_on="2023-02-01",
        ended_on="2024-11-15",
    )
    html = page_of(cast, cast.leader)

    current = section(html, "current-terms")
    assert "Platform" in current and "Release manager" in current  # the organization's name
    assert "2025" in current and "30%" in current
    past = section(html, "past-terms")
    assert "Past terms" in html
    assert past.index("Chair") < past.index("Lead")  # the latest first
    assert past.index("Platform") < past.index("Acme")
    for year in ("2021", "2022", "2023", "2024"):
        assert year in past
    assert "earlier term" not in html


def test_a_retired_team_is_marked_in_current_and_past_terms(cast):
    catalogue = services.create_team(
        cast.org, None, name="Catalogue", slug="catalogue", parent=cast.root
    )
    services.add_membership(
        cast.org,
        None,
        person=cast.member,
        team=catalogue,
        role="lead",
        started_on="2020-01-01",
        ended_on="2021-01-01",
    )
    services.retire_team(cast.org, None, catalogue, on="2024-01-01")
    past = section(page_of(cast, cast.member), "past-terms")
    assert re.search(r"Catalogue</a> <span class=\"tag\">retired</span>", past)
    current = section(page_of(cast, cast.member), "current-terms")
    assert "Platform" in current and "retired" not in current

    services.add_membership(cast.org, None, person=cast.leader, team=catalogue, allocation=None)
    current = section(page_of(cast, cast.leader), "current-terms")
    assert re.search(r"Catalogue</a> <span class=\"tag\">retired</span>", current)


def add_past_terms(cast, person, count: int, start: int = 0) -> None:
    teams = Team.objects.bulk_create(
        [
            Team(org=cast.org, name=f"Team {i:03d}", slug=f"team-{i:03d}", parent=cast.root)
            for i in range(start, start + count)
        ]
    )
    first = dt.date(2000, 1, 1)
    Membership.terms.bulk_create(
        [
            Membership(
                org=cast.org,
                person=person,
                team=team,
                role="member",
                started_on=first + dt.timedelta(days=30 * i),
                ended_on=first + dt.timedelta(days=30 * i + 20),
            )
            for i, team in enumerate(teams, start=start)
        ]
    )


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_a_long_history_shows_the_latest_terms_and_counts_the_rest_in_as_many_queries(cast):
    client = login(cast.viewer)
    url = f"/o/acme/people/{cast.leader.pk}/"
    client.get(url)  # the first request of a session does some one-off work
    add_past_terms(cast, cast.leader, 3)
    few = queries_for(client, url)
    add_past_terms(cast, cast.leader, queries.PERSON_PAST_TERMS + 27, start=3)
    many = queries_for(client, url)
    assert many <= few + 1  # the count of the earlier ones, read only when there are some

    past = section(client.get(url).content.decode(), "past-terms")
    assert past.count("<tr>") == queries.PERSON_PAST_TERMS + 1  # and the heading's row
    newest = queries.PERSON_PAST_TERMS + 30 - 1
    assert f"Team {newest:03d}" in past and f"Team {newest - 19:03d}" in past
    assert f"Team {newest - 20:03d}" not in past
    html = client.get(url).content.decode()
    assert "And 30 earlier terms; the latest 20 are shown." in html


def test_an_admin_deactivates_and_brings_back_a_person_from_the_web(cast):
    """The edit form's Active box: cleared, the person is gone from the people list (an
    admin finds them under Deactivated people); ticked, they are back."""
    from accord.org.models import Person
    from tests.conftest import login

    client = login(cast.admin)
    url = f"/o/acme/people/{cast.member.pk}/edit/"
    form = {"name": cast.member.name, "email": cast.member.email, "title": "",
            "role": "member", "timezone": "UTC", "active_shown": "1"}  # fmt: skip
    page = client.get(url).content.decode()
    assert 'name="is_active"' in page and 'name="active_shown"' in page
    # A post without the box on its form (an old page, a script) leaves them active.
    without = {k: v for k, v in form.items() if k != "active_shown"}
    assert client.post(url, without).status_code == 302
    cast.member.refresh_from_db()
    assert cast.member.is_active
    assert client.post(url, form).status_code == 302  # the box left clear
    cast.member.refresh_from_db()
    assert not cast.member.is_active
    people = client.get("/o/acme/people/").content.decode()
    assert cast.member.name not in people.split('id="people-rows"')[1]
    gone = client.get("/o/acme/people/?show=deactivated").content.decode()
    assert "Deactivated people" in gone and cast.member.name in gone.split('id="people-rows"')[1]
    assert (
        login(cast.leader)
        .get("/o/acme/people/?show=deactivated")
        .content.decode()
        .count(cast.member.name)
        == 0
    )  # only admins look at who left
    assert client.post(url, {**form, "is_active": "on"}).status_code == 302
    assert Person.objects.get(pk=cast.member.pk).is_active
