"""The rhythm API's list filters take only their values (a misspelt status is refused,
naming the ones there are, not answered with an empty list); and a check-in sent again for
the same round adds to it: a body with only `highlights` erases none of the earlier report."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accord.alignment.models import KeyResult
from accord.rhythm import queries
from accord.rhythm.models import CheckIn
from tests.conftest import api_client
from tests.rhythm.conftest import check_in_owed, rhythm  # noqa: F401 (fixture)


@pytest.mark.parametrize(
    ("path", "bad", "allowed"),
    [
        ("/api/v1/rhythm/checkins", "ontime", ["on_time", "late", "missed"]),
        ("/api/v1/rhythm/meetings", "hled", ["planned", "running", "finished"]),
    ],
)
def test_a_status_filter_not_one_of_its_values_is_refused_naming_them(cast, path, bad, allowed):
    api = api_client(cast.admin)
    r = api.get(path, {"status": bad})
    assert r.status_code == 422, r.content
    said = r.content.decode()
    assert all(f"'{value}'" in said for value in allowed), said
    assert api.get(path, {"status": allowed[0]}).status_code == 200
    assert api.get(path).status_code == 200
    # The schema lists them.
    schema = api.get("/api/v1/openapi.json").json()
    params = schema["paths"][path]["get"]["parameters"]
    [status] = [p for p in params if p["name"] == "status"]
    [ref] = [s["$ref"] for s in status["schema"]["anyOf"] if "$ref" in s]
    assert schema["components"]["schemas"][ref.split("/")[-1]]["enum"] == allowed


def test_a_check_in_sent_again_with_only_highlights_keeps_its_report(cast, rhythm):  # noqa: F811
    kr, _ = check_in_owed(cast, rhythm)
    occ = queries.next_occurrence(
        queries.cadences(cast.org).get(pk=rhythm.checkin.pk), timezone.now()
    )
    url = f"/api/v1/rhythm/cadences/{rhythm.checkin.pk}/occurrences/{occ.key}/checkin"
    api = api_client(cast.member)
    first = {"key_results": {str(kr.pk): 30}, "highlights": "Shipped", "blockers": "CI is slow"}
    r = api.post(url, first, content_type="application/json")
    assert r.status_code == 201, r.content
    r = api.post(url, {"highlights": "Shipped; NPS up"}, content_type="application/json")
    assert r.status_code == 201, r.content
    c = CheckIn.objects.get(person=cast.member)
    assert c.highlights == "Shipped; NPS up"
    assert c.blockers == "CI is slow"  # left out: kept
    assert c.updates["key_results"] == {str(kr.pk): "30.0"}
    assert r.json()["updates"]["key_results"] == {str(kr.pk): "30.0"}
    # A value given again replaces its own, the rest stay; an empty text given clears it.
    r = api.post(
        url, {"key_results": {str(kr.pk): 35}, "blockers": ""}, content_type="application/json"
    )
    assert r.status_code == 201, r.content
    c.refresh_from_db()
    assert c.updates["key_results"] == {str(kr.pk): "35.0"}
    assert (c.highlights, c.blockers) == ("Shipped; NPS up", "")
    assert KeyResult.objects.get(pk=kr.pk).current == 35
