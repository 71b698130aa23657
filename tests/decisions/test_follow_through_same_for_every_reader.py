"""A team's follow-through is a figure of the organization: counted on its day (the day
the worker evaluates the actions.follow_through signal on, `core.days`), it reads the same
for a reader in Berlin, still on 6 Dec, and one in Kolkata, already on 7 Dec."""

from __future__ import annotations

import datetime as dt
import re

from accord.decisions import services
from accord.org.models import Person
from tests.conftest import at, login

SET_UP = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
READ = dt.datetime(2026, 12, 6, 19, 10, tzinfo=dt.UTC)  # 20:10 in Berlin, 00:40 in Kolkata


def _figures(reader, url: str) -> list[str]:
    with at(READ):
        html = login(reader).get(url).content.decode()
    page = re.findall(r"Follow-through, last 30 days: <strong>([^<]+)</strong>([^<]*)", html)
    actions = re.findall(
        r"(?:Follow-through, 30 days|On time / due \(30 d\))</dt><dd>([^<]+)<", html
    )
    return ["".join(f) for f in page] + actions


def test_team_page_and_action_items_read_the_same_in_berlin_and_kolkata(cast):
    with at(SET_UP):
        done = services.create_action_item(
            cast.org, None, "Done on time", cast.member, dt.date(2026, 12, 2), cast.platform
        )
        services.complete_action_item(
            cast.org, None, done, done_at=dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC)
        )
        # Due on 6 Dec: not yet overdue on the organization's day, 6 Dec.
        services.create_action_item(
            cast.org, None, "Due today", cast.member, dt.date(2026, 12, 6), cast.platform
        )
    Person.objects.filter(pk=cast.admin.pk).update(timezone="Europe/Berlin")
    Person.objects.filter(pk=cast.member.pk).update(timezone="Asia/Kolkata")
    for url in ("/o/acme/teams/platform/", "/o/acme/decisions/actions/?team=platform"):
        berlin, kolkata = _figures(cast.admin, url), _figures(cast.member, url)
        assert berlin and berlin == kolkata, url
        assert berlin[0] in ("100% (1 of 1 on time)", "100%"), url
