"""A key result's values and an objective's confidence are recorded by whoever may change
them (`services.require_change_rights`): their owners, members of the team, a lead of a
team above it, leaders and admins. A member of another team is refused on the page, through
the API and in the service alike, with the reason `update_key_result` gives and nothing
changed; the pages offer them no form that would be refused. A `report` token records
values only on what a check-in lets its person update: their own key results and those of
the teams they lead."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse

from accord.activity.models import Event
from accord.alignment import services as s
from accord.alignment.models import ConfidenceUpdate, KeyResult, KeyResultValue, Objective
from accord.api import services as token_services
from accord.core.errors import PermissionDenied
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from accord.rhythm import services as rhythm
from accord.rhythm.models import CheckIn
from tests.conftest import api_client, at, login, make_person
from tests.rhythm.conftest import DUE, existed_since

KR_REFUSED = (
    "Only members of Sales, a lead of a team above it, a leader or an admin may change "
    "this key result."
)
OBJECTIVE_REFUSED = (
    "Only members of Sales, a lead of a team above it, a leader or an admin may change "
    "this objective."
)
REPORT_REFUSED = (
    "A report token may report progress only on what its own person owns; key results: "
    "their own and those of the teams they lead (an agent's: its owner's), as in a check-in."
)


def url(name, **kw):
    return reverse(f"alignment:{name}", kwargs={"org_slug": "acme", **kw})


def post(client, address, data):
    return client.post(address, json.dumps(data), content_type="application/json")


def token_client(person, scope: str) -> Client:
    raw = token_services.create_token(person.org, person, "values", scope=scope)[1]
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def deals(cast, plan) -> KeyResult:
    """Sales' key result (its objective under the company's); Mia is of Platform."""
    return s.create_key_result(cast.org, None, plan.sales_obj, name="Deals", start=0, target=10)


def _state(kr, objective):
    kr = KeyResult.objects.get(pk=kr.pk)
    objective = Objective.objects.get(pk=objective.pk)
    return (
        kr.current,
        kr.version,
        KeyResultValue.objects.filter(key_result=kr).count(),
        objective.confidence,
        ConfidenceUpdate.objects.filter(objective=objective).count(),
        Event.objects.count(),
    )


def test_a_member_of_another_team_records_no_value_nor_confidence_in_the_service(cast, plan, deals):
    before = _state(deals, plan.sales_obj)
    with pytest.raises(PermissionDenied) as exc:
        s.record_key_result_value(cast.org, cast.member, deals, 7)
    assert str(exc.value) == KR_REFUSED
    with pytest.raises(PermissionDenied) as exc:
        s.import_key_result_values(
            cast.org, cast.member, deals, [(dt.datetime(2026, 2, 1, tzinfo=dt.UTC), 7)]
        )
    assert str(exc.value) == KR_REFUSED
    with pytest.raises(PermissionDenied) as exc:
        s.set_objective_confidence(cast.org, cast.member, plan.sales_obj, 2)
    assert str(exc.value) == OBJECTIVE_REFUSED
    assert _state(deals, plan.sales_obj) == before


def test_the_api_refuses_another_teams_member_with_the_edits_403(cast, plan, deals):
    api = api_client(cast.member)
    before = _state(deals, plan.sales_obj)
    edit = api.patch(
        f"/api/v1/key-results/{deals.pk}",
        json.dumps({"name": "Any deal"}),
        content_type="application/json",
    )
    assert edit.status_code == 403
    for address, data, message in (
        (f"/api/v1/key-results/{deals.pk}/values", {"value": 249}, KR_REFUSED),
        (f"/api/v1/objectives/{plan.sales_obj.pk}/confidence", {"confidence": 2}, None),
    ):
        r = post(api, address, data)
        assert r.status_code == 403, (address, r.content)
        error = r.json()["error"]
        assert error["code"] == "forbidden"
        assert error["message"] == (message or OBJECTIVE_REFUSED)
    assert edit.json()["error"]["message"] == KR_REFUSED  # the same words as the edit's
    assert _state(deals, plan.sales_obj) == before


@pytest.mark.parametrize("who", ["owner", "member of Sales", "lead above", "admin"])
def test_the_owner_the_team_a_lead_above_and_an_admin_record_them(cast, plan, deals, who):
    org = cast.org
    if who == "owner":  # Mia, of Platform, owns the key result and the objective
        person = cast.member
        s.update_key_result(org, None, deals, owner=person)
        s.update_objective(org, None, plan.sales_obj, owner=person)
    elif who == "member of Sales":
        person = make_person(org, "Sid Seller", Role.MEMBER)
        org_services.add_membership(org, None, person=person, team=plan.sales)
    elif who == "lead above":  # leads Acme, the team above Sales, and is no leader
        person = make_person(org, "Ann Head", Role.MEMBER)
        org_services.add_membership(
            org, None, person=person, team=cast.root, role=MembershipRole.LEAD
        )
    else:
        person = cast.admin
    api = api_client(person)
    r = post(api, f"/api/v1/key-results/{deals.pk}/values", {"value": 4})
    assert r.status_code == 201, r.content
    assert r.json()["current"] == 4
    r = post(api, f"/api/v1/objectives/{plan.sales_obj.pk}/confidence", {"confidence": 3})
    assert r.status_code == 201, r.content
    assert Objective.objects.get(pk=plan.sales_obj.pk).confidence == 3
    # and from the pages
    client = login(person)
    r = client.post(url("kr_value", kr_id=deals.pk), {"value": "6"})
    assert r.status_code == 302
    r = client.post(url("objective_confidence", objective_id=plan.sales_obj.pk), {"confidence": 8})
    assert r.status_code == 302
    assert KeyResult.objects.get(pk=deals.pk).current == 6
    assert Objective.objects.get(pk=plan.sales_obj.pk).confidence == 8


def test_the_pages_refuse_another_teams_member_and_change_nothing(cast, plan, deals):
    client = login(cast.member)
    before = _state(deals, plan.sales_obj)
    r = client.post(url("kr_value", kr_id=deals.pk), {"value": "7"})
    assert r.status_code == 403
    assert KR_REFUSED in r.content.decode()
    r = client.post(url("objective_confidence", objective_id=plan.sales_obj.pk), {"confidence": 2})
    assert r.status_code == 403
    assert OBJECTIVE_REFUSED in r.content.decode()
    # From the objective page's row (htmx): the row says why, and offers no form.
    r = client.post(url("kr_value", kr_id=deals.pk), {"value": "7"}, HTTP_HX_REQUEST="true")
    row = r.content.decode()
    assert KR_REFUSED in row
    assert 'name="value"' not in row
    assert _state(deals, plan.sales_obj) == before


def test_the_pages_offer_the_forms_only_to_who_may_use_them(cast, plan, deals):
    value_form = url("kr_value", kr_id=deals.pk)
    confidence_form = url("objective_confidence", objective_id=plan.sales_obj.pk)
    mia = login(cast.member)
    objective = mia.get(url("objective", objective_id=plan.sales_obj.pk)).content.decode()
    key_result = mia.get(url("key_result", kr_id=deals.pk)).content.decode()
    assert value_form not in objective and confidence_form not in objective
    assert ">Update</th>" not in objective  # no column of forms she may not use
    assert value_form not in key_result
    # The key result's page says who may, where the form would be.
    assert (
        "Only members of Sales, a lead of a team above it, a leader or an admin may "
        "record its values." in key_result
    )
    # Her own team's objective offers them.
    ours = s.create_key_result(cast.org, None, plan.platform_obj, name="p95", target=300)
    page = mia.get(url("objective", objective_id=plan.platform_obj.pk)).content.decode()
    assert url("kr_value", kr_id=ours.pk) in page
    assert url("objective_confidence", objective_id=plan.platform_obj.pk) in page
    # And a member of Sales sees Sales' forms.
    sid = make_person(cast.org, "Sid Seller", Role.MEMBER)
    org_services.add_membership(cast.org, None, person=sid, team=plan.sales)
    client = login(sid)
    objective = client.get(url("objective", objective_id=plan.sales_obj.pk)).content.decode()
    assert value_form in objective and confidence_form in objective
    theirs = client.get(url("key_result", kr_id=deals.pk)).content.decode()
    assert value_form in theirs and "may record its values" not in theirs


def test_a_report_token_records_values_only_as_a_check_in_would(cast, plan, deals):
    """Its person's own key results and those of the teams they lead: not a key result
    of their team that someone else owns, though a `member` token of theirs may."""
    org = cast.org
    lea = make_person(org, "Lea Lead", Role.MEMBER)
    org_services.add_membership(org, None, person=lea, team=plan.sales, role=MembershipRole.LEAD)
    sid = make_person(org, "Sid Seller", Role.MEMBER)
    org_services.add_membership(org, None, person=sid, team=plan.sales)
    s.update_key_result(org, None, deals, owner=lea)
    calls = s.create_key_result(org, None, plan.sales_obj, name="Calls", target=50, owner=sid)
    revenue = s.create_key_result(
        org, None, plan.company, name="Revenue", target=9, owner=cast.admin
    )
    sids = token_client(sid, "report")
    before = _state(deals, plan.sales_obj)
    for kr in (deals, revenue):  # Lea's, the company's
        r = post(sids, f"/api/v1/key-results/{kr.pk}/values", {"value": 3})
        assert r.status_code == 403, r.content
        assert r.json()["error"]["message"] == REPORT_REFUSED
    assert _state(deals, plan.sales_obj) == before
    assert KeyResult.objects.get(pk=revenue.pk).current == 0
    # His own, yes; with a member token, his team's too.
    assert post(sids, f"/api/v1/key-results/{calls.pk}/values", {"value": 5}).status_code == 201
    member = api_client(sid)
    assert post(member, f"/api/v1/key-results/{deals.pk}/values", {"value": 2}).status_code == 201
    # His agent reports on his behalf: on his key results, not on Lea's.
    bot = org_services.add_agent(org, sid, name="Sid's bot", owner=sid)
    raw = token_services.create_token(org, bot, "bot", scope="report", actor=sid)[1]
    bots = Client(headers={"Authorization": f"Bearer {raw}"})
    assert post(bots, f"/api/v1/key-results/{calls.pk}/values", {"value": 7}).status_code == 201
    r = post(bots, f"/api/v1/key-results/{deals.pk}/values", {"value": 9})
    assert r.status_code == 403 and r.json()["error"]["message"] == REPORT_REFUSED
    # Lea leads Sales: her report token records its key results, not the company's.
    leas = token_client(lea, "report")
    assert post(leas, f"/api/v1/key-results/{calls.pk}/values", {"value": 6}).status_code == 201
    assert post(leas, f"/api/v1/key-results/{deals.pk}/values", {"value": 3}).status_code == 201
    r = post(leas, f"/api/v1/key-results/{revenue.pk}/values", {"value": 3})
    assert r.status_code == 403
    assert KeyResult.objects.get(pk=calls.pk).current == 6
    assert KeyResult.objects.get(pk=revenue.pk).current == 0


def _sales_led_by_lea(cast):
    """The current quarter, and Sales, led by Lea, a member (not a leader)."""
    org = cast.org
    period = s.create_period(
        org, None, name="Q4", start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31),
        state="active", is_current=True,
    )  # fmt: skip
    sales = org_services.create_team(org, None, name="Sales", slug="sales", parent=cast.root)
    lea = make_person(org, "Lea Lead", Role.MEMBER)
    org_services.add_membership(org, None, person=lea, team=sales, role=MembershipRole.LEAD)
    return period, sales, lea


def test_a_check_in_still_updates_ones_own_and_the_led_teams_key_results(cast):
    """A lead who is a member (not a leader) updates their team's key result that someone
    else owns, and their own key result of another team's objective, in a check-in."""
    org = cast.org
    period, sales, lea = _sales_led_by_lea(cast)
    sid = make_person(org, "Sid Seller", Role.MEMBER)
    org_services.add_membership(org, None, person=sid, team=sales)
    ours = s.create_objective(org, None, title="Win deals", period=period, team=sales)
    theirs = s.create_objective(org, None, title="Faster", period=period, team=cast.platform)
    sids = s.create_key_result(org, None, ours, name="Deals", target=10, owner=sid)
    hers = s.create_key_result(org, None, theirs, name="Demos", target=5, owner=lea)
    checkin = rhythm.create_cadence_from_template(
        org,
        None,
        "weekly-checkin",
        team=sales,
        timezone_name="Europe/Berlin",
        start_date=dt.date(2026, 10, 1),
        owner=lea,
    )
    existed_since(org)
    with at(DUE - dt.timedelta(hours=1)):
        rhythm.submit_checkin(
            org, lea, checkin, DUE, key_results={sids.pk: 4, hers.pk: 2}, highlights="Two demos"
        )
    # In each history as Lea's (dated in this test's past, before the start values made
    # today: the history keeps both).
    assert KeyResultValue.objects.get(key_result=sids, value=4).recorded_by == lea
    assert KeyResultValue.objects.get(key_result=hers, value=2).recorded_by == lea
    assert CheckIn.objects.filter(person=lea, cadence=checkin).exists()


def test_a_check_in_offers_a_lead_only_the_key_results_they_may_change(cast):
    """An organization objective given to a team is the leaders' to change, its key
    results too: a lead who is a member is not offered them in a check-in (recording one
    would be refused); a lead who is a leader is."""
    from accord.alignment.models import ObjectiveLevel
    from accord.rhythm import links

    org = cast.org
    period, sales, lea = _sales_led_by_lea(cast)
    ours = s.create_objective(org, None, title="Win deals", period=period, team=sales)
    company = s.create_objective(org, None, title="Grow", period=period, level=ObjectiveLevel.ORG)
    # Given a team before an organization objective was kept to none (the services refuse
    # one now); such data may remain.
    Objective.objects.filter(pk=company.pk).update(team=sales)
    company.refresh_from_db()
    deals = s.create_key_result(org, None, ours, name="Deals", target=10)
    revenue = s.create_key_result(org, None, company, name="Revenue", target=10)
    checkin = rhythm.create_cadence_from_template(
        org, None, "weekly-checkin", team=sales, timezone_name="Europe/Berlin",
        start_date=dt.date(2026, 10, 1), owner=lea,
    )  # fmt: skip
    offered = links.team_key_results(org, lea, checkin)
    assert deals in offered and revenue not in offered
    assert not s.may_change(lea, revenue) and s.may_change(lea, deals)
    lea.role = Role.LEADER
    lea.save(update_fields=["role"])
    assert {deals, revenue} <= set(links.team_key_results(org, lea, checkin))


def test_the_owner_of_an_organization_objective_says_how_confident_they_are(cast):
    """Leaders set and change organization objectives, but a member who owns one records
    its confidence: on its page, and in the check-in that offers it to them."""
    from accord.alignment.models import ObjectiveLevel
    from accord.rhythm import links

    org = cast.org
    period = s.create_period(
        org, None, name="Q4", start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31),
        state="active", is_current=True,
    )  # fmt: skip
    grow = s.create_objective(
        org, None, title="Grow", period=period, level=ObjectiveLevel.ORG, owner=cast.member
    )
    assert grow in links.owned_alignment(org, cast.member)["objectives"]
    assert not s.may_change(cast.member, grow) and s.may_set_confidence(cast.member, grow)
    page = login(cast.member).get(url("objective", objective_id=grow.pk))
    assert f'action="{url("objective_confidence", objective_id=grow.pk)}"' in page.content.decode()
    s.set_objective_confidence(org, cast.member, grow, 7)
    assert Objective.objects.get(pk=grow.pk).confidence == 7
    # Someone else who is no leader still may not.
    other = make_person(org, "Otto Other", Role.MEMBER)
    with pytest.raises(PermissionDenied):
        s.set_objective_confidence(org, other, grow, 2)
    assert Objective.objects.get(pk=grow.pk).confidence == 7
