"""A head of a department (a lead of a team with teams below it) may answer for the teams
below, as the department's inbox says ("as lead of ..."): home's "Waiting for your teams'
answer" shows what waits on those teams too, each row naming the team it waits on and
linking to the inbox that answers it, at most its limit and then how many more; its cost
does not grow with the department. "Cross-team requests" gives the department's figures
(waiting for an answer, late, at risk: each what its list shows) and its first late, then
at-risk, dependencies, beside the head's own teams' counts."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from accord.coordination import panels
from accord.coordination import services as coordination
from accord.coordination.models import Dependency
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from tests.conftest import login, make_person


def _card(page: str, heading_id: str) -> str | None:
    found = re.search(
        rf'<section class="card" aria-labelledby="{heading_id}">(.*?)</section>', page, re.S
    )
    return htmllib.unescape(found.group(1)) if found else None


def _text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def _department(world, subs: int = 2):
    org = world.org
    root = world.sales.parent
    dept = org_services.create_team(org, None, name="Engineering", slug="engineering", parent=root)
    teams = [
        org_services.create_team(org, None, name=f"Squad {n}", slug=f"squad-{n}", parent=dept)
        for n in range(subs)
    ]
    # One level further down: the rule covers every team below, not only the children.
    deep = org_services.create_team(org, None, name="Deep", slug="deep", parent=teams[0])
    head = make_person(org, "Hana Head", Role.MEMBER)
    org_services.add_membership(org, None, person=head, team=dept, role=MembershipRole.LEAD)
    return dept, teams, deep, head


def test_a_head_sees_what_waits_on_the_teams_below(world):
    _dept, teams, deep, head = _department(world)
    world.request(title="Badges", provider_team=teams[1])
    world.request(title="Deep review", provider_team=deep)
    world.request(title="Pallets")  # asked of Operations, outside the department
    client = login(head)
    home = client.get("/o/acme/").content.decode()
    answer = _card(home, "coord-home-h")
    assert answer is not None
    text = _text(answer)
    assert text.startswith("Waiting for your teams' answer 2 ")
    assert "Badges · waits on Squad 1 · Sales asks Squad 1" in text
    assert "Deep review · waits on Deep" in text
    assert "Pallets" not in text
    # Answered in the department's inbox, where the head acts as its lead.
    assert "Answer for the teams below Engineering on its coordination page →" in text
    inbox = client.get("/o/acme/coordination/teams/engineering/").content.decode()
    assert "Badges" in inbox and "Deep review" in inbox
    # Nothing is asked of or by Engineering itself: its figures with the teams below it.
    teams_card = _card(home, "coord-waits-h")
    assert teams_card is not None
    assert '<a href="/o/acme/coordination/teams/engineering/">' in teams_card
    assert "Engineering and the teams below it : 2 waiting for an answer · 0 late" in _text(
        teams_card
    )


def _late(world, dep, days: int = 2) -> Dependency:
    """`dep`, still unanswered, needed `days` ago (late, as time would make it)."""
    past = world.today - dt.timedelta(days=days)
    Dependency.objects.filter(pk=dep.pk).update(need_by=past, due=past)
    return dep


def test_a_head_sees_the_departments_figures_and_first_late_or_at_risk_requests(world):
    _dept, teams, deep, head = _department(world)
    world.request(title="Badges", provider_team=teams[1])  # waiting for Squad 1's answer
    _late(world, world.request(title="Deep review", provider_team=deep), days=5)
    _late(world, world.request(title="Late squad", provider_team=teams[0]), days=1)
    risky = world.request(title="Risky", provider_team=teams[1])
    coordination.transition(world.org, None, risky, "flag_at_risk", note="Short of people")
    _late(world, world.request(title="Pallets"))  # asked of Operations, outside it
    client = login(head)
    card = _card(client.get("/o/acme/").content.decode(), "coord-waits-h")
    assert card is not None
    text = _text(card)
    assert (
        "Engineering and the teams below it : 4 waiting for an answer · 2 late · 1 at risk" in text
    )
    # The first few, late ones first (soonest due), then at risk; nothing from outside.
    assert text.index("Deep review") < text.index("Late squad") < text.index("Risky")
    assert "Sales asks Deep · needed by" in text and "Pallets" not in text and "Badges" not in text
    assert text.count(" late ") >= 2 and "at risk" in text
    # Each figure is what the list it links to shows.
    for link, shown, hidden in (
        ("?team=engineering&waiting=1", ["Badges", "Risky", "Deep review"], ["Pallets"]),
        ("?team=engineering&late=1", ["Deep review", "Late squad"], ["Pallets", "Risky"]),
        ("?team=engineering&at_risk=1&late=0", ["Risky"], ["Deep review", "Badges"]),
    ):
        assert f'href="/o/acme/coordination/list/{link}"' in card
        listed = client.get(f"/o/acme/coordination/list/{link}").content.decode()
        assert all(t in listed for t in shown) and not any(t in listed for t in hidden), link


def test_the_card_shows_its_limit_then_how_many_more(world, monkeypatch):
    monkeypatch.setattr(panels, "HOME_WAITING", 2)
    _dept, teams, _deep, head = _department(world)
    for n in range(5):
        world.request(title=f"Thing {n}", provider_team=teams[n % 2])
    text = _text(_card(login(head).get("/o/acme/").content.decode(), "coord-home-h"))
    assert text.startswith("Waiting for your teams' answer 5 ")
    assert "Thing 0" in text and "Thing 1" in text and "Thing 2" not in text
    assert "and 3 more: Engineering" in text
    answer = _card(login(head).get("/o/acme/").content.decode(), "coord-home-h")
    assert 'href="/o/acme/coordination/list/?team=engineering&waiting=1"' in answer


def _home_queries(world, head) -> int:
    request = RequestFactory().get("/o/acme/")
    request.org, request.person, request.user = world.org, head, head.user
    with CaptureQueriesContext(connection) as ctx:
        shown = panels.home(request)
    assert "and " in shown and " more:" in shown  # past the limit: counted too
    return len(ctx.captured_queries)


def test_the_cards_cost_does_not_grow_with_the_department(world, monkeypatch):
    monkeypatch.setattr(panels, "HOME_WAITING", 2)
    dept, teams, _deep, head = _department(world, subs=2)
    for n in range(3):
        world.request(title=f"Small {n}", provider_team=teams[n % 2])
    _late(world, world.request(title="Small late", provider_team=teams[0]))
    small = _home_queries(world, head)
    for n in range(2, 12):
        team = org_services.create_team(
            world.org, None, name=f"Squad {n}", slug=f"squad-{n}", parent=dept
        )
        world.request(title=f"Large {n}", provider_team=team)
        _late(world, world.request(title=f"Large late {n}", provider_team=team))
    assert _home_queries(world, head) == small


def _risky(world, title: str, team) -> Dependency:
    dep = world.request(title=title, provider_team=team)
    coordination.transition(world.org, None, dep, "flag_at_risk", note="Short of people")
    return dep


def test_a_departments_rows_say_how_many_more_each_list_holds(world):
    _dept, teams, _deep, head = _department(world)
    for n in range(5):
        _risky(world, f"Risky {n}", teams[n % 2])
    client = login(head)
    card = _card(client.get("/o/acme/").content.decode(), "coord-waits-h")
    text = _text(card)
    assert "· 0 late · 5 at risk" in text
    # Three rows (HOME_ROWS), then the two they leave out, linking to the list of all five.
    assert sum(f"Risky {n}" in text for n in range(5)) == panels.HOME_ROWS == 3
    link = "/o/acme/coordination/list/?team=engineering&at_risk=1&late=0"
    assert f'and <a href="{link}">2 more at risk →</a>' in card
    listed = client.get(link).content.decode()
    assert all(f"Risky {n}" in listed for n in range(5))


def test_late_rows_first_then_how_many_more_late_and_at_risk(world):
    _dept, teams, _deep, head = _department(world)
    for n in range(4):
        _late(world, world.request(title=f"Late {n}", provider_team=teams[0]), days=n + 1)
    _risky(world, "Risky", teams[1])
    text = _text(_card(login(head).get("/o/acme/").content.decode(), "coord-waits-h"))
    assert "· 4 late · 1 at risk" in text
    assert "Late 3" in text and "Late 0" not in text and "Risky ·" not in text
    assert "and 1 more late → · 1 more at risk →" in text


def test_no_more_when_the_rows_are_all_there_are(world):
    _dept, teams, _deep, head = _department(world)
    _risky(world, "Risky", teams[1])
    text = _text(_card(login(head).get("/o/acme/").content.decode(), "coord-waits-h"))
    assert "Risky" in text and " more " not in text
