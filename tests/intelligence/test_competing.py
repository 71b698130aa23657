"""`priorities.competing` between requesters: two teams need one provider initiative in the
same ISO week, and it is due after the earlier of their dates, so it cannot meet both.
Pure snapshots, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.intelligence.detectors import competing
from accord.intelligence.snapshot import DependencyS, InitiativeS, Snapshot, TeamS

CORE, WEB, DATA = 1, 2, 3
PAYMENTS = 10
NOW = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)  # Monday of ISO week 2


def snapshot(payments_due: dt.date, needs: list[tuple[int, dt.date]]) -> Snapshot:
    """Core's Payments (due `payments_due`) has accepted one request per (team, need-by)."""
    snap = Snapshot(org_id=1, org_name="Acme", as_of=NOW)
    for tid, name in ((CORE, "Core"), (WEB, "Web"), (DATA, "Data")):
        snap.teams[tid] = TeamS(tid, name, None if tid == CORE else CORE, {tid}, {tid})
    snap.initiatives[PAYMENTS] = InitiativeS(
        PAYMENTS, "Payments", CORE, None, "active", None, payments_due, payments_due, None
    )
    for n, (tid, need_by) in enumerate(needs, start=1):
        snap.initiatives[100 + n] = InitiativeS(
            100 + n, f"Needs payments {n}", tid, None, "active", None, None, None, None
        )
        snap.dependencies[n] = DependencyS(
            n, f"Payments for {snap.teams[tid].name} {n}", tid, 100 + n, CORE, PAYMENTS,
            need_by, need_by, "accepted", "", NOW, None, None,
        )  # fmt: skip
    return snap


def found(snap: Snapshot) -> list:
    return [f for f in competing(snap, {"top_ranks": 3}) if f.subject_type != "org.team"]


TUE, THU = dt.date(2026, 1, 13), dt.date(2026, 1, 15)  # both in ISO week 3


def test_two_teams_needing_it_in_one_week_before_it_is_due_compete():
    [f] = found(snapshot(dt.date(2026, 1, 14), [(WEB, TUE), (DATA, THU)]))
    assert (f.kind, f.subject_id, f.severity) == ("priorities.competing", str(PAYMENTS), "warning")
    assert f.team_ids == {CORE, WEB, DATA}
    assert f.title == "Payments cannot meet 2 teams' dates"
    assert f.explanation == (
        "Web and Data both need Payments of Core in the week of 12 Jan 2026 (by 13 Jan 2026 "
        "and 15 Jan 2026), but it is due 14 Jan 2026: it cannot meet both."
    )
    assert [e["target_id"] for e in f.evidence] == ["1", "2"]


@pytest.mark.parametrize(
    "due, needs",
    [
        # Due on the earlier date: both can be met.
        (TUE, [(WEB, TUE), (DATA, THU)]),
        # Sunday and the Monday after: different weeks, however late the provider is.
        (dt.date(2026, 1, 30), [(WEB, dt.date(2026, 1, 18)), (DATA, dt.date(2026, 1, 19))]),
        # One team asking twice in the week competes with nobody.
        (dt.date(2026, 1, 30), [(WEB, TUE), (WEB, THU)]),
    ],
    ids=["due-on-the-earlier-date", "adjacent-weeks", "one-requester"],
)
def test_requests_that_do_not_compete_for_one_week_are_not_flagged(due, needs):
    assert found(snapshot(due, needs)) == []
