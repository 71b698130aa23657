"""A new organization's first objectives: the form starts in the period under way (the
current period, else the open one containing today, else the nearest open one), and the
"orphaned" each is marked with says what it means."""

from __future__ import annotations

import datetime as dt
import html
import re

from django.utils import timezone

from accord.alignment import services
from tests.conftest import login

URL = "/o/acme/alignment/objectives/new/"


def _selected_period(page: str) -> str:
    field = page.split('name="period"')[1].split("</select>")[0]
    chosen = re.findall(r"<option[^>]*selected[^>]*>([^<]*)</option>", field)
    return chosen[0] if chosen else "---------"


def _quarter(cast, name, start, end, **kw):
    return services.create_period(cast.org, cast.admin, name=name, start=start, end=end, **kw)


def test_it_starts_in_the_period_containing_today(cast):
    today = timezone.localdate()
    q_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    q_end = (q_start + dt.timedelta(days=95)).replace(day=1) - dt.timedelta(days=1)
    nxt_end = (q_end + dt.timedelta(days=95)).replace(day=1) - dt.timedelta(days=1)
    _quarter(cast, "This quarter", q_start, q_end, state="active")
    _quarter(cast, "Next quarter", q_end + dt.timedelta(days=1), nxt_end)
    page = login(cast.leader).get(URL).content.decode()
    assert _selected_period(page) == "This quarter"


def test_with_no_period_under_way_it_starts_in_the_nearest_open_one(cast):
    today = timezone.localdate()
    # A closed period just behind, two ahead: the next one, not the latest.
    _quarter(
        cast, "Past", today - dt.timedelta(days=60), today - dt.timedelta(days=30), kind="custom"
    )
    from accord.alignment.models import Period

    services.close_period(cast.org, cast.admin, Period.objects.get(name="Past"))
    soon, later = today + dt.timedelta(days=10), today + dt.timedelta(days=200)
    _quarter(cast, "Soon", soon, soon + dt.timedelta(days=20), kind="custom")
    _quarter(cast, "Later", later, later + dt.timedelta(days=20), kind="custom")
    page = login(cast.leader).get(URL).content.decode()
    assert _selected_period(page) == "Soon"


def test_orphaned_says_what_it_means_where_it_is_shown(cast):
    """A new objective is orphaned until work serves it: the tag says so, to a pointer
    (title) and a screen reader, on the tree and on its team's page."""
    today = timezone.localdate()
    period = _quarter(
        cast, "Now", today - dt.timedelta(days=5), today + dt.timedelta(days=5), kind="custom"
    )
    services.create_objective(
        cast.org, cast.admin, title="Faster checkout", period=period, team=cast.platform
    )
    client = login(cast.leader)
    meaning = (
        "No proposed or active initiative serves it (directly, through a key result, or "
        "through a contributing objective)"
    )
    for url in (f"/o/acme/alignment/?period={period.pk}", "/o/acme/alignment/teams/platform/"):
        page = html.unescape(client.get(url).content.decode())
        tag = page.split('class="tag tag--bad"')[1].split("</span></span>")[0]
        assert f'title="{meaning}"' in tag, url
        assert f'orphaned<span class="visually-hidden">: {meaning}' in tag, url
