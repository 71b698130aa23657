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


def test_deactivating_says_what_it_did_and_the_page_shows_no_free_share(cast):
    """Unticking Active is no mere "saved": the message and the log say deactivated, and
    the page of someone gone offers no share, address form nor team to join."""
    from accord.activity.models import Event

    client = login(cast.admin)
    url = f"/o/acme/people/{cast.member.pk}/edit/"
    form = {"name": cast.member.name, "email": cast.member.email, "title": "",
            "role": "member", "timezone": "UTC", "active_shown": "1"}  # fmt: skip
    page = client.post(url, form, follow=True).content.decode()
    assert (
        "Mia Member is deactivated: they can no longer sign in to Acme, their API tokens "
        "and calendar address are revoked and their 1 current term ended today." in page
    )
    assert "% allocated" not in page and "Add to a team" not in page
    assert 'name="value"' not in page  # no address to add
    assert "In no team: Mia is deactivated, and their terms ended then." in page
    event = Event.objects.filter(target_type="org.person", target_id=str(cast.member.pk))
    event = event.latest("id")
    assert event.verb == "deactivated"
    back = client.post(url, {**form, "is_active": "on"}, follow=True).content.decode()
    assert "Mia Member is active again and can sign in." in back and "Add to a team" in back
    event = Event.objects.filter(target_type="org.person", target_id=str(cast.member.pk))
    event = event.latest("id")
    assert event.verb == "reactivated"


def test_an_admin_puts_someone_in_a_team_from_their_page(cast):
    client = login(cast.admin)
    url = f"/o/acme/people/{cast.viewer.pk}/"
    page = client.get(url).content.decode()
    assert "Not in any team." in page and "Add to a team" in page
    form = {"team": cast.root.pk, "team_text": "Acme", "role": "member", "allocation": 120}
    refused = client.post(f"{url}teams/", form)
    assert refused.status_code == 422
    assert "Vic Viewer was not added to a team" in refused.content.decode()
    done = client.post(f"{url}teams/", {**form, "allocation": 40}, follow=True)
    assert "Vic Viewer added to Acme." in done.content.decode()
    term = Membership.objects.get(person=cast.viewer)
    assert (term.team, term.role, term.allocation) == (cast.root, "member", 40)
    again = client.post(f"{url}teams/", {**form, "allocation": 40})
    assert again.status_code == 422 and "Vic Viewer is already in Acme." in again.content.decode()


def test_a_lead_adds_to_the_teams_they_lead_and_a_member_to_none(cast):
    services.add_membership(cast.org, None, person=cast.leader, team=cast.root, allocation=0)
    lead = services.add_person(cast.org, None, name="Lee Lead", email="lee@acme.example")
    services.add_membership(cast.org, None, person=lead, team=cast.platform, role="lead")
    mate = services.add_person(cast.org, None, name="Max Mate", email="max@acme.example")
    lead.user = services.ensure_user(lead.email, "a-long-password-1")
    lead.save()
    as_lead = login(lead)
    url = f"/o/acme/people/{mate.pk}/teams/"
    assert "Add to a team" in as_lead.get(f"/o/acme/people/{mate.pk}/").content.decode()
    root = {"team": cast.root.pk, "team_text": "Acme", "role": "member", "allocation": 10}
    assert as_lead.post(url, root).status_code == 422  # not a team they lead
    platform = {**root, "team": cast.platform.pk, "team_text": "Platform"}
    assert as_lead.post(url, platform).status_code == 302
    assert Membership.objects.filter(person=mate, team=cast.platform).exists()
    member = login(cast.member)
    assert "Add to a team" not in member.get(f"/o/acme/people/{mate.pk}/").content.decode()
    assert member.post(url, root).status_code == 403


def test_a_new_person_may_start_in_a_team(cast):
    client = login(cast.admin)
    data = {"name": "Nia New", "role": "member", "timezone": "UTC", "team": cast.platform.pk,
            "team_text": "Platform", "role_in_team": "lead"}  # fmt: skip
    page = client.post("/o/acme/people/new/", data, follow=True).content.decode()
    assert "Nia New added to Platform." in page
    term = Membership.objects.get(person__name="Nia New")
    assert (term.team, term.role, term.allocation) == (cast.platform, "lead", 100)
    alone = {"name": "Ola Alone", "role": "member", "timezone": "UTC"}
    page = client.post("/o/acme/people/new/", alone, follow=True).content.decode()
    assert "Ola Alone added." in page
    assert not Membership.objects.filter(person__name="Ola Alone").exists()
