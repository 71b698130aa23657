"""A briefing tells its reader their own week: the meetings they take part in come first in
"Coming up", wherever they are held (a department head's Leadership sync is a meeting of
the top team, outside their department), and so do their own action items due next week,
wherever they are filed; their own overdue ones, and how many of their scope's are overdue,
are in "What needs you"."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.briefings import compose, render, services
from accord.decisions import services as decisions
from accord.rhythm import services as rhythm
from tests.briefings.world import WEEK, build_story, signed_in

D = dt.date


def section(content, key):
    return next((s for s in content["sections"] if s["key"] == key), {"items": []})


def lines(content, key):
    return [(i["target_type"], int(i["target_id"])) for i in section(content, key)["items"]]


@pytest.fixture
def week(db, clock):
    """The story, with the admin's Leadership sync on Fridays (the Web lead asked to it), an
    action item the Web lead owes the top team next week and one they owed it by Wednesday
    of the briefing's week, and one of a Web member's, due that Tuesday, still open."""
    s = build_story(clock)
    w = s.w
    web = w["Web"]
    clock.at(D(2026, 1, 6), 11)
    s.ids["leadership"] = rhythm.create_cadence_from_template(
        w.org, None, "weekly-sync", team=w.root, start_date=D(2026, 1, 5), owner=w.admin,
        extra_participants=[web.lead], name="Leadership sync", rrule="FREQ=WEEKLY;BYDAY=FR",
        time=dt.time(15, 0),
    ).pk  # fmt: skip
    s.ids["owed"] = decisions.create_action_item(
        w.org, None, "Send the board the Web numbers", web.lead, due_on=D(2026, 1, 20),
        team=w.root,
    ).pk  # fmt: skip
    s.ids["late"] = decisions.create_action_item(
        w.org, None, "Draft the hiring plan", web.lead, due_on=D(2026, 1, 14), team=w.root
    ).pk
    s.ids["team_late"] = decisions.create_action_item(
        w.org, None, "Fix the search typo", web.members[0], due_on=D(2026, 1, 13), team=web.team
    ).pk
    clock.at(D(2026, 1, 19), 6)
    return s


def test_a_heads_own_meeting_and_action_item_outside_their_scope_come_first(week):
    s, w = week, week.w
    web = w["Web"]
    c = services.build_for(w.org, compose.parse_week(WEEK), person=web.lead)
    assert c["scope"]["team_id"] == web.team.pk  # Web's briefing: the top team is outside it
    coming = lines(c, "coming_up")
    assert coming[:3] == [
        ("decisions.actionitem", s.ids["owed"]),  # Tue 20 Jan
        ("alignment.initiative", s.ids["due_initiative"]),  # theirs, due Fri 23 Jan
        ("rhythm.cadence", s.ids["leadership"]),  # Fri 23 Jan at 15:00
    ]
    text = render.text(c, absolute=False)
    assert "- Your action item “Send the board the Web numbers” is due Tue 20 Jan 2026." in text
    assert "- Leadership sync: Fri 23 Jan 2026 at 15:00." in text
    # What is theirs but late is among what needs them, with how many of Web's are.
    needs = section(c, "needs_you")["items"]
    said = {i["text"]: i["url"] for i in needs}
    assert "Your action item “Draft the hiring plan”, overdue since Thu 15 Jan 2026." in said
    actions = f"/o/brief/decisions/actions/?team={web.team.slug}"
    overdue = "1 action item in Web is past its date; it was due Tue 13 Jan 2026."
    assert said[overdue] == actions
    # That list holds it.
    page = signed_in(web.lead).get(actions).content.decode()
    assert "Fix the search typo" in page


def test_the_meetings_the_reader_takes_part_in_come_before_the_scopes_others(week):
    s, w = week, week.w
    c = services.build_for(w.org, compose.parse_week(WEEK), person=w.admin)
    coming = lines(c, "coming_up")
    # The admin's own (they own the Leadership sync, on Friday; they approve the decision
    # due Wednesday) before Platform's sync on Monday, in which they take no part.
    mine = [("decisions.decision", s.ids["waiting"]), ("rhythm.cadence", s.ids["leadership"])]
    assert coming[:2] == mine
    assert coming.index(("rhythm.cadence", s.ids["meeting"])) > 1
    # The organization's overdue action items (the admin reads about all of it): the top
    # team's and Web's, on the top team's list.
    needs = {i["text"]: i["url"] for i in section(c, "needs_you")["items"]}
    overdue = "2 action items across Brief are past their date; the oldest was due Tue 13 Jan 2026."
    assert needs[overdue] == f"/o/brief/decisions/actions/?team={w.root.slug}"
    # Nobody else's action item is called the reader's.
    assert "Your action item" not in render.text(c, absolute=False)


def test_a_viewer_is_not_told_of_overdue_action_items(week):
    from accord.org.models import Role
    from tests.conftest import make_person

    viewer = make_person(week.w.org, "Vera Board", Role.VIEWER)
    c = services.build_for(week.w.org, compose.parse_week(WEEK), person=viewer)
    assert "past their date" not in render.text(c, absolute=False)
