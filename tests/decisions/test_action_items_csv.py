"""The action items list exports as CSV what it shows: the items of its team (and the
teams below it, or the team alone), of one owner of a team, or of a person; streamed as
the decision log's exports are, its open items unless asked for the closed ones too."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.decisions import services
from accord.decisions.models import ActionItem
from tests.conftest import login
from tests.decisions.helpers import counts

URL = "/o/acme/decisions/actions/export.csv"


def _rows(resp) -> list[dict]:
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    assert isinstance(resp, StreamingHttpResponse)
    return list(csv.DictReader(io.StringIO(b"".join(resp.streaming_content).decode())))


@pytest.fixture
def items(cast, outside, action_item):
    item = action_item
    item("Board pack", cast.leader, cast.root, -3)
    item("Fix the build", cast.member, cast.platform, -2)
    item("=HYPERLINK(1)", cast.member, cast.platform, 6)
    item("Shipped", cast.member, cast.platform, -5, done=True)
    item("Elsewhere", cast.admin, outside, -9)
    services.create_action_item(cast.other_org, None, "Globex secret", cast.outsider)


def test_a_teams_csv_is_its_trees_open_items_soonest_due_first(cast, items):
    rows = _rows(login(cast.member).get(URL, {"team": "acme"}))
    assert [r["title"] for r in rows] == ["Board pack", "Fix the build", "'=HYPERLINK(1)"]
    board, build, _ = rows
    assert board["owner"] == "Leo Leader" and board["team"] == "Acme"
    assert build["owner"] == "Mia Member" and build["team"] == "Platform"
    assert (board["status"], board["overdue"], rows[2]["overdue"]) == ("open", "yes", "")
    assert build["recorded_by"] == "Ada Admin"
    assert build["due_on"] == (timezone.localdate() - dt.timedelta(days=2)).isoformat()


def test_the_csv_keeps_the_lists_scope(cast, items):
    client = login(cast.member)
    alone = _rows(client.get(URL, {"team": "acme", "only": "1"}))
    assert [r["title"] for r in alone] == ["Board pack"]
    owner = _rows(client.get(URL, {"team": "acme", "owner": cast.member.pk}))
    assert [r["title"] for r in owner] == ["Fix the build", "'=HYPERLINK(1)"]
    person = _rows(client.get(URL, {"person": cast.admin.pk}))
    assert [r["title"] for r in person] == ["Elsewhere"]
    every = _rows(client.get(URL, {"team": "platform", "status": "all"}))
    assert [r["title"] for r in every] == ["Shipped", "Fix the build", "'=HYPERLINK(1)"]
    done = _rows(client.get(URL, {"team": "platform", "status": "done"}))
    assert [(r["title"], r["status"]) for r in done] == [("Shipped", "done")]
    assert "Globex" not in str(every + person + owner)


def test_the_page_links_to_the_csv_of_what_it_shows(cast, items):
    client = login(cast.member)
    page = client.get("/o/acme/decisions/actions/", {"team": "acme", "only": "1"}).content
    assert f'href="{URL}?team=acme&amp;only=1"' in page.decode()
    assert f'href="{URL}?team=acme&amp;only=1&amp;status=all"' in page.decode()
    page = client.get("/o/acme/decisions/actions/", {"team": "acme", "owner": cast.member.pk})
    assert f'href="{URL}?team=acme&amp;owner={cast.member.pk}"' in page.content.decode()
    page = client.get("/o/acme/decisions/actions/", {"person": cast.leader.pk})
    assert f'href="{URL}?person={cast.leader.pk}"' in page.content.decode()


def test_a_status_the_csv_does_not_know_is_refused_saying_which_it_knows(cast, items):
    before = counts(cast.org)
    resp = login(cast.member).get(URL, {"team": "acme", "status": "finished"})
    assert resp.status_code == 400
    assert "use open, done, dropped or all" in resp.content.decode()
    assert counts(cast.org) == before


@pytest.mark.parametrize(
    "params", [{"team": "nowhere"}, {"team": "acme", "owner": "abc"}, {"person": "999999"}]
)
def test_a_csv_of_what_is_not_there_is_not_found_and_changes_nothing(cast, items, params):
    before = counts(cast.org)
    assert login(cast.member).get(URL, params).status_code == 404
    assert counts(cast.org) == before


def test_an_outsider_cannot_export_our_items(cast, items):
    assert login(cast.outsider).get(URL, {"team": "acme"}).status_code in (403, 404)


def test_the_csv_reads_in_chunks_so_queries_do_not_grow_with_the_list(cast, items):
    client = login(cast.member)

    def queries_for():
        with CaptureQueriesContext(connection) as ctx:
            _rows(client.get(URL, {"team": "acme"}))
        return len(ctx)

    small = queries_for()
    ActionItem.objects.bulk_create(
        ActionItem(org=cast.org, title=f"Bulk {n}", owner=cast.member, team=cast.platform)
        for n in range(450)
    )
    # 453 items are three chunks: a handful more queries, not hundreds.
    assert queries_for() <= small + 5
