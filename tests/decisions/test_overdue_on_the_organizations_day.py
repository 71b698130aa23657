"""What is overdue is counted on the organization's day (`core.days`), on every page, as
the figures beside it and the signals are: on Sydney's morning of the 8th (still the 7th
for the organization) an action item and a decision due on the 7th are not yet overdue on
Home, My week, the action items, the decision log, the team page or their own pages, and
all of them say so together once the organization's day is the 8th."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from accord.decisions import services
from accord.org.models import Person
from tests.conftest import api_client, at, login

SET_UP = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
DUE = dt.date(2026, 12, 7)
SYDNEY_MORNING = dt.datetime(2026, 12, 7, 22, tzinfo=dt.UTC)  # 09:00 on the 8th in Sydney
NEXT_DAY = dt.datetime(2026, 12, 8, 1, tzinfo=dt.UTC)  # the organization's 8th


@pytest.fixture
def due(cast):
    with at(SET_UP):
        item = services.create_action_item(
            cast.org, None, "Send the contract", cast.member, DUE, cast.platform
        )
        decision = services.create_decision(
            cast.org,
            None,
            "Which vendor?",
            cast.member,
            teams=[cast.platform],
            decide_by=DUE,
        )
    Person.objects.filter(pk=cast.member.pk).update(timezone="Australia/Sydney")
    return item, decision


def _overdue_tags(cast, item, decision) -> dict[str, int]:
    client = login(cast.member)
    pages = {
        "home": "/o/acme/",
        "my week": "/o/acme/rhythm/",
        "action items": f"/o/acme/decisions/actions/?person={cast.member.pk}",
        "action item": f"/o/acme/decisions/actions/{item.pk}/",
        "decision log": "/o/acme/decisions/",
        "decision": f"/o/acme/decisions/{decision.pk}/",
        "waiting on me": "/o/acme/decisions/waiting/",
        "team": "/o/acme/teams/platform/",
    }
    out = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        # A tag saying overdue, and the action items page's list of them.
        tags = r'class="tag tag--bad">\s*(?:\d+ )?overdue|Overdue since| · overdue<'
        out[name] = len(re.findall(tags, html))
        if name == "action items":
            section = re.search(r'id="overdue".*?</section>', html, re.S).group(0)
            out[name] += section.count("Send the contract")
    return out


def test_due_yesterday_in_sydney_is_not_overdue_until_the_organizations_day_ends(cast, due):
    with at(SYDNEY_MORNING):
        before = _overdue_tags(cast, *due)
        api = api_client(cast.member).get(
            "/api/v1/action-items/follow-through", {"person_id": cast.member.pk}
        )
        assert api.json()["overdue_now"] == 0
    assert before == dict.fromkeys(before, 0)

    with at(NEXT_DAY):
        after = _overdue_tags(cast, *due)
        api = api_client(cast.member).get(
            "/api/v1/action-items/follow-through", {"person_id": cast.member.pk}
        )
        assert api.json()["overdue_now"] == 1
    assert all(after.values()), after
