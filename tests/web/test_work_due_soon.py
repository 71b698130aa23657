"""Home's "Your work" marks an action item due today or tomorrow (on the organization's day,
the one "overdue" is counted on) with a tag, as it marks an overdue one; later ones read as
before."""

from __future__ import annotations

import datetime as dt
import re

from accord.core.days import org_today
from accord.decisions import services as decisions
from accord.web.templatetags.dates import soon
from tests.conftest import at, login


def _items(page: str) -> dict[str, str]:
    part = re.search(r'aria-labelledby="work-items-h">(.*?)</ul>', page, re.S)
    assert part, "no action items on home"
    rows = re.findall(r"<li><a [^>]*>([^<]+)</a>(.*?)</li>", part.group(1), re.S)
    return {title: " ".join(re.sub(r"<[^>]+>", " ", rest).split()) for title, rest in rows}


def test_home_tags_an_action_item_due_today_or_tomorrow(cast):
    noon = dt.datetime.combine(org_today(), dt.time(12), tzinfo=dt.UTC)
    with at(noon):
        today = org_today()
        for title, days in (("Late", -3), ("Today", 0), ("Tomorrow", 1), ("Later", 5)):
            decisions.create_action_item(
                cast.org, None, title, cast.member, due_on=today + dt.timedelta(days=days)
            )
        page = login(cast.member).get("/o/acme/").content.decode()
    items = _items(page)
    assert items["Late"].startswith("overdue due ")
    assert items["Today"].startswith("today due ")
    assert items["Tomorrow"].startswith("tomorrow due ")
    assert items["Later"].startswith("due ")
    assert '<span class="tag tag--warn">today</span>' in page


def test_soon_says_today_and_tomorrow_of_the_organizations_day_only():
    # 23:30 UTC on 7 Dec is 8 Dec in Berlin: the organization's day is still the 7th.
    with at(dt.datetime(2026, 12, 7, 23, 30, tzinfo=dt.UTC)):
        assert soon(dt.date(2026, 12, 7)) == "today"
        assert soon("2026-12-08") == "tomorrow"
        assert soon(dt.date(2026, 12, 6)) == soon(dt.date(2026, 12, 9)) == soon(None) == ""
