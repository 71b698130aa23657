"""Home's coordination cards use the words of the pages they link to, and say where what
they count is answered: a dependency's dates are "committed" and "needed by", as on its list
and page (home read "due 10 Jan 2027" for what was needed by 27 Dec 2026 and committed for
10 Jan 2027); and what waits on the teams below a department head's team is in those teams'
leads' Inbox, not the head's (home sent her to "the inbox of Engineering" while her Inbox
said "Nothing waiting on you" and promised "requests to the teams you lead")."""

from __future__ import annotations

import datetime as dt

from accord.coordination import services
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from accord.web.templatetags.dates import day
from tests.conftest import login, make_person
from tests.coordination.test_home_waits_below import _card, _department, _text


def test_a_departments_rows_say_committed_and_needed_by_as_the_list_does(world, cast):
    dep = world.request(title="Live inventory feed", need_by=world.today + dt.timedelta(days=21))
    dep = services.transition(
        world.org,
        world.giver,
        dep,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today + dt.timedelta(days=35),
    )  # committed after it is needed: at risk
    head = make_person(world.org, "Hal Head", Role.MEMBER)
    org_services.add_membership(
        world.org, None, person=head, team=cast.root, role=MembershipRole.LEAD
    )
    text = _text(_card(login(head).get("/o/acme/").content.decode(), "coord-waits-h"))
    assert (
        f"Live inventory feed · Sales asks Operations · committed {day(dep.committed_date)}, "
        f"needed by {day(dep.need_by)} at risk"
    ) in text
    assert " due " not in text
    listed = login(head).get("/o/acme/coordination/list/?team=sales").content.decode()
    assert "Need by" in listed and "Committed" in listed


def test_home_and_the_inbox_say_where_requests_to_the_teams_below_are(world):
    _dept, teams, _deep, head = _department(world)
    squad_lead = make_person(world.org, "Sam Squadlead", Role.MEMBER)
    org_services.add_membership(
        world.org, None, person=squad_lead, team=teams[1], role=MembershipRole.LEAD
    )
    world.request(title="Badges", provider_team=teams[1])
    text = _text(_card(login(head).get("/o/acme/").content.decode(), "coord-home-h"))
    assert "Answer for the teams below Engineering on its coordination page →" in text
    assert "reach those teams' leads, in their Inbox, not yours" in text
    assert "Answer in the inbox of Engineering" not in text
    # The head's Inbox says it holds requests to the teams she leads herself: not this one,
    # which is in the squad lead's.
    inbox = login(head).get("/o/acme/inbox/").content.decode()
    assert "requests to the teams you lead yourself (those to the teams below them go to" in inbox
    assert "Badges" not in inbox
    assert "Badges" in login(squad_lead).get("/o/acme/inbox/").content.decode()


def test_a_lead_asked_directly_is_sent_to_the_teams_inbox_as_before(world):
    world.request(title="Pallets")  # asked of Operations, which the giver leads
    text = _text(_card(login(world.giver).get("/o/acme/").content.decode(), "coord-home-h"))
    assert "Answer in the inbox of Operations →" in text
    assert "not yours" not in text
