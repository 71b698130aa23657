"""Retiring a team and deactivating a person: the confirmation lists what is left behind,
and the change ends the current terms (recorded), so nobody stays 100% in a team that is
gone, or listed in a team after leaving."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils.timezone import localdate

from accord.activity.models import Event
from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.core.errors import ServiceError
from accord.decisions import services as decisions
from accord.org import services
from accord.org.models import Membership, MembershipRole
from tests.conftest import api_client, login


def busy_platform(cast):
    """Platform with a lead, two open initiatives, an objective, a request to Acme and
    one from it."""
    services.add_membership(
        cast.org, None, person=cast.leader, team=cast.platform, role=MembershipRole.LEAD
    )
    points = alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Points engine", status="active"
    )
    alignment.create_initiative(cast.org, None, team=cast.platform, title="Rewards shop")
    period = alignment.create_period(
        cast.org, None, name="Q4", start="2026-10-01", end="2026-12-31", is_current=True
    )
    alignment.create_objective(
        cast.org, None, title="Keep members coming back", period=period, team=cast.platform
    )
    root_work = alignment.create_initiative(cast.org, None, team=cast.root, title="Storefront")
    coordination.create_dependency(
        cast.org,
        None,
        requester_initiative=points,
        provider_team=cast.root,
        title="Auth API",
        need_by=dt.date(2026, 12, 31),
    )
    coordination.create_dependency(
        cast.org,
        None,
        requester_initiative=root_work,
        provider_team=cast.platform,
        title="Feed",
        need_by=dt.date(2026, 12, 31),
    )
    return points


# --- retiring a team ---------------------------------------------------------------------


def test_the_retire_confirmation_lists_what_the_team_leaves_behind(cast):
    busy_platform(cast)
    page = login(cast.leader).get("/o/acme/teams/platform/retire/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<strong>2 current members</strong>: Leo Leader, Mia Member" in html
    assert "<strong>2 open initiatives</strong>: Points engine, Rewards shop" in html
    assert "<strong>1 open objective</strong>: Keep members coming back" in html
    assert "<strong>1 open request to another team</strong>: Auth API" in html
    assert "<strong>1 open request from another team</strong>: Feed" in html
    assert "/o/acme/alignment/initiatives/?team=platform&amp;only=1" in html
    # Nothing changed by looking.
    assert not cast.platform.__class__.objects.get(pk=cast.platform.pk).is_retired


def test_the_retire_confirmation_names_a_few_and_counts_the_rest(cast):
    for n in range(6):
        alignment.create_initiative(cast.org, None, team=cast.platform, title=f"Work {n}")
    html = login(cast.leader).get("/o/acme/teams/platform/retire/").content.decode()
    assert "<strong>6 open initiatives</strong>: Work 0, Work 1, Work 2 and 3 more" in html


def test_only_a_leader_sees_the_retire_confirmation(cast):
    assert login(cast.member).get("/o/acme/teams/platform/retire/").status_code == 403


def test_retiring_ends_the_current_terms_so_members_can_join_another_team(cast):
    services.update_membership(
        cast.org, None, Membership.objects.get(person=cast.member), allocation=100
    )
    client = login(cast.leader)
    response = client.post("/o/acme/teams/platform/retire/", follow=True)
    assert "The terms of its 1 member ended." in response.content.decode()

    term = Membership.terms.get(person=cast.member, team=cast.platform)
    assert term.ended_on == localdate()
    ended = Event.objects.get(
        org=cast.org, verb="ended", target_type="org.membership", target_id=str(term.pk)
    )
    assert ended.after["reason"] == "Platform was retired" and ended.actor_id == cast.leader.pk
    # Her 100% is free again: no "would be allocated 200%".
    services.add_membership(cast.org, None, person=cast.member, team=cast.root, allocation=100)


def test_a_team_retired_on_an_earlier_day_ends_its_terms_that_day(cast):
    services.retire_team(cast.org, None, cast.platform, on="2026-01-31")
    term = Membership.terms.get(person=cast.member, team=cast.platform)
    assert term.ended_on == dt.date(2026, 1, 31)


def test_reactivating_a_team_does_not_bring_its_members_back(cast):
    services.retire_team(cast.org, None, cast.platform)
    services.reactivate_team(cast.org, None, cast.platform)
    assert not Membership.objects.filter(team=cast.platform).exists()
    page = login(cast.leader).get("/o/acme/teams/platform/").content.decode()
    assert "Nobody is in this team yet." in page


def test_reactivating_says_the_members_do_not_come_back(cast):
    services.retire_team(cast.org, None, cast.platform)
    client = login(cast.leader)
    page = client.get("/o/acme/teams/platform/").content.decode()
    assert "It comes back without members" in page  # the confirmation
    done = client.post("/o/acme/teams/platform/reactivate/", follow=True).content.decode()
    assert "The terms that ended when it retired stay ended" in done


# --- a person leaving --------------------------------------------------------------------


def test_the_person_form_shows_an_admin_what_deactivating_leaves(cast):
    busy_platform(cast)
    decisions.create_action_item(cast.org, None, "Write the handover", owner=cast.leader)
    decisions.create_decision(cast.org, None, "Which cloud?", cast.leader)
    decisions.create_decision(cast.org, None, "Which region?", cast.admin, driver=cast.leader)
    html = login(cast.admin).get(f"/o/acme/people/{cast.leader.pk}/edit/").content.decode()
    assert "If Leo Leader is deactivated" in html
    assert "<strong>1 team they lead</strong>: Platform" in html
    assert "<strong>1 open action item</strong>: Write the handover" in html
    assert f"/o/acme/decisions/actions/?person={cast.leader.pk}" in html
    # The decisions they approve and those they drive, each linked to the log so filtered.
    assert "<strong>1 undecided decision they approve</strong>: Which cloud?" in html
    assert f"/o/acme/decisions/?approver={cast.leader.pk}" in html
    assert "<strong>1 undecided decision they drive</strong>: Which region?" in html
    assert f"/o/acme/decisions/?driver={cast.leader.pk}" in html


def test_a_person_editing_their_own_profile_sees_no_summary(cast):
    html = login(cast.member).get(f"/o/acme/people/{cast.member.pk}/edit/").content.decode()
    assert "is deactivated" not in html


def test_deactivating_ends_their_terms_and_leaves_the_team_without_a_lead(cast):
    services.add_membership(
        cast.org, None, person=cast.leader, team=cast.platform, role=MembershipRole.LEAD
    )
    item = decisions.create_action_item(cast.org, None, "Write the handover", owner=cast.leader)
    services.update_person(cast.org, cast.admin, cast.leader, is_active=False)

    term = Membership.terms.get(person=cast.leader, team=cast.platform)
    assert term.ended_on == localdate()
    event = Event.objects.get(
        org=cast.org, verb="ended", target_type="org.membership", target_id=str(term.pk)
    )
    assert event.after["reason"] == "Leo Leader was deactivated"
    item.refresh_from_db()
    assert item.owner_id == cast.leader.pk  # open work keeps its owner
    page = login(cast.admin).get("/o/acme/teams/platform/").content.decode()
    assert "Led by" not in page


def test_deactivating_through_the_api_ends_their_terms(cast):
    client = api_client(cast.admin)
    assert client.delete(f"/api/v1/people/{cast.member.pk}").status_code in (200, 204)
    listed = client.get(f"/api/v1/memberships?team_id={cast.platform.pk}&include_inactive=true")
    assert cast.member.pk not in [m["person_id"] for m in listed.json()["items"]]
    assert Membership.terms.get(person=cast.member).ended_on == localdate()


def test_a_refused_deactivation_ends_nothing(cast):
    services.add_membership(cast.org, None, person=cast.admin, team=cast.root)
    with pytest.raises(ServiceError, match="last admin"):
        services.update_person(cast.org, None, cast.admin, is_active=False)
    assert Membership.objects.filter(person=cast.admin, team=cast.root).exists()


# --- smaller ------------------------------------------------------------------------------


def test_ending_a_term_says_the_day_as_the_product_writes_dates(cast):
    m = Membership.objects.get(person=cast.member)
    response = login(cast.admin).post(f"/o/acme/memberships/{m.pk}/end/", follow=True)
    today = localdate()
    assert f"ended on {today.day} {today:%b %Y}." in response.content.decode()


@pytest.mark.parametrize("name", ["Platform", "platform"])
def test_a_team_cannot_take_a_current_siblings_name(cast, name):
    with pytest.raises(ServiceError, match="already called") as refused:
        services.create_team(cast.org, None, name=name, parent=cast.root)
    assert refused.value.fields == {"name": ["Another team under Acme has this name."]}


def test_a_second_top_team_of_the_same_name_is_refused_through_the_api(cast):
    client = api_client(cast.admin)
    response = client.post(
        "/api/v1/teams", json.dumps({"name": "Acme"}), content_type="application/json"
    )
    assert response.status_code in (400, 409, 422)
    assert "at the top of the tree is already called 'Acme'" in response.content.decode()
    assert cast.root.__class__.objects.filter(org=cast.org, name="Acme").count() == 1


def test_the_same_name_is_fine_elsewhere_in_the_tree_or_beside_a_retired_team(cast):
    services.create_team(cast.org, None, name="Platform")  # at the top, not under Acme
    services.retire_team(cast.org, None, cast.platform)
    services.create_team(cast.org, None, name="Platform", parent=cast.root)


def test_renaming_or_moving_into_a_siblings_name_is_refused(cast):
    tools = services.create_team(cast.org, None, name="Tools", parent=cast.root)
    with pytest.raises(ServiceError, match="already called"):
        services.update_team(cast.org, None, tools, name="PLATFORM")
    top = services.create_team(cast.org, None, name="Platform")
    with pytest.raises(ServiceError, match="already called"):
        services.update_team(cast.org, None, top, parent=cast.root)


def test_reactivating_beside_a_new_team_of_its_name_is_refused(cast):
    services.retire_team(cast.org, None, cast.platform)
    services.create_team(cast.org, None, name="Platform", parent=cast.root)
    with pytest.raises(ServiceError, match="already called"):
        services.reactivate_team(cast.org, None, cast.platform)


def test_nobody_starts_a_term_in_a_retired_team_though_a_past_one_may_be_recorded(cast):
    platform = services.retire_team(cast.org, None, cast.platform)
    with pytest.raises(ServiceError) as refused:
        services.add_membership(cast.org, cast.admin, person=cast.leader, team=platform)
    assert refused.value.code == "team_retired"
    with pytest.raises(ServiceError):
        services.add_memberships(cast.org, cast.admin, [{"person": cast.leader, "team": platform}])
    assert not Membership.objects.filter(person=cast.leader).exists()
    past = services.add_membership(
        cast.org,
        cast.admin,
        person=cast.leader,
        team=platform,
        started_on="2026-01-05",
        ended_on="2026-03-31",
    )
    assert past.ended_on == dt.date(2026, 3, 31)
    response = api_client(cast.admin).post(
        "/api/v1/memberships",
        {"person_id": cast.viewer.pk, "team_id": cast.platform.pk},
        content_type="application/json",
    )
    assert response.status_code == 422 and "retired" in response.json()["error"]["message"]


def test_the_upgrade_ends_the_terms_left_open_by_retirements_and_departures_before(cast):
    """Terms left open before retiring and deactivating ended them (as stored before the
    fix) are ended by the migration, on the retirement day or today, each with its event."""
    from importlib import import_module

    from django.apps import apps

    end_open_terms = import_module(
        "accord.org.migrations.0011_end_terms_left_in_retired_teams_and_by_people_gone"
    ).end_open_terms
    services.add_membership(cast.org, None, person=cast.leader, team=cast.root, allocation=50)
    services.retire_team(cast.org, None, cast.platform, on="2026-11-02")
    services.update_person(cast.org, cast.admin, cast.leader, is_active=False)
    # As they were before: the terms still open.
    Membership.terms.filter(person__in=[cast.member, cast.leader]).update(ended_on=None)
    seen = Event.objects.filter(verb="ended").count()
    end_open_terms(apps, None)
    ended = {
        (m.person_id, m.team_id): m.ended_on
        for m in Membership.terms.filter(person__in=[cast.member, cast.leader])
    }
    assert ended == {
        (cast.member.pk, cast.platform.pk): dt.date(2026, 11, 2),
        (cast.leader.pk, cast.root.pk): localdate(),
    }
    added = Event.objects.filter(verb="ended").order_by("id")[seen:]
    reasons = sorted((e.actor_name, e.after["reason"]) for e in added)
    assert reasons == [("Accord", "Leo Leader was deactivated"), ("Accord", "Platform was retired")]
    assert not Membership.objects.filter(person__in=[cast.member, cast.leader]).exists()
    end_open_terms(apps, None)  # again: nothing left to end
    assert Event.objects.filter(verb="ended").count() == seen + 2


def test_a_name_is_checked_on_the_lower_case_names_index(cast):
    """An import of 10,000 teams checks each name: by the index, not a scan of them all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import sqlite_plan

    with CaptureQueriesContext(connection) as ctx:
        services.create_team(cast.org, None, name="Ärzte", parent=cast.root)
    with pytest.raises(ServiceError, match="under Acme is already called 'Ärzte'"):
        services.create_team(cast.org, None, name="ÄRZTE", parent=cast.root)
    (sql,) = [q["sql"] for q in ctx.captured_queries if "LOWER(" in q["sql"]]
    if connection.vendor == "sqlite":
        assert "USING INDEX team_by_lower_name" in sqlite_plan(sql)
