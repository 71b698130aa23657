"""What a review of the demo found, fixed: a finished meeting's minutes say in words which
agenda lines were discussed and what each action item it reviewed is now (closed there:
done, no longer overdue), and say plainly when it agreed no new action item; a meeting
held early counts as held for its occurrence in the cadence's adherence; the check-in
form's error summary takes the keyboard's focus."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from accord.decisions import services as decisions
from accord.rhythm import queries, services
from accord.rhythm.models import Meeting
from tests.conftest import login
from tests.rhythm.conftest import check_in_owed

# --- 1. the minutes keep what happened -------------------------------------------------------


def _line(page: str, ref: str) -> str:
    rid = re.sub(r"[^A-Za-z0-9_-]", "-", ref)
    start = page.rindex("<li", 0, page.index(f'id="item-{rid}"'))
    return page[start : page.index("</li>", start)]


@pytest.fixture
def minutes(cast, rhythm):
    """The next sync, started early by its lead, its agenda listing two overdue action items
    of the lead's: one ticked discussed and closed as done from its line, the other left
    alone; then finished. (The page's address, the two lines' refs.)"""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    closed = decisions.create_action_item(
        cast.org, None, "Share the pipeline review", cast.leader, due_on=yesterday
    )
    left = decisions.create_action_item(
        cast.org, None, "Book the offsite", cast.leader, due_on=yesterday
    )
    occ = queries.next_occurrence(rhythm.sync, timezone.now())
    url = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{occ.key}/"
    client = login(cast.leader)
    client.post(url + "start/", {"early": "1"})
    m = Meeting.objects.get(cadence=rhythm.sync)

    def ref(item) -> str:
        [key] = [
            s["key"]
            for s in m.agenda_snapshot
            if any(i["ref"] == f"action:{item.pk}" for i in s["items"])
        ]
        return f"{key}:action:{item.pk}"

    refs = {"closed": ref(closed), "left": ref(left)}
    # Overdue when the agenda froze.
    assert "overdue" in _line(client.get(url).content.decode(), refs["closed"])
    client.post(url + "done/", {"ref": refs["closed"], "done": "1"})
    client.post(url + "close/", {"ref": refs["closed"], "done": "1"})
    services.finish_meeting(cast.org, cast.leader, m)
    return {"url": url, **refs}


def test_the_minutes_say_which_lines_were_discussed(cast, minutes):
    page = login(cast.leader).get(minutes["url"]).content.decode()
    assert "Minutes" in page
    ticked, other = _line(page, minutes["closed"]), _line(page, minutes["left"])
    # In words, visible and read out, not only a quieter colour.
    assert ">discussed</small>" in ticked and "is-done" in ticked
    assert ">discussed</small>" not in other
    # No control to tick on the minutes: the words stand on their own.
    assert "aria-pressed" not in ticked


def test_the_minutes_show_a_reviewed_action_item_as_it_is_now(cast, minutes):
    page = login(cast.member).get(minutes["url"]).content.decode()
    ticked, other = _line(page, minutes["closed"]), _line(page, minutes["left"])
    assert "action item done" in ticked and "overdue" not in ticked
    assert "dot--bad" not in ticked
    # The one left open is still overdue, as it is.
    assert "overdue" in other and "action item" not in other


def test_the_minutes_say_plainly_no_new_action_item_was_agreed(cast, minutes):
    page = login(cast.leader).get(minutes["url"]).content.decode()
    actions = page[page.index('id="actions-h"') : page.index('id="decisions-h"')]
    assert "No new action items: none was agreed in this meeting." in actions
    assert "None yet." not in actions


def test_a_running_meeting_still_says_none_yet(cast, started_sync):
    page = login(cast.leader).get(started_sync).content.decode()
    actions = page[page.index('id="actions-h"') : page.index('id="decisions-h"')]
    assert "None yet." in actions and "No new action items" not in actions


# --- 2. a meeting held early counts as held ---------------------------------------------------


def test_a_meeting_held_early_counts_as_held_in_adherence(cast, rhythm):
    [before] = queries.adherence(cast.org, [rhythm.sync])
    [last5_before] = queries.adherence(cast.org, [rhythm.sync], last=5)
    occ = queries.next_occurrence(rhythm.sync, timezone.now())
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, occ.original_start)
    services.start_meeting(cast.org, cast.leader, m, early=True)
    m = services.finish_meeting(cast.org, cast.leader, m)
    assert queries.held(m) and occ.start > timezone.now()  # held, before its time
    # Fewer occurrences than asked for (the cadence is young), and as many as asked for.
    [after] = queries.adherence(cast.org, [rhythm.sync])
    [last5] = queries.adherence(cast.org, [rhythm.sync], last=5)
    assert len(after.occurrences) == len(before.occurrences) + 1
    assert len(last5.occurrences) == len(last5_before.occurrences) == 5
    for a in (after, last5):
        newest = a.occurrences[-1]
        assert newest.occurrence.original_start == occ.original_start
        assert newest.occurrence.start == occ.start and newest.held is True
    assert last5.occurrences[:-1] == last5_before.occurrences[1:]
    # The cadence's page counts it, as its schedule lists it finished.
    page = login(cast.leader).get(f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/").content.decode()
    n = len(after.occurrences)
    assert f"Adherence, last {n} occurrences" in page
    trend = page[page.index('aria-label="Trend, oldest left"') :]
    trend = trend[: trend.index("</ol>")]
    assert f"/{occ.key}/" in trend and trend.count("held, minutes") == 1


# --- 3. the check-in form's error summary takes the focus -------------------------------------


def test_the_check_in_error_summary_takes_the_focus(cast, rhythm):
    kr, url = check_in_owed(cast, rhythm)
    answer = login(cast.member).post(url, {f"kr_{kr.pk}": "forty-five", "highlights": "x"})
    assert answer.status_code == 422
    page = answer.content.decode()
    at = page.index('id="checkin-errors"')
    tag = page[page.rindex("<div", 0, at) : page.index(">", at)]
    assert 'tabindex="-1"' in tag and "autofocus" in tag
    assert page.count("autofocus") == 1
