"""A key result shows real progress: an increase or a decrease has a distance to cover
the way it says, and its numbers are of a sane size, whether it comes from the form,
the API or a file; an older key result that breaks a rule keeps its other fields
editable."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from accord.activity.models import Event
from accord.alignment import services as s
from accord.alignment.models import KeyResult, KeyResultValue
from accord.core.errors import ServiceError
from tests.conftest import api_client, login


def _state(org):
    return (
        list(KeyResult.objects.values_list("id", "start", "target", "current", "version")),
        KeyResultValue.objects.count(),
        Event.objects.for_org(org).count(),
    )


@pytest.mark.parametrize(
    ("direction", "start", "target"),
    [
        ("increase", 0, 0),
        ("increase", 50, 10),
        ("decrease", 10, 50),
        ("decrease", 7, 7),
    ],
)
def test_an_increase_or_decrease_without_a_distance_the_way_it_says_is_refused(
    cast, plan, direction, start, target
):
    before = _state(cast.org)
    with pytest.raises(ServiceError) as exc:
        s.create_key_result(
            cast.org,
            None,
            plan.platform_obj,
            name="Signups",
            direction=direction,
            start=start,
            target=target,
        )
    assert "target" in exc.value.fields
    assert "the target must be" in exc.value.message
    assert _state(cast.org) == before


def test_a_level_to_hold_a_range_or_a_milestone_may_start_at_its_target(cast, plan):
    o = plan.platform_obj
    above = s.create_key_result(
        cast.org, None, o, name="Uptime", direction="above", start=99.9, target=99.9
    )
    below = s.create_key_result(cast.org, None, o, name="Churn", direction="below", start=20)
    s.create_key_result(
        cast.org, None, o, name="Stock", direction="range", range_low=5, range_high=9
    )
    s.create_key_result(cast.org, None, o, name="Launch", is_milestone=True)
    s.create_key_result(cast.org, None, o, name="Up", direction="increase", start=50, target=60)
    s.create_key_result(cast.org, None, o, name="Down", direction="decrease", start=60, target=50)
    assert above.progress == 100 and below.progress == 0
    assert KeyResult.objects.filter(objective=o).count() == 6


@pytest.mark.parametrize("field", ["start", "target", "current", "range_low", "range_high"])
def test_an_absurd_number_is_refused_beside_its_field(cast, plan, field):
    fields = {"start": 0, "target": 10, "direction": "increase"}
    if field.startswith("range"):
        fields.update(direction="range", range_low=0, range_high=10)
    fields[field] = "1e300"
    before = _state(cast.org)
    with pytest.raises(ServiceError) as exc:
        s.create_key_result(cast.org, None, plan.platform_obj, name="Big", **fields)
    assert field in exc.value.fields
    assert "out of range" in exc.value.message
    assert _state(cast.org) == before


def test_numbers_up_to_the_bound_are_kept_either_way(cast, plan):
    kr = s.create_key_result(
        cast.org,
        None,
        plan.platform_obj,
        name="Debt",
        direction="decrease",
        start=1e15,
        target=-1e15,
    )
    s.record_key_result_value(cast.org, None, kr, -1e15)
    kr.refresh_from_db()
    assert (kr.start, kr.target, kr.current, kr.progress) == (1e15, -1e15, -1e15, 100)


def test_an_absurd_recorded_or_imported_value_changes_nothing(cast, plan):
    kr = s.create_key_result(cast.org, None, plan.platform_obj, name="Signups", target=10)
    before = _state(cast.org)
    with pytest.raises(ServiceError) as exc:
        s.record_key_result_value(cast.org, None, kr, 1e300)
    assert "value" in exc.value.fields
    with pytest.raises(ServiceError):
        s.import_key_result_values(cast.org, None, kr, [(timezone.now(), -2e15)])
    assert _state(cast.org) == before


def test_changing_the_target_or_direction_against_the_other_is_refused(cast, plan):
    kr = s.create_key_result(cast.org, None, plan.platform_obj, name="Signups", target=10)
    before = _state(cast.org)
    with pytest.raises(ServiceError) as exc:
        s.update_key_result(cast.org, None, kr, target=0)
    assert "target" in exc.value.fields
    with pytest.raises(ServiceError):
        s.update_key_result(cast.org, None, kr, direction="decrease")
    with pytest.raises(ServiceError):
        s.update_key_result(cast.org, None, kr, target=1e16)
    assert _state(cast.org) == before
    s.update_key_result(cast.org, None, kr, direction="decrease", start=10, target=0)
    kr.refresh_from_db()
    assert (kr.direction, kr.start, kr.target) == ("decrease", 10, 0)


def test_an_older_key_result_against_the_rules_keeps_its_other_fields_editable(cast, plan):
    """One stored before the rules (increase from 50 to 10, a huge start): the edit form
    posts every field; changing the name alone is saved, the numbers as they were."""
    kr = s.create_key_result(cast.org, None, plan.platform_obj, name="Old", target=10)
    KeyResult.objects.filter(pk=kr.pk).update(start=1e300, target=10)
    kr.refresh_from_db()
    s.update_key_result(
        cast.org,
        None,
        kr,
        name="Old, renamed",
        direction="increase",
        start=1e300,
        target=10,
        is_milestone=False,
        weight=1,
    )
    kr.refresh_from_db()
    assert kr.name == "Old, renamed" and kr.start == 1e300
    with pytest.raises(ServiceError):
        s.update_key_result(cast.org, None, kr, target=20)  # still below the start


def _form(**changes):
    data = {"name": "Signups", "unit": "", "direction": "increase", "start": "0", "weight": "1"}
    data.update(changes)
    return data


def test_the_form_refuses_a_key_result_with_no_distance_and_keeps_what_was_typed(cast, plan):
    client = login(cast.member)
    page = reverse(
        "alignment:kr_new", kwargs={"org_slug": "acme", "objective_id": plan.platform_obj.pk}
    )
    assert 'name="target"' in client.get(page).content.decode()
    assert 'name="target" value="0"' not in client.get(page).content.decode()
    for typed, beside in [
        (_form(), "Required."),  # no target: the defaults no longer make a key result
        (_form(target="0"), "Must be above the start (0)."),
        (_form(start="50", target="10"), "Must be above the start (50)."),
        (_form(direction="decrease", start="10", target="50"), "Must be below the start (10)."),
        (_form(target="1e300"), "Enter a number between"),
    ]:
        r = client.post(page, typed)
        assert r.status_code == 200
        body = r.content.decode()
        field = body.split('for="id_target"')[1].split('<div class="field')[0]
        assert beside in field, typed
        assert 'value="Signups"' in body
    assert not KeyResult.objects.filter(objective=plan.platform_obj).exists()
    r = client.post(page, _form(target="100"))
    assert r.status_code == 302
    assert KeyResult.objects.get(objective=plan.platform_obj).progress == 0


def test_the_api_refuses_the_same_key_results(cast, plan):
    api = api_client(cast.member)

    def create(**fields):
        body = {"objective_id": plan.platform_obj.pk, "name": "Signups", **fields}
        return api.post("/api/v1/key-results", json.dumps(body), content_type="application/json")

    for bad in [{}, {"start": 50, "target": 10}, {"target": 1e300}, {"target": 5, "current": 1e16}]:
        r = create(**bad)
        assert r.status_code == 422, bad
        assert r.json()["error"]["fields"], bad
    assert not KeyResult.objects.filter(objective=plan.platform_obj).exists()
    assert create(target=5).status_code == 201
    kr = KeyResult.objects.get(objective=plan.platform_obj)
    url = f"/api/v1/key-results/{kr.pk}"
    r = api.patch(url, json.dumps({"direction": "decrease"}), content_type="application/json")
    assert r.status_code == 422 and "target" in r.json()["error"]["fields"]
    values = f"/api/v1/key-results/{kr.pk}/values"
    r = api.post(values, json.dumps({"value": 1e300}), content_type="application/json")
    assert r.status_code == 422 and "value" in r.json()["error"]["fields"]
    kr.refresh_from_db()
    assert (kr.direction, kr.current, kr.version) == ("increase", 0, 1)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("target: 10, current: 1e300", "out of range"),
        ("start: 1e300, target: 10", "out of range"),
    ],
)
def test_an_organization_file_gets_the_same_rule_on_numbers(db, fields, message):
    from accord.interchange import services as interchange
    from accord.org.models import Organization

    source = (
        "accord: 1\n"
        "teams: [{slug: web, name: Web}]\n"
        "periods: [{name: Q1, start: 2026-01-01, end: 2026-03-31}]\n"
        "objectives: [{id: o1, title: Grow, period: Q1, team: web}]\n"
        f"key_results: [{{id: k1, objective: o1, name: Signups, {fields}}}]\n"
    )
    outcome = interchange.apply_file(source, org_slug="filed")
    assert message in outcome.as_text()
    org = Organization.objects.get(slug="filed")
    assert not KeyResult.objects.filter(org=org).exists()
    strict = interchange.apply_file(source.replace("Grow", "Grow more"), org=org, strict=True)
    assert not strict.ok and message in strict.as_text()
    assert not KeyResult.objects.filter(org=org).exists()


def test_an_organization_file_enters_a_key_result_as_its_record_has_it(db):
    """Files are how Accord's own exports come back, and older ones hold key results made
    before the direction rule (an "increase" from 50 to 10): they apply as they stand."""
    from accord.interchange import services as interchange

    source = (
        "accord: 1\n"
        "teams: [{slug: web, name: Web}]\n"
        "periods: [{name: Q1, start: 2026-01-01, end: 2026-03-31}]\n"
        "objectives: [{id: o1, title: Grow, period: Q1, team: web}]\n"
        "key_results: [{id: k1, objective: o1, name: Signups, start: 50, target: 10}]\n"
    )
    outcome = interchange.apply_file(source, org_slug="filed", strict=True)
    assert outcome.ok, outcome.as_text()
    kr = KeyResult.objects.get(org__slug="filed")
    assert (kr.direction, kr.start, kr.target) == ("increase", 50, 10)
