"""The pickers' search endpoint and the fields behind it: tenancy, rights, bad input."""

from __future__ import annotations

import re

import pytest

from accord.org import services
from accord.org.models import Membership, Person, Team
from accord.web import pickers
from tests.conftest import login


def options(response) -> int:
    return response.content.decode().count('role="option"')


def test_it_finds_people_of_the_organization_by_name(cast):
    response = login(cast.member).get("/o/acme/pick/person/", {"q": "mia"})
    assert response.status_code == 200
    assert "Mia Member" in response.content.decode()
    assert f'data-value="{cast.member.pk}"' in response.content.decode()


def test_someone_away_today_is_said_away_until_their_last_day_off(cast):
    """Whom to give work to: a person on time off today is found as usual, with the last
    day of their time off beside their name; someone back from it is not."""
    import datetime as dt

    from django.utils import timezone

    from accord.rhythm import services as rhythm
    from accord.web.templatetags.dates import day

    today = timezone.localdate()
    last = today + dt.timedelta(days=4)
    rhythm.set_away(cast.org, cast.member, cast.member, starts_on=today, ends_on=last)
    rhythm.set_away(
        cast.org, cast.leader, cast.leader,
        starts_on=today - dt.timedelta(days=9), ends_on=today - dt.timedelta(days=3),
    )  # fmt: skip
    page = login(cast.admin).get("/o/acme/pick/person/", {"q": "mia"}).content.decode()
    assert f"away until {day(last)}" in page
    page = login(cast.admin).get("/o/acme/pick/person/", {"q": cast.leader.name}).content.decode()
    assert cast.leader.name in page and "away until" not in page


def test_namesakes_are_told_apart_by_their_teams(cast):
    from accord.org import services as org_services

    other = org_services.add_person(cast.org, None, name="Mia Member", email="mia2@acme.test")
    org_services.add_membership(cast.org, None, person=other, team=cast.root, allocation=0)
    page = login(cast.member).get("/o/acme/pick/person/", {"q": "mia member"}).content.decode()
    options = page.split('role="option"')[1:]
    details = {
        cast.member.pk: next(o for o in options if f'data-value="{cast.member.pk}"' in o),
        other.pk: next(o for o in options if f'data-value="{other.pk}"' in o),
    }
    assert "Platform" in details[cast.member.pk] and "Acme" not in details[cast.member.pk]
    assert "Acme · mia2@acme.test" in details[other.pk]


def test_your_team_mates_and_you_come_first(cast):
    def found(person, q):
        page = login(person).get("/o/acme/pick/person/", {"q": q}).content.decode()
        return [o.split("</")[0] for o in page.split('role="option"')[1:]]

    elsewhere = services.add_person(cast.org, None, name="Tomas Ahmed", email="ta@acme.test")
    services.add_membership(cast.org, None, person=elsewhere, team=cast.root, allocation=50)
    mate = services.add_person(cast.org, None, name="Tomas Fischer", email="tf@acme.test")
    services.add_membership(cast.org, None, person=mate, team=cast.platform, allocation=50)
    mine = found(cast.member, "tomas")  # Mia is in Platform, with Tomas Fischer
    assert [("Fischer" in o, "Ahmed" in o) for o in mine] == [(True, False), (False, True)]
    # Someone in neither team reads them by name.
    theirs = found(cast.viewer, "tomas")
    assert [("Ahmed" in o, "Fischer" in o) for o in theirs] == [(True, False), (False, True)]


def test_it_never_offers_another_organizations_people(cast):
    response = login(cast.member).get("/o/acme/pick/person/", {"q": "otto"})
    assert options(response) == 0
    assert "Otto" not in response.content.decode()
    teams = login(cast.member).get("/o/acme/pick/team/", {"q": "labs"})
    assert options(teams) == 0


def test_an_outsider_cannot_search_an_organization(cast):
    assert login(cast.outsider).get("/o/acme/pick/person/", {"q": "a"}).status_code == 404


def test_it_asks_anonymous_visitors_to_sign_in(cast, client):
    response = client.get("/o/acme/pick/person/", {"q": "a"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_viewer_may_search_as_they_may_read_the_people_list(cast):
    response = login(cast.viewer).get("/o/acme/pick/team/", {"q": "plat"})
    assert response.status_code == 200 and "Platform" in response.content.decode()


def test_it_answers_at_most_the_search_limit(cast):
    Person.objects.bulk_create(
        [Person(org=cast.org, name=f"Zed {i:02d}") for i in range(pickers.SEARCH_LIMIT + 10)]
    )
    response = login(cast.member).get("/o/acme/pick/person/", {"q": "zed"})
    assert options(response) == pickers.SEARCH_LIMIT


def test_it_leaves_out_people_who_left(cast):
    services.update_person(cast.org, cast.admin, cast.leader, is_active=False)
    response = login(cast.member).get("/o/acme/pick/person/", {"q": "leo"})
    assert options(response) == 0


@pytest.mark.parametrize("q", ["%", "_", "\\", "' OR 1=1 --"])
def test_it_searches_odd_text_literally(cast, q):
    response = login(cast.member).get("/o/acme/pick/person/", {"q": q})
    assert response.status_code == 200 and options(response) == 0


def test_it_refuses_text_too_long_and_kinds_it_does_not_know(cast):
    client = login(cast.member)
    too_long = client.get("/o/acme/pick/person/", {"q": "a" * (pickers.MAX_QUERY_LENGTH + 1)})
    assert too_long.status_code == 400
    assert b"at most" in too_long.content
    assert client.get("/o/acme/pick/secret/", {"q": "a"}).status_code == 404


@pytest.fixture
def few(monkeypatch):
    """Every field with any choice becomes a search box."""
    monkeypatch.setattr(pickers, "PICKER_THRESHOLD", 0)


def test_a_large_field_renders_a_search_box_not_every_option(cast, few):
    page = login(cast.admin).get("/o/acme/teams/platform/").content.decode()
    assert "data-picker" in page and 'role="combobox"' in page
    assert "/o/acme/pick/person/" in page
    assert f'<option value="{cast.viewer.pk}"' not in page


def test_people_and_teams_are_a_search_box_however_few_they_are(cast):
    page = login(cast.admin).get("/o/acme/teams/platform/").content.decode()
    assert "data-picker" in page and "/o/acme/pick/person/" in page
    assert f'<option value="{cast.viewer.pk}"' not in page
    edit = login(cast.admin).get("/o/acme/teams/platform/edit/").content.decode()
    assert "/o/acme/pick/team/" in edit and f'<option value="{cast.root.pk}"' not in edit


def test_a_multiple_choice_of_people_is_a_list_of_chips(cast):
    from accord.decisions.forms import DecisionForm

    html = str(DecisionForm(org=cast.org)["contributors"])
    assert "picker--multiple" in html and "picker__chosen" in html
    assert "<select" not in html


def test_a_small_field_of_another_kind_stays_a_plain_select(cast):
    from accord.alignment import services as alignment

    period = alignment.create_period(
        cast.org, None, name="Q4", start="2026-10-01", end="2026-12-31", is_current=True
    )
    objective = alignment.create_objective(
        cast.org, None, title="Grow", period=period, team=cast.platform
    )
    page = login(cast.admin).get("/o/acme/alignment/objectives/new/").content.decode()
    assert f'<option value="{objective.pk}">' in page
    assert "/o/acme/pick/objective/" not in page


def test_an_organization_without_teams_gets_an_empty_choice_not_an_error(db):
    from accord.org.models import Organization, Team
    from accord.web.pickers import TeamChoiceField

    org = Organization.objects.create(name="Empty", slug="empty")
    field = TeamChoiceField(queryset=Team.objects.for_org(org), required=False)
    assert "<select" in field.widget.render("team", None)


def test_on_a_page_a_search_box_is_named_by_the_page_organization_without_a_query(
    cast, django_assert_num_queries
):
    from accord.org import middleware
    from accord.web.pickers import PersonChoiceField

    field = PersonChoiceField(queryset=Person.objects.for_org(cast.org), required=False)
    token = middleware._request_org.set(cast.org)
    try:
        with django_assert_num_queries(0):
            html = field.widget.render("owner", None)
    finally:
        middleware._request_org.reset(token)
    assert 'hx-get="/o/acme/pick/person/"' in html


def test_the_page_organization_is_forgotten_after_the_page(cast):
    from accord.org.middleware import request_org

    assert login(cast.admin).get("/o/acme/teams/platform/").status_code == 200
    assert request_org() is None


def test_an_edit_form_shows_the_current_choice_by_name(cast, few):
    page = login(cast.admin).get("/o/acme/teams/platform/edit/").content.decode()
    assert f'name="parent" value="{cast.root.pk}"' in page
    assert 'value="Acme"' in page  # the search box shows the chosen team's name


def test_another_organizations_id_is_a_form_error_and_changes_nothing(cast, few):
    client = login(cast.admin)
    response = client.post(
        "/o/acme/teams/platform/members/",
        {"person": cast.outsider.pk, "role": "member", "allocation": 10},
        follow=True,
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Membership.objects.filter(person=cast.outsider).exists()


def test_a_stale_id_is_a_form_error(cast, few):
    gone = Person.objects.create(org=cast.org, name="Gone Soon")
    gone_pk = gone.pk
    gone.delete()
    response = login(cast.admin).post(
        "/o/acme/teams/platform/members/",
        {"person": gone_pk, "role": "member", "allocation": 10},
        follow=True,
    )
    assert "Select a valid choice" in response.content.decode()


def test_a_chosen_person_is_saved_through_the_search_box_field(cast, few):
    response = login(cast.admin).post(
        "/o/acme/teams/platform/members/",
        {"person": cast.viewer.pk, "role": "member", "allocation": 10},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(person=cast.viewer, team=cast.platform).exists()


def test_a_search_box_asks_the_database_once_for_whether_and_where_to_search(cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accord.org.models import Team
    from accord.web.pickers import TeamChoiceField

    field = TeamChoiceField(queryset=Team.objects.for_org(cast.org), required=False)
    with CaptureQueriesContext(connection) as ctx:
        html = field.widget.render("team", None)
    assert "data-picker" in html and "/o/acme/pick/team/" in html
    assert len(ctx.captured_queries) == 1


def test_namesakes_are_told_apart_by_their_address_and_chosen_by_name(cast):
    """In a large organization names repeat: each match shows the person's address (their
    title when they have none) beside the name, and the name alone is what is chosen."""
    Person.objects.create(org=cast.org, name="Sam Same", email="sam.one@acme.example")
    Person.objects.create(org=cast.org, name="Sam Same", title="Designer")
    response = login(cast.member).get("/o/acme/pick/person/", {"q": "sam same"})
    html = response.content.decode()
    assert options(response) == 2
    assert 'detail">sam.one@acme.example</small>' in html
    assert 'detail">Designer</small>' in html
    assert html.count('aria-label="Sam Same"') == 2  # the name; the address describes it
    teams = login(cast.member).get("/o/acme/pick/team/", {"q": "plat"}).content.decode()
    assert 'aria-label="Platform"' in teams and 'detail">in Acme</small>' in teams


def test_a_team_match_says_where_the_team_sits(cast):
    """Two teams of one name, kept from before such names were refused, told apart."""
    Team.objects.create(org=cast.org, name="Platform", slug="platform-2")
    html = login(cast.member).get("/o/acme/pick/team/", {"q": "platform"}).content.decode()
    shown = [
        re.sub(r"<[^>]+>|\s+", " ", o.split(">", 1)[1].split("</li>")[0]).split()
        for o in html.split('role="option"')[1:]
    ]
    assert [" ".join(words) for words in shown] == ["Platform in Acme", "Platform top level"]
