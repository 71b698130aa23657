"""A count of a briefing ("and 9 more: 3 decisions made; ...") opens a list that shows what
it counted: the week's days on lists with a filter of days, or words beside the count that
say what the list shows instead (every event of the week on them, or the list as it is
now). A briefing reads the teams' addresses once for every reader, and no query twice."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.briefings import compose, services
from accord.decisions import services as decisions
from accord.decisions.models import Decision
from tests.briefings.world import WEEK, build_story, signed_in

D = dt.date


def parts(content, key):
    section = next(s for s in content["sections"] if s["key"] == key)
    return {p["label"]: p["url"] for p in section["more_parts"]}


def part(content, key, starts):
    found = [(label, url) for label, url in parts(content, key).items() if label.startswith(starts)]
    assert len(found) == 1, (starts, parts(content, key))
    return found[0]


def test_decisions_due_opens_the_proposed_ones_too(db, clock, monkeypatch):
    """ "Decisions due" counts the decisions still waiting for their decision, open or
    proposed: its list shows both."""
    s = build_story(clock)
    w = s.w
    waiting = Decision.objects.get(pk=s.ids["waiting"])  # due Wed 21 Jan, next week
    clock.at(D(2026, 1, 16), 10)
    decisions.propose(w.org, None, waiting, "Yes, from February")
    clock.at(D(2026, 1, 19), 6)
    monkeypatch.setattr(compose, "MAX_ITEMS", 0)  # every line counted, none shown
    c = services.build_for(w.org, compose.parse_week(WEEK), person=w.admin)
    label, url = part(c, "coming_up", "1 decision due")
    page = signed_in(w.admin).get(url).content.decode()
    assert waiting.question in page
    assert label == "1 decision due (the list on Mon 19 Jan 2026: 1)"
    # The log's filter reads "Open or proposed", and leaves decided ones out.
    assert '<option value="undecided" selected>Open or proposed</option>' in page
    decided = Decision.objects.get(pk=s.ids["decided"])
    assert decided.question not in page


def logged(page: str) -> list[str]:
    """The questions of the decision log's rows, in its order."""
    return re.findall(r'<td class="row-head"><a href="[^"]*">([^<]*)</a>', page)


def test_decisions_due_opens_the_decisions_due_next_week_and_no_others(db, clock, monkeypatch):
    """ "Decisions due" counts the decisions waiting for their decision whose date is in
    the week after the briefing's: its link lists those, not every open one (one past its
    date, one due the week after, one decided), and as many as it counts."""
    s = build_story(clock)
    w = s.w
    org, plat, web = w.org, w["Platform"], w["Web"]
    clock.at(D(2026, 1, 14), 10)

    def decision(question, team, decide_by, approver=w.admin):
        return decisions.create_decision(
            org, None, question, approver, teams=[team], decide_by=decide_by
        )

    first = decision("Do we freeze on Monday?", web.team, D(2026, 1, 19))
    last = decision("Do we cache at the edge?", plat.team, D(2026, 1, 25), plat.lead)
    decisions.propose(org, None, last, "Yes, for images")
    decision("Do we hire a contractor?", plat.team, D(2026, 1, 16))  # past its date
    decision("Do we split the repo?", plat.team, D(2026, 1, 26))  # the week after
    made = decision("Do we keep the old API?", web.team, D(2026, 1, 22))
    decisions.decide(org, None, made, "Until March")
    clock.at(D(2026, 1, 19), 6)
    monkeypatch.setattr(compose, "MAX_ITEMS", 0)  # every line counted, none shown
    week = compose.parse_week(WEEK)

    c = services.build_for(org, week, person=w.admin)
    label, url = part(c, "coming_up", "3 decisions due")
    assert label == "3 decisions due (the list on Mon 19 Jan 2026: 3)"
    due = "status=undecided&due_since=2026-01-19&due_until=2026-01-25"
    assert url == f"/o/brief/decisions/?{due}"
    page = signed_in(w.admin).get(url).content.decode()
    due_next_week = {first.question, last.question, "Do we move to the new CDN?"}
    assert len(logged(page)) == 3 and set(logged(page)) == due_next_week
    assert "Only the decisions due from Mon 19 Jan 2026 to Sun 25 Jan 2026" in page

    # A lead's: their team's alone, on their team's log.
    c = services.build_for(org, week, person=plat.lead)
    label, url = part(c, "coming_up", "1 decision due")
    assert url == f"/o/brief/decisions/?team=platform&{due}"
    page = signed_in(plat.lead).get(url).content.decode()
    assert logged(page) == [last.question]


def test_a_teams_decisions_about_its_issue_are_counted_as_its_log_lists_them(
    db, clock, monkeypatch
):
    """A decision about an issue Platform holds, recorded without "Teams affected", is
    Platform's decision on its log (`queries.team_decisions`): its lead's briefing counts
    it among the decisions due and those made, as many as the links list."""
    s = build_story(clock)
    w = s.w
    org, plat = w.org, w["Platform"]
    clock.at(D(2026, 1, 14), 10)
    held = decisions.raise_issue(org, None, plat.team, "Builds take an hour")
    about = [("decisions.issue", held.pk, "")]
    due = decisions.create_decision(
        org, None, "Do we buy faster runners?", w.admin, decide_by=D(2026, 1, 22), links=about
    )
    made = decisions.create_decision(org, None, "Do we cache the builds?", w.admin, links=about)
    decisions.decide(org, None, made, "Yes")
    assert not due.teams.exists() and not made.teams.exists()
    clock.at(D(2026, 1, 19), 6)
    monkeypatch.setattr(compose, "MAX_ITEMS", 0)  # every line counted, none shown
    c = services.build_for(org, compose.parse_week(WEEK), person=plat.lead)
    client = signed_in(plat.lead)

    label, url = part(c, "coming_up", "1 decision due")
    assert "team=platform" in url
    assert logged(client.get(url).content.decode()) == [due.question]

    # Made in the week: Platform's queue choice of the story, and this one.
    label, url = part(c, "changed", "2 decisions made")
    assert label == "2 decisions made" and "team=platform" in url
    made_in_week = {made.question, "Which queue do we use?"}
    assert set(logged(client.get(url).content.decode())) == made_in_week


def test_each_count_opens_what_it_counted_or_says_what_its_list_shows(db, clock, monkeypatch):
    s = build_story(clock)
    w, ids = s.w, s.ids
    monkeypatch.setattr(compose, "MAX_ITEMS", 0)
    c = services.build_for(w.org, compose.parse_week(WEEK), person=w.admin)
    client = signed_in(w.admin)
    days = "since=2026-01-12&until=2026-01-18"

    # The issue escalated in the week: on the week's events on issues, not the issues open
    # at the admin's level today (where an issue escalated last month is as good as it).
    label, url = part(c, "changed", "1 issue escalated")
    assert url == f"/o/brief/activity/?type=decisions.issue&{days}"
    assert label == "1 issue escalated (in the week's activity)"
    escalated = "Flaky deploys block releases"
    assert escalated in client.get(url).content.decode()
    # Resolved in the week: the same, not every closed issue there ever was.
    label, url = part(c, "went_well", "1 issue resolved")
    assert url == f"/o/brief/activity/?type=decisions.issue&{days}"

    # The decision made: the log of the week's decisions holds just it.
    label, url = part(c, "changed", "1 decision made")
    assert label == "1 decision made"  # none shown above: the log lists that one
    page = client.get(url).content.decode()
    assert Decision.objects.get(pk=ids["decided"]).question in page
    assert Decision.objects.get(pk=ids["waiting"]).question not in page

    # Every count whose list shows more than it counted says so beside it.
    exact = {"1 decision made"}
    for section in c["sections"]:
        for p in section["more_parts"]:
            if p["url"] and p["label"] not in exact:
                assert p["label"].endswith(")") and " (" in p["label"], p["label"]
    late = "1 request late (the list on Mon 19 Jan 2026: 1)"
    assert part(c, "blocked", "1 request late")[0] == late


def test_the_decision_log_of_the_week_says_it_lists_those_shown_too(db, clock, monkeypatch):
    s = build_story(clock)
    w = s.w
    clock.at(D(2026, 1, 14), 10)
    made = [
        decisions.create_decision(w.org, None, f"Do we adopt tool {n}?", w.admin) for n in (1, 2)
    ]
    for dec in made:
        decisions.decide(w.org, None, dec, "Yes")
    clock.at(D(2026, 1, 19), 6)
    # The escalated issue, the reversal and one of the three decisions made are shown.
    monkeypatch.setattr(compose, "MAX_ITEMS", 3)
    c = services.build_for(w.org, compose.parse_week(WEEK), person=w.admin)
    label, url = part(c, "changed", "2 decisions made")
    assert label == "2 decisions made (the week's log: all 3, including those above)"
    page = signed_in(w.admin).get(url).content.decode()
    week = Decision.objects.filter(pk__in=[s.ids["decided"], *(d.pk for d in made)])
    assert all(d.question in page for d in week)


# A further reader's briefing of a week whose history is loaded (as the worker builds
# them; the admin's here): their meetings (2), the health of the week's two ends (2) and of
# its risers (1), and the objects its lines link to, one query per kind (9). Each team's
# address and the last day health was stored were read again for each line and each day.
MAX_QUERIES = 14


def test_a_briefing_reads_nothing_twice(db, clock):
    s = build_story(clock)
    w = s.w
    week = compose.parse_week(WEEK)
    history = compose.History(w.org)
    compose.build(w.org, week, compose.reader_for_person(w.org, w["Platform"].lead), history)
    for person in (w.admin, w["Web"].lead):
        reader = compose.reader_for_person(w.org, person)
        with CaptureQueriesContext(connection) as captured:
            compose.build(w.org, week, reader, history)
        said = Counter(q["sql"] for q in captured.captured_queries)
        assert [sql for sql, n in said.items() if n > 1] == []
        assert len(captured.captured_queries) <= MAX_QUERIES, list(said)
