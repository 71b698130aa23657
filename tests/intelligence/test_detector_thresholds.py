"""Each detector's threshold, from both sides: the smallest input just past it raises the
signal a leader reads (kind, subject, severity, teams, evidence, figures), and the same
input just short of it raises nothing.

Thresholds are read from the registry (each detector's documented defaults), so a changed
default moves these tests rather than silently passing them. Snapshots are built by hand
(plain data, no database): an organization Acme with three teams under it.
"""

from __future__ import annotations

import datetime as dt
import math

from accord.intelligence.registry import Found, discover
from accord.intelligence.snapshot import (
    ActionItemS,
    CadenceS,
    CheckinOccurrence,
    DecisionS,
    DependencyS,
    InitiativeS,
    IssueS,
    KeyResultS,
    ObjectiveS,
    PeriodS,
    PersonS,
    Snapshot,
    TeamS,
)
from accord.web.templatetags.dates import day

AS_OF = dt.datetime(2026, 3, 10, 17, 0, tzinfo=dt.UTC)  # a Tuesday in Q1
TODAY = AS_OF.date()
SECOND = dt.timedelta(seconds=1)
ACME, PLATFORM, PAYMENTS, MOBILE = 1, 2, 3, 4
LEAD = {ACME: 101, PLATFORM: 201, PAYMENTS: 301, MOBILE: 401}  # each team's lead
PAT = 202  # a member of Platform


def org(platform_people: int = 2) -> Snapshot:
    """Acme (led by Ada) with Platform, Payments and Mobile under it, each with a lead;
    Platform has `platform_people` people in all. One period, Q1 2026, under way."""
    snap = Snapshot(org_id=7, org_name="Acme", as_of=AS_OF, existed_by=AS_OF)
    names = {ACME: "Acme", PLATFORM: "Platform", PAYMENTS: "Payments", MOBILE: "Mobile"}
    for team_id, name in names.items():
        snap.teams[team_id] = TeamS(team_id, name, None if team_id == ACME else ACME)
        add_person(snap, LEAD[team_id], f"Lead of {name}", team_id, lead=True)
    for n in range(platform_people - 1):
        add_person(snap, PAT + n, "Pat" if n == 0 else f"Person {n}", PLATFORM)
    snap.periods[1] = PeriodS(1, "Q1 2026", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    return snap


def add_person(snap: Snapshot, pid: int, name: str, team_id: int, lead: bool = False) -> None:
    snap.people[pid] = PersonS(pid, name, True, {team_id}, 100)
    snap.teams[team_id].members.add(pid)
    if lead:
        snap.teams[team_id].leads.add(pid)


def defaults(kind: str) -> dict:
    return discover()[kind].defaults


def found(kind: str, snap: Snapshot) -> list[Found]:
    """What the detector of `kind` finds in `snap` with its documented defaults."""
    return list(discover()[kind].func(snap, dict(defaults(kind))))


def one(kind: str, snap: Snapshot) -> Found:
    got = found(kind, snap)
    assert len(got) == 1, got
    return got[0]


def evidence(f: Found) -> list[tuple[str, object]]:
    return [(e["label"], e["value"]) for e in f.evidence]


def targets(f: Found) -> list[tuple[str, str]]:
    return [(e["target_type"], e["target_id"]) for e in f.evidence]


def whole(x: float) -> int:
    assert math.isclose(x, round(x)), f"{x}: pick sizes that land on the threshold exactly"
    return round(x)


# --- check-ins ---------------------------------------------------------------------------


def checkin_history(people: int, usual_on_time: int, recent_on_time: int) -> Snapshot:
    """Platform's weekly check-ins: the usual occurrences then the recent ones (per the
    defaults), with the given number of on-time check-ins in each part (the rest late)."""
    cfg = defaults("checkins.on_time_falling")
    usual, recent = int(cfg["usual"]), int(cfg["recent"])
    snap = org(platform_people=people)
    members = sorted(snap.teams[PLATFORM].members)
    cad = CadenceS(1, "Platform check-in", "checkin", {PLATFORM}, LEAD[PLATFORM])
    snap.cadences[1] = cad
    weeks = usual + recent
    for part, count, on_time in ((0, usual, usual_on_time), (usual, recent, recent_on_time)):
        slots = [(w, pid) for w in range(part, part + count) for pid in members]
        status: dict[int, dict[int, str]] = {w: {} for w in range(part, part + count)}
        for n, (w, pid) in enumerate(slots):
            status[w][pid] = "on_time" if n < on_time else "late"
        for w in range(part, part + count):
            due = AS_OF - dt.timedelta(weeks=weeks - w)
            cad.occurrences.append(CheckinOccurrence(1, due, status[w]))
    return snap


def test_on_time_check_ins_falling_just_more_than_the_drop_is_signalled_and_not_at_it():
    cfg = defaults("checkins.on_time_falling")
    people = 4  # 3 recent check-ins of 4 people: 12 owed, so 25 points is 3 of them
    owed_recent, owed_usual = int(cfg["recent"]) * people, int(cfg["usual"]) * people
    at_drop = whole(owed_recent * (1 - cfg["drop"]))  # on time: exactly `drop` below 100%

    assert found("checkins.on_time_falling", checkin_history(people, owed_usual, at_drop)) == []
    f = one("checkins.on_time_falling", checkin_history(people, owed_usual, at_drop - 1))
    assert (f.kind, f.subject_type, f.subject_id) == (
        "checkins.on_time_falling",
        "org.team",
        str(PLATFORM),
    )
    assert f.subject_label == "Platform"
    assert f.severity == "info"  # still on time more than half of the time
    assert f.team_ids == {PLATFORM} and f.owner_id == LEAD[PLATFORM]
    share = (at_drop - 1) / owed_recent
    assert evidence(f) == [("On time, recent", f"{share:.0%}"), ("On time, usually", "100%")]
    assert f.numbers == {"recent_share": round(share, 3), "usual_share": 1.0}
    assert f"{share:.0%}" in f.explanation and "100%" in f.explanation


def test_on_time_check_ins_falling_needs_a_usual_share_of_at_least_the_minimum():
    cfg = defaults("checkins.on_time_falling")
    people = 5  # 8 usual check-ins of 5 people: 40 owed, 60% is 24 of them
    owed_usual = int(cfg["usual"]) * people
    at_min = whole(owed_usual * cfg["min_usual"])

    f = one("checkins.on_time_falling", checkin_history(people, at_min, 0))
    assert f.severity == "warning"  # on time less than half of the time now
    assert f.numbers == {"recent_share": 0.0, "usual_share": cfg["min_usual"]}
    assert found("checkins.on_time_falling", checkin_history(people, at_min - 1, 0)) == []


# --- key results -------------------------------------------------------------------------


def with_key_result(
    values: list[tuple[dt.datetime, float]],
    created: dt.datetime = AS_OF - dt.timedelta(days=60),
    milestone: bool = False,
    done: bool = False,
) -> Snapshot:
    snap = org()
    snap.objectives[10] = ObjectiveS(
        10, "Faster checkout", PLATFORM, LEAD[PLATFORM], 1, "active", created_at=created
    )
    snap.key_results[100] = KeyResultS(
        100, "Checkout conversion", 10, PAT, "increase", 0, 100, None, None, milestone,
        values[-1][1] if values else 0, done, values, created,
    )  # fmt: skip
    return snap


def test_a_key_result_not_updated_for_the_limit_is_signalled_and_not_a_second_sooner():
    limit = dt.timedelta(days=defaults("key_results.stale")["days"])
    last = AS_OF - limit

    assert found("key_results.stale", with_key_result([(last + SECOND, 40.0)])) == []
    f = one("key_results.stale", with_key_result([(last - limit, 20.0), (last, 40.0)]))
    assert (f.kind, f.subject_type, f.subject_id) == (
        "key_results.stale",
        "alignment.keyresult",
        "100",
    )
    assert f.subject_label == "Checkout conversion"
    assert f.severity == "info"
    assert f.team_ids == {PLATFORM} and f.owner_id == PAT
    assert evidence(f) == [("Last value recorded", day(last.date()))]
    assert targets(f) == [("alignment.keyresult", "100")]
    assert f.numbers == {"days": limit.days}
    assert "Pat" in f.next_step


def test_a_key_result_stale_twice_as_long_is_a_warning_and_one_without_values_counts_from_birth():
    limit = dt.timedelta(days=defaults("key_results.stale")["days"])
    f = one("key_results.stale", with_key_result([(AS_OF - 2 * limit, 40.0)]))
    assert f.severity == "warning" and f.numbers == {"days": 2 * limit.days}

    f = one("key_results.stale", with_key_result([], created=AS_OF - limit))
    assert f.numbers == {"days": limit.days}
    assert found("key_results.stale", with_key_result([], created=AS_OF - limit + SECOND)) == []


def test_a_milestone_done_long_ago_is_not_stale():
    limit = dt.timedelta(days=defaults("key_results.stale")["days"])
    done = with_key_result([(AS_OF - 3 * limit, 1.0)], milestone=True, done=True)
    assert found("key_results.stale", done) == []
    not_done = with_key_result([(AS_OF - 3 * limit, 0.0)], milestone=True)
    assert one("key_results.stale", not_done).severity == "warning"


def with_level(
    values: list[tuple[dt.datetime, float]],
    direction: str = "above",
    target: float = 99.95,
    bounds: tuple[float, float] | tuple[None, None] = (None, None),
) -> Snapshot:
    """Platform's Availability, a level to hold (keep above 99.95 % by default), added 60
    days ago at 99.8 %, with the values recorded since."""
    snap = org()
    created = AS_OF - dt.timedelta(days=60)
    snap.objectives[10] = ObjectiveS(
        10, "Reliable platform", PLATFORM, LEAD[PLATFORM], 1, "active", created_at=created
    )
    snap.key_results[100] = KeyResultS(
        100, "Availability", 10, PAT, direction, 99.8, target, *bounds, False,
        values[-1][1] if values else 99.8, False, values, created, unit="%",
    )  # fmt: skip
    return snap


def test_a_level_just_past_its_limit_is_signalled_and_not_at_it():
    kind = "key_results.outside_limit"
    week_ago = AS_OF - dt.timedelta(days=7)
    assert found(kind, with_level([(week_ago, 99.95)])) == []
    f = one(kind, with_level([(AS_OF - dt.timedelta(days=30), 99.97), (week_ago, 99.94)]))
    assert (f.kind, f.subject_type, f.subject_id) == (kind, "alignment.keyresult", "100")
    assert f.title == "Availability is outside its limit"
    assert f.severity == "warning"
    assert f.team_ids == {PLATFORM} and f.owner_id == PAT
    assert f.explanation == (
        f"Availability is to stay above 99.95 % but is at 99.94 %, outside since "
        f"{day(week_ago.date())} (7 days)."
    )
    assert evidence(f) == [
        ("Current value", "99.94 %"),
        ("Limit", "keep above 99.95 %"),
        ("Outside since", day(week_ago.date())),
    ]
    assert targets(f) == [("alignment.keyresult", "100")] * 3
    assert f.numbers == {"current": 99.94, "days": 7}
    # Neither off pace nor projected to miss judge a level: this one is the only signal.
    snap = with_level([(AS_OF - dt.timedelta(days=d), 99.9) for d in (50, 30, 10)])
    assert found("key_results.off_pace", snap) == found("key_results.projected_miss", snap) == []
    assert one(kind, snap).severity == "critical"


def test_a_level_outside_for_the_critical_days_is_critical_and_not_a_second_sooner():
    kind = "key_results.outside_limit"
    limit = dt.timedelta(days=defaults(kind)["critical_days"])
    crossed = AS_OF - limit
    inside = (crossed - dt.timedelta(days=3), 99.96)
    f = one(kind, with_level([inside, (crossed, 99.9), (AS_OF - SECOND, 99.93)]))
    assert f.severity == "critical" and f.numbers["days"] == limit.days
    f = one(kind, with_level([inside, (crossed + SECOND, 99.9)]))
    assert f.severity == "warning"
    # Outside since it was added (its start on the wrong side, nothing recorded since).
    f = one(kind, with_level([]))
    assert f.severity == "critical" and f.numbers["days"] == 60


def test_keep_below_and_a_range_are_outside_on_their_wrong_side():
    kind = "key_results.outside_limit"
    at = AS_OF - dt.timedelta(days=2)
    assert found(kind, with_level([(at, 250.0)], direction="below", target=250)) == []
    f = one(kind, with_level([(at, 310.0)], direction="below", target=250))
    assert f.title == "Availability is outside its limit"
    # It started inside (99.8 is below 250): outside since the value that went out, not
    # since it was added 60 days ago.
    assert f.severity == "warning" and f.numbers["days"] == 2
    assert ("Limit", "keep below 250 %") in evidence(f)
    assert found(kind, with_level([(at, 45.0)], direction="range", bounds=(30, 45))) == []
    f = one(kind, with_level([(at, 47.0)], direction="range", bounds=(30, 45)))
    assert f.title == "Availability is outside its range"
    assert ("Limit", "keep between 30 % and 45 %") in evidence(f)
    # An increase below its target is off pace or not, never outside a limit.
    assert found(kind, with_key_result([(at, 10.0)])) == []


# --- objectives --------------------------------------------------------------------------


def initiative(
    iid: int,
    title: str,
    team_id: int,
    *,
    status: str = "active",
    target: dt.date | None = None,
    rank: int | None = None,
    objectives: set[int] | None = None,
    key_results: set[int] | None = None,
    baseline: dt.date | None = None,
    replans: list | None = None,
) -> InitiativeS:
    return InitiativeS(
        iid, title, team_id, LEAD[team_id], status, None, target, baseline or target, rank,
        replans or [], objectives or set(), key_results or set(),
    )  # fmt: skip


def objective(oid: int, title: str, team_id: int, created: dt.datetime, parents=()) -> ObjectiveS:
    return ObjectiveS(
        oid, title, team_id, LEAD[team_id], 1, "active", parent_ids=list(parents),
        created_at=created,
    )  # fmt: skip


def test_an_unserved_objective_is_orphaned_once_its_grace_is_over():
    grace = dt.timedelta(days=defaults("objectives.orphaned")["grace_days"])
    snap = org()
    snap.objectives[10] = objective(10, "Faster checkout", PLATFORM, AS_OF - grace + SECOND)
    assert found("objectives.orphaned", snap) == []

    snap.objectives[10].created_at = AS_OF - grace
    f = one("objectives.orphaned", snap)
    assert (f.kind, f.subject_type, f.subject_id) == (
        "objectives.orphaned",
        "alignment.objective",
        "10",
    )
    assert f.severity == "warning"
    assert f.title == "Nothing serves Faster checkout"
    assert f.team_ids == {PLATFORM} and f.owner_id == LEAD[PLATFORM]
    assert evidence(f) == [("Objective", "Faster checkout")]
    assert f.numbers == {"unserved": True, "key_results": 0}

    # An active initiative serving it, or serving one of its key results, ends it.
    served = initiative(50, "One-click pay", PLATFORM, objectives={10})
    snap.initiatives[50] = served
    assert found("objectives.orphaned", snap) == []
    snap.key_results[100] = KeyResultS(
        100, "Conversion", 10, PAT, "increase", 0, 100, None, None, False, 10, False,
        [(AS_OF - dt.timedelta(days=1), 10.0)], AS_OF - grace,
    )  # fmt: skip
    served.objective_ids, served.key_result_ids = set(), {100}
    assert found("objectives.orphaned", snap) == []
    served.status = "done"
    assert [f.subject_id for f in found("objectives.orphaned", snap)] == ["10"]


def test_a_parent_objective_is_served_only_through_a_child_that_is_served():
    old = AS_OF - dt.timedelta(days=60)
    snap = org()
    snap.objectives[1] = objective(1, "Grow revenue", ACME, old)
    snap.objectives[10] = objective(10, "Faster checkout", PLATFORM, old, parents=[1])
    # Nothing serves the child, so nothing serves the parent either (as the alignment
    # pages count it: an objective is covered by work, not by having children).
    got = {f.subject_id: f for f in found("objectives.orphaned", snap)}
    assert set(got) == {"1", "10"}
    assert got["1"].team_ids == {ACME} and got["1"].owner_id == LEAD[ACME]

    snap.initiatives[50] = initiative(50, "One-click pay", PLATFORM, objectives={10})
    assert found("objectives.orphaned", snap) == []


def test_a_served_or_reached_objective_is_not_orphaned_its_still_key_results_are_stale():
    """Work serves it: whatever its key results do, it is not orphaned; one not updated is
    told as such (`key_results.stale`, with its own next step). Nothing serves it but its
    key results are all reached (a milestone done): not orphaned either."""
    old = AS_OF - dt.timedelta(days=60)
    snap = org()
    snap.objectives[10] = objective(10, "Faster checkout", PLATFORM, old)
    snap.initiatives[50] = initiative(50, "One-click pay", PLATFORM, objectives={10})
    snap.key_results[100] = KeyResultS(
        100, "Conversion", 10, PAT, "increase", 0, 100, None, None, False, 10, False,
        [(old, 5.0), (old, 10.0)], old,
    )  # fmt: skip
    assert found("objectives.orphaned", snap) == []
    assert [f.subject_id for f in found("key_results.stale", snap)] == ["100"]

    snap.initiatives[50].status = "done"  # nothing serves it now
    assert [f.subject_id for f in found("objectives.orphaned", snap)] == ["10"]
    snap.key_results[100] = KeyResultS(
        100, "Spec signed off", 10, PAT, "increase", 0, 1, None, None, True, 1, True,
        [(old, 0.0), (old, 1.0)], old,
    )  # fmt: skip
    snap.cache.clear()  # the key results read once per snapshot
    assert found("objectives.orphaned", snap) == []
    assert found("key_results.stale", snap) == []


# --- initiatives -------------------------------------------------------------------------


def replanned(times: int, slip_days: int, status: str = "active") -> Snapshot:
    first = dt.date(2026, 3, 1)
    dates = [first + dt.timedelta(days=round(slip_days * n / times)) for n in range(times + 1)]
    replans = [
        (AS_OF - dt.timedelta(days=10 * (times - n)), dates[n], dates[n + 1]) for n in range(times)
    ]
    snap = org()
    snap.initiatives[50] = initiative(
        50, "One-click pay", PLATFORM, status=status, target=dates[-1], baseline=first,
        replans=replans,
    )  # fmt: skip
    return snap


def test_an_initiative_replanned_enough_times_by_enough_days_is_signalled():
    cfg = defaults("initiatives.replanned")
    n, slip = int(cfg["replans"]), int(cfg["min_slip_days"])

    assert found("initiatives.replanned", replanned(n, slip - 1)) == []
    assert found("initiatives.replanned", replanned(n - 1, slip * 4)) == []
    assert found("initiatives.replanned", replanned(n + 1, slip * 4, status="done")) == []
    snap = replanned(n, slip)
    f = one("initiatives.replanned", snap)
    assert (f.kind, f.subject_type, f.subject_id) == (
        "initiatives.replanned",
        "alignment.initiative",
        "50",
    )
    assert f.severity == "info"
    assert f.team_ids == {PLATFORM} and f.initiative_ids == {50}
    assert f.numbers == {"replans": n, "slip_days": slip}
    assert evidence(f) == [
        (f"Re-planned {day(at.date())}", f"{day(old)} → {day(new)}")
        for at, old, new in snap.initiatives[50].replans
    ]
    assert "1 Mar 2026" in f.explanation  # the first committed date
    assert one("initiatives.replanned", replanned(n + 1, slip)).severity == "warning"


# --- dependencies ------------------------------------------------------------------------


def dependency(
    did: int,
    title: str,
    requester_init: InitiativeS,
    provider_team: int,
    *,
    provider_init: int | None = None,
    need_by: dt.date = dt.date(2026, 3, 25),
    state: str = "accepted",
) -> DependencyS:
    return DependencyS(
        did, title, requester_init.team_id, requester_init.id, provider_team, provider_init,
        need_by, None, state, "", AS_OF - dt.timedelta(days=30), None, None,
    )  # fmt: skip


def test_a_declined_request_with_nothing_planned_instead_is_signalled():
    snap = org()
    app = snap.initiatives[60] = initiative(60, "App launch", MOBILE)
    snap.dependencies[1] = dependency(1, "Payments API", app, PAYMENTS, state="declined")
    f = one("dependencies.declined_unplanned", snap)
    assert (f.kind, f.subject_type, f.subject_id) == (
        "dependencies.declined_unplanned",
        "coordination.dependency",
        "1",
    )
    assert f.severity == "warning"
    assert f.team_ids == {MOBILE, PAYMENTS} and f.owner_id == LEAD[MOBILE]
    assert f.initiative_ids == {60}
    assert evidence(f) == [
        ("Payments API", "Dependency: Mobile needs it from Payments"),
        ("Requester", "Mobile"),
        ("Provider", "Payments"),
        ("Needed by", "25 Mar 2026"),
        ("Waiting initiative", "App launch"),
    ]

    # A request of the initiative made before the decline is for another need: no plan B.
    snap.dependencies[1].closed_at = AS_OF - dt.timedelta(days=20)
    snap.dependencies[2] = dependency(2, "Card vault", app, PLATFORM, state="accepted")
    assert [f.subject_id for f in found("dependencies.declined_unplanned", snap)] == ["1"]
    # One asked after the decline (of any team), active or delivered, is a plan B; a
    # finished initiative needs none.
    snap.dependencies[3] = dependency(3, "Payments API", app, PLATFORM, state="requested")
    snap.dependencies[3].created_at = AS_OF - dt.timedelta(days=19)
    assert found("dependencies.declined_unplanned", snap) == []
    snap.dependencies[3].state = "delivered"
    assert found("dependencies.declined_unplanned", snap) == []
    snap.dependencies[3].state = "cancelled"
    assert len(found("dependencies.declined_unplanned", snap)) == 1
    del snap.dependencies[3]
    app.status = "done"
    assert found("dependencies.declined_unplanned", snap) == []


def test_a_dependencys_evidence_names_its_need_by_and_committed_dates():
    from accord.intelligence.detectors import _dep_ev

    snap = org()
    app = snap.initiatives[60] = initiative(60, "App launch", MOBILE)
    d = dependency(1, "Payments API", app, PAYMENTS)
    d.committed_date = dt.date(2026, 4, 2)
    assert [(e["label"], e["value"]) for e in _dep_ev(snap, d)][3:] == [
        ("Needed by", "25 Mar 2026"),
        ("Committed for", "2 Apr 2026"),
    ]


def chain(upstream_finishes: dt.date) -> Snapshot:
    """Mobile's App launch needs Payments API (by 25 March) from Payments, whose own
    initiative is due 20 March but needs Ledger export from Platform, whose initiative
    finishes on `upstream_finishes`."""
    snap = org()
    app = snap.initiatives[60] = initiative(60, "App launch", MOBILE, target=dt.date(2026, 4, 30))
    pay = snap.initiatives[70] = initiative(
        70, "Payments API work", PAYMENTS, target=dt.date(2026, 3, 20)
    )
    snap.initiatives[80] = initiative(80, "Ledger", PLATFORM, target=upstream_finishes)
    snap.dependencies[1] = dependency(1, "Payments API", app, PAYMENTS, provider_init=70)
    snap.dependencies[2] = dependency(
        2, "Ledger export", pay, PLATFORM, provider_init=80, need_by=dt.date(2026, 3, 15)
    )
    return snap


def test_a_slip_upstream_that_passes_the_need_by_date_by_a_day_is_signalled():
    need_by = dt.date(2026, 3, 25)
    assert found("dependencies.slack_gone", chain(need_by)) == []
    f = one("dependencies.slack_gone", chain(need_by + dt.timedelta(days=1)))
    assert (f.kind, f.subject_type, f.subject_id) == (
        "dependencies.slack_gone",
        "coordination.dependency",
        "1",
    )
    assert f.severity == "warning"
    assert f.team_ids == {MOBILE, PAYMENTS} and f.owner_id == LEAD[PAYMENTS]
    assert f.initiative_ids == {60}
    assert evidence(f) == [
        ("Payments API", "Dependency: Mobile needs it from Payments"),
        ("Requester", "Mobile"),
        ("Provider", "Payments"),
        ("Needed by", "25 Mar 2026"),
        ("Ledger export", "Upstream: Payments needs it from Platform"),
        ("Chain finishes", "26 Mar 2026"),
    ]
    assert targets(f)[4:] == [("coordination.dependency", "2"), ("alignment.initiative", "70")]
    assert f.numbers == {"finish": "2026-03-26", "days_short": 1}
    assert "Ledger export" in f.explanation and "Platform" in f.explanation


# --- priorities --------------------------------------------------------------------------


def clash(rank: int, need_by: dt.date) -> Snapshot:
    """Payments' own work ranked `rank`, due Wednesday 18 March, and Mobile's accepted
    request to Payments (served by another of its initiatives) needed by `need_by`."""
    snap = org()
    snap.initiatives[70] = initiative(
        70, "Card vault", PAYMENTS, target=dt.date(2026, 3, 18), rank=rank
    )
    snap.initiatives[71] = initiative(71, "Payments API work", PAYMENTS, target=need_by, rank=9)
    app = snap.initiatives[60] = initiative(60, "App launch", MOBILE, target=dt.date(2026, 4, 30))
    snap.dependencies[1] = dependency(
        1, "Payments API", app, PAYMENTS, provider_init=71, need_by=need_by
    )
    return snap


def test_a_request_due_in_the_week_of_the_providers_top_ranked_work_is_signalled():
    top = int(defaults("priorities.competing")["top_ranks"])
    friday, next_monday = dt.date(2026, 3, 20), dt.date(2026, 3, 23)
    assert found("priorities.competing", clash(top + 1, friday)) == []
    assert found("priorities.competing", clash(top, next_monday)) == []
    f = one("priorities.competing", clash(top, friday))
    assert (f.kind, f.subject_type, f.subject_id) == (
        "priorities.competing",
        "org.team",
        str(PAYMENTS),
    )
    assert f.severity == "warning"
    assert f.team_ids == {PAYMENTS, MOBILE} and f.owner_id == LEAD[PAYMENTS]
    assert f.initiative_ids == {60}
    assert evidence(f) == [
        ("Payments API", "Request: Mobile needs it from Payments, due 20 Mar 2026"),
        ("Own priority", "Card vault"),
    ]
    assert targets(f) == [("coordination.dependency", "1"), ("alignment.initiative", "70")]
    assert f.numbers == {"clashes": 1}


# --- decisions and action items ----------------------------------------------------------


def decisions(usual_days: list[float], recent_days: list[float]) -> Snapshot:
    """Decisions decided 60 days ago (usual) and 5 days ago (recent), each having taken
    the given number of days."""
    snap = org()
    for n, (ago, took) in enumerate([(60, d) for d in usual_days] + [(5, d) for d in recent_days]):
        decided = AS_OF - dt.timedelta(days=ago)
        snap.decisions[n + 1] = DecisionS(
            n + 1, f"Question {n + 1}", "decided", LEAD[ACME], None,
            decided - dt.timedelta(days=took), decided, {PLATFORM},
        )  # fmt: skip
    return snap


def test_decision_latency_rising_by_the_factor_is_signalled_and_not_an_hour_short_of_it():
    cfg = defaults("decisions.latency_rising")
    n, factor, usual = int(cfg["min_decisions"]), cfg["factor"], 4.0
    hour = 1 / 24
    assert (
        found("decisions.latency_rising", decisions([usual] * n, [factor * usual - hour] * n)) == []
    )
    assert (
        found("decisions.latency_rising", decisions([usual] * n, [factor * usual] * (n - 1))) == []
    )
    assert (
        found("decisions.latency_rising", decisions([usual] * (n - 1), [factor * usual] * n)) == []
    )

    f = one("decisions.latency_rising", decisions([usual] * n, [factor * usual] * n))
    assert (f.kind, f.subject_type, f.subject_id) == (
        "decisions.latency_rising",
        "org.organization",
        "7",
    )
    assert f.subject_label == "Acme" and f.severity == "warning"
    assert f.team_ids == {ACME}  # the organization's root
    assert evidence(f) == [
        ("Median days, recent", round(factor * usual, 1)),
        ("Median days, usual", usual),
    ]
    assert f.numbers == {"recent_median_days": factor * usual, "usual_median_days": usual}


def action_items(kept: int, missed: int, done_late: bool = False) -> Snapshot:
    """Platform's action items due within the window: `kept` done on their due date,
    `missed` not done by it (still open, or done a day late)."""
    snap = org()
    for n in range(kept + missed):
        due = TODAY - dt.timedelta(days=1 + n)
        on_time = n < kept
        done = dt.datetime.combine(due, dt.time(12), dt.UTC)
        if not on_time:
            done = done + dt.timedelta(days=1) if done_late else None
        snap.action_items[n + 1] = ActionItemS(
            n + 1, f"Item {n + 1}", PAT, PLATFORM, "done" if done else "open", due, done,
            AS_OF - dt.timedelta(days=60),
        )  # fmt: skip
    return snap


def test_following_through_on_fewer_than_the_share_of_action_items_is_signalled():
    cfg = defaults("actions.follow_through")
    items = int(cfg["min_items"]) + 1  # 5 items: 60% is 3 of them
    at_share = whole(items * cfg["threshold"])
    assert found("actions.follow_through", action_items(at_share, items - at_share)) == []

    f = one("actions.follow_through", action_items(at_share - 1, items - at_share + 1, True))
    assert (f.kind, f.subject_type, f.subject_id) == (
        "actions.follow_through",
        "org.team",
        str(PLATFORM),
    )
    assert f.severity == "info"  # 40% is not below half the threshold
    assert f.team_ids == {PLATFORM} and f.owner_id == LEAD[PLATFORM]
    missed = range(at_share - 1, items)  # done a day late: not on time
    assert evidence(f) == [("Not done on time", f"Item {n + 1}") for n in missed]
    assert targets(f) == [("decisions.actionitem", str(n + 1)) for n in missed]
    share = (at_share - 1) / items
    assert f.numbers == {"due": items, "on_time": at_share - 1, "share": round(share, 3)}
    assert one("actions.follow_through", action_items(0, items)).severity == "warning"


def test_follow_through_needs_enough_items_due_inside_the_window():
    cfg = defaults("actions.follow_through")
    fewest, days = int(cfg["min_items"]), int(cfg["days"])
    assert found("actions.follow_through", action_items(0, fewest - 1)) == []
    snap = action_items(0, fewest)
    assert one("actions.follow_through", snap).numbers["due"] == fewest
    # The oldest item due exactly `days` ago still counts; one day older, or due today
    # (not late yet), or dropped, does not.
    oldest = snap.action_items[fewest]
    oldest.due_on = TODAY - dt.timedelta(days=days)
    assert one("actions.follow_through", snap).numbers["due"] == fewest
    for change in (
        {"due_on": TODAY - dt.timedelta(days=days + 1)},
        {"due_on": TODAY},
        {"status": "dropped"},
    ):
        item = ActionItemS(**{**vars_of(oldest), **change})
        snap.action_items[fewest] = item
        assert found("actions.follow_through", snap) == [], change


def vars_of(item: ActionItemS) -> dict:
    return {name: getattr(item, name) for name in item.__slots__}


# --- rhythm ------------------------------------------------------------------------------


def meeting_cadence(meetings: list[tuple[bool, float | None]]) -> Snapshot:
    """Platform's weekly sync with the given (held, average rating) meetings, oldest first."""
    snap = org()
    cad = CadenceS(5, "Platform sync", "sync", {PLATFORM}, LEAD[PLATFORM])
    for n, (held, rating) in enumerate(meetings):
        cad.meetings.append((AS_OF - dt.timedelta(weeks=len(meetings) - n), held, rating))
    snap.cadences[5] = cad
    return snap


def test_a_cadence_whose_last_meetings_in_a_row_were_not_held_is_signalled():
    n = int(defaults("rhythm.meetings_not_held")["in_a_row"])
    assert (
        found(
            "rhythm.meetings_not_held", meeting_cadence([(True, 8.0)] + [(False, None)] * (n - 1))
        )
        == []
    )
    assert found("rhythm.meetings_not_held", meeting_cadence([(False, None)] * (n - 1))) == []
    snap = meeting_cadence([(True, 8.0)] + [(False, None)] * n)
    f = one("rhythm.meetings_not_held", snap)
    assert (f.kind, f.subject_type, f.subject_id) == (
        "rhythm.meetings_not_held",
        "rhythm.cadence",
        "5",
    )
    assert f.subject_label == "Platform sync" and f.severity == "warning"
    assert f.team_ids == {PLATFORM} and f.owner_id == LEAD[PLATFORM]
    missed = snap.cadences[5].meetings[-n:]
    assert evidence(f) == [(f"Meeting {day(s.date())}", "not held") for s, _, _ in missed]
    assert f.numbers == {"in_a_row": n}


def test_meeting_ratings_falling_by_the_drop_are_signalled_and_not_a_tenth_less():
    cfg = defaults("rhythm.ratings_falling")
    n, drop = int(cfg["meetings"]), cfg["drop"]
    # Averages of five people's ratings (1 to 10): 41/5 = 8.2 usually, then `drop` lower.
    before, now = 41 / 5, (41 - 5 * drop) / 5
    a_tenth_less = (41 - 5 * drop + 0.5) / 5
    unheld = [(False, None)]  # a meeting not held has no rating and is left out
    assert (
        found(
            "rhythm.ratings_falling",
            meeting_cadence([(True, before)] * n + [(True, a_tenth_less)] * n),
        )
        == []
    )

    snap = meeting_cadence([(True, before)] * n + unheld + [(True, now)] * n)
    f = one("rhythm.ratings_falling", snap)
    assert (f.kind, f.subject_type, f.subject_id) == (
        "rhythm.ratings_falling",
        "rhythm.cadence",
        "5",
    )
    assert f.severity == "info"  # still rated 6 or more
    assert f.team_ids == {PLATFORM} and f.owner_id == LEAD[PLATFORM]
    rated = [(s, r) for s, held, r in snap.cadences[5].meetings if held]
    assert evidence(f) == [(f"Meeting {day(s.date())}", round(r, 1)) for s, r in rated]
    assert f.numbers == {"recent": round(now, 2), "before": round(before, 2)}
    assert f"{now:.1f} of 10" in f.explanation and f"{before:.1f} before" in f.explanation
    worse = meeting_cadence([(True, before)] * n + [(True, 5.0)] * n)
    assert one("rhythm.ratings_falling", worse).severity == "warning"


# --- issues ------------------------------------------------------------------------------


def stuck(at_level_for: dt.timedelta, status: str = "open") -> Snapshot:
    """Platform's issue "Flaky deploys", opened 90 days ago, at its level for so long."""
    snap = org()
    opened = AS_OF - dt.timedelta(days=90)
    snap.issues[9] = IssueS(9, "Flaky deploys", PLATFORM, status, opened, AS_OF - at_level_for)
    return snap


def test_an_issue_at_one_level_for_the_stale_period_is_stuck_and_not_a_second_sooner():
    limit = dt.timedelta(days=defaults("issues.stuck")["days"])
    assert found("issues.stuck", stuck(limit - SECOND)) == []
    assert found("issues.stuck", stuck(2 * limit, status="solved")) == []
    f = one("issues.stuck", stuck(limit))
    assert (f.kind, f.subject_type, f.subject_id) == ("issues.stuck", "decisions.issue", "9")
    assert f.subject_label == "Flaky deploys" and f.severity == "warning"
    assert f.team_ids == {PLATFORM} and f.owner_id == LEAD[PLATFORM]
    assert evidence(f) == [("Issue", "Flaky deploys"), ("Days at level", limit.days)]
    assert targets(f)[0] == ("decisions.issue", "9")
    assert f.numbers == {"days": limit.days, "since": "2026-03-10"}  # stuck since AS_OF
    assert one("issues.stuck", stuck(2 * limit)).severity == "critical"
    assert f.next_step == "Platform solves it, or escalates it to the team above."
    top = stuck(limit)
    top.issues[9].team_id = ACME  # at the top of the tree, there is no team above
    f = one("issues.stuck", top)
    assert f.explanation.endswith("without being solved.")
    assert f.next_step == "Acme solves it, or closes it saying why it will not be solved."


def test_an_organization_that_allows_issues_longer_is_not_told_sooner():
    detector = discover()["issues.stuck"]
    longer = {**detector.defaults, "days": 30}
    assert list(detector.func(stuck(dt.timedelta(days=20)), longer)) == []
    assert [f.numbers for f in detector.func(stuck(dt.timedelta(days=30)), longer)] == [
        {"days": 30, "since": "2026-03-10"}
    ]


# --- priorities: one initiative, two requesters' dates in one week ------------------------


def squeeze(first: dt.date, second: dt.date, provider_due: dt.date) -> Snapshot:
    """Mobile and Platform each asked Payments for its "Payments API work" (due
    `provider_due`), accepted, needed by `first` and `second`."""
    snap = org()
    snap.initiatives[70] = initiative(70, "Payments API work", PAYMENTS, target=provider_due)
    app = snap.initiatives[60] = initiative(60, "App launch", MOBILE, target=dt.date(2026, 5, 1))
    web = snap.initiatives[61] = initiative(
        61, "Web checkout", PLATFORM, target=dt.date(2026, 5, 1)
    )
    snap.dependencies[1] = dependency(
        1, "Payments API for the app", app, PAYMENTS, provider_init=70, need_by=first
    )
    snap.dependencies[2] = dependency(
        2, "Payments API for the web", web, PAYMENTS, provider_init=70, need_by=second
    )
    return snap


def test_two_requests_needed_in_one_week_of_an_initiative_due_after_the_first_are_signalled():
    sunday, monday, friday = dt.date(2026, 3, 22), dt.date(2026, 3, 23), dt.date(2026, 3, 27)
    day = dt.timedelta(days=1)
    # Due on the earlier need-by date: the provider can meet both.
    assert found("priorities.competing", squeeze(monday, friday, monday)) == []
    # Need-by dates in two weeks (Sunday and Monday), even with the work due after both.
    assert found("priorities.competing", squeeze(sunday, monday, friday)) == []
    f = one("priorities.competing", squeeze(monday, friday, monday + day))
    assert (f.kind, f.subject_type, f.subject_id) == (
        "priorities.competing",
        "alignment.initiative",
        "70",
    )
    assert f.subject_label == "Payments API work" and f.severity == "warning"
    assert f.team_ids == {PAYMENTS, MOBILE, PLATFORM} and f.owner_id == LEAD[PAYMENTS]
    assert f.initiative_ids == {60, 61}
    assert {("coordination.dependency", "1"), ("coordination.dependency", "2")} <= set(targets(f))
    assert f.numbers["requesters"] == 2


# --- every signal that names a dependency links it by its title -----------------------------


def dependency_troubles() -> Snapshot:
    """One of each trouble a dependency can be in, Payments the provider: overdue, flagged
    blocked, unanswered, predicted late, declined with nothing else planned, a slip
    upstream, a circle; and more accepted requests due this month than Payments has people
    (one), in the week of its own top priority."""
    snap = chain(dt.date(2026, 3, 27))  # 1 Payments API (Mobile), 2 Ledger export (upstream)
    app, pay = snap.initiatives[60], snap.initiatives[70]  # Mobile's, Payments' (20 Mar)
    snap.initiatives[71] = initiative(71, "Card vault", PAYMENTS, target=dt.date(2026, 3, 13))
    snap.initiatives[71].rank = 1
    web = snap.initiatives[61] = initiative(61, "Web checkout", PLATFORM, status="active")
    late = dependency(3, "Refund hooks", web, PAYMENTS, need_by=dt.date(2026, 3, 1))
    blocked = dependency(4, "Card tokens", web, PAYMENTS, need_by=dt.date(2026, 3, 12))
    blocked.flag = "blocked"
    asked = dependency(5, "Fraud rules", web, PAYMENTS, state="requested")
    # Served by Payments' work due 20 March, after the need-by; and due in the week of
    # Payments' own top priority.
    slow = dependency(6, "Payout report", app, PAYMENTS, provider_init=70)
    slow.need_by = dt.date(2026, 3, 13)
    orphan = snap.initiatives[62] = initiative(62, "Loyalty", MOBILE, status="active")
    declined = dependency(7, "Points API", orphan, PAYMENTS, state="declined")
    # A circle: Payments' work needs Mobile's app, which needs it (dependency 1).
    circle = dependency(8, "App hooks", pay, MOBILE, provider_init=60)
    for d in (late, blocked, asked, slow, declined, circle):
        snap.dependencies[d.id] = d
    return snap


def test_every_signal_naming_a_dependency_links_it_by_its_title():
    """A dependency in a signal's evidence is a link whose text is its title ("Payments
    API", never "Dependency", "Upstream" or "Request"), what it is beside it; only its
    dates ("Needed by", "Committed for") open it under another name."""
    snap = dependency_troubles()
    titles = {str(d.id): d.title for d in snap.dependencies.values()}
    kinds = set()
    for kind, detector in discover().items():
        if detector.func.__module__ != "accord.intelligence.detectors":
            continue  # alignment's and sources' read the database, and name no dependency
        for f in detector.func(snap, dict(detector.defaults)):
            for e in f.evidence:
                if e["target_type"] != "coordination.dependency":
                    continue
                kinds.add(kind)
                if e["label"] in ("Needed by", "Committed for"):
                    continue
                assert e["label"] == titles[e["target_id"]], (kind, e)
                assert " needs it from " in e["value"], (kind, e)
    assert kinds >= {
        "dependencies.overdue",
        "dependencies.blocked",
        "dependencies.unanswered",
        "dependencies.predicted_late",
        "dependencies.declined_unplanned",
        "dependencies.slack_gone",
        "dependencies.cycle",
        "load.overloaded",
        "priorities.competing",
    }, kinds
