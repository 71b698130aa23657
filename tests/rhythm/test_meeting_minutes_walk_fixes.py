"""What a walk through the demo's operating rhythm found, fixed: a meeting's action items and
decisions link to their pages, decisions in a card of their own; a meeting started on
another day than its scheduled one says that day, and its minutes when it was held; finished
minutes say that no headline, decision or note was shared rather than "None yet" or an
empty card; My week links a check-in owed that has not opened yet, as home does."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from accord.rhythm import queries, services
from tests.conftest import at, login
from tests.rhythm.conftest import DUE, utc

FIRST = utc(2026, 11, 9, 9)  # Monday 9 Nov 2026, 09:00 UTC (10:00 in Berlin)
SUNDAY = FIRST - dt.timedelta(hours=19)  # Sun 8 Nov 2026, 14:00 UTC
H = dt.timedelta(hours=1)
DASH = "\u2013"  # an en dash, as pages write a span of time


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))).strip()


def _card(page: str, heading_id: str) -> str:
    start = page.rindex("<section", 0, page.index(f'id="{heading_id}"'))
    return page[start : page.index("</section>", start)]


def _url(rhythm) -> str:
    return f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{queries.occurrence(rhythm.sync, FIRST).key}/"


@pytest.fixture
def started_sunday(cast, rhythm):
    """Monday's sync, started by its lead on the Sunday before (confirmed)."""
    assert cast.member.timezone == "UTC"  # the pages below read in UTC
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, FIRST)
    return services.start_meeting(cast.org, cast.leader, m, now=SUNDAY, early=True)


# --- 1. action items and decisions link to their pages -----------------------------------------


def test_a_meetings_action_items_and_decisions_link_to_their_pages_in_their_own_cards(
    cast, rhythm, started_sunday
):
    m = started_sunday
    item = services.add_action_item(
        cast.org, cast.leader, m, title="Write the staging runbook", owner=cast.member
    )
    decision = services.add_decision(
        cast.org,
        cast.leader,
        m,
        question="Do we freeze deploys over the holidays?",
        approver=cast.leader,
    )
    item_link = f'<a href="/o/acme/decisions/actions/{item.pk}/">Write the staging runbook</a>'
    decision_link = (
        f'<a href="/o/acme/decisions/{decision.pk}/">Do we freeze deploys over the holidays?</a>'
    )
    for finished in (False, True):
        if finished:
            services.finish_meeting(cast.org, cast.leader, m, now=SUNDAY + H)
        page = login(cast.member).get(_url(rhythm)).content.decode()
        actions, decisions = _card(page, "actions-h"), _card(page, "decisions-h")
        assert item_link in actions and "decisions-h" not in actions, finished
        assert decision_link in decisions and "Write the staging runbook" not in decisions
    assert login(cast.member).get(f"/o/acme/decisions/actions/{item.pk}/").status_code == 200
    assert login(cast.member).get(f"/o/acme/decisions/{decision.pk}/").status_code == 200


# --- 2. a start on another day says its day; the minutes when it was held ---------------------


def test_a_meeting_started_the_day_before_says_since_which_day_even_that_day(
    cast, rhythm, started_sunday
):
    with at(SUNDAY + H):  # the same day it started: "since 14:00" would read as Monday
        said = _text(login(cast.member).get(_url(rhythm)).content.decode())
    assert f"Mon 9 Nov 2026, 09:00{DASH}10:30 (UTC)" in said
    assert "In progress since Sun 8 Nov 2026, 14:00" in said


def test_a_meeting_started_on_its_day_says_only_the_time_on_a_later_day(cast, rhythm):
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, FIRST)
    services.start_meeting(cast.org, cast.leader, m, now=FIRST - H)  # 08:00, its day
    with at(FIRST + 20 * H):  # still running the next morning: the header names the day
        said = _text(login(cast.member).get(_url(rhythm)).content.decode())
    assert f"Mon 9 Nov 2026, 09:00{DASH}10:30 (UTC)" in said
    assert "In progress since 08:00" in said


def test_the_minutes_of_a_meeting_held_on_another_day_say_when_it_was_held(
    cast, rhythm, started_sunday
):
    services.finish_meeting(cast.org, cast.leader, started_sunday, now=SUNDAY + 22 * H / 60)
    said = _text(login(cast.member).get(_url(rhythm)).content.decode())
    assert f"Held Sun 8 Nov 2026, 14:00{DASH}14:22 (UTC) · scheduled Mon 9 Nov 2026, 09:00" in said
    assert f"09:00{DASH}10:30" not in said


def test_the_minutes_of_a_meeting_held_on_its_day_say_its_scheduled_time(cast, rhythm):
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, FIRST)
    m = services.start_meeting(cast.org, cast.leader, m, now=FIRST)
    services.finish_meeting(cast.org, cast.leader, m, now=FIRST + H)
    said = _text(login(cast.member).get(_url(rhythm)).content.decode())
    assert f"Mon 9 Nov 2026, 09:00{DASH}10:30 (UTC)" in said and "Held " not in said


# --- 3. finished minutes say what was not shared ----------------------------------------------


def test_finished_minutes_say_nothing_was_shared_instead_of_none_yet_or_an_empty_card(
    cast, rhythm, started_sunday
):
    running = login(cast.member).get(_url(rhythm)).content.decode()
    assert "None yet." in _card(running, "headlines-h")
    assert "None yet." in _card(running, "decisions-h")
    services.save_notes(cast.org, cast.leader, started_sunday, "segue", "Priya's baby was born")
    services.finish_meeting(cast.org, cast.leader, started_sunday, now=SUNDAY + H)
    page = login(cast.member).get(_url(rhythm)).content.decode()
    assert "None yet." not in page
    assert "No headlines: none was shared in this meeting." in _card(page, "headlines-h")
    assert "No decisions: none was recorded in this meeting." in _card(page, "decisions-h")
    # A section of conversation only says no notes were taken, unless some were.
    said = _text(page)
    talk = [s["title"] for s in started_sunday.agenda_snapshot if s["source"] == "none"]
    assert "Check-in: good news" in talk and "Wrap-up and rating" in talk
    assert "Check-in: good news 5 min Priya's baby was born" in said
    assert "Wrap-up and rating 5 min No notes were taken." in said
    assert said.count("No notes were taken.") == len(talk) - 1


# --- 4. My week links a check-in owed before it opens -----------------------------------------


def test_my_week_links_a_check_in_owed_before_it_opens_as_home_does(cast, rhythm):
    occ = queries.occurrence(rhythm.checkin, DUE)
    preview = f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{occ.key}/checkin/"
    client = login(cast.member)
    with at(DUE - 49 * H):  # an hour before its window opens
        home = client.get("/o/acme/").content.decode()
        week = client.get("/o/acme/rhythm/").content.decode()
        assert client.get(preview).status_code == 200
    link = f'<a href="{preview}">Weekly team check-in · Platform</a>'
    assert link in home
    row = week[week.index(link) :]
    assert "Opens Wed 4 Nov 2026, 15:00" in row[: row.index("</li>")]
