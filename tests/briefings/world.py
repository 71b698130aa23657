"""A hand-built organization with one week (2026-W03, 12-18 January) in which something of
every kind happens, and one week before it to set the scene; under a controlled clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.decisions import services as decisions
from accord.intelligence import evaluate
from accord.intelligence.models import HealthScore
from accord.rhythm import services as rhythm
from tests.intelligence.world import Clock, OrgW, build_org

D = dt.date
WEEK = "2026-W03"  # Monday 12 January to Sunday 18 January 2026


@dataclass
class Story:
    w: OrgW
    ids: dict[str, int] = field(default_factory=dict)


def at(clock: Clock, day: dt.date, hour: int = 10) -> None:
    clock.at(day, hour)


def build_story(clock: Clock, slug: str = "brief") -> Story:
    """Platform and Web under a root led by the admin. See each step for what the week's
    briefing must say about it."""
    at(clock, D(2026, 1, 5), 9)
    w = build_org(slug, {"Platform": 3, "Web": 3}, checkins=False)
    org, admin = w.org, w.admin
    plat, web = w["Platform"], w["Web"]
    s = Story(w)

    # -- the week before (W02): the scene
    at(clock, D(2026, 1, 6))
    alignment.record_key_result_value(org, None, plat.kr, 10)
    alignment.record_key_result_value(org, None, web.kr, 50)
    alignment.set_objective_confidence(org, None, plat.objective, 7)
    proposed = alignment.create_initiative(
        org, None, team=web.team, title="Web search revamp", owner=web.lead, status="proposed"
    )
    s.ids["started"] = proposed.pk
    auth = alignment.create_initiative(
        org, None, team=plat.team, title="Auth service", owner=plat.lead, status="active"
    )
    # Web asks Platform for something; Platform accepts at once, due mid-week W03.
    late = coordination.create_dependency(
        org, None, requester_initiative=web.initiative, provider_team=plat.team,
        title="Login tokens", need_by=D(2026, 1, 14),
    )  # fmt: skip
    coordination.transition(
        org, None, late, "accept", committed_date=D(2026, 1, 14), provider_initiative=auth
    )
    s.ids["late"] = late.pk
    to_accept = coordination.create_dependency(
        org, None, requester_initiative=auth, provider_team=web.team,
        title="Status page widget", need_by=D(2026, 2, 20),
    )  # fmt: skip
    s.ids["accepted"] = to_accept.pk
    waiting = decisions.create_decision(
        org, None, "Do we move to the new CDN?", admin, teams=[web.team],
        decide_by=D(2026, 1, 21),
    )  # fmt: skip
    s.ids["waiting"] = waiting.pk
    to_decide = decisions.create_decision(
        org, None, "Which queue do we use?", plat.lead, teams=[plat.team]
    )
    s.ids["decided"] = to_decide.pk
    escalated = decisions.raise_issue(org, None, web.team, "Flaky deploys block releases")
    s.ids["escalated"] = escalated.pk
    solved = decisions.raise_issue(org, None, plat.team, "Disk alerts at night")
    s.ids["solved"] = solved.pk
    # Platform asks Web for two things: one Web declines in W03, one it delivers in W03,
    # well before its committed date.
    to_decline = coordination.create_dependency(
        org, None, requester_initiative=auth, provider_team=web.team,
        title="Single sign-on button", need_by=D(2026, 2, 10),
    )  # fmt: skip
    s.ids["declined"] = to_decline.pk
    to_deliver = coordination.create_dependency(
        org, None, requester_initiative=auth, provider_team=web.team,
        title="Login page copy", need_by=D(2026, 1, 30),
    )  # fmt: skip
    coordination.transition(
        org, None, to_deliver, "accept", committed_date=D(2026, 1, 30),
        provider_initiative=web.initiative,
    )  # fmt: skip
    s.ids["delivered"] = to_deliver.pk
    # ... and a third it delivers in W03 too, but after the date it committed to.
    overdue = coordination.create_dependency(
        org, None, requester_initiative=auth, provider_team=web.team,
        title="Password reset mail", need_by=D(2026, 1, 9),
    )  # fmt: skip
    coordination.transition(
        org, None, overdue, "accept", committed_date=D(2026, 1, 9),
        provider_initiative=web.initiative,
    )  # fmt: skip
    s.ids["delivered_late"] = overdue.pk
    # A decision of Web's decided now and reversed in W03.
    to_reverse = decisions.create_decision(
        org, None, "Do we drop the old browser?", web.lead, teams=[web.team]
    )
    decisions.decide(org, None, to_reverse, "Yes")
    s.ids["reversed"] = to_reverse.pk
    # Due next week (W04, 19-25 January): Web's initiative, Platform's promise to Web, an
    # action item of Platform's; and Platform's weekly sync meets then (Mondays 10:00).
    due_soon = alignment.create_initiative(
        org, None, team=web.team, title="Search beta", owner=web.lead, status="active",
        start_date=D(2026, 1, 5), target_date=D(2026, 1, 23),
    )  # fmt: skip
    s.ids["due_initiative"] = due_soon.pk
    owed = coordination.create_dependency(
        org, None, requester_initiative=web.initiative, provider_team=plat.team,
        title="Search API quota", need_by=D(2026, 1, 22),
    )  # fmt: skip
    coordination.transition(
        org, None, owed, "accept", committed_date=D(2026, 1, 22), provider_initiative=auth
    )
    s.ids["due_dependency"] = owed.pk
    action = decisions.create_action_item(
        org, None, "Write the on-call runbook", plat.lead, due_on=D(2026, 1, 21), team=plat.team
    )
    s.ids["due_action"] = action.pk
    sync = rhythm.create_cadence_from_template(
        org, None, "weekly-sync", team=plat.team, start_date=D(2026, 1, 5), owner=plat.lead,
        name="Platform sync",
    )  # fmt: skip
    s.ids["meeting"] = sync.pk

    # -- the week itself (W03)
    at(clock, D(2026, 1, 13))
    alignment.record_key_result_value(org, None, plat.kr, 40)  # +30 points: up, went well
    alignment.record_key_result_value(org, None, web.kr, 30)  # -20 points: down
    alignment.set_objective_confidence(org, None, plat.objective, 4)
    alignment.set_initiative_status(org, None, proposed, "active")  # started
    alignment.set_initiative_status(org, None, plat.initiative, "done")  # finished
    alignment.replan_initiative(org, None, web.initiative, D(2026, 4, 10), "Scope grew")
    coordination.transition(
        org, None, to_accept, "accept", committed_date=D(2026, 2, 20),
        provider_initiative=web.initiative,
    )  # fmt: skip
    asked = coordination.create_dependency(
        org, None, requester_initiative=web.initiative, provider_team=plat.team,
        title="Rate limits for search", need_by=D(2026, 3, 1),
    )  # fmt: skip
    s.ids["asked"] = asked.pk  # requested this week and still unanswered
    decisions.decide(org, None, to_decide, "RabbitMQ")
    decisions.escalate_issue(org, None, escalated, "Needs a platform-wide call")
    decisions.solve_issue(org, None, solved, "Rotated logs")
    coordination.transition(org, None, to_decline, "decline", note="No capacity this quarter")
    coordination.transition(org, None, to_deliver, "confirm_delivery")  # on time
    coordination.transition(org, None, overdue, "confirm_delivery")  # four days late
    decisions.reverse(org, None, to_reverse, "Too many customers still use it")

    # -- after the week (W04): must not show in the week's briefing
    at(clock, D(2026, 1, 19), 5)
    alignment.record_key_result_value(org, None, plat.kr, 90)
    after = decisions.create_decision(org, None, "Do we rename the product?", admin)
    s.ids["after"] = after.pk

    # The engine's evaluations at each week's end, as the hourly job would have stored.
    at(clock, D(2026, 1, 11), 23)
    evaluate.evaluate(org)
    at(clock, D(2026, 1, 18), 23)
    evaluate.evaluate(org)
    # Health as those evaluations stored it, set to known figures: the root (the admin's
    # scope) up 8 from 60, Platform up 12 (at least HEALTH_RISE: "went well"), Web flat.
    for team, was, now in ((w.root, 60, 68), (plat.team, 50, 62), (web.team, 70, 70)):
        for day, value in ((D(2026, 1, 11), was), (D(2026, 1, 18), now)):
            rows = HealthScore.objects.filter(org=org, team=team, date=day)
            assert rows.update(rollup_overall=value) == 1
    # Built early on the Monday after, before anything of "Coming up" is past.
    at(clock, D(2026, 1, 19), 6)
    return s


def signed_in(person):
    """A client signed in as one of the story's people (who have no login of their own)."""
    from accord.org import services as org_services
    from tests.conftest import login

    if person.user is None:
        person.user = org_services.ensure_user(f"p{person.pk}@brief.example", None)
        person.save(update_fields=["user"])
    return login(person)
