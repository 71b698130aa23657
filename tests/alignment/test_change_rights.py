"""A team's objectives, their key results and the team's initiatives are changed, dropped
and aligned by the team: its members, the leads of a team above it, their owners, leaders
and admins. A member of another team reads them but is refused changing or dropping them,
on the page, through the API and in the service alike, with the reason and nothing
changed; the pages offer them no button that would be refused."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from accord.activity.models import Event
from accord.alignment import services as s
from accord.alignment.models import (
    Initiative,
    InitiativeKeyResult,
    KeyResult,
    Objective,
    ObjectiveLink,
)
from accord.core.errors import PermissionDenied
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from tests.conftest import api_client, login, make_person

WHO = (
    "Only members of Sales, a lead of a team above it, a leader or an admin may {action} "
    "this {what}."
)


def url(name, **kw):
    return reverse(f"alignment:{name}", kwargs={"org_slug": "acme", **kw})


def send(client, method, address, data=None):
    body = json.dumps(data) if data is not None else ""
    return getattr(client, method)(address, body, content_type="application/json")


@pytest.fixture
def work(cast, plan):
    """Sales' objective (under the company's) with a key result, and Sales' initiative
    serving it; Mia is of Platform, not of Sales."""
    org = cast.org
    kr = s.create_key_result(org, None, plan.sales_obj, name="Deals", start=0, target=10)
    item = s.create_initiative(
        org, None, team=plan.sales, title="Partner deals", status="active", key_results=[kr]
    )
    return kr, item


def _unchanged(plan, kr, item, events_before):
    objective = Objective.objects.get(pk=plan.sales_obj.pk)
    assert objective.status == "active" and objective.title == "Win enterprise deals"
    assert ObjectiveLink.objects.filter(child=objective, parent=plan.company).exists()
    assert KeyResult.objects.get(pk=kr.pk).name == "Deals"
    initiative = Initiative.objects.get(pk=item.pk)
    assert initiative.status == "active" and initiative.title == "Partner deals"
    assert InitiativeKeyResult.objects.filter(initiative=item, key_result=kr).exists()
    assert Event.objects.count() == events_before


def test_a_member_of_another_team_may_not_drop_or_change_its_work(cast, plan, work):
    kr, item = work
    org, mia = cast.org, cast.member
    before = Event.objects.count()
    refusals = [
        (
            lambda: s.update_objective(org, mia, plan.sales_obj, status="dropped"),
            "drop",
            "objective",
        ),
        (lambda: s.update_objective(org, mia, plan.sales_obj, title="Ours"), "change", "objective"),
        (lambda: s.unlink_objective(org, mia, plan.sales_obj, plan.company), "align", "objective"),
        (
            lambda: s.link_objective(org, mia, plan.sales_obj, plan.platform_obj),
            "align",
            "objective",
        ),
        (lambda: s.update_key_result(org, mia, kr, name="Any deal"), "change", "key result"),
        (
            lambda: s.create_key_result(org, mia, plan.sales_obj, name="Calls", target=5),
            "add key results to",
            "objective",
        ),
        (lambda: s.set_initiative_status(org, mia, item, "dropped"), "drop", "initiative"),
        (lambda: s.update_initiative(org, mia, item, title="Ours"), "change", "initiative"),
        (lambda: s.unlink_initiative(org, mia, item, key_result=kr), "align", "initiative"),
    ]
    for change, action, what in refusals:
        with pytest.raises(PermissionDenied) as exc:
            change()
        assert str(exc.value) == WHO.format(action=action, what=what)
    with pytest.raises(PermissionDenied) as exc:
        s.create_initiative(org, mia, team=plan.sales, title="Ours")
    assert str(exc.value) == (
        "Only members of Sales, a lead of a team above it, a leader or an admin may set "
        "Sales's initiatives."
    )
    _unchanged(plan, kr, item, before)


@pytest.mark.parametrize("who", ["member of Sales", "lead above", "owner", "leader", "admin"])
def test_the_team_a_lead_above_it_its_owner_leaders_and_admins_may_drop_it(cast, plan, work, who):
    kr, item = work
    org = cast.org
    if who == "member of Sales":
        person = make_person(org, "Sid Seller", Role.MEMBER)
        org_services.add_membership(org, None, person=person, team=plan.sales)
    elif who == "lead above":  # leads Acme, the team above Sales, and is no leader
        person = make_person(org, "Ann Head", Role.MEMBER)
        org_services.add_membership(
            org, None, person=person, team=cast.root, role=MembershipRole.LEAD
        )
    elif who == "owner":  # of Platform, but owns them
        person = cast.member
        s.update_objective(org, None, plan.sales_obj, owner=person)
        s.update_initiative(org, None, item, owner=person)
        s.update_key_result(org, None, kr, owner=person)
    else:
        person = getattr(cast, who)
    s.update_key_result(org, person, kr, name="Any deal")
    s.unlink_objective(org, person, plan.sales_obj, plan.company)
    s.update_objective(org, person, plan.sales_obj, status="dropped")
    s.set_initiative_status(org, person, item, "dropped")
    assert Objective.objects.get(pk=plan.sales_obj.pk).status == "dropped"
    assert Initiative.objects.get(pk=item.pk).status == "dropped"


def test_the_pages_refuse_dropping_another_teams_work_and_change_nothing(cast, plan, work):
    kr, item = work
    client = login(cast.member)
    before = Event.objects.count()
    for address, data, action, what in (
        (url("objective_drop", objective_id=plan.sales_obj.pk), {}, "drop", "objective"),
        (url("objective_edit", objective_id=plan.sales_obj.pk), {}, "change", "objective"),
        (
            url(
                "objective_parent_remove", objective_id=plan.sales_obj.pk, parent_id=plan.company.pk
            ),
            {},
            "align",
            "objective",
        ),
        (
            url("objective_parent_add", objective_id=plan.sales_obj.pk),
            {"parent": plan.platform_obj.pk, "weight": "1"},
            "align",
            "objective",
        ),
        (url("kr_edit", kr_id=kr.pk), {"name": "Any deal"}, "change", "key result"),
        (
            url("kr_new", objective_id=plan.sales_obj.pk),
            {"name": "Calls"},
            "add key results to",
            "objective",
        ),
        (
            url("initiative_status", initiative_id=item.pk),
            {"status": "dropped"},
            "drop",
            "initiative",
        ),
        (url("initiative_edit", initiative_id=item.pk), {"title": "Ours"}, "change", "initiative"),
        (
            url("initiative_unlink", initiative_id=item.pk),
            {"key_result": kr.pk},
            "align",
            "initiative",
        ),
    ):
        r = client.post(address, data)
        assert r.status_code == 403, address
        assert WHO.format(action=action, what=what) in r.content.decode(), address
    _unchanged(plan, kr, item, before)


def test_the_pages_offer_another_teams_member_no_button_that_would_be_refused(cast, plan, work):
    kr, item = work
    mia = login(cast.member)
    objective = mia.get(url("objective", objective_id=plan.sales_obj.pk)).content.decode()
    initiative = mia.get(url("initiative", initiative_id=item.pk)).content.decode()
    key_result = mia.get(url("key_result", kr_id=kr.pk)).content.decode()
    hidden = {
        "objective": (
            objective,
            [
                url("objective_edit", objective_id=plan.sales_obj.pk),
                url("kr_new", objective_id=plan.sales_obj.pk),
                url("kr_edit", kr_id=kr.pk),
                url("objective_parent_add", objective_id=plan.sales_obj.pk),
                url(
                    "objective_parent_remove",
                    objective_id=plan.sales_obj.pk,
                    parent_id=plan.company.pk,
                ),
            ],
        ),
        "initiative": (
            initiative,
            [
                url("initiative_edit", initiative_id=item.pk),
                url("initiative_status", initiative_id=item.pk),
                url("initiative_unlink", initiative_id=item.pk) + '" class="inline"',
                "<summary>Link to a key result or objective</summary>",
            ],
        ),
        "key result": (key_result, [url("kr_edit", kr_id=kr.pk)]),
    }
    for page, (body, addresses) in hidden.items():
        for address in addresses:
            assert address not in body, (page, address)
    new = url("initiative_new") + "?team="
    assert new + "sales" not in mia.get(url("team", team_slug="sales")).content.decode()
    assert new + "platform" in mia.get(url("team", team_slug="platform")).content.decode()
    # The same pages offer them to a member of Sales.
    sid = make_person(cast.org, "Sid Seller", Role.MEMBER)
    org_services.add_membership(cast.org, None, person=sid, team=plan.sales)
    client = login(sid)
    shown = {
        "objective": client.get(url("objective", objective_id=plan.sales_obj.pk)).content.decode(),
        "initiative": client.get(url("initiative", initiative_id=item.pk)).content.decode(),
        "key result": client.get(url("key_result", kr_id=kr.pk)).content.decode(),
    }
    for page, (_, addresses) in hidden.items():
        for address in addresses:
            assert address in shown[page], (page, address)


def test_the_api_refuses_dropping_another_teams_work_with_403_and_changes_nothing(cast, plan, work):
    kr, item = work
    api = api_client(cast.member)
    before = Event.objects.count()
    for method, address, data, action, what in (
        (
            "patch",
            f"/api/v1/objectives/{plan.sales_obj.pk}",
            {"status": "dropped"},
            "drop",
            "objective",
        ),
        (
            "patch",
            f"/api/v1/objectives/{plan.sales_obj.pk}",
            {"title": "Ours"},
            "change",
            "objective",
        ),
        (
            "delete",
            f"/api/v1/objectives/{plan.sales_obj.pk}/parents/{plan.company.pk}",
            None,
            "align",
            "objective",
        ),
        ("patch", f"/api/v1/key-results/{kr.pk}", {"name": "Any deal"}, "change", "key result"),
        (
            "post",
            f"/api/v1/initiatives/{item.pk}/status",
            {"status": "dropped"},
            "drop",
            "initiative",
        ),
        ("patch", f"/api/v1/initiatives/{item.pk}", {"title": "Ours"}, "change", "initiative"),
        (
            "delete",
            f"/api/v1/initiatives/{item.pk}/links?key_result_id={kr.pk}",
            None,
            "align",
            "initiative",
        ),
    ):
        r = send(api, method, address, data)
        assert r.status_code == 403, (method, address, r.content)
        error = r.json()["error"]
        assert error["code"] == "forbidden"
        assert error["message"] == WHO.format(action=action, what=what)
    _unchanged(plan, kr, item, before)
    # A member of Sales drops it.
    sid = make_person(cast.org, "Sid Seller", Role.MEMBER)
    org_services.add_membership(cast.org, None, person=sid, team=plan.sales)
    r = send(
        api_client(sid), "patch", f"/api/v1/objectives/{plan.sales_obj.pk}", {"status": "dropped"}
    )
    assert r.status_code == 200 and r.json()["status"] == "dropped"


def test_an_agent_acts_for_the_teams_its_owner_acts_for(cast, plan, work):
    _, item = work
    bot = org_services.add_agent(cast.org, cast.member, name="Release bot", owner=cast.member)
    mine = s.create_initiative(cast.org, bot, team=cast.platform, title="Automate releases")
    s.set_initiative_status(cast.org, bot, mine, "dropped")
    with pytest.raises(PermissionDenied):
        s.set_initiative_status(cast.org, bot, item, "dropped")
    with pytest.raises(PermissionDenied):
        s.create_initiative(cast.org, bot, team=plan.sales, title="Automate deals")
    assert Initiative.objects.get(pk=item.pk).status == "active"


def test_which_initiative_replaces_which_is_said_by_who_may_change_one_of_them(cast, plan, work):
    org, mia = cast.org, cast.member
    _, item = work
    older = s.create_initiative(org, None, team=plan.sales, title="Old partner deals")
    with pytest.raises(PermissionDenied, match="may say which replaces which"):
        s.link_initiatives(org, mia, item, older)
    page = login(mia).get(url("initiative", initiative_id=item.pk)).content.decode()
    assert "Add a replacement link" not in page
    # One of the two is her team's: she may say hers replaces theirs, and unsay it.
    ours = s.create_initiative(org, None, team=cast.platform, title="Partner portal")
    s.link_initiatives(org, mia, ours, older)
    s.unlink_initiatives(org, mia, ours, older)
    s.link_initiatives(org, cast.admin, item, older)
    with pytest.raises(PermissionDenied):
        s.unlink_initiatives(org, mia, item, older)


def test_an_agent_changes_what_its_owner_owns_outside_the_owners_teams(cast, plan, work):
    _, item = work
    s.update_initiative(cast.org, None, item, owner=cast.member)  # Mia owns Sales' initiative
    bot = org_services.add_agent(cast.org, cast.admin, name="Mia's helper", owner=cast.member)
    s.set_initiative_status(cast.org, bot, item, "paused")
    assert Initiative.objects.get(pk=item.pk).status == "paused"


def test_the_owner_of_an_objective_edits_its_key_results_from_its_page(cast, plan, work):
    s.update_objective(cast.org, None, plan.company, owner=cast.member)
    kr = s.create_key_result(cast.org, None, plan.company, name="Revenue", start=0, target=9)
    page = login(cast.member).get(url("objective", objective_id=plan.company.pk)).content
    assert url("kr_edit", kr_id=kr.pk) in page.decode()
