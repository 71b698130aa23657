"""Lead, co-lead and chair (`LEADING_ROLES`) lead a team: each has a lead's rights over it
(its members, its open positions), is told and briefed as its lead, and is listed under
"Led by"; a member or a liaison is none of these, and leading one team gives no right on
another."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from accord.briefings import compose
from accord.briefings import queries as briefing_queries
from accord.conversation.models import InboxItem
from accord.coordination import services as coordination
from accord.core.errors import PermissionDenied
from accord.intelligence import evaluate
from accord.intelligence.models import Signal, SignalState
from accord.org import permissions, services
from accord.org.models import Membership, Role
from tests.conftest import api_client, login, make_person


def _in(cast, person, team, role: str) -> Membership:
    return services.add_membership(
        cast.org, None, person=person, team=team, role=role, allocation=None
    )


@pytest.fixture
def chaired(cast):
    """Mia chairs Platform; Lia is its liaison; Nia, in no team, is to be added."""
    mia = Membership.objects.get(person=cast.member, team=cast.platform)
    services.update_membership(cast.org, None, mia, role="chair")
    cast.lia = make_person(cast.org, "Lia Liaison", Role.MEMBER)
    _in(cast, cast.lia, cast.platform, "liaison")
    cast.nia = make_person(cast.org, "Nia New", Role.MEMBER)
    return cast


def _add_on_the_web(person, team_slug: str, newcomer):
    form = {"person": newcomer.pk, "role": "member", "allocation": 10}
    return login(person).post(f"/o/acme/teams/{team_slug}/members/", form)


def _add_by_the_api(person, team, newcomer):
    body = {"person_id": newcomer.pk, "team_id": team.pk, "role": "member", "allocation": 10}
    return api_client(person).post(
        "/api/v1/memberships", json.dumps(body), content_type="application/json"
    )


def test_a_chair_manages_the_team_on_its_page_and_a_liaison_does_not(chaired):
    c = chaired
    assert permissions.can_manage_team(c.member, c.platform)
    page = login(c.member).get("/o/acme/teams/platform/").content.decode()
    assert "Add a member" in page
    lia_term = Membership.objects.get(person=c.lia, team=c.platform)
    edit = f"/o/acme/memberships/{lia_term.pk}/"
    assert login(c.member).get(edit).status_code == 200
    assert _add_on_the_web(c.member, "platform", c.nia).status_code == 302
    assert Membership.objects.filter(person=c.nia, team=c.platform, role="member").exists()
    # The liaison (and an ordinary member) may not.
    assert not permissions.can_manage_team(c.lia, c.platform)
    assert "Add a member" not in login(c.lia).get("/o/acme/teams/platform/").content.decode()
    mia_term = Membership.objects.get(person=c.member, team=c.platform)
    assert login(c.lia).get(f"/o/acme/memberships/{mia_term.pk}/").status_code == 403
    services.update_membership(c.org, None, lia_term, role="member")
    assert not permissions.can_manage_team(c.lia, c.platform)
    assert _add_on_the_web(c.lia, "platform", c.leader).status_code == 403
    assert not Membership.objects.filter(person=c.leader).exists()


def test_a_chair_adds_a_member_by_the_api_and_a_liaison_is_refused(chaired):
    c = chaired
    refused = _add_by_the_api(c.lia, c.platform, c.nia)
    assert refused.status_code == 403
    assert not Membership.objects.filter(person=c.nia).exists()
    assert _add_by_the_api(c.member, c.platform, c.nia).status_code == 201
    assert Membership.objects.filter(person=c.nia, team=c.platform).exists()
    # As a service: a co-lead opens a position in their team.
    services.update_membership(
        c.org, None, Membership.objects.get(person=c.lia, team=c.platform), role="co-lead"
    )
    services.open_vacancy(c.org, c.lia, c.platform, role="member")


def test_a_chair_of_one_team_has_no_right_on_another(chaired):
    c = chaired
    sales = services.create_team(c.org, None, name="Sales", slug="sales", parent=c.root)
    for team in (c.root, sales):  # the team above, a team beside
        assert not permissions.can_manage_team(c.member, team)
        with pytest.raises(PermissionDenied):
            services.add_membership(c.org, c.member, person=c.nia, team=team, role="member")
    assert _add_on_the_web(c.member, "sales", c.nia).status_code == 403
    assert _add_by_the_api(c.member, c.root, c.nia).status_code == 403
    assert list(permissions.teams_to_manage(c.org, c.member)) == [c.platform]
    assert list(permissions.teams_to_manage(c.org, c.lia)) == []


def test_led_by_lists_the_chairs_with_their_role_on_the_directory_and_the_team_page(chaired):
    c = chaired
    _in(c, c.admin, c.platform, "lead")
    directory = login(c.viewer).get("/o/acme/teams/").content.decode()
    assert "led by Ada Admin, Mia Member (Chair)" in directory
    page = login(c.viewer).get("/o/acme/teams/platform/").content.decode()
    led_by = page[page.index("Led by") : page.index("member", page.index("Led by"))]
    assert "Ada Admin</a>, " in led_by and "Mia Member</a> (Chair)" in led_by
    assert "Lia Liaison" not in led_by
    roles = login(c.viewer).get("/o/acme/teams/roles/").content.decode()
    assert (
        "<strong>Lead</strong>, <strong>Co-lead</strong> and <strong>Chair</strong> lead a team"
        in roles
    )


def test_a_request_to_the_team_reaches_its_co_lead_as_it_reaches_its_lead(chaired):
    from accord.alignment import services as alignment

    c = chaired
    pia = make_person(c.org, "Pia Colead", Role.MEMBER)
    _in(c, pia, c.platform, "co-lead")
    _in(c, c.admin, c.root, "lead")
    mine = alignment.create_initiative(org=c.org, actor=None, team=c.root, title="Launch")
    coordination.create_dependency(
        c.org,
        c.admin,
        requester_initiative=mine,
        provider_team=c.platform,
        title="An API for the launch",
        need_by=timezone.localdate() + dt.timedelta(days=14),
    )
    asked = set(InboxItem.objects.filter(kind="request").values_list("person_id", flat=True))
    assert asked == {pia.pk, c.member.pk}  # the co-lead and the chair; not the liaison


def test_a_co_lead_gets_a_leads_briefing_scope(chaired):
    c = chaired
    _in(c, c.lia, c.root, "member")  # a member of the team above
    colead = Membership.objects.get(person=c.lia, team=c.platform)
    before = compose.reader_for_person(c.org, c.lia)
    assert (before.scope, before.levels) == (c.root.pk, frozenset())
    services.update_membership(c.org, None, colead, role="co-lead")
    reader = compose.reader_for_person(c.org, c.lia)
    assert (reader.scope, reader.levels) == (c.platform.pk, frozenset({c.platform.pk}))
    assert compose.what_it_covers(c.org, c.lia).startswith("the teams you lead")
    assert briefing_queries.gets_by_default(c.org, [c.lia.pk, c.member.pk, c.nia.pk]) == {
        c.lia.pk,
        c.member.pk,
    }


def test_no_lead_is_unchanged_and_its_signal_goes_to_the_co_lead_above(chaired):
    c = chaired
    _in(c, c.leader, c.root, "co-lead")
    sales = services.create_team(c.org, None, name="Sales", slug="sales", parent=c.root)
    _in(c, c.nia, sales, "liaison")
    evaluate.evaluate(c.org)
    live = Signal.objects.filter(org=c.org, kind="org.no_lead").exclude(state=SignalState.RESOLVED)
    # Platform (a chair) and Acme (a co-lead) have a lead; Sales (a liaison) has none.
    [signal] = live
    assert signal.subject_id == str(sales.pk)
    assert signal.owner_id == c.leader.pk  # Acme's co-lead, as its lead would be
