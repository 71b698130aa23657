"""The asking side edits its request while the providing team has not answered it: what
is needed, by when, for which of its initiatives, and which team is asked (re-routed, the
new team is asked as by a new request and the team it left is told). Once answered, the
request is changed by proposals and its milestone only, as before."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from accord.activity.models import Event
from accord.alignment import milestones
from accord.conversation.models import InboxItem, InboxKind
from accord.coordination import services
from accord.coordination.forms import DependencyEditForm
from accord.coordination.models import Dependency, State
from accord.core.errors import PermissionDenied, ServiceError
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from accord.web.templatetags.dates import day
from tests.conftest import api_client, login, make_person
from tests.coordination.conftest import initiative


@pytest.fixture
def member(world):
    """A plain member of the asking team (Sales): neither its lead nor an admin."""
    person = make_person(world.org, "Mo Member", Role.MEMBER)
    org_services.add_membership(world.org, None, person=person, team=world.sales, allocation=50)
    return person


@pytest.fixture
def logistics(world):
    """A third team, with its own lead, that the request may be sent to instead."""
    team = org_services.create_team(
        world.org, None, name="Logistics", slug="logistics", parent=world.ops.parent
    )
    lead = make_person(world.org, "Lou Logistics", Role.MEMBER)
    org_services.add_membership(
        world.org, None, person=lead, team=team, role=MembershipRole.LEAD, allocation=100
    )
    team.lead = lead
    return team


def _events(dep) -> list[Event]:
    return list(
        Event.objects.for_org(dep.org)
        .for_target("coordination.dependency", dep.pk)
        .order_by("created_at", "id")
    )


def _unchanged(dep: Dependency, events: int) -> None:
    fresh = Dependency.objects.get(pk=dep.pk)
    assert (fresh.version, fresh.title, fresh.provider_team_id) == (1, dep.title, dep.ops_id)
    assert (fresh.need_by, fresh.requester_initiative_id) == (dep.need_by, dep.launch_id)
    assert len(_events(dep)) == events


def _asked(world) -> Dependency:
    dep = world.request(description="Pallets of the spring range.")
    dep.ops_id, dep.launch_id = world.ops.pk, world.launch.pk
    return dep


def test_a_member_of_the_asking_team_edits_the_request_and_its_history_is_kept(world, member):
    dep = _asked(world)
    services.transition(world.org, world.giver, dep, "flag_at_risk", note="Busy week.")
    autumn = initiative(world.org, world.sales, "Autumn launch")
    later = world.today + dt.timedelta(days=45)
    services.update_dependency(
        world.org,
        member,
        dep,
        expected_version=2,
        title="Stock for the autumn launch",
        description="Pallets of the autumn range.",
        priority="high",
        need_by=later,
        requester_initiative=autumn,
        provider_team=world.ops,  # unchanged: nothing re-routed
    )
    dep.refresh_from_db()
    assert dep.title == "Stock for the autumn launch"
    assert dep.description == "Pallets of the autumn range."
    assert (dep.priority, dep.need_by, dep.requester_initiative_id) == ("high", later, autumn.pk)
    assert (dep.state, dep.provider_team_id, dep.version) == (State.REQUESTED, world.ops.pk, 3)
    verbs = [e.verb for e in _events(dep)]
    assert verbs == ["created", "flagged_at_risk", "updated"]  # the history is kept
    edited = _events(dep)[-1]
    assert edited.actor == member
    assert edited.before == {
        "title": "Stock for the spring launch",
        "description": "Pallets of the spring range.",
        "priority": "medium",
        "need_by": (world.today + dt.timedelta(days=30)).isoformat(),
        "requester_initiative": world.launch.pk,
    }
    assert edited.after == {
        "title": "Stock for the autumn launch",
        "description": "Pallets of the autumn range.",
        "priority": "high",
        "need_by": later.isoformat(),
        "requester_initiative": autumn.pk,
    }
    # The providing team's question reads the new title, priority and date; nobody else is
    # asked.
    item = InboxItem.objects.get(person=world.giver, key=f"dependency:{dep.pk}")
    assert item.title == (
        f"High priority · Sales asks Operations by {day(later)}: Stock for the autumn launch"
    )
    assert item.done_at is None
    # Saving it as it is records nothing.
    services.update_dependency(world.org, member, dep, title=dep.title, need_by=later)
    assert Dependency.objects.get(pk=dep.pk).version == 3 and len(_events(dep)) == 3


def test_sending_it_to_another_team_asks_that_team_and_tells_the_one_it_left(
    world, member, logistics
):
    dep = _asked(world)
    asked = InboxItem.objects.get(person=world.giver, key=f"dependency:{dep.pk}")
    assert asked.kind == InboxKind.REQUEST and asked.done_at is None
    services.update_dependency(world.org, member, dep, provider_team=logistics)
    dep.refresh_from_db()
    assert (dep.state, dep.provider_team_id) == (State.REQUESTED, logistics.pk)
    edited = _events(dep)[-1]
    assert (edited.before, edited.after["provider_team"]) == (
        {"provider_team": world.ops.pk},
        logistics.pk,
    )
    assert edited.after["note"] == "Sales asks Logistics now, instead of Operations."
    # The new team's lead is asked, as by a new request.
    new = InboxItem.objects.get(person=logistics.lead, target_id=dep.pk)
    assert new.kind == InboxKind.REQUEST and new.done_at is None
    assert new.title == f"Sales asks Logistics by {day(dep.need_by)}: Stock for the spring launch"
    # The old team's question is done, and its lead is told where it went.
    asked.refresh_from_db()
    assert asked.done_at is not None
    told = InboxItem.objects.get(person=world.giver, key=f"dependency:{dep.pk}:{edited.pk}:left")
    assert told.kind == InboxKind.UPDATE and told.done_at is None
    assert told.title == ("Sales asks Logistics instead of Operations: Stock for the spring launch")
    # Logistics answers it now; Operations no longer may.
    assert "accept" in services.actions_for(logistics.lead, dep)
    assert services.actions_for(world.giver, dep) == []
    with pytest.raises(PermissionDenied):
        services.transition(world.org, world.giver, dep, "decline", note="Not ours.")


def test_only_the_asking_side_may_edit(world, member):
    dep = _asked(world)
    for who in (world.bystander, world.giver, world.viewer):
        with pytest.raises(PermissionDenied, match=r"Only the asking team \(Sales\)"):
            services.update_dependency(world.org, who, dep, title="Hijacked")
        _unchanged(dep, 1)
    # A lead of a team above acts for it, and it is recorded as such.
    above = make_person(world.org, "Uma Above", Role.MEMBER)
    org_services.add_membership(
        world.org, None, person=above, team=world.sales.parent, role=MembershipRole.LEAD
    )
    services.update_dependency(world.org, above, dep, title="Stock, as the lead above says")
    assert _events(dep)[-1].after["acting_for"]["team"] == "Sales"


def test_a_bad_change_is_refused_and_changes_nothing(world, member, logistics, cast):
    dep = _asked(world)
    org = world.org
    finished = initiative(org, world.sales, "Last year's launch", status="done")
    ops_work = world.warehouse
    org_services.retire_team(org, None, logistics)
    refused = [
        ({"provider_team": logistics}, "provider_team", "Logistics is retired"),
        ({"provider_team": world.sales}, "provider_team", "Sales cannot depend on itself"),
        ({"requester_initiative": ops_work}, "requester_initiative", "not an initiative of Sales"),
        ({"requester_initiative": finished}, "requester_initiative", "is done"),
        ({"need_by": world.today - dt.timedelta(days=1)}, "need_by", "in the past"),
        ({"title": "  "}, "title", "Title is required"),
        ({"priority": "urgent"}, "priority", "Unknown priority"),
        ({"state": "accepted"}, "state", "Cannot change state"),
        ({"provider_team": cast.other_team}, "provider_team", "No such team in Acme"),
    ]
    for change, field, message in refused:
        with pytest.raises(ServiceError, match=message) as caught:
            # Each with a good change beside it: nothing of either is written.
            services.update_dependency(org, member, dep, **{"title": "Good title", **change})
        assert field in caught.value.fields, change
        _unchanged(dep, 1)


def test_once_answered_the_request_is_no_longer_edited_but_its_milestone_still_moves(world, member):
    dep = _asked(world)
    services.transition(
        world.org,
        world.giver,
        dep,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today + dt.timedelta(days=25),
    )
    with pytest.raises(ServiceError, match="Operations has answered") as caught:
        services.update_dependency(world.org, member, dep, title="Too late")
    assert caught.value.code == "answered"
    assert Dependency.objects.get(pk=dep.pk).title == "Stock for the spring launch"
    # What the asking side could already do after acceptance, it still does.
    gate = milestones.create_milestone(
        world.org, None, name="Gate", date=world.today + dt.timedelta(days=40)
    )
    services.tie_to_milestone(world.org, member, dep, gate)
    assert Dependency.objects.get(pk=dep.pk).need_by == gate.date


def test_a_date_of_its_own_unties_it_from_its_milestone(world, member):
    gate = milestones.create_milestone(
        world.org, None, name="Gate", date=world.today + dt.timedelta(days=40)
    )
    dep = world.request(need_by_milestone=gate)
    services.update_dependency(world.org, member, dep, need_by=gate.date)  # the same date
    assert Dependency.objects.get(pk=dep.pk).need_by_milestone_id == gate.pk
    sooner = world.today + dt.timedelta(days=20)
    services.update_dependency(world.org, member, dep, need_by=sooner)
    dep.refresh_from_db()
    assert (dep.need_by, dep.need_by_milestone_id) == (sooner, None)
    assert _events(dep)[-1].after == {"need_by": sooner.isoformat(), "need_by_milestone": None}


# --- the API --------------------------------------------------------------------------------


def _patch(client, dep, body, **headers):
    return client.patch(
        f"/api/v1/dependencies/{dep.pk}", body, content_type="application/json", headers=headers
    )


def test_the_api_edits_and_re_routes_a_request(world, member, logistics):
    dep = _asked(world)
    client = api_client(member)
    later = (world.today + dt.timedelta(days=50)).isoformat()
    r = _patch(
        client,
        dep,
        {"title": "Stock, corrected", "need_by": later, "provider_team_id": logistics.pk},
        **{"If-Match": '"1"'},
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["title"], body["need_by"], body["provider_team_id"]) == (
        "Stock, corrected",
        later,
        logistics.pk,
    )
    assert (body["state"], body["version"]) == ("requested", 2)
    assert InboxItem.objects.filter(person=logistics.lead, target_id=dep.pk).exists()
    assert InboxItem.objects.filter(person=world.giver, key__endswith=":left").exists()
    # A stale version is refused.
    assert _patch(client, dep, {"title": "X"}, **{"If-Match": '"1"'}).status_code == 409


def test_the_api_refuses_what_the_service_refuses_and_changes_nothing(world, member, logistics):
    dep = _asked(world)
    org_services.retire_team(world.org, None, logistics)
    client = api_client(member)
    for body, field in (
        ({"provider_team_id": logistics.pk, "title": "Moved"}, "provider_team_id"),
        ({"provider_team_id": world.sales.pk}, "provider_team_id"),
        ({"requester_initiative_id": world.warehouse.pk}, "requester_initiative_id"),
        ({"provider_team_id": 10**9}, "provider_team_id"),
        ({"need_by": None}, "need_by"),
    ):
        r = _patch(client, dep, body)
        assert r.status_code == 422, (body, r.content)
        assert field in r.json()["error"]["fields"], (body, r.content)
        _unchanged(dep, 1)
    r = _patch(api_client(world.bystander), dep, {"title": "Hijacked"})
    assert r.status_code == 403 and "Only the asking team (Sales)" in r.json()["error"]["message"]
    _unchanged(dep, 1)


# --- the pages ------------------------------------------------------------------------------


def test_the_page_edits_the_request_and_says_who_may(world, member, logistics):
    dep = _asked(world)
    client = login(member)
    base = f"/o/{world.org.slug}/coordination/d/{dep.pk}/"
    page = client.get(base).content.decode()
    assert f'href="{base}edit/"' in page
    assert "Until Operations answers, members of Sales, leads of a team above it" in page
    form = client.get(f"{base}edit/")
    assert form.status_code == 200
    assert 'value="Stock for the spring launch"' in form.content.decode()
    post = {
        "title": "Stock for the summer launch",
        "description": "",
        "priority": "low",
        "need_by": (world.today + dt.timedelta(days=35)).isoformat(),
        "requester_initiative": world.launch.pk,
        "provider_team": logistics.pk,
        "version": 1,
    }
    r = client.post(f"{base}edit/", post)
    assert r.status_code == 302 and r["Location"] == base
    dep.refresh_from_db()
    assert (dep.title, dep.priority, dep.provider_team_id) == (
        "Stock for the summer launch",
        "low",
        logistics.pk,
    )
    # Sent to the asking team itself: refused on the form, nothing changed.
    r = client.post(f"{base}edit/", {**post, "provider_team": world.sales.pk, "version": 2})
    assert r.status_code == 422
    assert "Sales cannot depend on itself" in r.content.decode()
    assert Dependency.objects.get(pk=dep.pk).version == 2
    # Someone of another team is refused the page and the post.
    outsider = login(world.bystander)
    assert "Edit the request" not in outsider.get(base).content.decode()
    assert outsider.get(f"{base}edit/").status_code == 403
    assert outsider.post(f"{base}edit/", {**post, "title": "Hijacked"}).status_code == 403
    assert Dependency.objects.get(pk=dep.pk).title == "Stock for the summer launch"


def test_the_page_offers_teams_still_working_and_keeps_the_one_asked(world, member, logistics):
    dep = _asked(world)
    org_services.retire_team(world.org, None, logistics)
    form = DependencyEditForm(org=world.org, dependency=dep)
    offered = set(form.fields["provider_team"].queryset)
    assert world.ops in offered and logistics not in offered
    client = login(member)
    url = f"/o/{world.org.slug}/coordination/d/{dep.pk}/edit/"
    post = {
        "title": "Stock for the summer launch",
        "description": "",
        "priority": "medium",
        "need_by": dep.need_by.isoformat(),
        "requester_initiative": world.launch.pk,
        "provider_team": world.ops.pk,
        "version": 1,
    }
    # A retired team, chosen while the page was open, is refused with the reason.
    r = client.post(url, {**post, "provider_team": logistics.pk})
    assert r.status_code == 422
    assert "Logistics is retired; ask a team that is still working." in r.content.decode()
    assert Dependency.objects.get(pk=dep.pk).version == 1
    assert client.post(url, post).status_code == 302
    dep.refresh_from_db()
    assert (dep.title, dep.provider_team_id) == ("Stock for the summer launch", world.ops.pk)
    # The team asked retires since: the request is declined with the reason, and its form
    # still shows the team it asked as chosen.
    org_services.retire_team(world.org, None, world.ops)
    dep.refresh_from_db()
    assert (dep.state, dep.resolution) == ("declined", "Operations was retired: ask another team.")
    form = DependencyEditForm(org=world.org, dependency=dep)
    assert world.ops in set(form.fields["provider_team"].queryset)


def test_an_answered_request_says_it_is_no_longer_edited(world, member):
    dep = _asked(world)
    services.transition(
        world.org,
        world.giver,
        dep,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today + dt.timedelta(days=25),
    )
    client = login(member)
    base = f"/o/{world.org.slug}/coordination/d/{dep.pk}/"
    page = client.get(base).content.decode()
    assert "Edit the request" not in page
    assert "Operations has answered, so the request is no longer edited" in page
    r = client.get(f"{base}edit/")
    assert r.status_code == 302 and r["Location"] == base


def _labels(html: str) -> list[str]:
    """The form's field labels, in the order the page shows them."""
    form = html.split('<form method="post" class="card stack narrow">', 1)[1].split("</form>")[0]
    found = re.findall(r'<label for="id_[a-z_]+">([^<*]+)', form)
    return [label.strip() for label in found]


def test_the_team_asked_has_one_name_on_both_forms_the_page_and_its_history(
    world, member, logistics
):
    dep = _asked(world)
    client = login(member)
    root = f"/o/{world.org.slug}/coordination/"
    base = f"{root}d/{dep.pk}/"
    # The ask form and the edit form: the same fields, in the same order, the same names.
    ask = _labels(client.get(f"{root}new/").content.decode())
    edit = _labels(client.get(f"{base}edit/").content.decode())
    both = ["For our initiative", "Team asked", "What you need", "Description", "Priority"]
    assert ask[:6] == edit == [*both, "Needed by"]
    # Sent to another team: the request page and its history say "Team asked" too.
    services.update_dependency(world.org, member, dep, provider_team=logistics)
    page = client.get(base).content.decode()
    assert "<dt>Team asked</dt><dd>" in page and ">Logistics</a>" in page
    history = page.split('id="history-h"', 1)[1]
    assert '<span class="changes__field">Team asked</span>' in history
    for other in ("Ask team", "Asked of<", "Providing team"):
        assert other not in page
