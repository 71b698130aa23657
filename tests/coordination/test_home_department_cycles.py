"""Home's cross-team card counts a department's cycles beside its waiting, late and at-risk
figures, as the coordination overview does ("1 cycle"), linking to the overview's cycles:
the last evaluation's stored cycles through a team of it, read, not worked out per view."""

from __future__ import annotations

from accord.coordination import panels
from accord.intelligence import evaluate
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from tests.conftest import login, make_person
from tests.coordination.conftest import accepted
from tests.coordination.test_home_waits_below import _card, _text


def _head(world, team):
    head = make_person(world.org, "Hal Head", Role.MEMBER)
    org_services.add_membership(world.org, None, person=head, team=team, role=MembershipRole.LEAD)
    return head


def test_a_departments_cycle_is_on_home_with_a_link_to_the_overviews(world, cast):
    # Sales' launch waits on Operations' warehouse, which waits on the launch.
    accepted(world, world.launch, world.ops, world.warehouse, "Stock")
    accepted(world, world.warehouse, world.sales, world.launch, "Launch dates")
    evaluate.evaluate(world.org, announce=False)
    head = _head(world, cast.root)
    page = login(head).get("/o/acme/").content.decode()
    card = _card(page, "coord-waits-h")
    assert "1 cycle" in _text(card)
    assert 'href="/o/acme/coordination/?team=acme#cycles-h"' in card
    overview = login(head).get("/o/acme/coordination/?team=acme").content.decode()
    assert "1 cycle" in overview

    # A department the cycle does not go through counts none, as its overview does.
    elsewhere = org_services.create_team(
        world.org, None, name="Research", slug="research", parent=cast.platform
    )
    assert elsewhere.pk
    (platform,) = panels.departments(world.org, [cast.platform])
    assert platform["scope"]["cycles"] == 0


def test_no_cycle_says_nothing(world, cast):
    accepted(world, world.launch, world.ops, world.warehouse, "Stock")
    evaluate.evaluate(world.org, announce=False)
    card = _card(login(_head(world, cast.root)).get("/o/acme/").content.decode(), "coord-waits-h")
    assert "cycle" not in _text(card)
