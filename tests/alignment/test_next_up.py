"""Next up: a team's proposed initiatives, ranked apart from its priority stack."""

from __future__ import annotations

import json

import pytest

from accord.activity.models import Event
from accord.alignment import services as s
from accord.alignment.models import Initiative, RankChange
from accord.core.errors import PermissionDenied, ServiceError
from accord.org import services as org_services
from tests.alignment.test_stack import _order as stack_order
from tests.conftest import api_client, login

PAGE = "/o/acme/alignment/teams/platform/"
MOVE = "/o/acme/alignment/teams/platform/next-up/move/"


def _next_up(team):
    rows = list(
        Initiative.objects.filter(team=team, status="proposed")
        .order_by("next_rank")
        .values_list("title", "next_rank")
    )
    assert [r for _, r in rows] == list(range(1, len(rows) + 1)), rows
    return [t for t, _ in rows]


_stack = stack_order  # the stack's titles, top first, its ranks checked dense


def _make(cast, titles, status="proposed"):
    return {
        t: s.create_initiative(cast.org, None, team=cast.platform, title=t, status=status)
        for t in titles
    }


def test_proposed_work_is_ranked_in_the_order_it_is_proposed(cast):
    _make(cast, "AB", "active")
    _make(cast, "PQR")
    assert _next_up(cast.platform) == list("PQR")
    assert _stack(cast.platform) == list("AB")  # apart from the stack


def test_moving_in_next_up_shifts_the_others_and_is_recorded(cast):
    stack = _make(cast, "AB", "active")
    items = _make(cast, "PQRS")
    ids = s.move_in_next_up(cast.org, cast.admin, items["S"], 1)
    assert _next_up(cast.platform) == list("SPQR")
    assert ids == [items[t].pk for t in "SPQR"]
    s.move_in_next_up(cast.org, cast.admin, items["S"], 3)
    assert _next_up(cast.platform) == list("PQSR")
    events = Event.objects.filter(verb="reranked", target_id=str(items["S"].pk)).order_by("id")
    assert [(e.before, e.after) for e in events] == [
        ({"next_rank": 4}, {"next_rank": 1}),
        ({"next_rank": 1}, {"next_rank": 3}),
    ]
    assert events[0].actor_id == cast.admin.pk
    # The stack is untouched, and re-ranking planned work is no priority churn.
    assert _stack(cast.platform) == list("AB")
    assert Initiative.objects.get(pk=stack["A"].pk).next_rank is None
    assert not RankChange.objects.filter(initiative__in=items.values()).exists()


@pytest.mark.parametrize("bad", [0, 4, "top", None])
def test_it_refuses_a_position_outside_next_up(cast, bad):
    items = _make(cast, "PQR")
    with pytest.raises(ServiceError) as exc:
        s.move_in_next_up(cast.org, cast.admin, items["P"], bad)
    assert "position" in exc.value.fields
    assert _next_up(cast.platform) == list("PQR")


def test_active_work_is_not_in_next_up_nor_proposed_work_in_the_stack(cast):
    active = _make(cast, "A", "active")["A"]
    proposed = _make(cast, "P")["P"]
    with pytest.raises(ServiceError) as exc:
        s.move_in_next_up(cast.org, cast.admin, active, 1)
    assert exc.value.code == "not_in_next_up"
    with pytest.raises(ServiceError) as exc:
        s.move_in_stack(cast.org, cast.admin, proposed, 1)
    assert exc.value.code == "not_in_stack"


def test_only_those_who_may_reorder_the_stack_reorder_next_up(cast):
    items = _make(cast, "PQ")
    for who in (cast.member, cast.viewer):
        with pytest.raises(PermissionDenied):
            s.move_in_next_up(cast.org, who, items["Q"], 1)
    assert _next_up(cast.platform) == list("PQ")
    assert not Event.objects.filter(verb="reranked").exists()
    s.move_in_next_up(cast.org, cast.leader, items["Q"], 1)
    assert _next_up(cast.platform) == list("QP")


def test_work_taken_up_goes_to_the_bottom_of_the_stack_and_next_up_closes_up(cast):
    _make(cast, "ABC", "active")
    items = _make(cast, "PQR")
    s.move_in_next_up(cast.org, cast.admin, items["R"], 1)  # R, P, Q
    s.set_initiative_status(cast.org, cast.admin, items["R"], "active")
    assert _stack(cast.platform) == list("ABCR")
    assert _next_up(cast.platform) == list("PQ")
    assert Initiative.objects.get(pk=items["R"].pk).next_rank is None
    s.set_initiative_status(cast.org, cast.admin, items["P"], "active")
    assert _stack(cast.platform) == list("ABCRP")
    assert _next_up(cast.platform) == list("Q")


def test_paused_dropped_moved_or_deleted_work_leaves_next_up_which_closes_up(cast):
    items = _make(cast, "PQRST")
    s.set_initiative_status(cast.org, cast.admin, items["P"], "paused")
    assert _next_up(cast.platform) == list("QRST")
    assert Initiative.objects.get(pk=items["P"].pk).next_rank is None
    s.set_initiative_status(cast.org, cast.admin, items["R"], "dropped")
    assert _next_up(cast.platform) == list("QST")
    s.delete_initiative(cast.org, cast.admin, items["S"])
    assert _next_up(cast.platform) == list("QT")
    # Proposed again: last in Next up.
    s.set_initiative_status(cast.org, cast.admin, items["P"], "proposed")
    assert _next_up(cast.platform) == list("QTP")
    # To another team: last in its Next up, and this one closes up.
    data = org_services.create_team(cast.org, None, name="Data", slug="data", parent=cast.root)
    s.create_initiative(cast.org, None, team=data, title="X")
    s.update_initiative(cast.org, cast.admin, items["Q"], team=data)
    assert _next_up(cast.platform) == list("TP")
    assert _next_up(data) == ["X", "Q"]


def test_deleting_active_work_closes_up_the_stack(cast):
    items = _make(cast, "ABC", "active")
    s.delete_initiative(cast.org, cast.admin, items["A"])
    assert _stack(cast.platform) == list("BC")


def test_the_page_lists_next_up_in_order_and_moves_it_without_javascript(cast):
    items = _make(cast, "PQR")
    s.create_initiative(cast.org, None, team=cast.platform, title="Z", status="paused")
    client = login(cast.admin)
    body = client.get(PAGE).content.decode()
    listed = body.split('id="next-up-list"')[1].split("</ol>")[0]
    assert [t.split('"')[0] for t in listed.split('data-title="')[1:]] == list("PQR")
    assert f'id="move-{items["R"].pk}-up"' in listed
    assert 'data-title="Z"' not in listed  # paused work stays apart
    assert "Z</a>" in body.split('id="paused-h"')[1]
    # The arrow buttons: a plain form post, one place from where the item is.
    r = client.post(
        MOVE,
        {"initiative_id": items["R"].pk, "position": "up", "shown": 3, "moved": "up"},
    )
    assert r.status_code == 302
    assert r["Location"].endswith(f"#move-{items['R'].pk}-up")
    assert _next_up(cast.platform) == list("PRQ")
    r = client.post(
        MOVE, {"initiative_id": items["R"].pk, "position": "up", "shown": 2, "moved": "up"}
    )
    assert _next_up(cast.platform) == list("RPQ")
    assert r["Location"].endswith(f"#move-{items['R'].pk}-down")  # at the top: its other one
    page = client.get(r["Location"].split("#")[0]).content.decode()
    assert "R moved to position 1." in page


def test_someone_who_may_not_reorder_sees_no_buttons_and_moves_nothing(cast):
    items = _make(cast, "PQ")
    client = login(cast.member)
    listed = client.get(PAGE).content.decode().split('id="next-up-list"')[1].split("</ol>")[0]
    assert 'data-can-rank="0"' in listed
    assert "<form" not in listed and 'class="handle"' not in listed
    client.post(MOVE, {"initiative_id": items["Q"].pk, "position": "up"})
    assert _next_up(cast.platform) == list("PQ")
    r = client.post(
        MOVE,
        json.dumps({"initiative_id": items["Q"].pk, "position": 1}),
        content_type="application/json",
    )
    assert r.status_code == 403
    assert _next_up(cast.platform) == list("PQ")


def test_the_drag_and_drop_endpoint_answers_the_saved_order(cast):
    items = _make(cast, "PQR")
    r = login(cast.admin).post(
        MOVE,
        json.dumps({"initiative_id": items["R"].pk, "position": 1}),
        content_type="application/json",
    )
    assert r.status_code == 200
    assert r.json() == {"order": [items[t].pk for t in "RPQ"]}


def test_the_api_reads_and_moves_next_up(cast):
    items = _make(cast, "PQR")
    _make(cast, "A", "active")
    api = api_client(cast.admin)
    url = f"/api/v1/stacks/{cast.platform.pk}/next-up"
    got = api.get(url).json()
    assert got["proposed"] == 3
    assert [(x["title"], x["next_rank"]) for x in got["items"]] == [("P", 1), ("Q", 2), ("R", 3)]
    r = api.post(
        url + "/moves",
        json.dumps({"initiative_id": items["R"].pk, "position": 1}),
        content_type="application/json",
    )
    assert r.status_code == 200
    assert [x["title"] for x in r.json()["items"]] == list("RPQ")
    r = api.post(
        url + "/moves",
        json.dumps({"initiative_id": items["R"].pk, "position": 9}),
        content_type="application/json",
    )
    assert r.status_code == 422 and "position" in r.json()["error"]["fields"]
    one = api.get(f"/api/v1/initiatives/{items['R'].pk}").json()
    assert one["next_rank"] == 1 and one["rank"] is None
    member = api_client(cast.member).post(
        url + "/moves",
        json.dumps({"initiative_id": items["P"].pk, "position": 1}),
        content_type="application/json",
    )
    assert member.status_code == 403
    assert _next_up(cast.platform) == list("RPQ")


def test_the_organization_file_keeps_next_ups_order(cast):
    from accord.interchange import services as interchange
    from accord.org.models import Organization, Team

    items = _make(cast, "PQRS")
    s.move_in_next_up(cast.org, cast.admin, items["S"], 1)
    s.move_in_next_up(cast.org, cast.admin, items["P"], 3)
    assert _next_up(cast.platform) == list("SQPR")
    outcome = interchange.apply_file(interchange.export_text(cast.org), org_slug="acme-copy")
    assert outcome.ok, outcome.report.as_text()
    copy = Organization.objects.get(slug="acme-copy")
    assert _next_up(Team.objects.get(org=copy, slug="platform")) == list("SQPR")
