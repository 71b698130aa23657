"""Insights' "New since last week" card shows the first ten: its figure is how many are
new, the number its "All … →" list says, not "10+" beside a list of 23."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.conftest import login
from tests.intelligence import fixtures_pages as fx

pytestmark = pytest.mark.django_db

URL = "/o/acme/insights/"


def _card(html: str) -> str:
    return html.split('id="new-h"')[1].split("</section>")[0]


def _list_count(html: str) -> str:
    heading = html.split('id="signals-h"')[1].split("</h2>")[0]
    return re.search(r'<span class="tag"[^>]*>([^<]+)</span>', heading).group(1)


@pytest.mark.parametrize("scope", ["all", "platform"])
def test_the_card_says_how_many_are_new_as_its_list_does(cast, scope):
    yesterday = timezone.now() - dt.timedelta(days=1)
    for n in range(23):
        fx.signal(cast.org, [cast.platform], title=f"New {n}", first_seen=yesterday)
    fx.signal(cast.org, [cast.platform], title="Old", first_seen=yesterday - dt.timedelta(days=9))
    client = login(cast.leader)
    param = "all" if scope == "all" else str(cast.platform.pk)
    card = _card(client.get(URL, {"scope": param}).content.decode())
    assert '<span class="tag">23</span>' in card
    assert "10+" not in card
    link = re.search(r'<a href="\?([^"]+)">All 23 signals new since last week →</a>', card)
    assert link is not None
    listed = client.get(URL + "?" + link.group(1).replace("&amp;", "&")).content.decode()
    assert _list_count(listed) == "23"
