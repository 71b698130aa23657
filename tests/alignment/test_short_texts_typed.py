"""A key result's unit and a recorded value's note are checked as every typed text is
(`require_text`): one that shows nothing is empty, a control character or a direction
override is refused with a message naming it, on the page and through the API, and nothing
changes. The live check as a form is filled in says what saving will say: a title of only
a zero-width space is refused while typing, not only on submit."""

from __future__ import annotations

import html as htmllib

import pytest
from django.urls import reverse

from accord.alignment import services as s
from accord.alignment.models import KeyResult, KeyResultValue, Objective
from tests.conftest import api_client, login

CONTROL = ("ms\x07", "(\\x07)")
DIRECTION = ("ms \u202e", "(U+202E)")


def url(name, **kw):
    return reverse(f"alignment:{name}", kwargs={"org_slug": "acme", **kw})


@pytest.fixture
def kr(cast, plan):
    return s.create_key_result(
        cast.org, None, plan.platform_obj, name="Checkout p95", unit="ms", target=300
    )


def _kr_form(**changes):
    return {
        "name": "Signups",
        "direction": "increase",
        "start": "0",
        "target": "10",
        "weight": "1",
    } | changes


@pytest.mark.parametrize("unit, said", [CONTROL, DIRECTION])
def test_the_key_result_form_refuses_a_unit_with_a_control_or_direction_character(
    cast, plan, unit, said
):
    client = login(cast.member)
    page = url("kr_new", objective_id=plan.platform_obj.pk)
    r = client.post(page, _kr_form(unit=unit))
    assert r.status_code in (200, 422)
    body = htmllib.unescape(r.content.decode())
    assert "Unit contains a" in body and said in body
    assert 'id="id_unit_error"' in body  # beside the field
    assert not KeyResult.objects.filter(objective=plan.platform_obj).exists()
    # and the live check says so as the unit is typed
    errors = client.post(page + "?validate=1", _kr_form(unit=unit)).json()["errors"]
    assert said in errors["unit"][0]


def test_a_unit_that_shows_nothing_is_no_unit(cast, plan):
    kr = s.create_key_result(
        cast.org, None, plan.platform_obj, name="Signups", unit="\u200b\u3164", target=10
    )
    assert kr.unit == ""


@pytest.mark.parametrize("unit, said", [CONTROL, DIRECTION])
def test_the_api_refuses_the_unit_naming_it_and_changes_nothing(cast, plan, kr, unit, said):
    api = api_client(cast.member)
    r = api.post(
        "/api/v1/key-results",
        {"objective_id": plan.platform_obj.pk, "name": "Signups", "target": 5, "unit": unit},
        content_type="application/json",
    )
    assert r.status_code == 422, r.content
    assert said in r.json()["error"]["message"] and "unit" in r.json()["error"]["fields"]
    assert KeyResult.objects.filter(objective=plan.platform_obj).count() == 1
    r = api.patch(f"/api/v1/key-results/{kr.pk}", {"unit": unit}, content_type="application/json")
    assert r.status_code == 422, r.content
    assert "unit" in r.json()["error"]["fields"]
    kr.refresh_from_db()
    assert kr.unit == "ms"


@pytest.mark.parametrize("note, said", [("done\x1b[31m", "(\\x1b)"), ("yb \u202e%05", "(U+202E)")])
def test_a_value_note_with_a_control_or_direction_character_is_refused(cast, plan, kr, note, said):
    values = KeyResultValue.objects.filter(key_result=kr).count()
    r = login(cast.member).post(
        url("kr_value", kr_id=kr.pk), {"value": "250", "note": note}, headers={"HX-Request": "true"}
    )
    body = htmllib.unescape(r.content.decode())
    assert "The note contains a" in body and said in body
    assert "HX-Trigger" not in r
    r = api_client(cast.member).post(
        f"/api/v1/key-results/{kr.pk}/values",
        {"value": 250, "note": note},
        content_type="application/json",
    )
    assert r.status_code == 422, r.content
    assert said in r.json()["error"]["message"] and "note" in r.json()["error"]["fields"]
    kr.refresh_from_db()
    assert kr.current == 0 and KeyResultValue.objects.filter(key_result=kr).count() == values


def test_a_value_note_that_shows_nothing_is_no_note(cast, kr):
    entry = s.record_key_result_value(cast.org, cast.member, kr, 100, "\u200b\u2800")
    assert entry.note == ""


@pytest.mark.parametrize(
    "title, said",
    [
        ("\u200b", "Title is required: what was given shows nothing (only U+200B)."),
        ("\x07\x1b[31mAlert", "Title contains a control character (\\x07); remove it."),
        ("Cut costs \u202e%05 yb", "Title contains a text-direction control (U+202E)"),
    ],
)
def test_the_live_check_refuses_a_title_as_submit_does(cast, plan, title, said):
    client = login(cast.member)
    page = url("objective_new")
    typed = {
        "title": title,
        "period": plan.q1.pk,
        "level": "team",
        "team": cast.platform.pk,
        "status": "active",
        "weight": "1",
    }
    errors = client.post(page + "?validate=1", typed).json()["errors"]
    assert said in errors["title"][0]
    submitted = client.post(page, typed)
    assert said in htmllib.unescape(submitted.content.decode())  # the same words on submit
    assert not Objective.objects.filter(title=title).exists()


def test_the_live_check_takes_what_submit_takes(cast, plan):
    """A description may hold a direction mark as a long text does; a title that shows
    something is a title; an empty title is still left for the submit."""
    client = login(cast.member)
    typed = {
        "title": "🚀",
        "description": "Mixed scripts \u2067عربي\u2069 kept",
        "period": plan.q1.pk,
        "level": "team",
        "team": cast.platform.pk,
        "status": "active",
        "weight": "1",
    }
    assert client.post(url("objective_new") + "?validate=1", typed).json()["errors"] == {}
    errors = client.post(url("objective_new") + "?validate=1", typed | {"title": ""}).json()
    assert "title" not in errors["errors"]
