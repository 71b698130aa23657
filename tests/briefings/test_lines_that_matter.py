"""A long section shows what matters first and gives every kind its turn: a week of many
routine moves of confidence still shows its decisions, slips and changes of band, and a
critical issue leads what needs the reader; the lines left out are counted by kind, each
linked to the list that holds them."""

from __future__ import annotations

import datetime as dt

from accord.alignment import services as alignment
from accord.briefings import compose, render, services
from accord.decisions import services as decisions
from tests.briefings.world import WEEK, build_story, signed_in

D = dt.date


def section(content, key):
    return next(s for s in content["sections"] if s["key"] == key)


def shown(content, key):
    return [(i["target_type"], int(i["target_id"])) for i in section(content, key)["items"]]


def test_many_moves_of_confidence_leave_room_for_the_weeks_decisions_and_slips(db, clock):
    s = build_story(clock)
    w, ids = s.w, s.ids
    org, plat, web = w.org, w["Platform"], w["Web"]
    # Twelve more objectives of Platform's, rated on track the week before and still on
    # track after the week's check-ins (8 to 9): routine moves, found before the decisions.
    clock.at(D(2026, 1, 7), 10)
    steady = []
    for n in range(12):
        obj = alignment.create_objective(
            org, None, title=f"Steady goal {n + 1}", period=w.period, team=plat.team
        )
        alignment.set_objective_confidence(org, None, obj, 8)
        steady.append(obj)
    made = [
        decisions.create_decision(
            org, None, f"Do we adopt tool {n + 1}?", w.admin, teams=[plat.team]
        )
        for n in range(6)
    ]
    clock.at(D(2026, 1, 15), 10)
    for obj in steady:
        alignment.set_objective_confidence(org, None, obj, 9)
    for dec in made:
        decisions.decide(org, None, dec, "Yes")
    clock.at(D(2026, 1, 19), 6)

    c = services.build_for(org, compose.parse_week(WEEK), person=w.admin)
    changed = shown(c, "changed")
    assert len(changed) == compose.MAX_ITEMS
    for line in (
        ("decisions.issue", ids["escalated"]),  # escalated to the admin's level
        ("decisions.decision", ids["reversed"]),
        ("decisions.decision", ids["decided"]),
        ("alignment.initiative", web.initiative.pk),  # slipped past its baseline
        ("alignment.objective", plat.objective.pk),  # 7 (on track) to 4 (at risk)
        ("coordination.dependency", ids["declined"]),
        ("alignment.keyresult", web.kr.pk),  # further from its target
    ):
        assert line in changed, line
    # A move within a band waits until what matters is shown: none of the twelve fits.
    assert not {("alignment.objective", o.pk) for o in steady} & set(changed)
    # Shown by weight: the escalated issue, then the reversal and the decisions made.
    assert changed[:2] == [
        ("decisions.issue", ids["escalated"]),
        ("decisions.decision", ids["reversed"]),
    ]

    # The rest, by kind, each on the list that holds it.
    rest = {p["label"]: p["url"] for p in section(c, "changed")["more_parts"]}
    days = "since=2026-01-12&until=2026-01-18"
    hidden_made = [d for d in made if ("decisions.decision", d.pk) not in changed]
    assert len(hidden_made) == 3
    decided = "/o/brief/decisions/?decided_since=2026-01-12&decided_until=2026-01-18"
    made_label = "3 decisions made (the week's log: all 7, including those above)"
    assert rest[made_label] == decided
    confidence = "12 changes of confidence (in the week's activity)"
    assert rest[confidence] == f"/o/brief/activity/?type=alignment.objective&{days}"
    assert (
        sum(p["count"] for p in section(c, "changed")["more_parts"])
        == section(c, "changed")["more"]
    )
    # Those lists hold them: the decision log cut by when they were decided, the activity
    # of the week's changes to objectives.
    client = signed_in(w.admin)
    page = client.get(decided).content.decode()
    for dec in hidden_made:
        assert dec.question in page
    page = client.get(rest[confidence]).content.decode()
    assert all(o.title in page for o in steady)
    text = render.text(c, absolute=False)
    assert f"{made_label} <{decided}>" in text


def test_a_critical_issue_leads_what_needs_you_and_the_rest_is_on_its_lists(db, clock):
    s = build_story(clock)
    w, ids = s.w, s.ids
    org = w.org
    clock.at(D(2026, 1, 8), 10)
    critical = decisions.raise_issue(org, None, w.root, "Card payments fail", severity="critical")
    waiting = [
        decisions.create_decision(
            org,
            None,
            f"Do we renew contract {n + 1}?",
            w.admin,
            teams=[w.root],
            decide_by=D(2026, 2, 1) + dt.timedelta(days=n),
        )
        for n in range(11)
    ]
    clock.at(D(2026, 1, 19), 6)

    c = services.build_for(org, compose.parse_week(WEEK), person=w.admin)
    needs = shown(c, "needs_you")
    assert len(needs) == compose.MAX_ITEMS
    # The critical issue first, though it has no date and twelve decisions have one.
    assert needs[0] == ("decisions.issue", critical.pk)
    assert section(c, "needs_you")["items"][0]["text"] == (
        "Critical issue at the level of Brief, for you: “Card payments fail”."
    )
    # Every kind has its turn: the request asked of Platform and the other issue too.
    assert ("coordination.dependency", ids["asked"]) in needs
    assert ("decisions.issue", ids["escalated"]) in needs
    # The decisions left out are on the admin's list of decisions waiting on them.
    rest = section(c, "needs_you")["more_parts"]
    left = [d for d in waiting if ("decisions.decision", d.pk) not in needs]
    assert rest == [
        {
            "count": len(left),
            "label": f"{len(left)} decisions waiting on you "
            "(listed as they are now, including those above)",
            "url": "/o/brief/decisions/waiting/",
        }
    ]
    page = signed_in(w.admin).get(rest[0]["url"]).content.decode()
    assert left and all(d.question in page for d in left)
    markdown = render.markdown(c, absolute=False)
    said = f"{len(left)} decisions waiting on you (listed as they are now, including those above)"
    assert f"- and {len(left)} more: [{said}](/o/brief/" in markdown
