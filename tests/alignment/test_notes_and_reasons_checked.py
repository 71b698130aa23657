"""A confidence note and the reason a recorded value is removed are checked as every typed
text is (`require_text`): a NUL or another control character, or more than 500
characters, is refused with a message naming the field, on the page and through the API,
and nothing changes; an empty one is still no note, no reason."""

from __future__ import annotations

import html as htmllib

import pytest
from django.urls import reverse

from accord.activity.models import Event
from accord.alignment import services as s
from accord.alignment.models import ConfidenceUpdate, KeyResultValue
from tests.conftest import api_client, login

REFUSED = [  # (typed, said by the service, said beside the page's field)
    (
        "Vendor\x07 slipped",
        "contains a control character (\\x07)",
        "Control characters are not allowed",
    ),
    ("Vendor\x00 slipped", "contains a NUL character", "Null characters are not allowed."),
    ("x" * 501, "too long", "at most 500 characters"),
]


def _confidence_url(o) -> str:
    return reverse(
        "alignment:objective_confidence", kwargs={"org_slug": "acme", "objective_id": o.pk}
    )


@pytest.mark.parametrize("note, said, beside", REFUSED)
def test_a_confidence_note_is_refused_beside_its_field_and_nothing_is_recorded(
    cast, plan, note, said, beside
):
    o = plan.platform_obj
    r = login(cast.member).post(_confidence_url(o), {"confidence": "7", "note": note})
    assert r.status_code == 422
    body = htmllib.unescape(r.content.decode())
    field = body.split('for="id_note"')[1].split('<div class="field')[0]
    assert 'aria-invalid="true"' in field and beside in field  # the error beside the note
    assert "whole number" not in body  # the confidence typed was right
    r = api_client(cast.member).post(
        f"/api/v1/objectives/{o.pk}/confidence",
        {"confidence": 7, "note": note},
        content_type="application/json",
    )
    assert r.status_code == 422, r.content
    assert "note" in str(r.json()["error"]["fields"])
    if len(note) <= 500:
        assert said in r.json()["error"]["message"]
    assert not ConfidenceUpdate.objects.filter(objective=o).exists()
    o.refresh_from_db()
    assert o.confidence is None


def test_the_api_names_the_control_character_of_a_confidence_note(cast, plan):
    o = plan.platform_obj
    r = api_client(cast.member).post(
        f"/api/v1/objectives/{o.pk}/confidence",
        {"confidence": 7, "note": "ok\x1b[31m"},
        content_type="application/json",
    )
    assert r.status_code == 422, r.content
    assert "The note contains a control character (\\x1b)" in r.json()["error"]["message"]
    assert r.json()["error"]["fields"] == {
        "note": ["Control characters are not allowed (tabs and line breaks are)."]
    }


def test_an_empty_confidence_note_is_no_note_and_a_kept_one_is_stripped(cast, plan):
    o = plan.platform_obj
    client = login(cast.member)
    assert client.post(_confidence_url(o), {"confidence": "7", "note": ""}).status_code == 302
    assert client.post(_confidence_url(o), {"confidence": "6", "note": "  Late\tvendor "})
    notes = list(ConfidenceUpdate.objects.filter(objective=o).order_by("id").values_list("note"))
    assert notes == [("",), ("Late\tvendor",)]


def _slip(cast, kr) -> KeyResultValue:
    s.record_key_result_value(cast.org, cast.member, kr, 12.5)
    return KeyResultValue.objects.filter(key_result=kr).latest("recorded_at", "id")


@pytest.mark.parametrize(
    "reason, said, shown",
    [
        (REFUSED[0][0], REFUSED[0][1], "The reason contains a control character (\\x07)"),
        (REFUSED[1][0], REFUSED[1][1], "The reason is refused: Null characters are not allowed."),
    ],
)
def test_a_void_reason_with_a_control_character_is_refused_and_the_value_stays(
    cast, availability, reason, said, shown
):
    slip = _slip(cast, availability)
    action = f"/o/acme/alignment/key-results/{availability.pk}/values/{slip.pk}/void/"
    r = login(cast.member).post(action, {"reason": reason}, follow=True)
    body = htmllib.unescape(r.content.decode())
    assert shown in body and "Value removed" not in body
    api = api_client(cast.member)
    url = f"/api/v1/key-results/{availability.pk}/values/{slip.pk}"
    r = api.delete(url, query_params={"reason": reason})
    assert r.status_code == 422, r.content
    assert said in r.json()["error"]["message"] and "reason" in r.json()["error"]["fields"]
    assert KeyResultValue.objects.filter(pk=slip.pk).exists()
    availability.refresh_from_db()
    assert availability.current == 12.5
    assert not Event.objects.filter(verb="value_voided").exists()


def test_a_void_reason_is_kept_stripped_and_an_empty_one_is_none(cast, availability):
    api = api_client(cast.member)
    slip = _slip(cast, availability)
    url = f"/api/v1/key-results/{availability.pk}/values/{slip.pk}"
    assert api.delete(url, query_params={"reason": "  typo\n"}).status_code == 204
    assert Event.objects.filter(verb="value_voided").latest("id").after["reason"] == "typo"
    slip = _slip(cast, availability)
    url = f"/api/v1/key-results/{availability.pk}/values/{slip.pk}"
    assert api.delete(url, query_params={"reason": " "}).status_code == 204
    assert "reason" not in Event.objects.filter(verb="value_voided").latest("id").after
