"""A check-in refused for a key result's unusual value names the field as the caller sent
it and says how that caller confirms it: through the API `key_results.<id>` and the
body's `confirm`; through MCP the tool's `key_results.<id>` and `confirm=true`. The page's
form keeps its own field and "tick the box"."""

from __future__ import annotations

import json

from accord.alignment.models import KeyResult
from accord.rhythm.models import CheckIn
from tests.conftest import api_client
from tests.mcp.conftest import _no_event_loop_in_this_thread  # noqa: F401
from tests.mcp.test_lead_review import client_of, refused
from tests.rhythm.conftest import rhythm  # noqa: F401 (fixture)
from tests.rhythm.test_checkin_unusual_value import _api_url, _satisfaction


def test_the_api_names_the_bodys_field_and_its_confirm(cast, rhythm):  # noqa: F811
    kr, url = _satisfaction(cast, rhythm)
    body = {"key_results": {str(kr.pk): 150}, "highlights": "Busy week"}
    r = api_client(cast.member).post(
        _api_url(url), json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 422, r.content
    error = r.json()["error"]
    assert error["code"] == "unusual_value"
    assert list(error["fields"]) == [f"key_results.{kr.pk}"], error
    said = " ".join([error["message"], *error["fields"][f"key_results.{kr.pk}"]])
    assert "150 % is outside 0 to 100 % for Customer satisfaction" in said
    assert '"confirm": true' in error["message"], error
    assert '"confirm": true' in error["fields"][f"key_results.{kr.pk}"][0], error
    assert "tick the box" not in said and "kr_" not in json.dumps(error)
    assert not CheckIn.objects.filter(person=cast.member).exists()
    assert KeyResult.objects.get(pk=kr.pk).current == 82


def test_mcp_names_the_tools_argument_and_its_confirm(cast, rhythm):  # noqa: F811
    kr, _ = _satisfaction(cast, rhythm)
    text = refused(
        client_of(cast.member),
        "submit_check_in",
        cadence_id=rhythm.checkin.pk,
        key_results={str(kr.pk): 150},
    )
    assert f"- key_results.{kr.pk}: 150 % is outside 0 to 100 %" in text, text
    assert "call again with confirm=true to record it" in text, text
    assert f"kr_{kr.pk}" not in text and "tick the box" not in text, text
    assert not CheckIn.objects.filter(person=cast.member).exists()
