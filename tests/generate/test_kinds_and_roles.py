"""A generated organization starts with the kinds of team and roles in a team any new
organization starts with, its teams have kinds and its memberships' roles are on its own
list: the pages that pick a role or say who leads a team read them as for any other."""

from __future__ import annotations

import re

from accord.org import services
from accord.org.models import Membership, Role, Team, TeamKind, TeamRole
from tests.conftest import login, make_person
from tests.org.test_join_links import text_of


def _lists(org) -> tuple[list, list]:
    return (
        sorted(TeamKind.objects.filter(org=org).values_list("slug", "name")),
        sorted(TeamRole.objects.filter(org=org).values_list("slug", "name")),
    )


def test_it_starts_with_the_kinds_and_roles_of_every_new_organization(org):
    fresh = services.create_organization("Fresh", "fresh")
    assert _lists(org) == _lists(fresh)
    roles = set(TeamRole.objects.filter(org=org).values_list("slug", flat=True))
    assert set(Membership.objects.for_org(org).values_list("role", flat=True)) <= roles
    kinds = dict(TeamKind.objects.filter(org=org).values_list("pk", "slug"))
    teams = list(Team.objects.for_org(org).values_list("parent_id", "kind_id"))
    assert all(kind in kinds for _parent, kind in teams)
    # The organization and its divisions are departments; the teams below them, teams.
    root = Team.objects.for_org(org).get(parent=None)
    assert kinds[root.kind_id] == "department"
    below = Team.objects.for_org(org).filter(parent__parent__parent=root)
    assert {kinds[k] for k in below.values_list("kind_id", flat=True)} == {"team"}


def test_its_pages_offer_and_explain_its_roles(generated, db):
    org = generated["small"]
    admin = login(make_person(org, "Gina Generated", Role.ADMIN))
    page = text_of(admin.get(f"/o/{org.slug}/teams/roles/"))
    assert "Lead, Co-lead and Chair lead a team: whoever holds one" in page
    assert "5 roles" in page and "No roles yet" not in page
    form = admin.get(f"/o/{org.slug}/people/new/").content.decode()
    offered = re.search(r'<select name="role_in_team".*?</select>', form, re.S).group(0)
    assert 'value="lead"' in offered and 'value="member"' in offered


def test_the_roles_page_reads_well_when_no_role_leads(cast):
    TeamRole.objects.filter(org=cast.org, slug__in=["lead", "co-lead", "chair"]).delete()
    page = text_of(login(cast.admin).get("/o/acme/teams/roles/"))
    assert "teams. lead a team" not in page
    assert "No role here leads a team: a role with the short name lead, co-lead or chair" in page
