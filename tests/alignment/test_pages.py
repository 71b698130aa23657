"""The alignment pages render, write through the services and keep tenants apart."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from accord.alignment import services as s
from accord.alignment.models import Initiative, KeyResult, KeyResultValue, Objective
from tests.conftest import login


def url(name, **kw):
    return reverse(f"alignment:{name}", kwargs={"org_slug": "acme", **kw})


@pytest.fixture
def world(cast, plan):
    kr = s.create_key_result(
        cast.org,
        None,
        plan.platform_obj,
        name="Checkout p95",
        unit="ms",
        direction="decrease",
        start=900,
        target=300,
        owner=cast.member,
    )
    s.record_key_result_value(cast.org, None, kr, 700)
    item = s.create_initiative(
        cast.org,
        None,
        team=cast.platform,
        title="Edge cache",
        status="active",
        key_results=[kr],
        target_date="2026-03-01",
    )
    s.create_initiative(cast.org, None, team=cast.platform, title="Side quest", status="active")
    return kr, item


def test_every_page_renders_for_a_viewer_but_forms_do_not(cast, plan, world):
    kr, item = world
    client = login(cast.viewer)
    pages = [
        url("index"),
        url("index") + f"?period={plan.q2.pk}",
        url("periods"),
        url("settings"),
        url("objective", objective_id=plan.platform_obj.pk),
        url("initiative", initiative_id=item.pk),
        url("team", team_slug="platform"),
    ]
    for page in pages:
        r = client.get(page)
        assert r.status_code == 200, page
    # Pages that are only a form are not for viewers.
    forms = [
        url("period_edit", period_id=plan.q2.pk),
        url("objective_new"),
        url("initiative_new"),
        url("kr_new", objective_id=plan.platform_obj.pk),
        url("kr_edit", kr_id=kr.pk),
        url("objective_edit", objective_id=plan.platform_obj.pk),
        url("initiative_edit", initiative_id=item.pk),
    ]
    for page in forms:
        assert client.get(page).status_code == 403, page
    body = client.get(url("index")).content.decode()
    assert "Grow revenue" in body and "Checkout p95" in body and "Edge cache" in body
    team = client.get(url("team", team_slug="platform")).content.decode()
    assert "Side quest" in team and "unaligned" in team


def test_the_objective_page_shows_a_trend_line(cast, plan, world):
    body = (
        login(cast.viewer).get(url("objective", objective_id=plan.platform_obj.pk)).content.decode()
    )
    assert '<svg class="spark"' in body
    assert "from 900 to 700" in body


def test_a_value_update_is_one_post_and_returns_the_new_row(cast, world):
    kr, _ = world
    client = login(cast.member)
    r = client.post(url("kr_value", kr_id=kr.pk), {"value": "600"}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert r["HX-Trigger"] == "kr-updated"
    assert "50%" in r.content.decode()
    kr.refresh_from_db()
    assert kr.current == 600


def test_a_non_numeric_value_is_refused_on_the_row_and_nothing_changes(cast, world):
    kr, _ = world
    values = KeyResultValue.objects.count()
    r = login(cast.member).post(
        url("kr_value", kr_id=kr.pk), {"value": "lots"}, headers={"HX-Request": "true"}
    )
    assert "enter a number" in r.content.decode()
    assert "HX-Trigger" not in r
    kr.refresh_from_db()
    assert kr.current == 700 and KeyResultValue.objects.count() == values


def test_a_note_too_long_is_named_as_such_not_as_a_bad_number(cast, world):
    kr, _ = world
    values = KeyResultValue.objects.count()
    r = login(cast.member).post(
        url("kr_value", kr_id=kr.pk),
        {"value": "99.94", "note": "x" * 600},
        headers={"HX-Request": "true"},
    )
    text = r.content.decode()
    assert "enter a number" not in text
    assert "the note is too long (600 characters, at most 500)" in text
    assert KeyResultValue.objects.count() == values


@pytest.mark.parametrize("row", ["kr_row", "my_kr_row"])
def test_a_refused_value_stays_as_typed_and_the_row_keeps_its_page(cast, world, row):
    """The row that comes back shows what was typed beside the error (not the stored
    value, which a second click would save silently), and still returns to the page
    it was on, not to the address the value was posted to."""
    kr, _ = world
    home = reverse("web:home", kwargs={"org_slug": "acme"})
    r = login(cast.member).post(
        url("kr_value", kr_id=kr.pk),
        {"value": "7OO", "row": row, "next": home},
        headers={"HX-Request": "true"},
    )
    page = r.content.decode()
    assert 'value="7OO"' in page and 'aria-invalid="true"' in page
    if row == "my_kr_row":
        assert f'name="next" value="{home}"' in page
    ok = login(cast.member).post(
        url("kr_value", kr_id=kr.pk),
        {"value": "650", "row": row, "next": home},
        headers={"HX-Request": "true"},
    )
    assert 'value="650"' in ok.content.decode() and "aria-invalid" not in ok.content.decode()


def test_creating_an_objective_through_the_form(cast, plan):
    client = login(cast.member)
    r = client.post(
        url("objective_new"),
        {
            "title": "Cut cloud cost",
            "period": plan.q1.pk,
            "level": "team",
            "team": cast.platform.pk,
            "status": "active",
            "parent": plan.company.pk,
            "weight": "2",
        },
    )
    assert r.status_code == 302
    o = Objective.objects.get(title="Cut cloud cost")
    assert o.parent_links.get().weight == 2


def test_inline_validation_reports_field_errors_without_writing(cast, plan):
    client = login(cast.member)
    r = client.post(
        url("kr_new", objective_id=plan.platform_obj.pk) + "?validate=1",
        {
            "name": "",
            "direction": "range",
            "start": "x",
            "range_low": "5",
            "range_high": "1",
            "weight": "1",
        },
    )
    errors = r.json()["errors"]
    assert errors["start"] == ["Enter a number."]
    assert errors["range_high"] == ["Must be at least the low bound."]
    assert "name" not in errors  # still empty: left for the submit
    assert not KeyResult.objects.filter(objective=plan.platform_obj).exists()


def test_a_replan_without_reason_shows_on_the_form(cast, world):
    _, item = world
    r = login(cast.member).post(
        url("initiative_edit", initiative_id=item.pk),
        {
            "title": "Edge cache",
            "team": cast.platform.pk,
            "target_date": "2026-04-01",
            "progress": "10",
        },
    )
    assert r.status_code == 200
    assert "Give the reason for the new date." in r.content.decode()
    item.refresh_from_db()
    assert item.replan_count == 0 and str(item.target_date) == "2026-03-01"


def test_the_rank_endpoint_moves_one_item(cast, world):
    _, item = world
    side = Initiative.objects.get(title="Side quest")
    client = login(cast.admin)
    r = client.post(
        url("stack_move", team_slug="platform"),
        json.dumps({"initiative_id": side.pk, "position": 1}),
        content_type="application/json",
    )
    assert r.status_code == 200
    assert r.json()["order"] == [side.pk, item.pk]
    r = client.post(
        url("stack_move", team_slug="platform"),
        json.dumps({"initiative_id": side.pk, "position": "x"}),
        content_type="application/json",
    )
    assert r.status_code == 422
    r = login(cast.member).post(
        url("stack_move", team_slug="platform"),
        json.dumps({"initiative_id": item.pk, "position": 1}),
        content_type="application/json",
    )
    assert r.status_code == 403
    assert list(
        Initiative.objects.filter(status="active").order_by("rank").values_list("title", flat=True)
    ) == ["Side quest", "Edge cache"]


def test_other_tenants_cannot_see_or_change_alignment(cast, plan, world):
    kr, item = world
    outsider = login(cast.outsider)
    assert outsider.get(url("index")).status_code in (403, 404)
    globex = lambda name, **kw: reverse(f"alignment:{name}", kwargs={"org_slug": "globex", **kw})  # noqa: E731
    assert outsider.get(globex("objective", objective_id=plan.company.pk)).status_code == 404
    assert outsider.get(globex("initiative", initiative_id=item.pk)).status_code == 404
    assert outsider.post(globex("kr_value", kr_id=kr.pk), {"value": "1"}).status_code == 404
    kr.refresh_from_db()
    assert kr.current == 700


def test_panels_show_my_key_results_and_the_teams_objectives(cast, plan, world):
    client = login(cast.member)
    home = client.get(reverse("web:home", kwargs={"org_slug": "acme"})).content.decode()
    assert "Checkout p95" in home and "to update" in home
    team = client.get(
        reverse("org:team", kwargs={"org_slug": "acme", "team_slug": "platform"})
    ).content.decode()
    assert "Faster checkout" in team and "Alignment and priorities" in team
