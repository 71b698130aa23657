"""Deleting an objective, key result or initiative is for its owner, the leads of its team,
leaders and admins (changing it, for its whole team too: test_change_rights). Everyone else
is refused, naming who may; the pages hide Delete from them and say who may. A deletion
that takes history with it tells the owner and the team's leads, and its confirmation
says what goes with it, offering *Mark dropped* for an objective instead."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from accord.activity.models import Notification
from accord.alignment import queries
from accord.alignment import services as s
from accord.alignment.models import (
    ConfidenceUpdate,
    Initiative,
    KeyResult,
    KeyResultValue,
    Objective,
)
from accord.core.errors import PermissionDenied
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from tests.conftest import api_client, login, make_person

WHO = "Only its owner (Olive Owner), a lead of Sales, a leader or an admin may delete this"


def url(name, **kw):
    return reverse(f"alignment:{name}", kwargs={"org_slug": "acme", **kw})


@dataclass
class Sales:
    owner: object
    lead: object
    objective: Objective
    deals: KeyResult
    pipeline: KeyResult
    crm: Initiative  # serves only the objective's key result: left unaligned
    outreach: Initiative  # serves another objective too: still aligned


@pytest.fixture
def sales(cast, plan) -> Sales:
    """Sales' objective, owned by Olive, led by Sam, with values, confidence and work."""
    org = cast.org
    owner = make_person(org, "Olive Owner", Role.MEMBER)
    lead = make_person(org, "Sam Lead", Role.MEMBER)
    org_services.add_membership(org, None, person=owner, team=plan.sales)
    org_services.add_membership(org, None, person=lead, team=plan.sales, role=MembershipRole.LEAD)
    objective = s.create_objective(
        org, None, title="Win the mid-market", period=plan.q1, team=plan.sales, owner=owner
    )
    deals = s.create_key_result(org, None, objective, name="Deals", start=0, target=10)
    pipeline = s.create_key_result(org, None, objective, name="Pipeline", start=0, target=50)
    for value in (2, 4, 6):
        s.record_key_result_value(org, None, deals, value)
    s.set_objective_confidence(org, None, objective, 6)
    crm = s.create_initiative(
        org, None, team=plan.sales, title="CRM clean-up", status="active", key_results=[deals]
    )
    outreach = s.create_initiative(
        org,
        None,
        team=plan.sales,
        title="Outreach",
        status="active",
        objectives=[objective, plan.sales_obj],
    )
    return Sales(owner, lead, objective, deals, pipeline, crm, outreach)


# --- the service -------------------------------------------------------------------------


def test_a_member_of_another_team_is_refused_naming_who_may(cast, sales):
    org, mia = cast.org, cast.member  # Mia is in Platform
    with pytest.raises(PermissionDenied) as exc:
        s.delete_objective(org, mia, sales.objective)
    assert str(exc.value) == f"{WHO} objective."
    with pytest.raises(PermissionDenied) as exc:
        s.delete_key_result(org, mia, sales.deals)
    assert str(exc.value) == (
        "Only its objective's owner (Olive Owner), a lead of Sales, a leader or an admin may "
        "delete this key result."
    )
    with pytest.raises(PermissionDenied) as exc:
        s.delete_initiative(org, mia, sales.crm)
    assert (
        str(exc.value) == "Only a lead of Sales, a leader or an admin may delete this initiative."
    )
    with pytest.raises(PermissionDenied):
        s.delete_objective(org, cast.viewer, sales.objective)
    assert Objective.objects.filter(pk=sales.objective.pk).exists()
    assert KeyResultValue.objects.filter(key_result=sales.deals).count() == 4
    assert Initiative.objects.filter(pk=sales.crm.pk).exists()
    assert not Notification.objects.exists()


def test_the_owner_a_lead_of_the_team_and_leaders_may_delete(cast, plan, sales):
    org = cast.org
    s.delete_key_result(org, sales.owner, sales.pipeline)  # the objective's owner
    s.delete_initiative(org, sales.lead, sales.crm)  # a lead of Sales
    mine = s.create_initiative(org, None, team=plan.sales, title="Mine", owner=cast.member)
    s.delete_initiative(org, cast.member, mine)  # its own owner, of another team
    s.delete_objective(org, cast.leader, plan.sales_obj)
    s.delete_objective(org, sales.owner, sales.objective)
    assert not Objective.objects.filter(pk__in=[sales.objective.pk, plan.sales_obj.pk]).exists()
    assert not Initiative.objects.filter(pk__in=[sales.crm.pk, mine.pk]).exists()


def test_an_organization_objective_is_deleted_by_leaders_only(cast, plan):
    org = cast.org
    goal = s.create_objective(
        org, None, title="Be loved", period=plan.q1, level="org", owner=cast.member
    )
    with pytest.raises(PermissionDenied) as exc:
        s.delete_objective(org, cast.member, goal)
    assert str(exc.value) == "Only a leader or an admin may delete this objective."
    s.delete_objective(org, cast.admin, goal)


def test_what_a_deletion_takes_with_it_is_counted(sales):
    assert queries.deletion(sales.objective).sentence == (
        "Deleting it also deletes 2 key results with 5 values and 1 confidence update; "
        "1 initiative will be left unaligned and 1 initiative will no longer serve it "
        "(still serving other work)."
    )
    assert queries.deletion(sales.deals).sentence == (
        "Deleting it also deletes its 4 recorded values; 1 initiative will be left unaligned."
    )
    assert not queries.deletion(sales.pipeline).history  # only its start value


def test_deleting_history_tells_the_owner_and_the_lead_but_not_who_deleted(cast, sales):
    s.delete_objective(cast.org, cast.leader, sales.objective)
    rows = {n.person.name: n for n in Notification.objects.filter(kind="alignment_deleted")}
    assert set(rows) == {"Olive Owner", "Sam Lead"}
    notice = rows["Sam Lead"]
    assert notice.subject == "Deleted: Win the mid-market"
    assert (
        "Leo Leader deleted the objective “Win the mid-market” of Sales (Q1 2026).\n\n"
        "It took with it 2 key results with 5 values and 1 confidence update; "
        "1 initiative is left unaligned"
    ) in notice.body_text
    assert notice.link.endswith("/o/acme/alignment/teams/sales/")
    assert not ConfidenceUpdate.objects.filter(objective_id=sales.objective.pk).exists()


def test_a_lead_deleting_is_told_to_the_owner_only(cast, sales):
    s.delete_key_result(cast.org, sales.lead, sales.deals)
    [notice] = Notification.objects.filter(kind="alignment_deleted")
    assert notice.person == sales.owner
    assert "deleted the key result “Deals” of “Win the mid-market”" in notice.body_text


def test_deleting_what_has_no_history_yet_tells_nobody(cast, sales):
    s.delete_key_result(cast.org, cast.leader, sales.pipeline)  # only its start value
    fresh = s.create_objective(
        cast.org, None, title="Draft", period=sales.objective.period, team=sales.crm.team
    )
    s.delete_objective(cast.org, sales.lead, fresh)
    assert not Notification.objects.exists()


# --- the pages ---------------------------------------------------------------------------


def test_the_edit_pages_hide_delete_from_a_member_of_the_team_and_say_who_may(cast, sales):
    """Sid, of Sales, may edit its objective and key results but not delete them."""
    sid = make_person(cast.org, "Sid Seller", Role.MEMBER)
    org_services.add_membership(cast.org, None, person=sid, team=sales.objective.team)
    client = login(sid)
    body = client.get(url("objective_edit", objective_id=sales.objective.pk)).content.decode()
    assert url("objective_delete", objective_id=sales.objective.pk) not in body
    assert f"{WHO} objective." in body
    assert "Deleting it also deletes" not in body  # counted only for who may
    body = client.get(url("kr_edit", kr_id=sales.deals.pk)).content.decode()
    assert url("kr_delete", kr_id=sales.deals.pk) not in body
    assert "a lead of Sales, a leader or an admin may delete this key result." in body
    # Forcing it is refused as the service refuses it, and changes nothing.
    r = client.post(url("objective_delete", objective_id=sales.objective.pk))
    assert r.status_code == 403 and WHO in r.content.decode()
    assert client.post(url("kr_delete", kr_id=sales.deals.pk)).status_code == 403
    assert Objective.objects.filter(pk=sales.objective.pk).exists()
    assert KeyResult.objects.filter(pk=sales.deals.pk).exists()


def test_the_confirmation_says_what_goes_and_offers_dropping_instead(cast, sales):
    client = login(sales.lead)
    body = client.get(url("objective_edit", objective_id=sales.objective.pk)).content.decode()
    sentence = (
        "Deleting it also deletes 2 key results with 5 values and 1 confidence update; "
        "1 initiative will be left unaligned"
    )
    assert url("objective_delete", objective_id=sales.objective.pk) in body
    confirm = body.split('data-confirm="Delete Win the mid-market? ')[1].split('"')[0]
    assert confirm.startswith(sentence) and "Mark dropped to keep its history" in confirm
    assert url("objective_drop", objective_id=sales.objective.pk) in body
    r = client.post(url("objective_drop", objective_id=sales.objective.pk), follow=True)
    assert "Win the mid-market is dropped; its key results and their history are kept." in (
        r.content.decode()
    )
    sales.objective.refresh_from_db()
    assert sales.objective.status == "dropped"
    assert KeyResultValue.objects.filter(key_result=sales.deals).count() == 4
    body = client.get(url("objective_edit", objective_id=sales.objective.pk)).content.decode()
    assert url("objective_drop", objective_id=sales.objective.pk) not in body  # done already


def test_deleting_a_key_result_says_so(cast, sales):
    client = login(sales.owner)
    body = client.get(url("kr_edit", kr_id=sales.deals.pk)).content.decode()
    assert 'data-confirm="Delete Deals? Deleting it also deletes its 4 recorded values;' in body
    r = client.post(url("kr_delete", kr_id=sales.deals.pk), follow=True)
    assert r.redirect_chain[-1][0] == url("objective", objective_id=sales.objective.pk)
    assert "Deals deleted." in r.content.decode()
    assert not KeyResult.objects.filter(pk=sales.deals.pk).exists()


# --- the API -----------------------------------------------------------------------------


def test_the_api_refuses_a_member_of_another_team_and_lets_the_lead_delete(cast, sales):
    mia = api_client(cast.member)
    for path, what in (
        (f"/api/v1/objectives/{sales.objective.pk}", "objective"),
        (f"/api/v1/key-results/{sales.deals.pk}", "key result"),
        (f"/api/v1/initiatives/{sales.crm.pk}", "initiative"),
    ):
        r = mia.delete(path)
        assert r.status_code == 403, path
        assert r.json()["error"]["message"].endswith(f"may delete this {what}.")
    lead = api_client(sales.lead)
    assert lead.delete(f"/api/v1/initiatives/{sales.crm.pk}").status_code == 204
    assert lead.delete(f"/api/v1/objectives/{sales.objective.pk}").status_code == 204
    told = Notification.objects.filter(kind="alignment_deleted")
    assert {n.person_id for n in told} == {sales.owner.pk}
    assert list(told.values_list("subject", flat=True)) == ["Deleted: Win the mid-market"]


# --- an initiative's page: Delete, and its confirmation -----------------------------------

CRM_WHO = "Only a lead of Sales, a leader or an admin may delete this initiative."


def _pricing_page(cast, plan, sales) -> Initiative:
    """Olive's initiative of Sales, serving Deals (so deleting it takes history with it)."""
    return s.create_initiative(
        cast.org,
        None,
        team=plan.sales,
        title="Pricing page",
        owner=sales.owner,
        status="active",
        key_results=[sales.deals],
    )


def test_a_member_of_another_team_sees_no_delete_and_is_refused_the_confirmation(cast, sales):
    client = login(cast.member)  # Mia, of Platform
    page = client.get(url("initiative", initiative_id=sales.crm.pk)).content.decode()
    assert url("initiative_delete", initiative_id=sales.crm.pk) not in page
    assert url("initiative_edit", initiative_id=sales.crm.pk) not in page  # nor edit it
    r = client.get(url("initiative_delete", initiative_id=sales.crm.pk))
    assert r.status_code == 403 and CRM_WHO in r.content.decode()
    r = client.post(url("initiative_delete", initiative_id=sales.crm.pk))
    assert r.status_code == 403 and CRM_WHO in r.content.decode()
    assert Initiative.objects.filter(pk=sales.crm.pk).exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("who", ["owner", "lead", "leader", "admin"])
def test_who_may_delete_an_initiative_does_so_from_its_page_after_a_confirmation(
    cast, plan, sales, who
):
    item = _pricing_page(cast, plan, sales)
    person = {"owner": sales.owner, "lead": sales.lead}.get(who) or getattr(cast, who)
    client = login(person)
    page = client.get(url("initiative", initiative_id=item.pk)).content.decode()
    confirm = url("initiative_delete", initiative_id=item.pk)
    assert f'href="{confirm}">Delete</a>' in page
    body = client.get(confirm).content.decode()
    assert "Delete this initiative?" in body
    assert (
        "Deleting it also deletes its links to 1 key result it serves. This cannot be undone. "
        "Dropping it instead keeps all of that."
    ) in body
    # Mark dropped is offered instead: the status form, to dropped.
    status = url("initiative_status", initiative_id=item.pk)
    assert f'action="{status}"' in body and 'name="status" value="dropped"' in body
    assert Initiative.objects.filter(pk=item.pk).exists()  # asking deleted nothing
    r = client.post(confirm, follow=True)
    assert r.redirect_chain[-1][0] == url("team", team_slug="sales")
    assert "Pricing page deleted." in r.content.decode()
    assert not Initiative.objects.filter(pk=item.pk).exists()


def test_deleting_an_initiative_emails_its_owner_as_deleting_an_objective_does(cast, plan, sales):
    item = _pricing_page(cast, plan, sales)
    login(cast.leader).post(url("initiative_delete", initiative_id=item.pk))
    assert not Initiative.objects.filter(pk=item.pk).exists()
    told = {n.person: n for n in Notification.objects.filter(kind="alignment_deleted")}
    assert set(told) == {sales.owner, sales.lead}  # its owner and the team's lead
    notice = told[sales.owner]
    assert notice.subject == "Deleted: Pricing page"
    assert "Leo Leader deleted the initiative “Pricing page” of Sales." in notice.body_text
    assert "It took with it its links to 1 key result it serves." in notice.body_text


def test_marking_it_dropped_from_the_confirmation_keeps_it(cast, plan, sales):
    item = _pricing_page(cast, plan, sales)
    r = login(sales.owner).post(
        url("initiative_status", initiative_id=item.pk),
        {"status": "dropped", "next": url("initiative", initiative_id=item.pk)},
        follow=True,
    )
    assert r.redirect_chain[-1][0] == url("initiative", initiative_id=item.pk)
    item.refresh_from_db()
    assert item.status == "dropped" and item.key_results.count() == 1
    body = login(sales.owner).get(url("initiative_delete", initiative_id=item.pk))
    assert 'value="dropped"' not in body.content.decode()  # dropped already


def test_the_confirmation_says_what_happens_to_its_dependencies_and_decisions(cast, plan, sales):
    from accord.coordination import services as coordination
    from accord.decisions import services as decisions

    org = cast.org
    item = _pricing_page(cast, plan, sales)
    confirm = url("initiative_delete", initiative_id=item.pk)
    client = login(sales.lead)
    question = "Do we keep list prices?"
    decision = decisions.create_decision(org, None, question, approver=cast.leader)
    decisions.link(org, None, decision, "alignment.initiative", item.pk)
    body = client.get(confirm).content.decode()
    assert (
        f"1 decision concerns it (“{question}”): it keeps its name, but its link to it will "
        "no longer open."
    ) in body
    assert 'class="button button--danger">Delete</button>' in body
    # A dependency rests on it: it is kept with its history, so the initiative cannot go.
    coordination.create_dependency(
        org,
        None,
        requester_initiative=item,
        provider_team=cast.platform,
        title="Price feed",
        need_by=plan.q1.end,
    )
    body = client.get(confirm).content.decode()
    assert "This initiative cannot be deleted" in body
    assert (
        "1 dependency rests on it (“Price feed”), as the work that needs or delivers it: a "
        "dependency is kept with its history, so this cannot be deleted while it does. "
        "Mark it dropped instead."
    ) in body
    assert 'class="button button--danger">Delete</button>' not in body
    assert 'name="status" value="dropped"' in body
    # Posted anyway, it is refused as the service refuses it, and nothing goes.
    r = client.post(confirm, follow=True)
    assert "still used by dependencies" in r.content.decode()
    assert Initiative.objects.filter(pk=item.pk).exists()
