"""What marks a request as urgent for the team asked: its priority (critical in the colour of
what is wrong, high in that of a warning) and "needed today" or "needed tomorrow" (on the
organization's day) beside it on home's "Waiting for your teams' answer", the team's inbox
and the request's page, critical ones first on home; and the question in the leads' inbox
names its priority and its need-by date."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

import pytest

from accord.conversation.models import InboxItem
from accord.coordination import services
from accord.core.days import org_today
from accord.web.templatetags.dates import day
from tests.conftest import at, login


@pytest.fixture
def noon():
    """Midday of the organization's day, so "today" is the same day for every clock."""
    with at(dt.datetime.combine(org_today(), dt.time(12), tzinfo=dt.UTC)):
        yield org_today()


def _card(page: str, heading_id: str) -> str:
    found = re.search(
        rf'<section class="card" aria-labelledby="{heading_id}">(.*?)</section>', page, re.S
    )
    assert found, heading_id
    return htmllib.unescape(found.group(1))


def _rows(card: str) -> list[str]:
    return [
        " ".join(re.sub(r"<[^>]+>", " ", li).split())
        for li in re.findall(r"<li>(.*?)</li>", card, re.S)
    ]


def test_home_puts_a_critical_request_needed_today_first_and_marks_it(world, noon):
    today = noon
    world.request(title="Pallets", need_by=today + dt.timedelta(days=5))
    world.request(title="Forklift", need_by=today + dt.timedelta(days=1), priority="high")
    world.request(title="Restore access", need_by=today + dt.timedelta(days=9), priority="critical")
    outage = world.request(title="Rotate keys", need_by=today, priority="critical")
    card = _card(login(world.giver).get("/o/acme/").content.decode(), "coord-home-h")
    rows = _rows(card)
    # Critical ones first (soonest needed first among them), then the others by need-by.
    assert [r.split(" ")[0] for r in rows] == ["Rotate", "Restore", "Forklift", "Pallets"]
    assert rows[0].startswith("Rotate keys Critical priority needed today · waits on Operations")
    assert rows[1].startswith("Restore access Critical priority · waits on")
    assert rows[2].startswith("Forklift High priority needed tomorrow · waits on")
    assert rows[3].startswith("Pallets · waits on")  # medium, in five days: nothing to mark
    assert '<span class="tag tag--bad priority priority--critical">Critical priority</span>' in card
    assert '<span class="tag tag--warn priority priority--high">High priority</span>' in card
    # The team's inbox and the request's page say the same.
    inbox = login(world.giver).get("/o/acme/coordination/teams/ops/").content.decode()
    assert re.search(
        r"Rotate keys</strong></a>\s*<span class=\"tag[^\"]*\">Requested</span>", inbox
    )
    assert 'Critical priority</span> <span class="tag tag--warn need-soon">needed today' in inbox
    page = login(world.giver).get(f"/o/acme/coordination/d/{outage.pk}/").content.decode()
    assert '<span class="tag tag--bad priority priority--critical">Critical priority</span>' in page
    assert "needed today" in page


def test_once_answered_or_said_delivered_it_is_not_needed_today_any_more(world, noon):
    dep = world.request(title="Rotate keys", need_by=noon, priority="critical")
    dep = services.transition(
        world.org,
        world.giver,
        dep,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=noon,
    )
    services.transition(world.org, world.giver, dep, "mark_delivered")
    page = login(world.asker).get(f"/o/acme/coordination/d/{dep.pk}/").content.decode()
    assert "Critical priority" in page and "needed today" not in page


def test_the_question_in_the_inbox_names_the_priority_and_the_need_by_date(world, noon):
    urgent = world.request(title="Rotate keys", need_by=noon, priority="critical")
    usual = world.request(title="Pallets", need_by=noon + dt.timedelta(days=5))
    asked = {i.target_id: i.title for i in InboxItem.objects.filter(person=world.giver)}
    assert asked[urgent.pk] == f"Critical · Sales asks Operations by {day(noon)}: Rotate keys"
    assert asked[usual.pk] == (
        f"Sales asks Operations by {day(noon + dt.timedelta(days=5))}: Pallets"
    )
    # Made critical and sooner afterwards, the open question reads so.
    later = noon + dt.timedelta(days=1)
    services.update_dependency(world.org, world.asker, usual, priority="high", need_by=later)
    item = InboxItem.objects.get(person=world.giver, target_id=usual.pk, done_at__isnull=True)
    assert item.title == f"High priority · Sales asks Operations by {day(later)}: Pallets"
