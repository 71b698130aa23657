"""On the action items page "Overdue" means one thing: open items past their due date,
however long ago. The figure above, each team's row and each person's row count those, and
a department's rows (its teams' and its own) add up to its figure."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from accord.decisions import queries, services
from accord.decisions.models import ActionItem
from accord.decisions.views import ACTIONS_PER_PAGE
from accord.org import services as org_services
from tests.conftest import login
from tests.decisions.helpers import recorded_long_ago


def _overdue_now(page: str) -> int:
    return int(re.search(r"<dt>Overdue now</dt><dd>(\d+)</dd>", page).group(1))


def _row(page: str, name: str) -> list[str]:
    """The cells after the name in the row of the table that names `name` in a link."""
    row = re.search(rf">{re.escape(name)}</a></td>(.*?)</tr>", page, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r'<td class="num">(.*?)</td>', row)]


@pytest.fixture
def items(cast, action_item):
    """Acme (the top team) with Platform and Sales below it. Overdue now: two of Platform's
    (one due long before the 30-day window) and one filed to Acme itself."""
    sales = org_services.create_team(cast.org, None, name="Sales", slug="sales", parent=cast.root)

    def item(title, owner, team, days, done=False):
        return action_item(title, owner, team, days, done=done, by=cast.leader)

    item("Long overdue", cast.member, cast.platform, -45)  # before the window, still open
    item("Overdue", cast.member, cast.platform, -5)
    item("Done late", cast.member, cast.platform, -10, done=True)
    item("Department's own", cast.leader, cast.root, -3)
    item("Not yet due", cast.member, sales, 1)
    return sales


def test_each_teams_overdue_is_its_items_overdue_now_and_the_rows_add_up(cast, items):
    page = login(cast.leader).get("/o/acme/decisions/actions/", {"team": "acme"}).content
    page = page.decode()
    assert _overdue_now(page) == 3
    assert '<th scope="col" class="num">Overdue now</th>' in page
    platform, sales, own = _row(page, "Platform"), _row(page, "Sales"), _row(page, "Acme itself")
    assert platform[2] == "2"  # the item due 45 days ago counts: it is overdue now
    assert sales[2] == "0"
    assert own[2] == "1"
    assert sum(int(r[2]) for r in (platform, sales, own)) == _overdue_now(page)
    # The window's figures still add up too.
    assert sum(int(r[0]) for r in (platform, sales, own)) == 3  # due in the last 30 days


def test_a_persons_overdue_is_their_items_overdue_now(cast, items):
    client = login(cast.leader)
    page = client.get("/o/acme/decisions/actions/", {"team": "platform"}).content.decode()
    assert _overdue_now(page) == 2
    assert _row(page, "Mia Member") == ["2", "2"]  # by owner: overdue now, open
    mine = client.get("/o/acme/decisions/actions/", {"person": cast.member.pk}).content.decode()
    assert _overdue_now(mine) == 2


def test_overdue_now_counts_beyond_the_first_page_of_open_items(cast):
    today = timezone.localdate()
    for i in range(ACTIONS_PER_PAGE + 5):
        services.create_action_item(
            cast.org,
            cast.leader,
            f"Task {i}",
            cast.member,
            team=cast.platform,
            due_on=today - dt.timedelta(days=1 + i),
            **recorded_long_ago(),
        )
    client = login(cast.member)
    for page in (1, 2):
        html = client.get("/o/acme/decisions/actions/", {"team": "platform", "page": page})
        assert _overdue_now(html.content.decode()) == ACTIONS_PER_PAGE + 5


def test_overdue_now_by_reads_what_the_items_say(cast, items):
    today = timezone.localdate()
    late = ActionItem.objects.filter(org=cast.org, status="open", due_on__lt=today)
    by_owner = queries.overdue_now_by(cast.org, "owner", [cast.member.pk, cast.leader.pk])
    assert by_owner == {
        cast.member.pk: late.filter(owner=cast.member).count(),
        cast.leader.pk: late.filter(owner=cast.leader).count(),
    }
    by_tree = queries.overdue_now_by(cast.org, "tree", [cast.root.pk, items.pk])
    assert by_tree == {cast.root.pk: late.count()}  # Sales has none: left out


def test_the_api_gives_overdue_now_beside_the_windows_not_done(cast, items):
    from tests.conftest import api_client

    api = api_client(cast.admin)
    url = "/api/v1/action-items/follow-through"
    platform = api.get(url, {"team_id": cast.platform.pk}).json()
    # The item due 45 days ago is outside the 30-day window, and overdue now all the same.
    assert (platform["overdue"], platform["overdue_now"]) == (1, 2)
    assert api.get(url).json()["overdue_now"] == 3  # the organization
    assert api.get(url, {"person_id": cast.leader.pk}).json()["overdue_now"] == 1
    both = api.get(url, {"person_id": cast.member.pk, "team_id": cast.platform.pk}).json()
    assert both["overdue_now"] == 2
