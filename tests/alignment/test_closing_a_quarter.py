"""Closing a quarter: carrying its unfinished objectives over (to whom, with what work and
confidence, what is left behind), scoring the closed quarter's objectives, and what the
periods page tells."""

from __future__ import annotations

import html
import re

import pytest

from accord.activity.models import Event
from accord.alignment import services as s
from accord.alignment.models import ConfidenceUpdate, Objective
from accord.core.errors import ServiceError
from accord.org import services as org_services
from tests.conftest import login, make_person


@pytest.fixture
def quarter(cast, plan):
    """Q1's Sales objective owned by Jonas, since deactivated, with Lena leading Sales; a
    retired team's objective; work serving Sales' objective and its key result."""
    org = cast.org
    jonas = make_person(org, "Jonas Weber", "member")
    lena = make_person(org, "Lena Lead", "member")
    org_services.add_membership(org, None, person=lena, team=plan.sales, role="lead")
    s.update_objective(org, None, plan.sales_obj, owner=jonas)
    deals = s.create_key_result(
        org, None, plan.sales_obj, name="Deals", target=10, current=4, owner=jonas
    )
    s.set_objective_confidence(org, None, plan.sales_obj, 8, "Pipeline looks good")
    open_work = s.create_initiative(
        org,
        None,
        team=plan.sales,
        title="Enterprise outreach",
        status="active",
        objectives=[plan.sales_obj],
    )
    kr_work = s.create_initiative(
        org, None, team=plan.sales, title="Deal desk", status="proposed", key_results=[deals]
    )
    done_work = s.create_initiative(
        org,
        None,
        team=plan.sales,
        title="Old pilot",
        status="active",
        objectives=[plan.sales_obj],
    )
    s.set_initiative_status(org, None, done_work, "done")
    mobile = org_services.create_team(org, None, name="Mobile", slug="mobile", parent=cast.root)
    app = s.create_objective(org, None, title="Ship the app", period=plan.q1, team=mobile)
    org_services.retire_team(org, None, mobile)
    org_services.update_person(org, None, jonas, is_active=False)
    return {
        "jonas": jonas,
        "lena": lena,
        "deals": deals,
        "open_work": open_work,
        "kr_work": kr_work,
        "done_work": done_work,
        "app": app,
    }


def test_a_carry_over_leaves_retired_teams_and_deactivated_owners_behind(cast, plan, quarter):
    org = cast.org
    s.close_period(org, cast.leader, plan.q1)
    copies = s.carry_over(org, cast.leader, from_period=plan.q1, to_period=plan.q2)
    titles = sorted(c.title for c in copies)
    assert titles == ["Faster checkout", "Grow revenue", "Win enterprise deals"]
    assert not Objective.objects.filter(carried_from=quarter["app"]).exists()
    assert copies.left_behind == [quarter["app"]]
    sales = next(c for c in copies if c.carried_from_id == plan.sales_obj.pk)
    # Jonas is gone: the copy is Sales' lead's; his key result's copy is nobody's.
    assert sales.owner == quarter["lena"]
    assert copies.new_owner == {sales: quarter["lena"]}
    assert [k.owner for k in sales.key_results.all()] == [None]
    # The open work serving the original (or its key result) serves the copy too.
    assert list(sales.initiatives.all()) == [quarter["open_work"]]
    new_deals = sales.key_results.get()
    assert list(new_deals.initiatives.all()) == [quarter["kr_work"]]
    sales.refresh_from_db()
    assert sales.covered and not sales.orphaned
    # Its confidence reads the same everywhere: 8, as recorded, said to come from Q1.
    assert sales.confidence == 8
    update = ConfidenceUpdate.objects.get(objective=sales)
    assert (update.confidence, update.note) == (8, "Carried from Q1 2026")
    summary = copies.summary()
    assert summary.startswith("3 objectives carried over into Q2 2026 (")
    assert "2 open initiatives serve the copies too" in summary
    assert "1 objective of retired teams left behind (Mobile)." in summary
    assert "given their team's lead: Win enterprise deals → Lena Lead." in summary
    # Carrying again copies nothing and says so.
    again = s.carry_over(org, cast.leader, from_period=plan.q1, to_period=plan.q2)
    assert list(again) == [] and again.already == 3


def test_an_org_objective_whose_owner_is_gone_is_carried_without_one(cast, plan, quarter):
    org = cast.org
    s.update_objective(org, None, plan.company, owner=None)
    gone = make_person(org, "Gone Owner", "leader")
    s.update_objective(org, None, plan.company, owner=gone)
    org_services.update_person(org, None, gone, is_active=False)
    copies = s.carry_over(org, cast.leader, from_period=plan.q1, to_period=plan.q2)
    company = next(c for c in copies if c.carried_from_id == plan.company.pk)
    assert company.owner is None and copies.new_owner[company] is None
    assert "left without an owner (no team lead to give it to): Grow revenue." in (copies.summary())


def test_the_periods_page_tells_what_a_carry_over_did(cast, plan, quarter):
    client = login(cast.leader)
    page = client.get("/o/acme/alignment/periods/").content.decode()
    confirms = [html.unescape(t) for t in re.findall(r'data-confirm="([^"]*)"', page)]
    assert (
        "Carry 3 unfinished objectives of Q1 2026 into the chosen period? Their key results "
        "start from their current values (the copies measure progress from today's value, "
        "not the original start). Any already carried there is skipped; 1 objective of "
        "retired teams stays behind."
    ) in confirms
    q1 = plan.q1.pk
    response = client.post(
        f"/o/acme/alignment/periods/{q1}/carry-over/",
        {f"c{q1}-to_period": plan.q2.pk},
        follow=True,
    )
    text = html.unescape(response.content.decode())
    assert "3 objectives carried over into Q2 2026" in text
    assert "1 objective of retired teams left behind (Mobile)." in text
    # The original says where it went; the copy where it came from.
    sales = Objective.objects.get(carried_from=plan.sales_obj)
    original = client.get(f"/o/acme/alignment/objectives/{plan.sales_obj.pk}/").content.decode()
    assert re.search(
        rf'Carried over to Q2 2026: <a href="/o/acme/alignment/objectives/{sales.pk}/">'
        r"Win enterprise deals</a>",
        original,
    )
    copy = client.get(f"/o/acme/alignment/objectives/{sales.pk}/").content.decode()
    assert "Carried over from" in copy and "No confidence recorded yet" not in copy
    assert "Carried from Q1 2026" in copy


def test_carrying_into_a_closed_period_is_refused(cast, plan):
    s.close_period(cast.org, cast.leader, plan.q2)
    with pytest.raises(ServiceError) as exc:
        s.carry_over(cast.org, cast.leader, from_period=plan.q1, to_period=plan.q2)
    assert exc.value.code == "period_closed"


def test_a_closed_periods_objective_is_scored_and_nothing_else(cast, plan):
    org = cast.org
    s.close_period(org, cast.leader, plan.q1)
    s.update_objective(
        org, cast.leader, plan.sales_obj, status="missed", title=plan.sales_obj.title
    )
    plan.sales_obj.refresh_from_db()
    assert plan.sales_obj.status == "missed"
    with pytest.raises(ServiceError) as exc:
        s.update_objective(org, cast.leader, plan.sales_obj, title="Rewritten")
    assert exc.value.code == "period_closed" and "title" in exc.value.fields
    with pytest.raises(ServiceError) as exc:
        s.update_objective(org, cast.leader, plan.sales_obj, status="active")
    assert exc.value.code == "period_closed"
    with pytest.raises(ServiceError):  # nor moves into another period
        s.update_objective(org, cast.leader, plan.sales_obj, period=plan.q2)


def test_a_closed_quarters_objective_is_scored_on_its_edit_page(cast, plan):
    org = cast.org
    s.close_period(org, cast.leader, plan.q1)
    client = login(cast.leader)
    obj = plan.sales_obj
    page = client.get(f"/o/acme/alignment/objectives/{obj.pk}/").content.decode()
    assert f'href="/o/acme/alignment/objectives/{obj.pk}/edit/"' in page and ">Score</a>" in page
    form = client.get(f"/o/acme/alignment/objectives/{obj.pk}/edit/").content.decode()
    # Its own (closed) period is there and chosen; the status offers the results.
    assert re.search(rf'<option value="{plan.q1.pk}" selected>Q1 2026</option>', form)
    assert "Score Win enterprise deals" in form
    # The rest is shown as it is, not to be changed.
    assert re.search(r'<input[^>]*name="title"[^>]*disabled', form)
    assert re.search(r'<select[^>]*name="period"[^>]*disabled', form)
    statuses = re.search(r'<select name="status"[^>]*>(.*?)</select>', form, re.S).group(1)
    assert re.findall(r'value="(\w+)"', statuses) == ["active", "achieved", "missed", "dropped"]
    # A browser posts no disabled field: only the status and the version.
    response = client.post(
        f"/o/acme/alignment/objectives/{obj.pk}/edit/", {"status": "missed", "version": ""}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    obj.refresh_from_db()
    assert (obj.status, obj.title, obj.period_id) == ("missed", "Win enterprise deals", plan.q1.pk)


def test_a_closed_period_links_to_its_objectives_left_to_score(cast, plan):
    org = cast.org
    s.update_objective(org, None, plan.platform_obj, status="achieved")
    s.close_period(org, cast.leader, plan.q1)
    client = login(cast.leader)
    periods = client.get("/o/acme/alignment/periods/").content.decode()
    link = f"/o/acme/alignment/?period={plan.q1.pk}&amp;show=open"
    assert f'<a href="{link}">Score its objectives</a>' in periods
    tree = client.get(f"/o/acme/alignment/?period={plan.q1.pk}").content.decode()
    assert "Q1 2026 is closed and 2 of its objectives are still open" in tree
    listed = client.get(f"/o/acme/alignment/?period={plan.q1.pk}&show=open").content.decode()
    titles = re.findall(r'class="[^"]*node-title[^"]*"[^>]*>([^<]+)<', listed)
    assert "Grow revenue" in listed and "Win enterprise deals" in listed
    assert "Faster checkout" not in listed, titles


def test_a_copy_goes_to_no_lead_who_may_not_own_it_and_the_work_says_what_it_serves(
    cast, plan, quarter
):
    """A viewer chairing Sales (one who joined before Lena) is no owner: the copy is the
    first lead who may own it; each initiative's history says it serves the copy."""
    org = cast.org
    org_services.add_membership(org, None, person=cast.viewer, team=plan.sales, role="chair")
    assert cast.viewer.pk < quarter["lena"].pk
    s.close_period(org, cast.leader, plan.q1)
    copies = s.carry_over(org, cast.leader, from_period=plan.q1, to_period=plan.q2)
    sales = next(c for c in copies if c.carried_from_id == plan.sales_obj.pk)
    assert sales.owner == quarter["lena"]
    linked = Event.objects.for_org(org).filter(
        verb="linked", target_type="alignment.initiative", target_id=str(quarter["open_work"].pk)
    )
    assert [e.after["objective"] for e in linked.filter(after__objective=sales.pk)] == [sales.pk]
