"""The priority stack's arrow buttons move an item one place from where it is when pressed,
not to a place fixed when the page was loaded (the order may have changed since)."""

from __future__ import annotations

from accord.alignment import services as s
from accord.alignment.models import Initiative
from tests.conftest import login

MOVE = "/o/acme/alignment/teams/platform/stack/move/"
PAGE = "/o/acme/alignment/teams/platform/"


def _stack(cast, titles):
    return {
        t: s.create_initiative(cast.org, None, team=cast.platform, title=t, status="active")
        for t in titles
    }


def _order(team):
    return list(
        Initiative.objects.filter(team=team, status="active")
        .order_by("rank")
        .values_list("title", flat=True)
    )


def test_the_arrows_move_one_place_from_where_the_item_is_now(cast):
    items = _stack(cast, "ABCD")
    client = login(cast.admin)
    page = client.get(PAGE).content.decode()
    # The buttons carry a direction, not a place fixed at load.
    assert (
        f'name="initiative_id" value="{items["A"].pk}"><input type="hidden" name="position" '
        'value="down"><input type="hidden" name="shown" value="1">'
    ) in page
    # Since the page was loaded, someone moved A to the bottom: B C D A.
    s.move_in_stack(cast.org, cast.admin, items["A"], 4)
    r = client.post(
        MOVE,
        {"initiative_id": items["A"].pk, "position": "up", "shown": "1", "moved": "up"},
        follow=True,
    )
    assert _order(cast.platform) == list("BCAD")
    said = r.content.decode()
    changed = "The order changed since you loaded it: A was at 4, not 1."
    assert f"{changed} A moved to position 3." in said
    assert r.redirect_chain[-1][0] == f"{PAGE}#move-{items['A'].pk}-up"
    # Moved to the bottom: back at its "up" button, its "down" one is hidden there.
    r = client.post(MOVE, {"initiative_id": items["A"].pk, "position": "down", "moved": "down"})
    assert r.url == f"{PAGE}#move-{items['A'].pk}-up"
    client.post(MOVE, {"initiative_id": items["A"].pk, "position": "up"})
    # "down" from the top moves to 2, whatever place the page had shown.
    client.post(MOVE, {"initiative_id": items["B"].pk, "position": "down", "moved": "down"})
    assert _order(cast.platform) == list("CBAD")
    # At the bottom, "down" stays there; at the top, "up" does.
    client.post(MOVE, {"initiative_id": items["D"].pk, "position": "down"})
    client.post(MOVE, {"initiative_id": items["C"].pk, "position": "up"})
    assert _order(cast.platform) == list("CBAD")


def test_the_first_has_its_up_button_hidden_and_the_last_its_down(cast):
    items = _stack(cast, "AB")
    page = login(cast.admin).get(PAGE).content.decode()
    up_a = page.index(f'id="move-{items["A"].pk}-up"')
    assert page.rindex("<form", 0, up_a) == page.rindex(
        '<form method="post" class="move-up"', 0, up_a
    )
    assert page[page.rindex("<form", 0, up_a) : up_a].count(" hidden>") == 1
    down_b = page.index(f'id="move-{items["B"].pk}-down"')
    assert page[page.rindex("<form", 0, down_b) : down_b].count(" hidden>") == 1
    up_b = page.index(f'id="move-{items["B"].pk}-up"')
    assert page[page.rindex("<form", 0, up_b) : up_b].count(" hidden>") == 0
