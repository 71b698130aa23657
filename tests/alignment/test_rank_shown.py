"""An initiative's page shows its rank now, out of its stack's size, beside a history whose
ranks read as those it had at the time: moves of other initiatives shift it without an
event of its own, and the owner can still see why their work moved."""

from __future__ import annotations

from django.urls import reverse

from accord.alignment import services as s
from tests.conftest import login


def _page(cast, item) -> str:
    url = reverse("alignment:initiative", kwargs={"org_slug": "acme", "initiative_id": item.pk})
    return login(cast.member).get(url).content.decode()


def test_the_page_shows_the_rank_now_out_of_the_stack_after_others_moved(cast):
    items = {
        t: s.create_initiative(cast.org, None, team=cast.platform, title=t, status="active")
        for t in "ABCDE"
    }
    s.move_in_stack(cast.org, cast.admin, items["E"], 1)  # E: 5 -> 1
    s.move_in_stack(cast.org, cast.admin, items["D"], 1)  # shifts E to 2
    s.move_in_stack(cast.org, cast.admin, items["C"], 1)  # shifts E to 3
    items["E"].refresh_from_db()
    assert items["E"].rank == 3
    html = _page(cast, items["E"])
    assert "Rank 3 of 5 in Platform's stack" in html
    assert 'href="/o/acme/alignment/teams/platform/#stack"' in html
    # The re-rank event says the ranks were those of the time, not now.
    history = html[html.index('id="history-h"') :]
    assert "Rank at the time</span>: <del>5</del> → <ins>1</ins>" in history
    assert "Rank:" not in history


def test_an_initiative_out_of_the_stack_shows_no_rank(cast):
    item = s.create_initiative(cast.org, None, team=cast.platform, title="Idea")
    assert "in Platform's stack" not in _page(cast, item)
