"""The priority stack: moves keep a dense total order, even when two people move at once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from accord.alignment import services as s
from accord.alignment.models import Initiative, RankChange
from accord.core.errors import PermissionDenied, ServiceError


def _order(team):
    rows = list(
        Initiative.objects.filter(team=team, status="active")
        .order_by("rank")
        .values_list("title", "rank")
    )
    assert [r for _, r in rows] == list(range(1, len(rows) + 1)), rows
    return [t for t, _ in rows]


def _stack(cast, titles):
    return {
        t: s.create_initiative(cast.org, None, team=cast.platform, title=t, status="active")
        for t in titles
    }


def test_moving_one_item_shifts_the_others_and_is_recorded(cast):
    items = _stack(cast, "ABCD")
    ids = s.move_in_stack(cast.org, cast.admin, items["D"], 1)
    assert _order(cast.platform) == list("DABC")
    assert ids == [items[t].pk for t in "DABC"]
    s.move_in_stack(cast.org, cast.admin, items["D"], 3)
    assert _order(cast.platform) == list("ABDC")
    changes = list(
        RankChange.objects.filter(initiative=items["D"]).values_list("old_rank", "new_rank")
    )
    assert changes[-2:] == [(4, 1), (1, 3)]


@pytest.mark.parametrize("bad", [0, 5, "top", None, "2.5"])
def test_it_refuses_a_position_outside_the_stack(cast, bad):
    items = _stack(cast, "ABCD")
    with pytest.raises(ServiceError) as exc:
        s.move_in_stack(cast.org, cast.admin, items["A"], bad)
    assert "position" in exc.value.fields
    assert _order(cast.platform) == list("ABCD")
    assert not RankChange.objects.filter(old_rank__isnull=False).exists()


def test_only_leaders_and_team_leads_reorder(cast):
    items = _stack(cast, "AB")
    with pytest.raises(PermissionDenied):
        s.move_in_stack(cast.org, cast.member, items["B"], 1)
    assert _order(cast.platform) == list("AB")


def test_an_inactive_initiative_is_not_in_the_stack(cast):
    _stack(cast, "AB")
    proposed = s.create_initiative(cast.org, None, team=cast.platform, title="P")
    with pytest.raises(ServiceError) as exc:
        s.move_in_stack(cast.org, cast.admin, proposed, 1)
    assert exc.value.code == "not_in_stack"


def _serial(order, moves):
    order = list(order)
    for title, pos in moves:
        order.remove(title)
        order.insert(pos - 1, title)
    return order


@pytest.mark.django_db(transaction=True)
def test_two_people_moving_at_once_end_in_a_consistent_dense_order(cast):
    items = _stack(cast, "ABCDEF")
    rounds = [(("A", 6), ("F", 1)), (("C", 1), ("D", 2)), (("B", 4), ("E", 4))]
    for move_1, move_2 in rounds:
        before = _order(cast.platform)
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def run(title, pos, barrier=barrier, errors=errors):
            try:
                barrier.wait()
                s.move_in_stack(cast.org, cast.admin, items[title], pos)
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=m) for m in (move_1, move_2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert not errors, errors
        after = _order(cast.platform)
        assert after in (_serial(before, [move_1, move_2]), _serial(before, [move_2, move_1]))


def test_rows_past_the_wip_limit_say_so_in_text(cast):
    """Not only a pink tint: an "over WIP" mark screen readers read, explained above the list
    (shown only on the rows past the limit, which the script re-marks after a drag)."""
    from pathlib import Path

    from django.conf import settings

    from tests.conftest import login

    _stack(cast, "ABC")
    s.set_wip_limit(cast.org, None, cast.platform, 2)
    body = login(cast.member).get("/o/acme/alignment/teams/platform/").content.decode()
    assert "past the WIP limit of 2 are marked “over WIP”" in body
    rows = body.split('id="stack-list"')[1].split("</ol>")[0].split('<li class="stack-item')[1:]
    assert [" over-wip" in r.split(">")[0] for r in rows] == [False, False, True]
    assert all('class="tag tag--warn over-wip-tag">over WIP</span>' in r for r in rows)
    css = Path(settings.BASE_DIR, "accord/alignment/static/alignment/alignment.css").read_text()
    assert ".stack-item:not(.over-wip) .over-wip-tag { display: none; }" in css
