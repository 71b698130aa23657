"""Each section of a briefing picks exactly the right items of its week and scope."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity.delivery import site_link
from accord.briefings import compose, render, services
from accord.core.text import sentence
from accord.intelligence import queries as intel
from accord.intelligence.models import Evaluation, HealthScore
from accord.org import services as org_services
from tests.briefings.world import WEEK, build_story
from tests.intelligence.world import build_org


@pytest.fixture(autouse=True)
def every_line(monkeypatch):
    """Show every line of a section, so a test sees all that a section picked."""
    monkeypatch.setattr(compose, "MAX_ITEMS", 100)
    monkeypatch.setattr(compose, "TOP_SIGNALS", 100)


def items(content, key):
    for s in content["sections"]:
        if s["key"] == key:
            return {(i["target_type"], int(i["target_id"])) for i in s["items"]}
    return set()


def blocked_beside(s, *late) -> set:
    """What "Blocked between teams" holds beside the `late` requests: the story's circle of
    requests (its signal) and the requests at risk (flagged so, or predicted late)."""
    from accord.intelligence.models import Signal

    cycle = Signal.objects.get(org=s.w.org, kind="dependencies.cycle")
    return {
        *(("coordination.dependency", s.ids[name]) for name in late),
        ("coordination.dependency", s.ids["due_dependency"]),
        ("coordination.dependency", s.ids["accepted"]),
        ("intelligence.signal", cycle.pk),
    }


def test_the_admins_briefing_picks_every_change_of_the_week_and_nothing_after(db, clock):
    s = build_story(clock)
    w, ids = s.w, s.ids
    plat, web = w["Platform"], w["Web"]
    c = services.build_for(w.org, compose.parse_week(WEEK), person=w.admin)

    assert items(c, "changed") == {
        # Platform's key result moved closer to its target: under "What went well" only.
        ("alignment.keyresult", web.kr.pk),
        ("alignment.objective", plat.objective.pk),
        ("alignment.initiative", ids["started"]),
        ("alignment.initiative", plat.initiative.pk),  # finished
        ("alignment.initiative", web.initiative.pk),  # slipped past its baseline
        ("coordination.dependency", ids["accepted"]),
        ("coordination.dependency", ids["asked"]),
        ("coordination.dependency", ids["declined"]),
        ("coordination.dependency", ids["delivered"]),
        ("coordination.dependency", ids["delivered_late"]),
        ("decisions.decision", ids["decided"]),
        ("decisions.decision", ids["reversed"]),
        ("decisions.issue", ids["escalated"]),  # escalated to the root, the admin's level
    }
    assert items(c, "needs_you") == {
        ("decisions.decision", ids["waiting"]),
        ("decisions.issue", ids["escalated"]),
        # Asked of Platform, below the root the admin leads: as their home counts it.
        ("coordination.dependency", ids["asked"]),
    }
    assert items(c, "blocked") == blocked_beside(s, "late")
    assert items(c, "went_well") == {
        ("alignment.keyresult", plat.kr.pk),
        ("decisions.issue", ids["solved"]),
        ("coordination.dependency", ids["delivered"]),  # before its committed date, unlike
        # the one delivered after its date
        ("org.team", w.root.pk),  # the top team's health rose 8, at least HEALTH_RISE
    }
    assert items(c, "coming_up") == {
        ("rhythm.cadence", ids["meeting"]),
        ("alignment.initiative", ids["due_initiative"]),
        ("coordination.dependency", ids["due_dependency"]),
        ("decisions.decision", ids["waiting"]),
        ("decisions.actionitem", ids["due_action"]),
    }
    assert c["headline"]["health"] == 68 and c["headline"]["previous"] == 60
    assert c["headline"]["text"].startswith("Coordination health 68 (up 8 from 60); ")
    texts = render.text(c, absolute=False)
    assert "Web declined “Single sign-on button” for Platform." in texts
    assert "Web delivered “Login page copy” to Platform on time." in texts
    assert "Web delivered “Password reset mail” for Platform." in texts
    assert "“Password reset mail” to Platform on time" not in texts
    assert "Reversed (Web): “Do we drop the old browser?” <" in texts
    assert "Brief's coordination health rose from 60 to 68." in texts
    assert "Platform sync: Mon 19 Jan 2026 at 10:00." in texts
    assert f"\nComing up (times in {w.admin.timezone})\n" in texts  # whose 10:00
    assert "Initiative “Search beta” (Web) is due" in texts
    assert "Platform owes Web “Search API quota” by" in texts
    assert "Action “Write the on-call runbook” (Platform Lead) is due" in texts
    assert "30 points closer to its target" in texts
    assert "20 points further from its target" in texts
    assert "Do we rename the product?" not in texts  # opened the week after
    assert "to 90" not in texts  # the key result's value of the week after


def test_the_headlines_movement_agrees_with_the_figures_it_shows(db, clock):
    s = build_story(clock)
    w = s.w
    for day, value in ((dt.date(2026, 1, 11), 60.6), (dt.date(2026, 1, 18), 68.4)):
        HealthScore.objects.filter(org=w.org, team=w.root, date=day).update(rollup_overall=value)
    c = services.build_for(w.org, compose.parse_week(WEEK), person=w.admin)
    # 68 and 61 as shown, so up 7 (not the 7.8 between the unrounded figures, shown as 8).
    assert c["headline"]["text"].startswith("Coordination health 68 (up 7 from 61); ")


def test_a_team_leads_briefing_covers_their_team_and_what_waits_on_it(db, clock):
    s = build_story(clock)
    w, ids = s.w, s.ids
    plat, web = w["Platform"], w["Web"]
    c = services.build_for(w.org, compose.parse_week(WEEK), person=plat.lead)

    assert c["scope"]["team_id"] == plat.team.pk
    changed = items(c, "changed")
    assert ("alignment.keyresult", plat.kr.pk) in items(c, "went_well")  # closer to target
    assert ("alignment.keyresult", plat.kr.pk) not in changed  # said once
    assert ("alignment.keyresult", web.kr.pk) not in changed | items(c, "went_well")
    assert ("alignment.initiative", ids["started"]) not in changed  # Web's initiative
    assert ("decisions.issue", ids["escalated"]) not in changed  # reached the root, not Platform
    assert ("coordination.dependency", ids["asked"]) in changed  # Platform is asked
    assert items(c, "needs_you") == {("coordination.dependency", ids["asked"])}
    assert items(c, "blocked") == blocked_beside(s, "late")
    # Platform's own health rose 12 (Web's, flat, is not in its scope).
    assert ("org.team", plat.team.pk) in items(c, "went_well")
    assert ("org.team", web.team.pk) not in items(c, "went_well")
    assert c["headline"]["text"].startswith("Coordination health 62 (up 12 from 50); ")
    coming = items(c, "coming_up")
    assert ("rhythm.cadence", ids["meeting"]) in coming
    assert ("decisions.actionitem", ids["due_action"]) in coming
    assert ("coordination.dependency", ids["due_dependency"]) in coming  # Platform owes it
    assert ("alignment.initiative", ids["due_initiative"]) not in coming  # Web's


def test_a_viewer_in_no_team_reads_the_organization_but_nothing_is_for_them(db, clock):
    """A board observer (a viewer in no team, leading nothing) was told an issue escalated
    to the top was "for you", though a viewer can act on no issue."""
    from accord.org.models import Role
    from tests.conftest import make_person

    s = build_story(clock)
    w, ids = s.w, s.ids
    viewer = make_person(w.org, "Vera Board", Role.VIEWER)
    c = services.build_for(w.org, compose.parse_week(WEEK), person=viewer)
    assert c["scope"]["team_id"] is None  # the organization's picture, as an admin's
    assert ("decisions.issue", ids["escalated"]) in items(c, "changed")
    assert ("alignment.initiative", ids["started"]) in items(c, "changed")
    assert "needs_you" not in {sec["key"] for sec in c["sections"]}
    text = render.text(c, absolute=False)
    assert "for you" not in text and "What needs you" not in text
    # A member in no team is still the one the top team's issues wait on.
    member = make_person(w.org, "Max Member", Role.MEMBER)
    c = services.build_for(w.org, compose.parse_week(WEEK), person=member)
    assert items(c, "needs_you") == {("decisions.issue", ids["escalated"])}


def test_the_top_signals_are_those_that_held_at_the_weeks_end_in_scope(db, clock):
    s = build_story(clock)
    w = s.w
    week = compose.parse_week(WEEK)
    c = services.build_for(w.org, week, person=w.admin)
    held = [
        x
        for x in intel.signals_as_of(w.org, week.as_of, state="live")
        if x.severity in ("critical", "warning")
    ]
    assert held and items(c, "at_risk") == {("intelligence.signal", x.pk) for x in held}
    # In Insights' order: severity, then the reach the week's end stored, widest first.
    section = next(x for x in c["sections"] if x["key"] == "at_risk")
    shown = [int(i["target_id"]) for i in section["items"]]
    sev = {"critical": 0, "warning": 1}
    ranked = sorted(
        held,
        key=lambda x: (
            sev[x.severity], -x.numbers.get("reach_people", 0),
            -x.numbers.get("reach_teams", 0), x.first_seen, x.pk,
        ),
    )  # fmt: skip
    assert shown == [x.pk for x in ranked]
    assert len({(x.severity, x.numbers.get("reach_people")) for x in held}) > 1  # it tells
    assert c["headline"]["critical"] == sum(x.severity == "critical" for x in held)
    assert c["headline"]["warning"] == sum(x.severity == "warning" for x in held)


def test_the_signals_as_the_week_ended_are_one_count_in_every_zone_team_and_trend(db, clock):
    """A reader in Berlin, whose week ends at 23:00 UTC, reads the signals of the
    evaluation stored at 23:00 UTC that Sunday, as the team's briefing (UTC) and Insights'
    trend do, not the week before's; and the top signals agree with what needs them."""
    from accord.intelligence import pages

    s = build_story(clock)
    w = s.w
    org_services.update_person(w.org, None, w.admin, timezone="Europe/Berlin")
    w.admin.refresh_from_db()
    berlin = services.build_for(w.org, compose.parse_week(WEEK, "Europe/Berlin"), person=w.admin)
    team = services.build_for(w.org, compose.parse_week(WEEK), team=w.root)
    point = next(
        p for p in pages.trend(w.org, pages.scope_of(w.org, w.root.pk)) if p["week"] == WEEK
    )
    counts = {k: berlin["headline"][k] for k in ("critical", "warning")}
    assert counts == {k: team["headline"][k] for k in counts} == {k: point[k] for k in counts}
    assert items(berlin, "at_risk") == items(team, "at_risk")
    # It tells: the week before's evaluation (what Berlin's week end read) counted others.
    before = intel.signals_as_of(w.org, dt.date(2026, 1, 11), state="live")
    assert counts != {k: sum(x.severity == k for x in before) for k in counts}


def test_a_week_before_any_signals_were_recorded_does_not_claim_there_were_none(db, clock):
    """A week whose end came before the organization's first stored evaluation (an
    organization new to Accord, health backfilled) has no signals to count: it says so
    rather than '0 critical and 0 warning signals open'."""
    s = build_story(clock)
    w = s.w
    first = Evaluation.objects.filter(org=w.org, backfill=False).order_by("as_of")[0]
    earlier = compose.parse_week("2026-W01")
    assert earlier.as_of < first.as_of
    c = services.build_for(w.org, earlier, person=w.admin)
    recorded = f"signals were recorded from {compose.day(first.as_of)} on, after this week"
    assert recorded in c["headline"]["text"]
    assert c["headline"]["critical"] is None and c["headline"]["warning"] is None
    assert items(c, "at_risk") == set()
    # The week of the story, with evaluations before its end, counts them as ever.
    c = services.build_for(w.org, compose.parse_week(WEEK), person=w.admin)
    assert "signals open" in c["headline"]["text"] and c["headline"]["critical"] is not None


def test_every_line_links_to_the_object_behind_it_and_a_long_section_counts_the_rest(
    db, clock, monkeypatch
):
    s = build_story(clock)
    w, ids = s.w, s.ids
    monkeypatch.setattr(compose, "MAX_ITEMS", 4)
    c = services.build_for(w.org, compose.parse_week(WEEK), person=w.admin)
    lines = [i for sec in c["sections"] for i in sec["items"]]
    assert lines and all(i["url"] and i["url"].startswith("/o/brief/") for i in lines)
    changed = next(sec for sec in c["sections"] if sec["key"] == "changed")
    assert len(changed["items"]) == 4 and changed["more"] == 9
    # The weightiest line of each kind first: the issue escalated to the admin's level, the
    # decision reversed, the one made, the key result further from its target.
    assert [(i["target_type"], int(i["target_id"])) for i in changed["items"]] == [
        ("decisions.issue", ids["escalated"]),
        ("decisions.decision", ids["reversed"]),
        ("decisions.decision", ids["decided"]),
        ("alignment.keyresult", w["Web"].kr.pk),
    ]
    # The rest is counted by kind, each linked to where that kind's changes of the week's
    # days are listed (the admin's scope: every team); an e-mail's links are absolute.
    days = "since=2026-01-12&until=2026-01-18"
    initiatives = f"/o/brief/activity/?type=alignment.initiative&{days}"
    objectives = f"/o/brief/activity/?type=alignment.objective&{days}"
    requests = f"/o/brief/activity/?type=coordination.dependency&{days}"
    # Each count says that the activity holds every event of the week on them, not those
    # counted alone.
    among = " (in the week's activity)"
    assert [(p["count"], p["label"], p["url"]) for p in changed["more_parts"]] == [
        (3, f"3 initiatives slipped, started or finished{among}", initiatives),  # slipped first
        (1, f"1 change of confidence{among}", objectives),
        (5, f"5 changes to requests between teams{among}", requests),
    ]
    said = f"3 initiatives slipped, started or finished{among}"
    assert f"- and 9 more: {said} <{site_link(initiatives)}>; 1 change of" in render.text(c)
    assert site_link(initiatives).startswith("http")
    markdown = render.markdown(c, absolute=False)
    confidence = f"1 change of confidence{among}"
    assert f"- and 9 more: [{said}]({initiatives}); [{confidence}]({objectives});" in markdown
    page = render.html(c, absolute=False)
    escaped = said.replace("'", "&#x27;")
    assert f'and 9 more: <a href="{initiatives.replace("&", "&amp;")}">{escaped}</a>; ' in page
    assert "today's Insights" not in render.text(c) + page


def test_each_sections_rest_links_where_it_is_listed(db, clock, monkeypatch):
    """A lead's changes: those of the week's days in their team's subtree, by kind; the
    signals: Insights' list of their scope, which is of now (the words say so); next week's
    rest: the team's lists of what falls due."""
    s = build_story(clock)
    w = s.w
    plat = w["Platform"]
    monkeypatch.setattr(compose, "MAX_ITEMS", 1)
    monkeypatch.setattr(compose, "TOP_SIGNALS", 0)
    c = services.build_for(w.org, compose.parse_week(WEEK), person=plat.lead)
    more = {sec["key"]: sec for sec in c["sections"]}
    assert {"changed", "at_risk", "coming_up"} <= {k for k, v in more.items() if v["more"]}
    slug = plat.team.slug
    days = f"since=2026-01-12&until=2026-01-18&team={slug}"
    assert [p["url"] for p in more["changed"]["more_parts"]] == [
        f"/o/brief/activity/?type=alignment.objective&{days}",
        f"/o/brief/activity/?type=coordination.dependency&{days}",
        f"/o/brief/activity/?type=alignment.initiative&{days}",
    ]
    insights = f"/o/brief/insights/?scope={plat.team.pk}#signals"
    assert more["at_risk"]["more_url"] == insights
    # N is of the week's end; the link is to the signals open now: the words say both.
    label = "critical or warning at the week's end; the signals open now are on Insights"
    assert more["at_risk"]["more_label"] == label and more["at_risk"]["more_parts"] == []
    text = render.text(c, absolute=False)
    at_risk = more["at_risk"]["more"]
    assert f"- and {at_risk} more: {label} <{insights}>" in text
    # A briefing stored with the words of before is shown with today's.
    more["at_risk"]["more_label"] = "the signals open now, on Insights"
    assert f"- and {at_risk} more: {label} <{insights}>" in render.text(c, absolute=False)
    # Next week: the lead's own meeting shown; their own action item and what Platform owes
    # counted, each on the team's list.
    actions = f"/o/brief/decisions/actions/?team={slug}"
    owed = f"/o/brief/coordination/list/?team={slug}&active=1"
    # The lists are of now: the words say what they show beside the count of next week's.
    due = "1 action item due (listed: all open now)"
    owes = "1 request due (listed: all active now)"
    assert more["coming_up"]["more_parts"] == [
        {"count": 1, "label": due, "url": actions},
        {"count": 1, "label": owes, "url": owed},
    ]
    coming = text.split("Coming up")[1]
    assert f"- and 2 more: {due} <{actions}>; {owes} <{owed}>\n" in coming
    assert "today's Insights" not in text


def test_a_briefing_stored_before_sections_named_their_rest_still_links_to_insights():
    import html

    from django.template.loader import render_to_string

    section = {"key": "changed", "title": "What changed", "items": [], "more": 3}
    old = {"title": "T", "headline": {"text": "H."}, "quiet": False}
    old["sections"] = [{**section, "more_url": "/o/x/insights/"}]
    assert "- and 3 more: today's Insights </o/x/insights/>" in render.text(old, absolute=False)
    assert ">today's Insights</a>" in html.unescape(render.html(old, absolute=False))
    # The pages include the stored content as it is.
    page = html.unescape(render_to_string("briefings/_body.html", {"b": old}))
    assert 'and 3 more: <a href="/o/x/insights/">today\'s Insights</a>' in page


def test_a_briefing_stored_when_its_changes_link_said_the_activity_says_what_it_lists():
    """Stored briefings said "and 1 more: the activity of 23\u201329 Nov 2026", linking to 50
    events of the week; they are read with the words of today's."""
    section = {"key": "changed", "title": "What changed", "items": [], "more": 1}
    old = {"title": "T", "headline": {"text": "H."}, "quiet": False}
    old["scope"] = {"team_id": 3, "name": "Platform", "url": "/o/x/teams/platform/"}
    url = "/o/x/activity/?since=2026-11-23&until=2026-11-29&team=platform"
    old["sections"] = [
        {**section, "more_url": url, "more_label": "the activity of 23\u201329 Nov 2026"}
    ]
    said = (
        "among every event of 23\u201329 Nov 2026 in Platform and the teams below it, "
        "in the activity"
    )
    assert f"- and 1 more: {said} <{url}>" in render.text(old, absolute=False)
    assert said in render.html(old, absolute=False)


def test_what_needs_you_is_in_the_order_of_its_dates_overdue_first(db, clock):
    """The most overdue first, then the soonest due; what has no date after them."""
    from accord.decisions import services as decisions

    s = build_story(clock)
    w = s.w
    clock.at(dt.date(2026, 1, 6), 11)
    late = decisions.create_decision(
        w.org, None, "Do we rotate keys?", w.admin, teams=[w.root], decide_by=dt.date(2026, 1, 9)
    )
    clock.at(dt.date(2026, 1, 14), 11)
    later = decisions.create_decision(
        w.org, None, "Do we hire?", w.admin, teams=[w.root], decide_by=dt.date(2026, 2, 27)
    )
    undated = decisions.create_decision(w.org, None, "Do we rename?", w.admin, teams=[w.root])
    soon = decisions.create_decision(
        w.org, None, "Do we ship?", w.admin, teams=[w.root], decide_by=dt.date(2026, 1, 19)
    )
    clock.at(dt.date(2026, 1, 19), 6)
    c = services.build_for(w.org, compose.parse_week(WEEK), person=w.admin)
    section = next(sec for sec in c["sections"] if sec["key"] == "needs_you")
    shown = [(i["target_type"], int(i["target_id"])) for i in section["items"]]
    dec = "decisions.decision"
    assert shown == [
        (dec, late.pk),  # overdue since 10 Jan
        (dec, soon.pk),  # due 19 Jan
        (dec, s.ids["waiting"]),  # due 21 Jan
        (dec, later.pk),  # due 27 Feb
        ("coordination.dependency", s.ids["asked"]),  # needed by 1 Mar, asked of Platform
        (dec, undated.pk),
        ("decisions.issue", s.ids["escalated"]),
    ]


def test_a_quiet_week_says_so_in_one_line_instead_of_empty_headings(db, clock):
    clock.at(dt.date(2026, 1, 5), 9)
    w = build_org("calm", {"Platform": 2}, checkins=False)
    clock.at(dt.date(2026, 2, 4), 9)
    c = services.build_for(w.org, compose.parse_week("2026-W05"), person=w.admin)
    assert c["quiet"] is True and c["sections"] == []
    text = render.text(c, absolute=False)
    assert "A quiet week for Calm" in text
    for _key, title in compose.SECTIONS:
        assert title not in text
    assert "<h2>" not in render.html(c)


def test_the_week_is_the_readers_own(db, clock):
    s = build_story(clock)
    org_services.update_person(s.w.org, None, s.w.admin, timezone="Pacific/Auckland")
    s.w.admin.refresh_from_db()
    c = services.build_for(s.w.org, compose.parse_week(WEEK, "Pacific/Auckland"), person=s.w.admin)
    assert c["timezone"] == "Pacific/Auckland"
    assert compose.parse_week(WEEK, "Pacific/Auckland").start.utcoffset() == dt.timedelta(hours=13)


@pytest.mark.parametrize("bad", ["2026-48", "2026-W54", "W48", "", "2026-W00"])
def test_a_week_that_is_not_an_iso_week_is_a_clear_error(bad):
    from accord.core.errors import ServiceError

    with pytest.raises(ServiceError, match="ISO week"):
        compose.parse_week(bad)


def test_a_decision_waiting_on_you_says_when_it_is_overdue_and_a_question_ends_once(db, clock):
    s = build_story(clock)
    w = s.w
    clock.at(dt.date(2026, 1, 27), 9)
    this_week = render.text(
        services.build_for(w.org, compose.parse_week(WEEK), person=w.admin), absolute=False
    )
    assert "Decision waiting on you (Web): “Do we move to the new CDN?”, due Wed 21 Jan 2026." in (
        this_week
    )
    next_week = render.text(
        services.build_for(w.org, compose.parse_week("2026-W04"), person=w.admin),
        absolute=False,
    )
    assert (
        # The day after its deadline, as its page, Insights and agendas say.
        "Decision waiting on you (Web): “Do we move to the new CDN?”, "
        "overdue since Thu 22 Jan 2026." in next_week
    )
    assert "?”." not in this_week + next_week


def test_moves_and_lateness_are_counted_as_a_sentence_says_them():
    assert compose._points(0.01) == "1 point" and compose._points(-0.18) == "18 points"
    assert compose._points(0.004) == "less than 1 point"
    assert sentence("Decided: “Do we ship?”") == "Decided: “Do we ship?”"
    assert sentence("Decided: “Ship it”") == "Decided: “Ship it”."


def test_a_request_its_provider_said_was_delivered_is_not_blocked_that_week(db, clock):
    """Said delivered before the week ended (coordination's `mark_delivered`): it waits on
    the asker's confirmation, and is neither late nor listed as what blocks them."""
    from accord.coordination.models import Dependency

    s = build_story(clock)
    week = compose.parse_week(WEEK)
    said = week.last_day - dt.timedelta(days=1)
    Dependency.objects.filter(pk=s.ids["late"]).update(marked_delivered_on=said)
    c = services.build_for(s.w.org, week, person=s.w.admin)
    assert items(c, "blocked") == blocked_beside(s)


def test_a_key_result_is_said_once_closer_ones_under_what_went_well(db, clock):
    s = build_story(clock)
    w = s.w
    c = services.build_for(w.org, compose.parse_week(WEEK), person=w.admin)
    closer = ("alignment.keyresult", w["Platform"].kr.pk)
    further = ("alignment.keyresult", w["Web"].kr.pk)
    assert closer in items(c, "went_well") and closer not in items(c, "changed")
    assert further in items(c, "changed") and further not in items(c, "went_well")
    for fmt in render.FORMATS:
        out = render.render(c, fmt, absolute=False)
        assert out.count("Key result “Platform metric” (Platform) moved") == 1, fmt
        assert out.count("Key result “Web metric” (Web) moved") == 1, fmt
    # The sections keep their order.
    keys = [sec["key"] for sec in c["sections"]]
    assert keys == [k for k, _ in compose.SECTIONS if k in keys]


def test_an_empty_section_a_lead_relies_on_says_so_in_every_format(db, clock):
    s = build_story(clock)
    w = s.w
    c = services.build_for(w.org, compose.parse_week(WEEK), person=w["Web"].lead)
    said = "Nothing waits on you: no decision, issue or request waiting."
    needs = next(sec for sec in c["sections"] if sec["key"] == "needs_you")
    assert needs["items"] == [] and needs["empty"] == said and needs["more"] == 0
    assert f"\nWhat needs you\n{said}\n" in render.text(c, absolute=False)
    assert f"\n## What needs you\n\n{said}\n" in render.markdown(c, absolute=False)
    page = render.html(c, absolute=False)
    assert f'<h2>What needs you</h2>\n    <p class="briefing-empty">{said}</p>' in page
    assert f"What needs you: {said.rstrip('.')}" in render.summary(c)
    # A team's own briefing speaks of the team.
    team = services.build_for(w.org, compose.parse_week(WEEK), team=w["Web"].team)
    needs = next(sec for sec in team["sections"] if sec["key"] == "needs_you")
    assert needs["title"] == "What needs the team" and needs["empty"].startswith(
        "Nothing waits on the team:"
    )
    # The sections nobody relies on being told empty are still left out.
    relied = {"at_risk", "needs_you", "blocked"}
    assert all(sec["items"] for sec in c["sections"] if sec["key"] not in relied)


def test_nothing_blocked_and_at_risk_not_covered_read_apart(db, clock):
    s = build_story(clock)
    w = s.w
    content = services.build_for(w.org, compose.parse_week(WEEK), person=w.admin)
    sections = [sec for sec in content["sections"] if sec["key"] != "blocked"]
    stripped = {**content, "sections": sections}
    # Built again from items as compose leaves them: a blocked section with nothing in it.
    out = compose._Sections()
    for sec in sections:
        out.items[sec["key"]] = list(sec["items"])
    week = compose.parse_week(WEEK)
    reader = compose.reader_for_person(w.org, w.admin)
    history = compose.History(w.org)
    snap = history.snap(week.as_of)
    rebuilt = compose._finish(w.org, week, reader, snap, history, content["headline"], out)
    blocked = next(sec for sec in rebuilt["sections"] if sec["key"] == "blocked")
    said = "Nothing blocked: no request between teams is blocked or late."
    assert blocked["items"] == [] and blocked["empty"] == said
    assert f"\nBlocked between teams\n{said}\n" in render.text(rebuilt, absolute=False)
    assert said not in render.text(stripped, absolute=False)
    # Before any signal was recorded, an empty "at risk" says it is not covered.
    unrecorded = {**content["headline"], "critical": None, "warning": None}
    out.items["at_risk"] = []
    rebuilt = compose._finish(w.org, week, reader, snap, history, unrecorded, out)
    at_risk = next(sec for sec in rebuilt["sections"] if sec["key"] == "at_risk")
    assert at_risk["empty"].startswith("Not covered: no signals were recorded")
    rebuilt = compose._finish(w.org, week, reader, snap, history, content["headline"], out)
    at_risk = next(sec for sec in rebuilt["sections"] if sec["key"] == "at_risk")
    assert at_risk["empty"].startswith("Nothing at risk:")


def test_a_briefing_stored_before_sections_said_they_were_empty_renders_as_it_was():
    old = {
        "title": "T",
        "headline": {"text": "H."},
        "quiet": False,
        "sections": [
            {"key": "changed", "title": "What changed", "more": 0, "items": [{"text": "A."}]},
        ],
    }
    assert render.text(old, absolute=False) == "T\n\nH.\n\nWhat changed\n- A.\n"
    assert render.markdown(old, absolute=False) == "# T\n\nH.\n\n## What changed\n\n- A.\n"
    assert "<li>A.</li>" in render.html(old, absolute=False)
    assert "briefing-empty" not in render.html(old, absolute=False)
    assert render.summary(old) == "H.\nWhat changed: A"
