"""Northwind's operating rhythm: weekly check-ins with nine weeks of history (some late, some
missed), weekly team syncs with minutes, a monthly review per department, quarterly
planning, a daily stand-up, scorecards with thirteen weeks of values, and time off. Each
write is dated and named as the story has it (`accord.demo.happened`): a lead sets up a
cadence in the week before it starts, a check-in is its author's when it was submitted,
a meeting's notes are its facilitator's while it runs, a missed check-in is Accord's when
its window closed."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from accord.activity.models import Event
from accord.decisions.models import ActionItem
from accord.demo import DemoContext, at, dated_so_far, happened, lately, spread
from accord.org.demo import ZONE_OF_DEPT
from accord.org.models import Membership, MembershipRole, Person
from accord.rhythm import queries, services
from accord.rhythm.models import Cadence, CadenceKind, CheckIn, Scope

UTC = dt.UTC
# Teams whose history is filled in (the teams whose leads can sign in, and a few more).
HISTORY_TEAMS = ["platform", "field-sales", "support", "design", "onboarding"]
MEETING_TEAMS = ["platform", "field-sales", "support"]
# The leaders' meetings: an afternoon in Berlin and London, a morning in New York and
# Chicago (at 10:00 Berlin time they were at 3 and 4 in the morning there).
ACROSS_THE_ATLANTIC = dt.time(16, 0)
HIGHLIGHTS = [
    "Closed the two oldest tickets in the backlog.",
    "Pairing session with Design paid off: fewer review rounds.",
    "Shipped the first slice behind a flag.",
    "Customer interviews scheduled for next week.",
    "Runbook updated after Tuesday's incident.",
    "Ahead of plan on the migration.",
    "Quiet week; mostly reviews and planning.",
]
BLOCKERS = [
    "Waiting for the security review of the new vendor.",
    "Need test data from Data & Analytics.",
    "Design sign-off on the checkout flow is pending.",
]
MEASURABLES = {
    "platform": [
        ("Deploys per week", "at_least", 20, None, ""),
        ("P1 incidents", "at_most", None, 1, ""),
        ("Build time (p50)", "between", 6, 10, "min"),
    ],
    "field-sales": [
        ("Qualified meetings", "at_least", 25, None, ""),
        ("Proposals sent", "at_least", 8, None, ""),
    ],
    "support": [
        ("First response", "at_most", None, 4, "h"),
        ("CSAT", "at_least", 90, None, "%"),
        ("Open tickets", "between", 80, 140, ""),
    ],
}


def load(ctx: DemoContext) -> None:
    org = ctx.org
    # Midday of the story's last day, unless that is still to come: a meeting later today
    # has not been held yet (loaded at 00:05, the 09:00 stand-up is still ahead).
    now = min(dt.datetime.combine(ctx.today, dt.time(12), tzinfo=UTC), timezone.now())
    teams = ctx.teams
    root = teams["northwind"]
    leads: dict[int, object] = {}
    for m in (
        Membership.objects.for_org(org).filter(role=MembershipRole.LEAD).select_related("person")
    ):
        leads.setdefault(m.team_id, m.person)
    depts = {t.pk: t for t in teams.values() if t.parent_id == root.pk}
    leaves = [t for t in teams.values() if t.parent_id in depts]
    start = ctx.today - dt.timedelta(days=120)

    def set_up(start_date: dt.date, owner, *key):
        """A cadence is set up by its owner in the week before it starts."""
        when = spread(start_date - dt.timedelta(days=1), "cadence", *key, days=7)
        return happened(max(ctx.began + dt.timedelta(hours=11), when), by=owner)

    checkins, syncs = {}, {}
    for team in leaves:
        zone = ZONE_OF_DEPT[depts[team.parent_id].slug]
        # Teams with history have checked in for months; the others start this week.
        began = (
            ctx.today - dt.timedelta(weeks=9, days=1) if team.slug in HISTORY_TEAMS else ctx.today
        )
        with set_up(began, leads.get(team.pk), team.slug, "check-in"):
            checkins[team.slug] = services.create_cadence_from_template(
                org,
                None,
                "weekly-checkin",
                team=team,
                timezone_name=zone,
                start_date=began,
                owner=leads.get(team.pk),
            )
        sync_start = (
            ctx.today - dt.timedelta(weeks=5, days=1) if team.slug in MEETING_TEAMS else ctx.today
        )
        with set_up(sync_start, leads.get(team.pk), team.slug, "sync"):
            syncs[team.slug] = services.create_cadence_from_template(
                org,
                None,
                "weekly-sync",
                team=team,
                name="Weekly team sync",
                timezone_name=zone,
                start_date=sync_start,
                owner=leads.get(team.pk),
            )
    reviews = {}
    for dept in depts.values():
        review_start = ctx.today - dt.timedelta(days=70)
        with set_up(review_start, leads.get(dept.pk), dept.slug, "review"):
            reviews[dept.slug] = services.create_cadence_from_template(
                org,
                None,
                "monthly-review",
                team=dept,
                timezone_name=ZONE_OF_DEPT[dept.slug],
                start_date=review_start,
                owner=leads.get(dept.pk),
                name=f"{dept.name} operating review",
            )
    with set_up(start, ctx.login, "planning"):
        planning = services.create_cadence_from_template(
            org,
            None,
            "quarterly-planning",
            timezone_name="Europe/Berlin",
            start_date=start,
            owner=ctx.login,
            name="Quarterly planning",
            time=ACROSS_THE_ATLANTIC,
        )
    with set_up(ctx.today, leads.get(teams["platform"].pk), "stand-up"):
        services.create_cadence_from_template(
            org,
            None,
            "daily-standup",
            team=teams["platform"],
            timezone_name="Europe/Berlin",
            start_date=ctx.today,
            owner=leads.get(teams["platform"].pk),
            name="Platform stand-up",
        )
    # A date the whole organization works to, not a meeting: on Tuesdays, the next one
    # within the week.
    tuesday = ctx.today + dt.timedelta(days=(1 - ctx.today.weekday()) % 7 or 7)
    with set_up(tuesday - dt.timedelta(weeks=12), ctx.login, "release day"):
        services.create_cadence(
            org,
            None,
            name="Release day",
            kind=CadenceKind.CUSTOM,
            scope=Scope.ORG,
            rrule="FREQ=WEEKLY;INTERVAL=6",
            all_day=True,
            timezone_name="Europe/Berlin",
            start_date=tuesday - dt.timedelta(weeks=12),
            owner=ctx.login,
        )

    # One holiday cancels a sync, one offsite moves another (the lead, in the last days).
    sync = syncs["field-sales"]
    ahead = queries.occurrences_of(sync, now, now + dt.timedelta(days=30))
    if len(ahead) >= 2:
        with happened(lately(ctx, "holiday"), by=leads.get(teams["field-sales"].pk)):
            services.cancel_occurrence(
                org, None, sync, ahead[0].original_start, note="Public holiday"
            )
            services.move_occurrence(
                org,
                None,
                sync,
                ahead[1].original_start,
                ahead[1].start + dt.timedelta(days=1),
                note="Sales kick-off on Monday",
            )

    ctx.extra["_people"] = Person.objects.for_org(org).in_bulk()
    _scorecards(ctx, now)
    _checkin_history(ctx, checkins, now)
    _meetings(ctx, syncs, {**reviews, "planning": planning}, now)
    leadership = _leadership(ctx, root, [leads[d] for d in sorted(depts) if d in leads], now)
    _date_the_rhythm(ctx)
    # Accord recorded each missed check-in when its window closed.
    with happened(_window_closed):
        services.record_missed_checkins(org, now=now, lookback_days=70)

    # Someone is away this week (said so the week before), and Maya has her calendar feed.
    members = list(
        Membership.objects.for_org(org).filter(team=teams["support"]).select_related("person")
    )
    if len(members) > 2:
        away = members[2].person
        starts = ctx.today - dt.timedelta(days=2)
        with happened(spread(starts - dt.timedelta(days=7), "away", days=3), by=away):
            services.set_away(
                org,
                None,
                away,
                starts_on=starts,
                ends_on=ctx.today + dt.timedelta(days=5),
                reason="Vacation",
            )
    with happened(at(ctx.today - dt.timedelta(days=20), 8, 40), by=ctx.login):
        services.create_feed(org, None, person=ctx.login)
    del ctx.extra["_people"]
    ctx.extra["rhythm"] = {"syncs": {k: v.pk for k, v in syncs.items()}, **leadership}


def _date_the_rhythm(ctx: DemoContext) -> None:
    """The story's terms and cadences existed before its history, as
    `accord.intelligence.demo.date_the_story` dates them (it runs later): a check-in is owed
    only by who was in the team then, and only once its cadence was set up, so they must
    not say they were created today when the missed check-ins are recorded."""
    began = ctx.began
    Membership.terms.filter(org=ctx.org, created_at__gt=began).update(created_at=began)
    Cadence.objects.filter(org=ctx.org, created_at__gt=began).update(created_at=began)


def _window_closed(event: Event) -> dt.datetime:
    """When the window of a missed check-in closed (its event's date)."""
    ci = CheckIn.objects.select_related("cadence").get(pk=event.target_id)
    return ci.due_at + dt.timedelta(hours=ci.cadence.late_after_hours)


def leads_of(org) -> dict[int, Person]:
    """Each team's (first) lead, by team id."""
    leads: dict[int, Person] = {}
    for m in (
        Membership.objects.for_org(org)
        .filter(role=MembershipRole.LEAD)
        .select_related("person")
        .order_by("id")
    ):
        leads.setdefault(m.team_id, m.person)
    return leads


def _scorecards(ctx: DemoContext, now: dt.datetime) -> None:
    """Each team's lead set up its scorecard before its first week; each number's owner
    recorded it at the end of its week (Friday afternoon): this week's too once its Friday
    has passed, so that on a weekend the scorecard, and Monday's meeting agenda, which
    reviews the week just ended, show it rather than "no value yet"."""
    org, rng = ctx.org, ctx.rng
    monday = ctx.today - dt.timedelta(days=ctx.today.weekday())
    this_week = monday + dt.timedelta(days=4) < ctx.today
    for slug, specs in MEASURABLES.items():
        team = ctx.teams[slug]
        people = list(
            Membership.objects.for_org(org).filter(team=team).select_related("person")[:4]
        )
        lead = leads_of(org).get(team.pk)
        for i, (name, rule, low, high, unit) in enumerate(specs):
            owner = people[i % len(people)].person if people else None
            first_week = monday - dt.timedelta(weeks=13)
            with happened(at(first_week - dt.timedelta(days=3), 14, 10 * i), by=lead):
                m = services.create_measurable(
                    org,
                    None,
                    team=team,
                    name=name,
                    goal_rule=rule,
                    goal_low=low,
                    goal_high=high,
                    owner=owner,
                    unit=unit,
                )
            centre = low if rule == "at_least" else high if rule == "at_most" else (low + high) / 2
            for w in range(13, -1 if this_week else 0, -1):
                # This week's number draws from its own generator, not the demo's: the rest
                # of the demo is the same whatever the day of the week it is loaded on.
                r = rng if w else random.Random(f"{slug}/{name}")
                drift = r.uniform(-0.25, 0.2) if rule != "at_most" else r.uniform(-0.5, 0.6)
                # A count without a unit (deploys, tickets) is whole: 96.2 tickets reads odd.
                value = Decimal(str(round(centre * (1 + drift), 1 if unit else None)))
                if unit == "%":  # a share: CSAT of 103.3% reads as a bug
                    value = min(value, Decimal(100))
                week = monday - dt.timedelta(weeks=w)
                with happened(at(week + dt.timedelta(days=4), 15, 10 * i), by=owner or lead):
                    services.record_measurable_value(
                        org, None, m, week_start=week, value=value, source="demo"
                    )


def _checkin_history(ctx: DemoContext, checkins: dict, now: dt.datetime) -> None:
    org, rng = ctx.org, ctx.rng
    roster = queries.Roster.load(org)
    for slug in HISTORY_TEAMS:
        cadence = queries.cadences(org).get(pk=checkins[slug].pk)
        # Every round due by now, the one still in its late window too: loaded the day
        # after a round (a Saturday), its team is not shown as all missing.
        past = queries.occurrences_of(cadence, now - dt.timedelta(weeks=9, days=3), now)
        people = sorted(roster.ower_ids(cadence))
        reliability = {pid: rng.uniform(0.7, 0.98) for pid in people}
        for occ in past:
            for pid in people:
                roll = rng.random()
                if roll > reliability[pid] + 0.05:
                    continue  # missed: recorded by record_missed_checkins
                late = roll > reliability[pid] - 0.1
                when = occ.start + (
                    dt.timedelta(hours=rng.uniform(1, 20))
                    if late
                    else -dt.timedelta(hours=rng.uniform(0.5, 40))
                )
                person = ctx.extra["_people"][pid]
                blocked = rng.random() < 0.15
                if when > now:
                    continue  # not in yet: late, and the window is still open
                with happened(when, by=person):
                    services.submit_checkin(
                        org,
                        None,
                        cadence,
                        occ.original_start,
                        person=person,
                        highlights=rng.choice(HIGHLIGHTS),
                        blockers=rng.choice(BLOCKERS) if blocked else "",
                        blocker_team=ctx.teams["data"] if blocked else None,
                        now=when,
                    )
    assert CheckIn.objects.for_org(org).exists()


# What each team's chair wrote in its weekly sync's sections, and the action items it
# took down (one drawn a week: five each, so the demo's other random draws stay the same).
NOTES = {
    "platform": {
        "segue": "Good news all round: the new build cache is live, a new hire starts Monday.",
        "metrics": "Deploys below goal for the second week; build time back in range.",
        "priorities": "Two key results moved; the on-call rota needs attention.",
        "issues": "Discussed the flaky end-to-end suite; agreed to quarantine and fix by Friday.",
        "wrapup": "Good meeting; we finished on time.",
    },
    "field-sales": {
        "segue": "Two new customers signed; the Hamburg office opens next month.",
        "metrics": "Qualified meetings on target; proposals sent one short of goal.",
        "priorities": "Pipeline coverage moved up; the enterprise pricing sheet is overdue.",
        "issues": "Discussed slow legal review of contracts; Legal will join next week.",
        "wrapup": "Good meeting; we finished on time.",
    },
    "support": {
        "segue": "CSAT comments are warmer since the new macros; a new hire starts Monday.",
        "metrics": "First response back under four hours; CSAT just under goal.",
        "priorities": "The self-service help centre key result moved; weekend cover is thin.",
        "issues": "Discussed the refund backlog; agreed to clear it with Operations by Friday.",
        "wrapup": "Good meeting; we finished on time.",
    },
}
ACTIONS = {
    "platform": [
        "Quarantine the flaky tests",
        "Send the vendor the security questionnaire",
        "Draft the on-call rota",
        "Share the pipeline review",
        "Write up the build-cache rollout",
    ],
    "field-sales": [
        "Send the enterprise pricing sheet",
        "Book the customer visit",
        "Share the pipeline review",
        "Ask Legal for a contract template",
        "Follow up on the Hamburg leads",
    ],
    "support": [
        "Clear the refund backlog with Operations",
        "Draft the weekend cover rota",
        "Update the returns macro",
        "Share the CSAT comments with Product",
        "Book the help-centre review",
    ],
}
HEADLINES = {
    "platform": "the new build tooling is live for every team.",
    "field-sales": "two new enterprise customers signed this month.",
    "support": "first response is back under four hours.",
}
# The leaders' sync: the week across the company.
LEADERS_METRICS = "Revenue on plan; deploys below goal for the second week; CSAT just under goal."


# What an agenda item's reference ("dependency:12") names, as its events name it.
AGENDA_TARGETS = {
    "checkin": "rhythm.checkin",
    "measurable": "rhythm.measurable",
    "headline": "rhythm.headline",
    "kr": "alignment.keyresult",
    "objective": "alignment.objective",
    "initiative": "alignment.initiative",
    "milestone": "alignment.milestone",
    "dependency": "coordination.dependency",
    "decision": "decisions.decision",
    "issue": "decisions.issue",
    "action": "decisions.actionitem",
}


def _start_past(org, meeting, when: dt.datetime):
    """Start a meeting of the story's past at `when`, its agenda as it stood then.

    `services.start_meeting` freezes the agenda from the rows as they are: replayed after
    the rest of the story is loaded, a September meeting's agenda held the dependencies
    asked for in November. Those items about what was recorded only after `when` (its first
    event is later) are left out of the frozen agenda, as they were not there to discuss.
    (What those still there show of their state is as it is now: the story keeps no earlier
    state of a dependency, only its events.)"""
    from django.db.models import Min

    from accord.rhythm.models import Meeting

    meeting = services.start_meeting(org, None, meeting, now=when)
    dated_so_far()  # this part's own events (check-ins, headlines) too
    wanted: dict[str, set[str]] = {}
    for section in meeting.agenda_snapshot:
        for entry in section.get("items", ()):
            kind, _, pk = str(entry.get("ref", "")).partition(":")
            if kind in AGENDA_TARGETS and pk:
                wanted.setdefault(AGENDA_TARGETS[kind], set()).add(pk)
    later: set[str] = set()
    for target_type, ids in wanted.items():
        firsts = (
            Event.objects.filter(org=org, target_type=target_type, target_id__in=ids)
            .values("target_id")
            .annotate(first=Min("created_at"))
            .values_list("target_id", "first")
        )
        kind = next(k for k, t in AGENDA_TARGETS.items() if t == target_type)
        later |= {f"{kind}:{pk}" for pk, first in firsts if first > when}
    then = _confidence_then(org, wanted.get("alignment.objective", set()), when)
    changed = False
    for section in meeting.agenda_snapshot:
        kept = []
        for entry in section.get("items", ()):
            ref = entry.get("ref")
            if ref in later:
                continue
            if ref in then:  # an objective's confidence changed since: as it was then
                entry = _objective_then(entry, then[ref])
                if entry is None:
                    continue
            kept.append(entry)
        changed = changed or len(kept) != len(section.get("items", ())) or bool(then)
        section["items"] = kept
    if changed:
        Meeting.objects.filter(pk=meeting.pk).update(agenda_snapshot=meeting.agenda_snapshot)
    return meeting


def _confidence_then(org, ids: set[str], when: dt.datetime) -> dict[str, int | None]:
    """Its confidence at `when` (None: not given yet) by "objective:<id>", of the objectives
    of `ids` whose confidence changed after `when` (the agenda words it as it is now)."""
    from accord.alignment.models import ConfidenceUpdate

    history: dict[int, list[tuple[dt.datetime, int]]] = {}
    for oid, moment, value in (
        ConfidenceUpdate.objects.filter(org=org, objective_id__in=[int(i) for i in ids])
        .order_by("at", "id")
        .values_list("objective_id", "at", "confidence")
    ):
        history.setdefault(oid, []).append((moment, value))
    out: dict[str, int | None] = {}
    for oid, rows in history.items():
        if rows[-1][0] > when:
            known = [value for moment, value in rows if moment <= when]
            out[f"objective:{oid}"] = known[-1] if known else None
    return out


def _objective_then(entry: dict, confidence: int | None) -> dict | None:
    """An agenda's at-risk objective as it was when its confidence was `confidence`: left
    out if it was not at risk then; else its confidence then, without the figures of now
    (its key results behind pace)."""
    from accord.alignment import confidence as bands

    band = bands.band(confidence)
    if band is None or not bands.at_risk(confidence):
        return None
    parts = [p for p in str(entry.get("detail", "")).split(" · ")[1:] if "behind pace" not in p]
    detail = " · ".join([f"confidence {confidence}/10 ({band.word})", *parts])
    return {**entry, "detail": detail, "tone": band.tone}


def _action_item(org, meeting, when: dt.datetime, by: Person | None, **fields) -> ActionItem:
    """An action item written down in `meeting` at `when` (not later than now) by `by`: its
    event and its own recorded time say so, as the story's other action items do."""
    when = min(when, timezone.now())
    with happened(when, by=by):
        item = services.add_action_item(org, None, meeting, **fields)
    ActionItem.objects.filter(pk=item.pk).update(created_at=when)
    return item


def _held(cadence, since: dt.datetime, now: dt.datetime) -> list:
    """The meetings of `cadence` from `since` that are over by `now`, the ones the story
    holds: one still going on (loaded at 10:20, the 10:00 sync runs to 11:30) is neither
    held and finished by the load nor ended later today; it is there to start."""
    return [occ for occ in queries.occurrences_of(cadence, since, now) if occ.end <= now]


def _meetings(ctx: DemoContext, syncs: dict, reviews: dict, now: dt.datetime) -> None:
    from accord.rhythm.models import Attendance

    org, rng = ctx.org, ctx.rng
    roster = queries.Roster.load(org)
    for slug in MEETING_TEAMS:
        cadence = queries.cadences(org).get(pk=syncs[slug].pk)
        past = _held(cadence, now - dt.timedelta(weeks=5), now)
        people = sorted(roster.participant_ids(cadence))
        chair = cadence.owner  # takes the notes
        for n, occ in enumerate(past):
            if n == 2 and slug == "support":
                continue  # one sync that did not happen
            with happened(occ.start, by=chair):
                m = services.open_meeting(org, None, cadence, occ.original_start)
                m = _start_past(org, m, occ.start)
            minute = dt.timedelta(minutes=1)
            for k, (key, text) in enumerate(NOTES[slug].items()):
                if any(s["key"] == key for s in m.agenda_snapshot):
                    with happened(occ.start + (5 + 10 * k) * minute, by=chair):
                        services.save_notes(org, None, m, key, text)
            owner = ctx.extra["_people"][rng.choice(people)]
            _action_item(
                org,
                m,
                occ.start + 40 * minute,
                chair,
                title=rng.choice(ACTIONS[slug]),
                owner=owner,
                due_on=(occ.start + dt.timedelta(days=rng.choice([3, 4, 7]))).date(),
            )
            if n == len(past) - 1:
                with happened(occ.start + 45 * minute, by=chair):
                    services.add_headline(
                        org,
                        None,
                        m,
                        f"{cadence.team.name}: {HEADLINES[slug]}",
                        cascade_to=[ctx.teams["engineering"], ctx.teams["product"]],
                    )
            absent = rng.choice(people)
            Attendance.objects.filter(meeting=m, person_id=absent).update(present=False)
            ratings = {pid: rng.choice([7, 8, 8, 9, 9, 10, 6]) for pid in people if pid != absent}
            with happened(occ.end, by=chair):
                services.finish_meeting(
                    org,
                    None,
                    m,
                    ratings=ratings,
                    summary="Agreed next steps; see action items.",
                    now=occ.end,
                )
    for cadence in reviews.values():
        cadence = queries.cadences(org).get(pk=cadence.pk)
        past = _held(cadence, now - dt.timedelta(days=70), now)
        for occ in past:
            with happened(occ.start, by=cadence.owner):
                m = services.open_meeting(org, None, cadence, occ.original_start)
                m = _start_past(org, m, occ.start)
            with happened(occ.end, by=cadence.owner):
                services.finish_meeting(
                    org, None, m, summary="Reviewed results and risks.", now=occ.end
                )


def _leadership(ctx: DemoContext, root, heads: list, now: dt.datetime) -> dict[str, int]:
    """Maya's own rhythm: the root team with the department heads checks in weekly (Maya
    owes this week's) and meets weekly (the next one within seven days, three held)."""
    org, rng, maya = ctx.org, ctx.rng, ctx.login
    began = ctx.today - dt.timedelta(weeks=4)
    with happened(at(began - dt.timedelta(days=4), 16, 30), by=maya):
        checkin = services.create_cadence_from_template(
            org,
            None,
            "weekly-checkin",
            team=root,
            timezone_name="Europe/Berlin",
            start_date=began,
            owner=maya,
            extra_participants=heads,
            name="Leadership check-in",
            # Open all week: whatever the weekday, this week's check-in is open (or late).
            window_opens_hours=6 * 24,
        )
        sync = services.create_cadence_from_template(
            org,
            None,
            "weekly-sync",
            team=root,
            timezone_name="Europe/Berlin",
            start_date=began,
            owner=maya,
            extra_participants=heads,
            name="Leadership sync",
            time=ACROSS_THE_ATLANTIC,
        )
    for occ in queries.occurrences_of(checkin, now - dt.timedelta(weeks=4), now):
        for n, person in enumerate([maya, *heads]):
            roll = rng.random()
            if person != maya and roll > 0.9:
                continue  # missed
            late = person != maya and roll > 0.75
            when = occ.start + (
                dt.timedelta(hours=rng.uniform(1, 20))
                if late
                else -dt.timedelta(hours=rng.uniform(1, 30))
            )
            blocked = n == 2 and occ.start > now - dt.timedelta(days=8)
            if when > now:
                continue  # not in yet: late, and the window is still open
            with happened(when, by=person):
                services.submit_checkin(
                    org,
                    None,
                    checkin,
                    occ.original_start,
                    person=person,
                    highlights=rng.choice(HIGHLIGHTS),
                    blockers="Need the Q3 hiring plan from Operations before we commit."
                    if blocked
                    else "",
                    blocker_team=ctx.teams["operations"] if blocked else None,
                    now=when,
                )
    people = [maya, *heads]
    past = _held(sync, now - dt.timedelta(weeks=3, days=1), now)
    minute = dt.timedelta(minutes=1)
    for n, occ in enumerate(past):
        with happened(occ.start, by=maya):
            m = services.open_meeting(org, None, sync, occ.original_start)
            m = _start_past(org, m, occ.start)
        with happened(occ.start + 15 * minute, by=maya):
            services.save_notes(org, None, m, "metrics", LEADERS_METRICS)
        with happened(occ.start + 35 * minute, by=maya):
            services.save_notes(
                org, None, m, "issues", "Hiring plan slips a week; Operations owns it."
            )
        last = n == len(past) - 1
        _action_item(
            org,
            m,
            occ.start + 40 * minute,
            maya,
            title="Share the board update draft" if last else "Confirm Q3 headcount per department",
            owner=maya if last else heads[n % len(heads)] if heads else maya,
            due_on=(ctx.today + dt.timedelta(days=2))
            if last
            else (occ.start + dt.timedelta(days=4)).date(),
        )
        with happened(occ.end, by=maya):
            services.finish_meeting(
                org,
                None,
                m,
                ratings={p.pk: rng.choice([7, 8, 8, 9]) for p in people},
                summary="Reviewed the scorecard, the hiring plan and the launch risks.",
                now=occ.end,
            )
    return {"leadership_checkin": checkin.pk, "leadership_sync": sync.pk}
