"""A count of a briefing linked to a list of now says how many rows that list holds, read by
the list's own query: the list of late requests counts a blocked one past its date as late
(so the briefing does), the list of requests at risk or blocked leaves the late ones out
(they are counted as late), and what changed since the week's end shows in the list's
number, beside the week's. "Coming up" starts when the briefing is built, and lines of a
department's briefing say whose decision or key result they are."""

from __future__ import annotations

import datetime as dt
import re

from accord.briefings import compose, render, services
from accord.coordination import services as coordination
from accord.decisions import services as decisions
from tests.briefings.world import WEEK, build_story, signed_in

D = dt.date


def _section(content, key):
    return next(s for s in content["sections"] if s["key"] == key)


def _parts(content, key):
    return {p["label"]: p["url"] for p in _section(content, key)["more_parts"]}


def _rows(page: str) -> set[str]:
    """The requests a list of requests shows (each row links to its request)."""
    return set(re.findall(r'href="/o/brief/coordination/d/(\d+)/"', page))


def _listed(label: str) -> int:
    found = re.search(r"the list on [^:]+: (\d+)\)$", label)
    assert found, label
    return int(found.group(1))


def test_each_count_says_what_its_list_shows(db, clock, monkeypatch):
    s = build_story(clock)
    w = s.w
    org, plat, web = w.org, w["Platform"], w["Web"]
    clock.at(D(2026, 1, 14), 10)
    # Blocked and past its date at the week's end: late, as the list of late ones has it.
    stuck = coordination.create_dependency(
        org, None, requester_initiative=web.initiative, provider_team=plat.team,
        title="Metrics export", need_by=D(2026, 1, 15),
    )  # fmt: skip
    coordination.transition(
        org, None, stuck, "accept", committed_date=D(2026, 1, 15),
        provider_initiative=plat.initiative,
    )  # fmt: skip
    coordination.transition(org, None, stuck, "flag_blocked", note="No hardware")
    # Blocked, not late: on the list of those at risk or blocked.
    held = coordination.create_dependency(
        org, None, requester_initiative=web.initiative, provider_team=plat.team,
        title="Audit log", need_by=D(2026, 3, 15),
    )  # fmt: skip
    coordination.transition(
        org, None, held, "accept", committed_date=D(2026, 3, 15),
        provider_initiative=plat.initiative,
    )  # fmt: skip
    coordination.transition(org, None, held, "flag_blocked", note="Waiting on legal")
    # Waiting for Platform's answer at the week's end, answered after it.
    answered_later = coordination.create_dependency(
        org, None, requester_initiative=web.initiative, provider_team=plat.team,
        title="Feature flags", need_by=D(2026, 3, 20),
    )  # fmt: skip
    # Due next week at the week's end, decided since: no longer on the log of those due.
    settled = decisions.create_decision(
        org, None, "Do we rotate the keys?", w.admin, teams=[plat.team], decide_by=D(2026, 1, 23)
    )
    clock.at(D(2026, 1, 20), 10)
    coordination.transition(
        org, None, answered_later, "accept", committed_date=D(2026, 3, 20),
        provider_initiative=plat.initiative,
    )  # fmt: skip
    decisions.decide(org, None, settled, "Yes")
    clock.at(D(2026, 1, 21), 9)
    monkeypatch.setattr(compose, "MAX_ITEMS", 0)  # every line counted, none shown
    c = services.build_for(org, compose.parse_week(WEEK), person=w.admin)
    client = signed_in(w.admin)

    late = [label for label in _parts(c, "blocked") if "late (" in label]
    assert len(late) == 1
    # Login tokens (due 14 Jan) and the blocked Metrics export (due 15 Jan) at the week's end.
    assert late[0].startswith("2 requests late ")
    for key in ("needs_you", "blocked"):
        for label, url in _parts(c, key).items():
            if "the list on" not in label:
                continue
            shown = _rows(client.get(url).content.decode())
            assert len(shown) == _listed(label), (label, url)
    blocked = [label for label in _parts(c, "blocked") if "blocked" in label]
    assert len(blocked) == 1 and "not late" in blocked[0]
    url = _parts(c, "blocked")[blocked[0]]
    assert "late=0" in url and "at_risk=1" in url
    rows = _rows(client.get(url).content.decode())
    assert str(held.pk) in rows and str(stuck.pk) not in rows
    # The week's end had two requests waiting for Platform's answer; one is answered now.
    waiting = next(label for label in _parts(c, "needs_you") if "for an answer" in label)
    assert waiting.startswith("2 requests waiting for an answer ")
    assert _listed(waiting) == 1
    assert "the list on Wed 21 Jan 2026: 1" in waiting
    assert "the list on Wed 21 Jan 2026: 1" in render.text(c)
    # Decisions due: the CDN one (due Wed 21 Jan) and the keys, since decided.
    due = next(label for label in _parts(c, "coming_up") if "decision" in label)
    assert due == "2 decisions due (the list on Wed 21 Jan 2026: 1)"
    page = client.get(_parts(c, "coming_up")[due]).content.decode()
    assert len(re.findall(r'<td class="row-head"><a href="[^"]*">([^<]*)</a>', page)) == 1
    assert "Do we move to the new CDN?" in page and settled.question not in page


def test_coming_up_starts_when_the_briefing_is_built(db, clock):
    """Built on Wednesday of the week after, Monday's meeting and Tuesday's due dates are
    past: not "coming up"; built before Monday, they are."""
    s = build_story(clock)
    w = s.w
    org, plat = w.org, w["Platform"]
    clock.at(D(2026, 1, 14), 10)
    early = decisions.create_action_item(
        org, None, "Book the venue", plat.lead, due_on=D(2026, 1, 20), team=plat.team
    )
    week = compose.parse_week(WEEK)

    def coming(at_day, hour):
        clock.at(at_day, hour)
        c = services.build_for(org, week, person=plat.lead)
        return render.text(c).split("Coming up")[1]

    sunday = coming(D(2026, 1, 18), 20)
    assert "Platform sync: Mon 19 Jan 2026" in sunday
    assert early.title in sunday
    wednesday = coming(D(2026, 1, 21), 9)
    assert "Mon 19 Jan" not in wednesday and "Tue 20 Jan" not in wednesday
    assert early.title not in wednesday
    # Still to come that week: the runbook due Wednesday, Platform's promise due Thursday.
    assert "Write the on-call runbook" in wednesday and "Search API quota" in wednesday


def test_a_long_coming_up_is_counted_in_one_short_line(db, clock, monkeypatch):
    s = build_story(clock)
    w = s.w
    clock.at(D(2026, 1, 18), 20)
    monkeypatch.setattr(compose, "MAX_ITEMS", 0)
    monkeypatch.setattr(compose, "COMING_UP_BY_KIND", 2)
    c = services.build_for(w.org, compose.parse_week(WEEK), person=w.admin)
    section = _section(c, "coming_up")
    assert len(section["more_parts"]) == 1
    text = render.text(c, absolute=False).split("Coming up")[1]
    tail = [line for line in text.splitlines() if line.startswith("- and ")]
    assert len(tail) == 1
    assert re.fullmatch(
        r"- and \d+ more \(\d+ meetings?, \d+ items? due\) — see [^<]+ <[^>]+>", tail[0]
    ), tail[0]
    assert len(tail[0]) < 120


def test_lines_of_several_teams_say_whose(db, clock):
    """Two teams decide the same question in the week: the admin's briefing (every team)
    tells the two lines apart, in text, Markdown and HTML; a lead of one team reads it
    without the team's name."""
    s = build_story(clock)
    w = s.w
    org, plat, web = w.org, w["Platform"], w["Web"]
    clock.at(D(2026, 1, 14), 10)
    question = "Who owns the loyalty programme?"
    for team in (plat, web):
        dec = decisions.create_decision(org, None, question, team.lead, teams=[team.team])
        decisions.decide(org, None, dec, "Us")
    clock.at(D(2026, 1, 21), 9)
    week = compose.parse_week(WEEK)
    c = services.build_for(org, week, person=w.admin)
    for out in (render.text(c), render.markdown(c), render.html(c)):
        assert f"Decided (Platform): “{question}”" in out
        assert f"Decided (Web): “{question}”" in out
    lead = render.text(services.build_for(org, week, person=plat.lead))
    assert f"Decided: “{question}”" in lead
