"""What a meeting takes from the last one: the action items it agreed come first, whatever
their due date; nothing the agenda lists anywhere (however far down a section) is carried
as well, so the agenda prepared is the agenda run; an item is carried once, not for ever;
and a carried dependency says where it stands now in its own section's words."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.org import services as org_services
from accord.rhythm import agenda, services
from tests.conftest import at, login
from tests.rhythm.conftest import FIRST, SECOND, held_agreeing, utc

ASKED = utc(2026, 11, 5, 12)  # before FIRST: what is asked then is new on FIRST's agenda
THIRD = utc(2026, 11, 23, 9)
HOUR = dt.timedelta(hours=1)


def _key(when: dt.datetime) -> str:
    return f"{when:%Y%m%dT%H%M%SZ}"


def _held(cast, cadence, when, *, ticked: tuple[str, ...] = ()):
    """The meeting of `when`, started and finished then, `ticked` ("section:ref") marked
    discussed."""
    with at(when):
        m = services.open_meeting(cast.org, cast.leader, cadence, when)
        m = services.start_meeting(cast.org, cast.leader, m, now=when)
        for ref in ticked:
            services.mark_item_done(cast.org, cast.leader, m, ref, True)
    services.finish_meeting(cast.org, cast.leader, m, now=when + HOUR)
    return m


def _live(cast, cadence, when) -> str:
    """The meeting's live agenda, as its page showed it an hour before it."""
    with at(when - HOUR):
        page = login(cast.leader).get(f"/o/acme/rhythm/cadences/{cadence.pk}/{_key(when)}/")
    assert page.status_code == 200
    return page.content.decode()


def _section(page: str, key: str) -> str:
    found = page.split(f'id="section-{key}"', 1)
    return found[1].split('class="card agenda__section"')[0] if len(found) == 2 else ""


@pytest.fixture
def quarter(cast):
    return alignment.create_period(
        cast.org, None, name="Q4", start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31)
    )


def _recovering(cast, quarter, title: str):
    """An objective at risk now (on the next agenda), for `recover` to put back on track."""
    o = alignment.create_objective(cast.org, None, title=title, period=quarter, team=cast.platform)
    alignment.set_objective_confidence(cast.org, None, o, 3)
    return o


def test_the_last_meetings_action_items_come_first_whatever_their_due_date(
    cast, rhythm, agreed_draft
):
    page = _live(cast, rhythm.sync, SECOND)
    todos = _section(page, "todos")
    assert todos.count('class="agenda-item"') == 1
    assert "Share the board update draft" in todos
    assert "due 25 Nov 2026 · agreed on 9 Nov 2026" in todos
    assert "Share the board update draft" not in _section(page, "carried")
    # The meeting started runs with the same: first under its action items, not carried.
    with at(SECOND):
        nxt = services.open_meeting(cast.org, cast.leader, rhythm.sync, SECOND)
        nxt = services.start_meeting(cast.org, cast.leader, nxt, now=SECOND)
    (todos,) = [s for s in nxt.agenda_snapshot if s["key"] == "todos"]
    assert todos["items"][0]["ref"] == f"action:{agreed_draft.pk}"
    assert nxt.carried_in == []


def test_without_an_action_items_section_they_are_carried_first(cast, rhythm, quarter):
    rhythm.sync.agenda = [s for s in rhythm.sync.agenda if s["source"] != "action_items"]
    rhythm.sync.save(update_fields=["agenda"])
    goal = _recovering(cast, quarter, "Cut build time")
    held_agreeing(cast, rhythm.sync, FIRST, "Draft the plan")
    alignment.set_objective_confidence(cast.org, None, goal, 9)  # off the next agenda

    with at(SECOND):
        nxt = services.open_meeting(cast.org, cast.leader, rhythm.sync, SECOND)
        nxt = services.start_meeting(cast.org, cast.leader, nxt, now=SECOND)
    assert [i["title"] for i in nxt.carried_in] == ["Draft the plan", "Cut build time"]
    assert nxt.carried_in[0]["detail"] == "Mia Member · no due date · agreed on 9 Nov 2026"


def test_nothing_a_section_lists_is_carried_too_however_far_down(cast, rhythm):
    """Twelve late requests: the meeting of 9 Nov froze them all; on 16 Nov its section
    shows the first ten and has two more. None is carried forward as well: the live
    agenda and the one the meeting starts with carry the same (nothing)."""
    with at(ASKED):
        data = org_services.create_team(cast.org, None, name="Data", slug="data", parent=cast.root)
        mine = alignment.create_initiative(
            cast.org, None, team=cast.platform, title="Checkout", start_date=dt.date(2026, 10, 1)
        )
        for n in range(12):
            coordination.create_dependency(
                cast.org,
                None,
                requester_initiative=mine,
                provider_team=data,
                title=f"Late export {n:02d}",
                need_by=dt.date(2026, 11, 7) + dt.timedelta(days=n % 2),
            )
    first = _held(cast, rhythm.sync, FIRST)
    (deps,) = [s for s in first.agenda_snapshot if s["key"] == "dependencies"]
    assert len(deps["items"]) == 12

    page = _live(cast, rhythm.sync, SECOND)
    listed = _section(page, "dependencies")
    assert "first 10 of 12 items" in listed
    assert "Late export" not in _section(page, "carried")
    with at(SECOND):
        nxt = services.open_meeting(cast.org, cast.leader, rhythm.sync, SECOND)
        nxt = services.start_meeting(cast.org, cast.leader, nxt, now=SECOND)
    assert nxt.carried_in == []


def test_an_item_is_carried_once_and_the_page_says_so(cast, rhythm, quarter):
    goal = _recovering(cast, quarter, "Cut build time")
    _held(cast, rhythm.sync, FIRST)
    alignment.set_objective_confidence(cast.org, None, goal, 9)  # off the next agenda

    page = _live(cast, rhythm.sync, SECOND)
    carried = _section(page, "carried")
    assert "Cut build time" in carried
    second = _held(cast, rhythm.sync, SECOND)  # nobody ticked it "Discussed"
    assert [i["title"] for i in second.carried_in] == ["Cut build time"]

    # Not carried a second time: nothing says it needs the meeting any more.
    assert "Cut build time" not in _live(cast, rhythm.sync, THIRD)
    with at(THIRD):
        third = services.open_meeting(cast.org, cast.leader, rhythm.sync, THIRD)
        third = services.start_meeting(cast.org, cast.leader, third, now=THIRD)
    assert third.carried_in == []
    assert agenda.CARRIED_RULE in carried  # the page says what it holds, and for how long


def test_a_carried_dependency_says_now_what_its_section_would(cast, rhythm):
    """A request Platform owes, flagged blocked on 9 Nov (its "Blockers" listed it); the
    flag cleared since, it is off that section but committed after it is needed: carried,
    its line now says so, with its priority, as a dependency's line on an agenda does."""
    rhythm.sync.agenda = [
        {"key": "blockers", "title": "Blockers", "source": "blockers", "minutes": 5},
        {"key": "carried", "title": "Carried forward", "source": "carried", "minutes": 0},
    ]
    rhythm.sync.save(update_fields=["agenda"])
    with at(ASKED):
        data = org_services.create_team(cast.org, None, name="Data", slug="data", parent=cast.root)
        theirs = alignment.create_initiative(
            cast.org, None, team=data, title="Pipeline", start_date=dt.date(2026, 10, 1)
        )
        mine = alignment.create_initiative(
            cast.org, None, team=cast.platform, title="Ledger", start_date=dt.date(2026, 10, 1)
        )
        dep = coordination.create_dependency(
            cast.org,
            None,
            requester_initiative=theirs,
            provider_team=cast.platform,
            title="Ledger endpoints",
            need_by=dt.date(2026, 12, 20),
            priority="high",
        )
        coordination.transition(
            cast.org,
            None,
            dep,
            "accept",
            provider_initiative=mine,
            committed_date=dt.date(2027, 1, 16),
        )
        coordination.transition(cast.org, None, dep, "flag_blocked", note="Waiting on a vendor")
    first = _held(cast, rhythm.sync, FIRST)
    (blockers,) = [s for s in first.agenda_snapshot if s["key"] == "blockers"]
    assert [i["title"] for i in blockers["items"]] == ["Ledger endpoints"]
    coordination.transition(cast.org, None, dep, "clear_flag", note="Vendor answered")

    page = _live(cast, rhythm.sync, SECOND)
    now = "accepted · high priority · committed for 16 Jan 2027, after it is needed"
    assert f"→ now: {now}" in _section(page, "carried")
    with at(SECOND):
        nxt = services.open_meeting(cast.org, cast.leader, rhythm.sync, SECOND)
        nxt = services.start_meeting(cast.org, cast.leader, nxt, now=SECOND)
    (carried,) = nxt.carried_in
    assert carried["current"] == now
