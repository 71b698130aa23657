"""Home's headcount counts people, not agents (an AI assistant or automation); it names the
agents apart. The people list still lists both, over as many pages as they fill."""

from __future__ import annotations

from accord.org import services
from accord.org.models import Person
from accord.org.queries import headcount
from tests.conftest import login


def test_an_agent_is_not_counted_as_a_person(cast):
    humans = Person.objects.for_org(cast.org).filter(is_active=True).count()
    services.add_agent(cast.org, cast.member, name="Release bot", owner=cast.member)
    assert headcount(cast.org) == {"teams": 2, "people": humans, "agents": 1}
    html = login(cast.member).get("/o/acme/").content.decode()
    assert f">{humans} people</a> · 1 agent ·" in html
    assert "agents are not people and are counted apart" in html


def test_home_names_no_agents_when_there_are_none(cast):
    html = login(cast.member).get("/o/acme/").content.decode()
    assert ">4 people</a> · your role" in html


def test_the_people_list_still_lists_agents(cast):
    services.add_agent(cast.org, cast.member, name="Release bot", owner=cast.member)
    html = login(cast.member).get("/o/acme/people/").content.decode()
    assert "Release bot" in html and "Vic Viewer" in html
