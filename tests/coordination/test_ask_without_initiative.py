"""A request to another team is made for one of the asking team's initiatives: a person
whose teams have none is told so, with a link to create one, not given a form whose
required "For our initiative" offers nothing (the browser silently refused to send it)."""

from __future__ import annotations

from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from tests.conftest import login, make_person
from tests.coordination.conftest import initiative


def test_asking_with_no_initiative_links_to_creating_one(world, cast):
    org = world.org
    studio = org_services.create_team(org, None, name="Studio", slug="studio", parent=cast.root)
    nia = make_person(org, "Nia Newlead", Role.MEMBER)
    org_services.add_membership(org, None, person=nia, team=studio, role=MembershipRole.LEAD)
    client = login(nia)
    page = client.get("/o/acme/coordination/new/").content.decode()
    assert "There is no open initiative of Studio you can ask for yet" in page
    assert 'href="/o/acme/alignment/initiatives/new/?team=studio"' in page
    assert "Create an initiative for Studio" in page
    assert 'name="requester_initiative"' not in page
    # With one, the form is there, that initiative offered.
    work = initiative(org, studio, "Studio work")
    page = client.get("/o/acme/coordination/new/").content.decode()
    assert 'name="requester_initiative"' in page and f'value="{work.pk}"' in page
    assert "no open initiative" not in page


def test_the_form_stays_for_who_has_an_initiative(world):
    page = login(world.asker).get("/o/acme/coordination/new/").content.decode()
    assert 'name="requester_initiative"' in page
    assert "no open initiative" not in page


def test_a_person_of_several_teams_without_initiatives_is_told_so(world, cast):
    org = world.org
    nia = make_person(org, "Nia Twoteams", Role.MEMBER)
    for name in ("Studio", "Lab"):
        team = org_services.create_team(org, None, name=name, parent=cast.root)
        org_services.add_membership(org, None, person=nia, team=team, allocation=50)
    page = login(nia).get("/o/acme/coordination/new/").content.decode()
    assert "Your teams have no open initiative yet" in page
    assert 'href="/o/acme/alignment/initiatives/new/"' in page
    assert 'name="requester_initiative"' not in page
