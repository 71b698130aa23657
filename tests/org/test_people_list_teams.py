"""The people list names each person's teams (the first two by name, then "+N"), so that
namesakes are told apart, in one query for the page's people whatever their teams."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.org import services
from tests.conftest import login


def make_person(org, name: str, email: str = ""):
    return services.add_person(org, None, name=name, email=email)


def row_of(html: str, person) -> str:
    start = html.index(f"/people/{person.pk}/")
    return html[start : html.index("</tr>", start)]


def test_namesakes_are_told_apart_by_their_teams(cast):
    org = cast.org
    first = make_person(org, "Ada Adams", "ada.adams.1@acme.example")
    second = make_person(org, "Ada Adams", "ada.adams.2@acme.example")
    design = services.create_team(org, None, name="Design", parent=cast.root)
    payments = services.create_team(org, None, name="Payments", parent=cast.platform)
    for team in (cast.platform, design, payments):
        services.add_membership(org, None, person=first, team=team, allocation=10)
    services.add_membership(org, None, person=second, team=payments, allocation=10)
    html = login(cast.viewer).get("/o/acme/people/", {"q": "Ada Adams"}).content.decode()
    one = row_of(html, first)
    assert "Design, Payments" in one and "Platform" not in one  # the first two by name
    assert ">+1</span>" in one and 'title="3 teams in all"' in one
    two = row_of(html, second)
    assert "Payments" in two and "Design" not in two and "+" not in two


def test_a_person_in_no_team_shows_a_dash(cast):
    html = login(cast.viewer).get("/o/acme/people/").content.decode()
    assert '<span class="muted">—</span>' in row_of(html, cast.admin)
    assert "Platform" in row_of(html, cast.member)


def test_the_teams_are_read_in_the_same_queries_however_many_each_has(cast):
    org = cast.org
    client = login(cast.viewer)
    client.get("/o/acme/people/")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/o/acme/people/").status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    people = [make_person(org, f"Pat {i}") for i in range(5)]
    for i in range(4):
        team = services.create_team(org, None, name=f"Squad {i}", parent=cast.root)
        for person in people:
            services.add_membership(org, None, person=person, team=team, allocation=5)
    assert queries() == before
