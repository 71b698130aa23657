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
