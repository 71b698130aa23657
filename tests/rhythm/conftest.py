"""A small rhythm on top of the shared cast: Platform's weekly check-in and weekly sync."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass

import pytest
from django.utils import timezone

from accord.org import services as org_services
from accord.org.models import MembershipRole
from accord.rhythm import queries, services
from accord.rhythm.models import Cadence
from tests.conftest import login
from tests.rhythm.servers import bad_hook, good_hook, smtp  # noqa: F401 (fixtures)

UTC = dt.UTC
# Friday 6 Nov 2026, 16:00 in Berlin (CET, UTC+1) = 15:00 UTC.
DUE = dt.datetime(2026, 11, 6, 15, 0, tzinfo=UTC)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def error_beside(page: str, field_id: str) -> str:
    """The error a page shows beside the field `field_id` (as web/_form.html writes it:
    `<id>_error`, Django's name for it; `<id>-error` in the hand-written forms)."""
    found = re.search(rf'<small class="error" id="{field_id}[-_]error"[^>]*>([^<]*)</small>', page)
    assert found, f"no error beside {field_id}"
    return html.unescape(found.group(1))


# Before the fixtures' histories (from October 2026), made today.
EXISTED = dt.datetime(2026, 9, 1, tzinfo=UTC)


def existed_since(org, when: dt.datetime = EXISTED) -> None:
    """Date the organization's terms and cadences back to `when`. A check-in is owed only
    by who was in the team when it was due, and only once its cadence was set up: the
    fixtures are made today, with a history in the autumn. (Objects already loaded keep
    their `created_at`: read them again.)"""
    from accord.org.models import Membership

    Membership.terms.filter(org=org).update(created_at=when)
    Cadence.objects.filter(org=org).update(created_at=when)


@dataclass
class Rhythm:
    checkin: Cadence
    sync: Cadence


@pytest.fixture
def rhythm(cast) -> Rhythm:
    org_services.add_membership(
        cast.org, None, person=cast.leader, team=cast.platform, role=MembershipRole.LEAD
    )
    checkin = services.create_cadence_from_template(
        cast.org,
        None,
        "weekly-checkin",
        team=cast.platform,
        timezone_name="Europe/Berlin",
        start_date=dt.date(2026, 10, 1),
        owner=cast.leader,
    )
    sync = services.create_cadence_from_template(
        cast.org,
        None,
        "weekly-sync",
        team=cast.platform,
        timezone_name="Europe/Berlin",
        start_date=dt.date(2026, 10, 1),
        owner=cast.leader,
    )
    existed_since(cast.org)
    checkin.created_at = sync.created_at = EXISTED
    return Rhythm(checkin, sync)


# Two Mondays of the weekly sync, 10:00 in Berlin: a meeting held, and the next one.
FIRST = utc(2026, 11, 9, 9)
SECOND = utc(2026, 11, 16, 9)


def held_agreeing(cast, cadence: Cadence, when: dt.datetime, title: str, due_on=None):
    """The meeting of `when`, started then by the team's lead and finished an hour later,
    having agreed the action item `title` for the member (due `due_on`). The item."""
    from tests.conftest import at

    with at(when):
        m = services.open_meeting(cast.org, cast.leader, cadence, when)
        m = services.start_meeting(cast.org, cast.leader, m, now=when)
        item = services.add_action_item(
            cast.org, cast.leader, m, title=title, owner=cast.member, due_on=due_on
        )
    services.finish_meeting(cast.org, cast.leader, m, now=when + dt.timedelta(hours=1))
    return item


@pytest.fixture
def agreed_draft(cast, rhythm):
    """The weekly sync of 9 Nov (FIRST) held, agreeing "Share the board update draft", the
    member's, due 25 Nov: after the next meeting, so not "due by the meeting". The item."""
    return held_agreeing(
        cast, rhythm.sync, FIRST, "Share the board update draft", due_on=dt.date(2026, 11, 25)
    )


@pytest.fixture
def left_to_carry(cast, rhythm):
    """The weekly sync with no action items section, its meeting of 9 Nov (FIRST) held,
    agreeing "Book the offsite room", the member's, with no due date: the next meeting
    carries it forward. The item."""
    rhythm.sync.agenda = [s for s in rhythm.sync.agenda if s["source"] != "action_items"]
    rhythm.sync.save(update_fields=["agenda"])
    return held_agreeing(cast, rhythm.sync, FIRST, "Book the offsite room")


@pytest.fixture
def started_sync(cast, rhythm) -> str:
    """The page of the next weekly sync, started (early) from it by the team's lead."""
    occ = queries.next_occurrence(rhythm.sync, timezone.now())
    url = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{occ.key}/"
    login(cast.leader).post(url + "start/", {"early": "1"})
    return url


def check_in_owed(
    cast, rhythm, objective: str = "Happy customers", owns_objective=False, **key_result
):
    """The member owes a check-in on a key result of theirs: the weekly check-in's window
    opens eight days ahead (so its next round is open whatever the day), under an
    objective of Platform (theirs too with `owns_objective`) in a current period. (The key
    result, the next round's check-in page.) `key_result`: its name, start and target
    ("NPS", 20 to 50 unless given)."""
    from accord.alignment import services as alignment

    services.update_cadence(cast.org, None, rhythm.checkin, window_opens_hours=8 * 24)
    rhythm.checkin.refresh_from_db()
    today = timezone.localdate()
    period = alignment.create_period(
        cast.org,
        None,
        name="Now",
        start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=60),
        state="active",
    )
    owner = cast.member if owns_objective else None
    goal = alignment.create_objective(
        cast.org, None, title=objective, period=period, team=cast.platform, owner=owner
    )
    kr = alignment.create_key_result(
        cast.org,
        None,
        goal,
        owner=cast.member,
        **({"name": "NPS", "start": 20, "target": 50} | key_result),
    )
    occ = queries.next_occurrence(rhythm.checkin, timezone.now())
    return kr, f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{occ.key}/checkin/"


def edit_form(cadence, **over) -> dict:
    """What a cadence's edit form posts, as the page fills it in, with `over` changed."""
    data = {
        "name": cadence.name,
        "scope": cadence.scope,
        "team": cadence.team_id,
        "repeat": "custom",
        "rrule": cadence.rrule,
        "time": cadence.time.strftime("%H:%M"),
        "duration_minutes": cadence.duration_minutes,
        "timezone": cadence.timezone,
        "start_date": cadence.start_date.isoformat(),
        "checkin_owed_by": cadence.checkin_owed_by,
        "window_opens_hours": cadence.window_opens_hours,
        "late_after_hours": cadence.late_after_hours,
        "is_active": "on",
        "agenda": "Check-in | none | 5",
        "version": cadence.version,
    }
    return {**data, **over}
