"""A slip in a key result's value: an unusual value is asked about before it is recorded
(the page's "Record anyway", the API's `confirm`), and a recorded one can be voided by
who recorded it, the key result's owner, its team's lead or a leader, with its current
value, progress and the stored roll-ups following."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from accord.activity.models import Event
from accord.alignment import rollups
from accord.alignment import services as s
from accord.alignment.models import KeyResultValue, Objective
from accord.core.errors import PermissionDenied, ServiceError
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from tests.conftest import api_client, login, make_person


def _url(kr, rest: str = "") -> str:
    return f"/o/acme/alignment/key-results/{kr.pk}/{rest}"


def _stored_equal_computed(org) -> None:
    stored = dict(Objective.objects.for_org(org).values_list("id", "rollup_progress"))
    for oid, (progress, _covered, _orphaned) in rollups.computed(org.pk).items():
        assert stored[oid] == pytest.approx(progress) if progress is not None else True


# --- the check ---------------------------------------------------------------------------


def test_a_percentage_outside_0_to_100_is_unusual(availability):
    assert "outside 0 to 100 %" in s.unusual_value(availability, -1_000_000)
    assert "outside 0 to 100 %" in s.unusual_value(availability, 100.5)
    assert s.unusual_value(availability, 99.96) == ""
    assert s.unusual_value(availability, 60) == ""  # a bad day, not a slip


def test_a_value_far_outside_the_known_numbers_is_unusual(cast, plan):
    kr = s.create_key_result(
        cast.org, None, plan.platform_obj, name="Revenue", start=1_000_000, target=2_000_000
    )
    s.record_key_result_value(cast.org, cast.member, kr, 1_400_000)
    kr.refresh_from_db()
    assert s.unusual_value(kr, 2_500_000) == ""
    assert "far outside" in s.unusual_value(kr, 14_000_000)  # a zero too many
    assert "far outside" in s.unusual_value(kr, -1_000_001)
    milestone = s.create_key_result(
        cast.org, None, plan.platform_obj, name="Launched", is_milestone=True
    )
    assert s.unusual_value(milestone, 1) == ""


def test_the_service_refuses_an_unusual_value_when_asked_to_and_changes_nothing(cast, availability):
    before = KeyResultValue.objects.filter(key_result=availability).count()
    with pytest.raises(ServiceError) as refused:
        s.record_key_result_value(
            cast.org, cast.member, availability, -1_000_000, check_unusual=True
        )
    assert refused.value.code == "unusual_value" and "value" in refused.value.fields
    availability.refresh_from_db()
    assert availability.current == 99.93
    assert KeyResultValue.objects.filter(key_result=availability).count() == before
    # Loaders and sources record what they are given.
    s.record_key_result_value(cast.org, None, availability, 120)
    availability.refresh_from_db()
    assert availability.current == 120


def test_the_page_asks_before_recording_an_unusual_value(cast, availability):
    client = login(cast.member)
    asked = client.post(_url(availability, "value/"), {"value": "-1000000", "next": "/x/"})
    assert asked.status_code == 422
    body = asked.content.decode()
    assert "outside 0 to 100 %" in body and 'name="record_anyway"' in body
    assert 'value="-1000000"' in body  # kept as typed
    availability.refresh_from_db()
    assert availability.current == 99.93
    # Corrected without the box: checked again, and recorded.
    fixed = client.post(_url(availability, "value/"), {"value": "99.96", "next": "/x/"})
    assert fixed.status_code == 302
    availability.refresh_from_db()
    assert availability.current == 99.96
    # Or confirmed: recorded as typed.
    anyway = client.post(
        _url(availability, "value/"), {"value": "101", "record_anyway": "1", "next": "/x/"}
    )
    assert anyway.status_code == 302
    availability.refresh_from_db()
    assert availability.current == 101


def test_the_key_result_row_asks_in_place(cast, availability):
    client = login(cast.member)
    row = client.post(_url(availability, "value/"), {"value": "-5"}, headers={"HX-Request": "1"})
    body = row.content.decode()
    assert row.status_code == 200 and "HX-Trigger" not in row
    assert 'name="record_anyway"' in body and "Record anyway" in body
    assert 'value="-5"' in body
    availability.refresh_from_db()
    assert availability.current == 99.93


def test_the_api_wants_confirm_for_an_unusual_value(cast, availability):
    api = api_client(cast.member)
    url = f"/api/v1/key-results/{availability.pk}/values"
    refused = api.post(url, json.dumps({"value": -1_000_000}), content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "unusual_value"
    availability.refresh_from_db()
    assert availability.current == 99.93
    ok = api.post(url, json.dumps({"value": -1, "confirm": True}), content_type="application/json")
    assert ok.status_code == 201 and ok.json()["current"] == -1


# --- voiding -----------------------------------------------------------------------------


def _slip(cast, kr, who=None) -> KeyResultValue:
    s.record_key_result_value(cast.org, who or cast.member, kr, -1_000_000)
    return KeyResultValue.objects.filter(key_result=kr).latest("recorded_at", "id")


def test_the_recorder_voids_a_slip_and_the_numbers_follow(cast, plan, availability):
    s.record_key_result_value(cast.org, cast.member, availability, 99.96)  # holds: 100
    slip = _slip(cast, availability)
    availability.refresh_from_db()
    assert availability.progress == 0
    company = Objective.objects.get(pk=plan.company.pk)
    assert company.rollup_progress == 0
    kr = s.void_key_result_value(cast.org, cast.member, slip, "typo")
    assert kr.current == 99.96 and kr.progress == 100
    assert not KeyResultValue.objects.filter(pk=slip.pk).exists()
    # The stored roll-ups follow, up the tree, as when a value is recorded.
    assert Objective.objects.get(pk=plan.company.pk).rollup_progress == pytest.approx(kr.progress)
    _stored_equal_computed(cast.org)
    event = Event.objects.filter(verb="value_voided", target_id=str(kr.pk)).get()
    assert event.actor_id == cast.member.pk
    assert event.before["value"] == -1_000_000 and event.after["current"] == 99.96
    assert event.after["reason"] == "typo"


def test_who_may_void(cast, plan, availability):
    slip = _slip(cast, availability)
    other = make_person(cast.org, "Oli Other", Role.MEMBER)
    with pytest.raises(PermissionDenied):
        s.void_key_result_value(cast.org, other, slip)
    with pytest.raises(PermissionDenied):
        s.void_key_result_value(cast.org, cast.viewer, slip)
    assert KeyResultValue.objects.filter(pk=slip.pk).exists()
    # The team's lead may.
    org_services.add_membership(
        cast.org, None, person=other, team=cast.platform, role=MembershipRole.LEAD
    )
    s.void_key_result_value(cast.org, other, slip)
    # So may the key result's owner, a leader and an admin.
    owner = make_person(cast.org, "Owen Owner", Role.MEMBER)
    s.update_key_result(cast.org, None, availability, owner=owner)
    for person in (owner, cast.leader, cast.admin):
        slip = _slip(cast, availability)
        s.void_key_result_value(cast.org, person, slip)


def test_the_last_value_and_a_closed_period_are_kept(cast, plan, availability):
    values = list(KeyResultValue.objects.filter(key_result=availability).order_by("id"))
    s.void_key_result_value(cast.org, None, values[0])
    with pytest.raises(ServiceError) as refused:
        s.void_key_result_value(cast.org, None, values[1])
    assert refused.value.code == "last_value"
    slip = _slip(cast, availability)
    s.close_period(cast.org, None, plan.q1)
    with pytest.raises(ServiceError) as closed:
        s.void_key_result_value(cast.org, cast.member, slip)
    assert closed.value.code == "period_closed"


def test_a_voided_value_leaves_the_current_one_when_it_was_not_the_latest(cast, availability):
    old = KeyResultValue.objects.filter(key_result=availability).earliest("recorded_at", "id")
    s.record_key_result_value(cast.org, cast.member, availability, 99.97)
    kr = s.void_key_result_value(cast.org, None, old)
    assert kr.current == 99.97


def test_the_page_offers_remove_to_who_may_and_removes(cast, availability):
    slip = _slip(cast, availability)
    page = login(cast.member).get(_url(availability)).content.decode()
    action = _url(availability, f"values/{slip.pk}/void/")
    assert f'action="{action}"' in page and "Remove this value" in page
    other = make_person(cast.org, "Oli Other", Role.MEMBER)
    elsewhere = login(other)
    assert f'action="{action}"' not in elsewhere.get(_url(availability)).content.decode()
    assert elsewhere.post(action, {"reason": "no"}).status_code == 403
    assert KeyResultValue.objects.filter(pk=slip.pk).exists()
    done = login(cast.member).post(action, {"reason": "typo"}, follow=True)
    assert done.status_code == 200 and "Value removed" in done.content.decode()
    assert not KeyResultValue.objects.filter(pk=slip.pk).exists()
    availability.refresh_from_db()
    assert availability.current == 99.93
    # Another key result's address, or another organization's value: not found.
    assert login(cast.member).post(_url(availability, "values/999999/void/")).status_code == 404


def test_the_history_of_a_removal_names_who_recorded_the_value_removed(cast, availability):
    """The key result's history says which entry was removed, in its own words beside the
    key result's value: "Removed value", "Recorded on", "Recorded by" and that person's
    name (not their id), while a recorded value still reads "Value"."""
    slip = _slip(cast, availability)
    login(cast.member).post(_url(availability, f"values/{slip.pk}/void/"), {"reason": "typo"})
    history = login(cast.admin).get(_url(availability)).content.decode()
    removal = history.split("removed a recorded value of")[1].split("</ul>")[0]
    fields = re.findall(r'<span class="changes__field">([^<]+)</span>: (.*?)</li>', removal, re.S)
    labels = [label for label, _ in fields]
    # (In the order the event's keys are stored: PostgreSQL's JSON keeps its own.) No
    # "Progress": 99.93 is outside its limit as the slip was, 0 either way.
    assert sorted(labels) == sorted(
        ["Value", "Removed value", "Recorded on", "Recorded by", "Reason"]
    )
    shown = dict(fields)
    assert cast.member.name in shown["Recorded by"]
    assert f">{cast.member.pk}<" not in removal
    assert "-1000000" in shown["Removed value"]
    # Recording a value still reads as before.
    assert '<span class="changes__field">Value</span>: <del>99.9' in history


def test_the_api_voids_a_value(cast, availability):
    slip = _slip(cast, availability)
    api = api_client(cast.member)
    url = f"/api/v1/key-results/{availability.pk}/values/{slip.pk}"
    assert api.delete(f"{url}?reason=typo").status_code == 204
    availability.refresh_from_db()
    assert availability.current == 99.93
    assert api.delete(url).status_code == 404
    other = api_client(make_person(cast.org, "Oli Other", Role.MEMBER))
    slip = _slip(cast, availability)
    url = f"/api/v1/key-results/{availability.pk}/values/{slip.pk}"
    assert other.delete(url).status_code == 403
    assert api_client(cast.outsider).delete(url).status_code == 404
    assert KeyResultValue.objects.filter(pk=slip.pk).exists()


def test_the_voided_values_day_is_kept_in_the_event(cast, availability):
    at = timezone.now() - dt.timedelta(days=2)
    s.record_key_result_value(cast.org, cast.member, availability, 50, at=at)
    slip = KeyResultValue.objects.get(key_result=availability, value=50)
    s.void_key_result_value(cast.org, cast.member, slip)
    event = Event.objects.filter(verb="value_voided").latest("id")
    assert event.before["recorded_at"] == at.isoformat()
