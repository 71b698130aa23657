"""Back, then submit again: the same value (and note) of a key result from the same person
minutes after they recorded it is asked about as a slip is, recorded again only if they
tick "Record anyway"."""

from __future__ import annotations

import html as htmllib

from accord.alignment.models import KeyResultValue
from tests.alignment.test_key_result_page import world  # noqa: F401 (the fixture)
from tests.conftest import login


def test_the_same_value_recorded_again_asks_first(cast, world):  # noqa: F811
    client = login(cast.member)
    url = f"/o/acme/alignment/key-results/{world.kr.pk}/value/"
    before = KeyResultValue.objects.filter(key_result=world.kr).count()
    body = {"value": "55", "note": "third wave", "next": world.url}
    assert client.post(url, body).status_code == 302
    again = client.post(url, body)
    assert again.status_code == 422
    page = htmllib.unescape(again.content.decode())
    assert "you recorded 55 teams at" in page and "Record anyway" in page
    assert KeyResultValue.objects.filter(key_result=world.kr).count() == before + 1
    assert client.post(url, {**body, "record_anyway": "on"}).status_code == 302
    assert KeyResultValue.objects.filter(key_result=world.kr).count() == before + 2
    # Another number is no second click.
    assert client.post(url, {**body, "value": "56"}).status_code == 302


def test_the_same_value_sent_twice_through_the_api_is_recorded_once(cast, world):  # noqa: F811
    from tests.conftest import api_client

    api = api_client(cast.member)
    url = f"/api/v1/key-results/{world.kr.pk}/values"
    before = KeyResultValue.objects.filter(key_result=world.kr).count()
    body = {"value": 55, "note": "third wave"}
    assert api.post(url, body, content_type="application/json").status_code == 201
    first = KeyResultValue.objects.filter(key_result=world.kr).latest("id")
    again = api.post(url, body, content_type="application/json")
    assert again.status_code == 422, again.content
    error = again.json()["error"]
    assert error["code"] == "duplicate" and error["existing_id"] == first.pk
    assert f"value #{first.pk}" in error["message"]
    assert KeyResultValue.objects.filter(key_result=world.kr).count() == before + 1
    sent = api.post(url, {**body, "again": True}, content_type="application/json")
    assert sent.status_code == 201, sent.content
    assert KeyResultValue.objects.filter(key_result=world.kr).count() == before + 2


def test_a_flat_week_filled_in_for_past_days_is_no_second_click(cast, world):  # noqa: F811
    """Back-filling weekly values through the API: the same number for another day is
    history, not a retried call; the same number for the same day is."""
    import datetime as dt

    from django.utils import timezone

    from tests.conftest import api_client

    api = api_client(cast.member)
    url = f"/api/v1/key-results/{world.kr.pk}/values"
    before = KeyResultValue.objects.filter(key_result=world.kr).count()
    today = timezone.localdate()
    # (within the key result's period, which began nine days ago)
    days = [(today - dt.timedelta(days=n)).isoformat() for n in (8, 1)]
    for day in days:
        body = {"value": 40, "as_of": day}
        assert api.post(url, body, content_type="application/json").status_code == 201, day
    assert KeyResultValue.objects.filter(key_result=world.kr).count() == before + 2
    again = api.post(url, {"value": 40, "as_of": days[1]}, content_type="application/json")
    assert again.status_code == 422 and again.json()["error"]["code"] == "duplicate"
    assert KeyResultValue.objects.filter(key_result=world.kr).count() == before + 2
