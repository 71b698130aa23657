"""Roles from the organization's own list, terms with dates, open positions, liaisons and
unknown allocations: services and pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from accord.activity.models import Event
from accord.core.errors import PermissionDenied, ServiceError
from accord.org import permissions, queries, services
from accord.org.models import Membership, TeamLink, TeamRole, TeamVacancy
from tests.conftest import login

DAY = dt.date(2026, 3, 1)


def test_a_new_organization_starts_with_the_default_roles(cast):
    slugs = set(TeamRole.objects.for_org(cast.org).values_list("slug", flat=True))
    assert slugs == {"lead", "co-lead", "chair", "member", "liaison"}


def test_a_role_outside_the_organizations_list_is_refused_and_changes_nothing(cast):
    before = Membership.terms.count()
    with pytest.raises(ServiceError) as exc:
        services.add_membership(cast.org, None, person=cast.leader, team=cast.root, role="boss")
    assert exc.value.fields == {"role": ["Unknown role."]}
    assert "chair" in str(exc.value)
    assert Membership.terms.count() == before


def test_an_admin_adds_a_role_and_it_can_be_held(cast):
    role = services.add_team_role(cast.org, cast.admin, name="Release manager")
    m = services.add_membership(cast.org, None, person=cast.leader, team=cast.root, role=role.slug)
    assert m.role == "release-manager"
    with pytest.raises(ServiceError) as exc:
        services.remove_team_role(cast.org, cast.admin, role)
    assert exc.value.code == "in_use"
    lead = TeamRole.objects.get(org=cast.org, slug="lead")
    with pytest.raises(ServiceError):
        services.remove_team_role(cast.org, cast.admin, lead)
    with pytest.raises(PermissionDenied):
        services.add_team_role(cast.org, cast.leader, name="Scribe")


def test_a_lead_co_lead_or_chair_has_team_admin_rights_a_liaison_does_not(cast):
    mia = Membership.objects.get(person=cast.member, team=cast.platform)
    assert not permissions.can_manage_team(cast.member, cast.platform)
    for role in ("lead", "co-lead", "chair"):
        mia = services.update_membership(cast.org, None, mia, role=role)
        assert permissions.can_manage_team(cast.member, cast.platform), role
    services.update_membership(cast.org, None, mia, role="liaison")
    assert not permissions.can_manage_team(cast.member, cast.platform)


def test_ending_a_term_keeps_it_as_history_and_takes_away_membership(cast):
    mia = Membership.objects.get(person=cast.member, team=cast.platform)
    services.update_membership(cast.org, None, mia, role="lead", started_on=DAY)
    assert permissions.can_manage_team(cast.member, cast.platform)
    ended = services.end_term(cast.org, None, mia, on=dt.date(2026, 6, 30))
    assert ended.ended_on == dt.date(2026, 6, 30)
    assert not Membership.objects.filter(team=cast.platform).exists()
    assert not permissions.can_manage_team(cast.member, cast.platform)
    assert list(cast.member.memberships.all()) == []
    past = Membership.terms.get(team=cast.platform)
    assert (past.started_on, past.ended_on, past.role) == (DAY, dt.date(2026, 6, 30), "lead")
    assert Event.objects.filter(org=cast.org, verb="ended", target_id=str(mia.pk)).exists()
    # A new term later: one current, any number of past ones.
    again = services.add_membership(
        cast.org, None, person=cast.member, team=cast.platform, role="member"
    )
    assert Membership.terms.filter(person=cast.member, team=cast.platform).count() == 2
    assert list(Membership.objects.filter(team=cast.platform)) == [again]


@pytest.mark.parametrize("case", ["future", "before_start", "twice"])
def test_a_bad_end_is_refused_and_changes_nothing(cast, case):
    mia = Membership.objects.get(person=cast.member, team=cast.platform)
    services.update_membership(cast.org, None, mia, started_on=DAY)
    if case == "twice":
        services.end_term(cast.org, None, mia, on=DAY)
    on = {"future": dt.date(2999, 1, 1), "before_start": DAY - dt.timedelta(days=1)}.get(case)
    before = list(Membership.terms.values_list("ended_on", "version"))
    with pytest.raises(ServiceError):
        services.end_term(cast.org, None, mia, on=on)
    assert list(Membership.terms.values_list("ended_on", "version")) == before


def test_the_history_of_a_teams_leads_lists_past_terms_with_dates(cast):
    first = services.add_membership(
        cast.org, None, person=cast.leader, team=cast.root, role="lead", started_on="2024-01-01"
    )
    services.end_term(cast.org, None, first, on="2025-01-31")
    services.add_membership(
        cast.org,
        None,
        person=cast.admin,
        team=cast.root,
        role="lead",
        started_on="2022-02-01",
        ended_on="2023-12-31",
    )
    page = login(cast.viewer).get("/o/acme/teams/acme/").content.decode()
    assert "Past terms" in page
    assert page.index("Leo Leader") < page.index("Ada Admin")  # latest first
    assert "2024" in page and "2025" in page


def test_an_open_lead_position_shows_and_adding_a_lead_fills_it(cast):
    services.open_vacancy(cast.org, cast.admin, cast.root, role="lead", note="Ask Ada")
    page = login(cast.viewer).get("/o/acme/teams/acme/").content.decode()
    assert "Lead: position open" in page
    with pytest.raises(ServiceError) as exc:
        services.open_vacancy(cast.org, cast.admin, cast.root, role="lead")
    assert exc.value.code == "duplicate"
    services.add_membership(cast.org, None, person=cast.leader, team=cast.root, role="lead")
    assert not TeamVacancy.objects.exists()
    assert Event.objects.filter(org=cast.org, verb="filled").exists()
    assert "position open" not in login(cast.viewer).get("/o/acme/teams/acme/").content.decode()


def test_only_the_teams_admins_declare_an_open_position(cast):
    with pytest.raises(PermissionDenied):
        services.open_vacancy(cast.org, cast.member, cast.root, role="lead")
    client = login(cast.member)
    client.post("/o/acme/teams/acme/vacancies/", {"role": "lead"})
    assert not TeamVacancy.objects.exists()


def test_the_team_page_declares_and_closes_an_open_position(cast):
    client = login(cast.admin)
    response = client.post("/o/acme/teams/acme/vacancies/", {"role": "chair", "note": "x"})
    assert response.status_code == 302
    vacancy = TeamVacancy.objects.get()
    assert (vacancy.team, vacancy.role) == (cast.root, "chair")
    assert "Chair: position open" in client.get("/o/acme/teams/acme/").content.decode()
    client.post(f"/o/acme/vacancies/{vacancy.pk}/close/")
    assert not TeamVacancy.objects.exists()


def test_a_liaison_is_a_member_of_the_team_they_represent(cast):
    sig = services.create_team(cast.org, None, name="Security SIG", slug="sig", parent=cast.root)
    with pytest.raises(ServiceError) as exc:
        services.link_teams(cast.org, cast.leader, cast.platform, sig, "liaison")
    assert exc.value.fields == {"person": ["Required."]}
    with pytest.raises(ServiceError):
        services.link_teams(
            cast.org, cast.leader, cast.platform, sig, "liaison", person=cast.leader
        )
    with pytest.raises(ServiceError):
        services.link_teams(
            cast.org, cast.leader, cast.platform, sig, "stakeholder", person=cast.member
        )
    assert not TeamLink.objects.exists()
    link = services.link_teams(
        cast.org, cast.leader, cast.platform, sig, "liaison", person=cast.member
    )
    assert link.person == cast.member
    for slug in ("platform", "sig"):
        page = login(cast.viewer).get(f"/o/acme/teams/{slug}/").content.decode()
        assert "Liaisons" in page and "Mia Member" in page
    # Ending their term in the team ends the liaison too.
    services.end_term(cast.org, None, Membership.objects.get(person=cast.member))
    assert not TeamLink.objects.exists()


def test_the_team_page_adds_a_liaison(cast):
    services.create_team(cast.org, None, name="Security SIG", slug="sig", parent=cast.root)
    client = login(cast.admin)
    sig = cast.org.team_set.get(slug="sig")
    client.post(
        "/o/acme/teams/platform/",
        {"action": "link", "to_team": sig.pk, "kind": "liaison", "person": cast.member.pk},
    )
    assert TeamLink.objects.get().person == cast.member


def test_unknown_allocation_is_accepted_and_left_out_of_totals(cast):
    services.add_membership(
        cast.org, None, person=cast.member, team=cast.root, role="member", allocation=None
    )
    assert queries.allocation_total(cast.member) == 50
    # Unknown shares never push a person over 100%: 50% more is still allowed.
    extra = services.create_team(cast.org, None, name="Extra", slug="extra", parent=cast.root)
    services.add_membership(cast.org, None, person=cast.member, team=extra, allocation=50)
    more = services.create_team(cast.org, None, name="More", slug="more", parent=cast.root)
    with pytest.raises(ServiceError) as exc:
        services.add_membership(cast.org, None, person=cast.member, team=more, allocation=1)
    assert exc.value.code == "over_allocated"
    page = login(cast.viewer).get(f"/o/acme/people/{cast.member.pk}/").content.decode()
    assert "100% allocated" in page and "unknown in 1 team" in page
    team_page = login(cast.viewer).get("/o/acme/teams/acme/").content.decode()
    assert "unknown" in team_page


def test_the_membership_form_takes_an_empty_allocation_and_a_start(cast):
    client = login(cast.admin)
    client.post(
        "/o/acme/teams/acme/members/",
        {"person": cast.leader.pk, "role": "co-lead", "allocation": "", "started_on": "2026-01-05"},
    )
    # Not given, for someone in no team: all of their time (unknown once in a team).
    m = Membership.objects.get(person=cast.leader)
    assert (m.role, m.allocation, m.started_on) == ("co-lead", 100, dt.date(2026, 1, 5))
    client.post(f"/o/acme/memberships/{m.pk}/end/", {"ended_on": "2026-02-01"})
    m = Membership.terms.get(pk=m.pk)
    assert m.ended_on == dt.date(2026, 2, 1)


def test_the_roles_page_lists_and_changes_roles(cast):
    client = login(cast.admin)
    page = client.get("/o/acme/teams/roles/").content.decode()
    assert "Co-lead" in page and "Liaison" in page
    client.post("/o/acme/teams/roles/", {"action": "add", "add-name": "Scribe"})
    scribe = TeamRole.objects.get(org=cast.org, slug="scribe")
    again = client.post("/o/acme/teams/roles/", {"action": "add", "add-name": "scribe"})
    assert again.status_code == 200 and "already exists" in again.content.decode()
    client.post("/o/acme/teams/roles/", {"action": "rename", "role": scribe.pk, "name": "Notes"})
    scribe.refresh_from_db()
    assert (scribe.slug, scribe.name) == ("scribe", "Notes")
    lead = TeamRole.objects.get(org=cast.org, slug="lead")
    page = client.post("/o/acme/teams/roles/", {"action": "remove", "role": lead.pk}, follow=True)
    assert "cannot be removed" in page.content.decode()
    client.post("/o/acme/teams/roles/", {"action": "remove", "role": scribe.pk})
    assert not TeamRole.objects.filter(pk=scribe.pk).exists()
    assert login(cast.member).post("/o/acme/teams/roles/", {"action": "add"}).status_code == 403
    # Another organization's list is its own.
    assert not TeamRole.objects.filter(org=cast.other_org, slug="scribe").exists()


def test_removing_a_member_from_the_team_page_asks_first(cast):
    """Remove erases a term as if it never was (ending keeps it): both ask before they go."""
    page = login(cast.leader).get("/o/acme/teams/platform/").content.decode()
    m = cast.platform.memberships.first()
    form = re.search(rf'<form[^>]*action="/o/acme/memberships/{m.pk}/remove/"[^>]*>', page)
    assert form and "data-confirm=" in form.group(0) and "end the term instead" in form.group(0)


def test_a_teams_history_tells_who_joined_and_left(cast):
    """The team page's history holds its members' terms: started, changed, ended."""
    m = services.add_membership(cast.org, cast.admin, person=cast.viewer, team=cast.platform)
    services.update_membership(cast.org, cast.admin, m, role="co-lead")
    services.end_term(cast.org, cast.admin, m)
    page = login(cast.leader).get("/o/acme/teams/platform/").content.decode()
    history = page[page.index('id="history-h"') :]
    # As people say it: added to the team, removed from it.
    said = " ".join(re.sub(r"<[^>]+>", " ", history).split())
    assert "Ada Admin added Vic Viewer to Platform" in said
    assert "Ada Admin changed the membership of Vic Viewer in Platform" in said
    assert "Ada Admin removed Vic Viewer from Platform" in said
    assert "“Vic Viewer" not in history
    # Another team's page does not tell it.
    other = login(cast.leader).get("/o/acme/teams/acme/").content.decode()
    assert "Vic Viewer" not in other[other.index('id="history-h"') :]


def test_a_term_without_a_start_reads_since_when_accord_recorded_it(cast):
    """A person's page says since when each current term runs: its start when recorded,
    else, honestly, since when Accord has had it; never "unknown" for every term that an
    import (or the demo) gave no start."""
    extra = services.create_team(cast.org, None, name="Extra", slug="extra", parent=cast.root)
    undated = services.add_membership(
        cast.org, None, person=cast.leader, team=cast.root, allocation=10
    )
    Membership.objects.filter(pk=undated.pk).update(
        created_at=dt.datetime(2026, 11, 3, 9, 30, tzinfo=dt.UTC)
    )
    services.add_membership(
        cast.org, None, person=cast.leader, team=extra, allocation=10, started_on=DAY
    )
    page = login(cast.viewer).get(f"/o/acme/people/{cast.leader.pk}/").content.decode()
    table = page.split('class="table current-terms"')[1].split("</table>")[0]
    rows = {
        re.sub(r"<[^>]+>", "", cells[0]).strip(): re.sub(r"<[^>]+>", "", cells[2]).strip()
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
        if len(cells := re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)) == 4
    }
    assert rows["Acme"] == "in Accord since 3 Nov 2026"
    assert rows["Extra"] == "1 Mar 2026"
    assert "unknown" not in rows.values()
