"""An id larger than any database integer names nothing: a list filter, a saved view or a
refused form holding one is treated as unknown, never a server error (SQLite raised
OverflowError on such values)."""

from __future__ import annotations

import pytest

from accord.core.ids import MAX_ID, as_id
from tests.conftest import login

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "url",
    [
        f"/o/acme/decisions/?approver={HUGE}",
        f"/o/acme/decisions/?team={HUGE}",
        f"/o/acme/alignment/initiatives/?owner={HUGE}",
        f"/o/acme/alignment/initiatives/board/?owner={HUGE}",
        f"/o/acme/activity/?actor={HUGE}",
        f"/o/acme/decisions/actions/?person={HUGE}",
    ],
)
def test_a_list_filtered_by_an_id_beyond_the_database_answers(cast, url, settings):
    from accord.web import pickers

    pickers.PICKER_THRESHOLD = 0  # every choice a search box, as in a large organization
    try:
        response = login(cast.member).get(url)
    finally:
        pickers.PICKER_THRESHOLD = 200
    assert response.status_code in (200, 400, 404), response.status_code


def test_a_refused_action_item_holding_such_an_id_comes_back_once(cast):
    client = login(cast.member)
    posted = client.post(
        "/o/acme/decisions/actions/new/",
        {"title": "Follow up", "owner": HUGE, "next": "/o/acme/decisions/actions/"},
    )
    assert posted.status_code in (302, 422)
    for _ in range(2):
        assert client.get("/o/acme/decisions/actions/").status_code == 200


def test_as_id_takes_only_what_a_database_integer_holds():
    assert [as_id(v) for v in ("7", 7, " 12 ", str(MAX_ID))] == [7, 7, 12, MAX_ID]
    assert [as_id(v) for v in ("0", "-3", "1e3", "", None, HUGE, str(MAX_ID + 1))] == [None] * 7
