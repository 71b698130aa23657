"""A check-in asks "does this look right?" of a key result's value as the key result's own
page and the API do (`alignment.unusual_value`): 150 % for a satisfaction kept above 90 %
is refused beside its field, nothing of the check-in is recorded, what was typed stays,
and the same "Record anyway" box records it; the API wants `confirm`, with the key-result
API's message and code."""

from __future__ import annotations

import html
import json
import re

from accord.alignment.models import KeyResult, KeyResultValue
from accord.rhythm.models import CheckIn
from tests.conftest import api_client, login
from tests.rhythm.conftest import check_in_owed, error_beside, rhythm  # noqa: F401 (fixture)


def _satisfaction(cast, rhythm):  # noqa: F811
    return check_in_owed(
        cast, rhythm, name="Customer satisfaction", start=82, target=90, unit="%",
        direction="above",
    )  # fmt: skip


def _api_url(url: str) -> str:
    cadence, key = re.search(r"/cadences/(\d+)/([^/]+)/checkin/", url).groups()
    return f"/api/v1/rhythm/cadences/{cadence}/occurrences/{key}/checkin"


def test_the_page_asks_before_recording_a_slip_and_keeps_what_was_typed(cast, rhythm):  # noqa: F811
    kr, url = _satisfaction(cast, rhythm)
    before = KeyResultValue.objects.filter(key_result=kr).count()
    client = login(cast.member)
    typed = {"highlights": "Queue cleared", "blockers": "Phones down", f"kr_{kr.pk}": "150"}
    r = client.post(url, typed)
    assert r.status_code == 422
    page = r.content.decode()
    said = error_beside(page, f"kr_{kr.pk}")
    assert "150 % is outside 0 to 100 % for Customer satisfaction" in said
    assert "tick the box to record it anyway" in said
    assert f'name="kr_{kr.pk}_anyway"' in page and "Record anyway" in page
    # Kept as typed, everything of it.
    assert 'value="150"' in page and "Queue cleared" in page
    assert "Phones down" in html.unescape(page)
    # Nothing recorded: no value, no check-in.
    assert KeyResult.objects.get(pk=kr.pk).current == 82
    assert KeyResultValue.objects.filter(key_result=kr).count() == before
    assert not CheckIn.objects.filter(person=cast.member).exists()
    # A value far below what the key result has known is asked about too.
    r = client.post(url, typed | {f"kr_{kr.pk}": "-50"})
    assert r.status_code == 422 and "-50 %" in error_beside(r.content.decode(), f"kr_{kr.pk}")
    # Put right without the box: checked again, and recorded.
    r = client.post(url, typed | {f"kr_{kr.pk}": "91"})
    assert r.status_code == 302, error_beside(r.content.decode(), f"kr_{kr.pk}")
    assert KeyResult.objects.get(pk=kr.pk).current == 91
    # Or confirmed with the box: recorded as typed.
    r = client.post(url, typed | {f"kr_{kr.pk}": "100.5", f"kr_{kr.pk}_anyway": "1"})
    assert r.status_code == 302
    assert KeyResult.objects.get(pk=kr.pk).current == 100.5
    assert CheckIn.objects.get(person=cast.member).updates["key_results"] == {str(kr.pk): "100.5"}


def test_the_api_wants_confirm_with_the_key_result_apis_message(cast, rhythm):  # noqa: F811
    kr, url = _satisfaction(cast, rhythm)
    api = api_client(cast.member)
    checkin = _api_url(url)
    body = {"key_results": {str(kr.pk): -40}, "highlights": "Busy week"}
    refused = api.post(checkin, json.dumps(body), content_type="application/json")
    assert refused.status_code == 422
    assert not CheckIn.objects.filter(person=cast.member).exists()
    assert KeyResult.objects.get(pk=kr.pk).current == 82
    # The key-result API's own refusal of the same value: the same message and code.
    own = api.post(
        f"/api/v1/key-results/{kr.pk}/values",
        json.dumps({"value": -40}),
        content_type="application/json",
    )
    assert own.status_code == 422
    assert refused.json()["error"]["code"] == own.json()["error"]["code"] == "unusual_value"
    assert refused.json()["error"]["message"] == own.json()["error"]["message"]
    ok = api.post(checkin, json.dumps(body | {"confirm": True}), content_type="application/json")
    assert ok.status_code == 201, ok.content
    assert ok.json()["updates"]["key_results"] == {str(kr.pk): "-40.0"}
    assert KeyResult.objects.get(pk=kr.pk).current == -40
