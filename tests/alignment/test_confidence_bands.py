"""One definition of the confidence bands, used by every surface that words or counts
confidence: 7-10 on track, 4-6 at risk, 1-3 off track."""

from __future__ import annotations

import pytest

from accord.alignment import confidence as bands
from accord.alignment.templatetags.alignment_tags import confidence as confidence_tag
from accord.core.errors import ServiceError
from accord.intelligence.registry import discover

EXPECTED = {**dict.fromkeys(range(7, 11), "on track")}
EXPECTED |= dict.fromkeys(range(4, 7), "at risk") | dict.fromkeys(range(1, 4), "off track")


def test_every_confidence_falls_in_exactly_one_band():
    for value, word in EXPECTED.items():
        assert bands.word(value) == word
        assert [b.word for b in bands.BANDS if value in b] == [word]
        assert bands.at_risk(value) == (word != "on track")
        assert bands.off_track(value) == (word == "off track")
    assert bands.word(None) == "" and not bands.at_risk(None)


def test_a_word_stands_for_a_confidence_inside_its_band():
    for b in bands.BANDS:
        assert bands.parse(b.key) in b
        assert bands.parse(b.word) in b
        assert bands.parse(b.label.upper()) in b


@pytest.mark.parametrize("bad", ["", "maybe", "0", "11", "4.5", None, True])
def test_anything_else_is_refused_with_a_clear_error(bad):
    with pytest.raises(ServiceError) as exc:
        bands.parse(bad)
    assert "Confidence" in exc.value.message
    assert "confidence" in exc.value.fields


def test_the_alignment_pages_word_and_colour_confidence_by_band():
    for value, word in EXPECTED.items():
        html = str(confidence_tag(value))
        tone = {"on track": "ok", "at risk": "warn", "off track": "bad"}[word]
        assert f"tag--{tone}" in html and f"owner: {word}, {value}/10" in html
    assert confidence_tag(None) == ""


def test_the_intelligence_calls_off_track_what_the_bands_call_off_track():
    detector = discover()["objectives.confidence_falling"]
    assert detector.defaults["off_track"] == bands.OFF_TRACK_MAX == 3


def test_the_api_and_the_objective_page_give_the_band(cast, plan):
    import json

    from tests.conftest import api_client, login

    api = api_client(cast.member)
    url = f"/api/v1/objectives/{plan.platform_obj.pk}"
    assert api.get(url).json()["confidence_band"] is None
    r = api.post(url + "/confidence", json.dumps({"confidence": 5}), "application/json")
    assert r.status_code == 201, r.content
    assert api.get(url).json()["confidence_band"] == "at_risk"
    listed = api.get("/api/v1/objectives", {"period_id": plan.q1.pk}).json()
    rows = listed["items"] if isinstance(listed, dict) else listed
    assert {o["id"]: o["confidence_band"] for o in rows}[plan.platform_obj.pk] == "at_risk"
    page = login(cast.member).get(f"/o/acme/alignment/objectives/{plan.platform_obj.pk}/")
    html = page.content.decode()
    # The owner's word, not a status Accord computed (beside signals that are).
    assert "owner: at risk, 5/10" in html and "<strong>5/10</strong> at risk" in html
