"""The operating-rhythm pillar: each team's weekly check-in and sync, one organization
review, the check-ins people gave (on time, late or missed) and the meetings held."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from accord.core.generator.context import Gen
from accord.rhythm import recurrence
from accord.rhythm.models import Attendance, Cadence, CheckIn, Meeting
from accord.rhythm.templates_catalog import TEMPLATES

CADENCE_FIELDS = (
    "org_id",
    "name",
    "kind",
    "template",
    "scope",
    "team_id",
    "owner_id",
    "rrule",
    "start_date",
    "time",
    "duration_minutes",
    "timezone",
    "agenda",
    "checkin_owed_by",
    "window_opens_hours",
    "late_after_hours",
    "is_active",
    "created_at",
    "version",
)
SYNC_RULES = (
    "FREQ=WEEKLY;BYDAY=MO",
    "FREQ=WEEKLY;BYDAY=TU",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
)


@lru_cache(maxsize=4096)
def instants(rule: str, start: dt.date, time: dt.time, tz: str, lo, hi) -> tuple:
    """The rule's occurrences in [lo, hi), computed by the product's own engine (local
    wall-clock time kept across daylight-saving changes); many teams share a rule."""
    schedule = recurrence.Schedule(rule, start, time, tz)
    schedule.validate()
    return tuple(recurrence.rule_instants(schedule, lo, hi))


def generate_rhythm(g: Gen) -> None:
    g.extra["meetings"] = [[] for _ in g.teams]  # per team: [(meeting id, start)]
    g.extra["reliability"] = {}
    write_org_review(g)
    for i in range(len(g.teams)):
        write_checkin_cadence(g, i)
        write_sync_cadence(g, i)


def _cadence(g: Gen, tpl_slug: str, name: str, team_index, owner, rule, tz, **extra) -> int:
    tpl = TEMPLATES[tpl_slug]
    w = g.writer
    created = g.setup_at + dt.timedelta(hours=3)
    team_id = g.teams[team_index].id if team_index is not None else None
    row = dict(
        org_id=g.org_id,
        name=name,
        kind=tpl.kind,
        template=tpl.slug,
        scope=tpl.scope,
        team_id=team_id,
        owner_id=owner,
        rrule=rule,
        start_date=created.date(),
        time=tpl.time,
        duration_minutes=tpl.duration_minutes,
        timezone=tz,
        agenda=tpl.sections,
        checkin_owed_by=tpl.checkin_owed_by,
        window_opens_hours=48,
        late_after_hours=24,
        is_active=True,
        created_at=created,
        version=1,
    )
    row.update(extra)
    pk = w.table(Cadence, CADENCE_FIELDS).add(*(row[f] for f in CADENCE_FIELDS))
    after = {"name": name, "kind": tpl.kind, "rrule": rule, "team": team_id, "timezone": tz}
    actor = g.actor(owner)
    w.event(created, "created", "rhythm.cadence", pk, name, actor, after=after, team=team_id)
    row["id"] = pk
    return row


def write_org_review(g: Gen) -> None:
    """The monthly operating review of the whole organization, run by its head."""
    lead = g.teams[0].lead
    _cadence(
        g,
        "monthly-review",
        "Monthly operating review",
        None,
        lead,
        TEMPLATES["monthly-review"].rrule,
        g.person_tz[lead],
        scope="org",
    )


def _occurrences(g: Gen, c: dict) -> tuple:
    return instants(
        c["rrule"],
        c["start_date"],
        c["time"],
        c["timezone"],
        g.window_start.replace(hour=0, minute=0, second=0),
        g.now,
    )


def write_checkin_cadence(g: Gen, i: int) -> None:
    """A weekly check-in owed by the leads (most teams) or by everyone, and its history."""
    t = g.teams[i]
    owed_by = "everyone" if g.rng.random() < 0.12 else "leads"
    c = _cadence(
        g,
        "weekly-checkin",
        f"{t.name} check-in",
        i,
        t.lead,
        TEMPLATES["weekly-checkin"].rrule,
        g.person_tz[t.lead],
        checkin_owed_by=owed_by,
    )
    owers = t.members if owed_by == "everyone" else [t.lead]
    table = g.writer.table(
        CheckIn,
        (
            "org_id",
            "cadence_id",
            "person_id",
            "occurrence_start",
            "due_at",
            "submitted_at",
            "status",
            "highlights",
            "blockers",
            "blocker_team_id",
            "updates",
            "created_at",
            "version",
        ),
    )
    for occ in _occurrences(g, c):
        for pid in owers:
            _write_checkin(g, table, c, i, pid, occ)


def _write_checkin(g: Gen, table, c: dict, i: int, pid: int, occ: dt.datetime) -> None:
    """One person's check-in for one occurrence: on time, late or missed, by how reliable
    that person is; none yet while the window is still open and they have not answered."""
    rng, w = g.rng, g.writer
    # How reliably the person checks in goes with the team's strain (`context.STRAIN`).
    low, high = g.by_strain(i, (0.85, 0.99), (0.65, 0.95), (0.45, 0.85))
    reliability = g.extra["reliability"].setdefault(pid, rng.uniform(low, high))
    closes = occ + dt.timedelta(hours=c["late_after_hours"])
    roll = rng.random()
    if roll < reliability:
        status, submitted = "on_time", occ - dt.timedelta(minutes=rng.randint(5, 47 * 60))
    elif roll < reliability + (1 - reliability) / 2:
        status, submitted = "late", occ + dt.timedelta(minutes=rng.randint(5, 23 * 60))
    else:
        status, submitted = "missed", None
    # A missed check-in is recorded by the worker half an hour after its window closes:
    # none before that (its event would be dated after `now`).
    if (submitted or closes + dt.timedelta(minutes=30)) > g.now:
        return
    blockers, blocker_team = "", None
    if submitted and rng.random() < 0.1:
        j = g.neighbour(i)
        blockers, blocker_team = f"Waiting on {g.teams[j].name}", g.teams[j].id
    created = submitted or closes + dt.timedelta(minutes=30)
    updates = {}
    if submitted and pid == g.teams[i].lead:
        updates = {"objectives": {}, "key_results": {}, "initiatives": {}, "measurables": {}}
    pk = table.add(
        g.org_id,
        c["id"],
        pid,
        occ,
        occ,
        submitted,
        status,
        "Shipped what we planned" if submitted else "",
        blockers,
        blocker_team,
        updates,
        created,
        1,
    )
    label = f"{g.person_names[pid]} · {c['name']} · {occ:%Y-%m-%d}"
    if submitted:
        after = {"status": status, "occurrence": occ, "blockers": blockers}
        actor, team = g.actor(pid), c["team_id"]  # its cadence's
        w.event(submitted, "submitted", "rhythm.checkin", pk, label, actor, after=after, team=team)
    else:
        after = {"person": pid, "occurrence": occ}
        w.event(created, "missed", "rhythm.checkin", pk, label, after=after, team=c["team_id"])


def write_sync_cadence(g: Gen, i: int) -> None:
    """The team's sync, weekly or every other week, and the meetings it held."""
    t = g.teams[i]
    rule = g.rng.choice(SYNC_RULES)
    c = _cadence(g, "weekly-sync", f"{t.name} sync", i, t.lead, rule, g.person_tz[t.lead])
    length = dt.timedelta(minutes=c["duration_minutes"])
    for occ in _occurrences(g, c):
        if occ + length + dt.timedelta(minutes=30) <= g.now and g.rng.random() < 0.92:
            write_meeting(g, c, i, occ, length)


def write_meeting(g: Gen, c: dict, i: int, occ: dt.datetime, length: dt.timedelta) -> None:
    """A meeting held: started a few minutes late, finished, its attendance and ratings."""
    rng, w = g.rng, g.writer
    meetings = w.table(
        Meeting,
        (
            "org_id",
            "cadence_id",
            "occurrence_start",
            "scheduled_start",
            "status",
            "started_at",
            "ended_at",
            "agenda_snapshot",
            "notes",
            "done_items",
            "carried_in",
            "summary",
            "created_at",
            "version",
        ),
    )
    attendance = w.table(Attendance, ("org_id", "meeting_id", "person_id", "present", "rating"))
    started = occ + dt.timedelta(minutes=rng.randint(0, 6))
    ended = started + length - dt.timedelta(minutes=rng.randint(0, 20))
    snapshot = [{**s, "items": []} for s in c["agenda"]]
    summary = "Reviewed priorities and issues; action items assigned."
    pk = meetings.add(
        g.org_id,
        c["id"],
        occ,
        occ,
        "finished",
        started,
        ended,
        snapshot,
        {},
        [],
        [],
        summary,
        started,
        3,
    )
    g.extra["meetings"][i].append((pk, ended))
    label = f"{c['name']} · {occ:%Y-%m-%d}"
    lead = g.actor(g.teams[i].lead)
    team = c["team_id"]  # its cadence's
    after = {"occurrence": occ}
    w.event(started, "started", "rhythm.meeting", pk, label, lead, after=after, team=team)
    after = {"summary": summary}
    w.event(ended, "finished", "rhythm.meeting", pk, label, lead, after=after, team=team)
    for pid in g.teams[i].members:
        present = rng.random() < 0.88
        rating = (
            rng.choice((6, 7, 7, 8, 8, 8, 9, 9, 10)) if present and rng.random() < 0.75 else None
        )
        attendance.add(g.org_id, pk, pid, present, rating)
