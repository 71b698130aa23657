"""On time until due, late until the late limit, refused outside the window; missed recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.activity.models import Event
from accord.core.errors import PermissionDenied, ServiceError
from accord.rhythm import queries, services
from accord.rhythm.models import CheckIn, CheckInStatus
from tests.rhythm.conftest import DUE, existed_since

H = dt.timedelta(hours=1)
S = dt.timedelta(seconds=1)


@pytest.mark.parametrize(
    "when,status",
    [
        (DUE - 48 * H, CheckInStatus.ON_TIME),  # the window opens 48 h before
        # Early: once the round before (Fri 30 Oct) closed, 24 h after it was due.
        (DUE - 6 * 24 * H, CheckInStatus.ON_TIME),
        (DUE, CheckInStatus.ON_TIME),  # exactly at the due time
        (DUE + S, CheckInStatus.LATE),
        (DUE + 24 * H, CheckInStatus.LATE),  # the last moment
    ],
)
def test_it_records_on_time_or_late_at_the_edges(cast, rhythm, when, status):
    ci = services.submit_checkin(
        cast.org, cast.member, rhythm.checkin, DUE, highlights="Shipped it", now=when
    )
    assert ci.status == status
    assert ci.due_at == DUE


@pytest.mark.parametrize(
    "when,code", [(DUE - 6 * 24 * H - S, "window_not_open"), (DUE + 24 * H + S, "window_closed")]
)
def test_it_refuses_outside_the_window_and_changes_nothing(cast, rhythm, when, code):
    events = Event.objects.count()
    with pytest.raises(ServiceError) as exc:
        services.submit_checkin(cast.org, cast.member, rhythm.checkin, DUE, now=when)
    assert exc.value.code == code
    assert CheckIn.objects.count() == 0 and Event.objects.count() == events


def test_a_refusal_says_when_in_the_persons_own_time_zone(cast, rhythm):
    from accord.org import services as org_services

    org_services.update_person(cast.org, None, cast.member, timezone="Asia/Kolkata")
    cast.member.refresh_from_db()
    with pytest.raises(ServiceError) as exc:
        services.submit_checkin(
            cast.org, cast.member, rhythm.checkin, DUE, now=DUE - 6 * 24 * H - S
        )
    kolkata = dt.timezone(dt.timedelta(hours=5, minutes=30))
    early, opens = (DUE - 6 * 24 * H).astimezone(kolkata), (DUE - 48 * H).astimezone(kolkata)
    assert exc.value.message == (
        f"You can check in for this round on {early:%a} {early.day} {early:%b %Y, %H:%M} "
        f"(Asia/Kolkata) at the earliest; its window opens on {opens:%a} {opens.day} "
        f"{opens:%b %Y, %H:%M} (Asia/Kolkata)."
    )


@pytest.mark.parametrize("field", ["highlights", "blockers"])
def test_a_check_in_too_long_is_refused_whole_not_cut(cast, rhythm, field):
    events = Event.objects.count()
    with pytest.raises(ServiceError) as exc:
        services.submit_checkin(
            cast.org, cast.member, rhythm.checkin, DUE, now=DUE, **{field: "x" * 5001}
        )
    assert exc.value.fields == {field: ["At most 5,000 characters."]}
    assert "5,001 characters" in exc.value.message
    assert CheckIn.objects.count() == 0 and Event.objects.count() == events
    ci = services.submit_checkin(cast.org, cast.member, rhythm.checkin, DUE, now=DUE, **{
        field: "y" * 5000
    })  # fmt: skip
    assert len(getattr(ci, field)) == 5000


def test_a_resubmission_keeps_the_first_status(cast, rhythm):
    services.submit_checkin(cast.org, cast.member, rhythm.checkin, DUE, highlights="a", now=DUE)
    ci = services.submit_checkin(
        cast.org, cast.member, rhythm.checkin, DUE, highlights="b", now=DUE + H
    )
    assert ci.status == CheckInStatus.ON_TIME and ci.highlights == "b"
    assert CheckIn.objects.count() == 1


def test_nobody_submits_someone_elses_check_in(cast, rhythm):
    with pytest.raises(PermissionDenied):
        services.submit_checkin(
            cast.org, cast.leader, rhythm.checkin, DUE, person=cast.member, now=DUE
        )
    with pytest.raises(PermissionDenied):  # the admin is not in Platform
        services.submit_checkin(cast.org, cast.admin, rhythm.checkin, DUE, now=DUE)
    assert CheckIn.objects.count() == 0


def test_it_refuses_an_instant_that_is_not_an_occurrence(cast, rhythm):
    with pytest.raises(ServiceError) as exc:
        services.submit_checkin(cast.org, cast.member, rhythm.checkin, DUE + H, now=DUE)
    assert exc.value.code == "invalid_occurrence"


def test_missed_check_ins_are_recorded_once_after_the_window_closes(cast, rhythm):
    services.submit_checkin(cast.org, cast.member, rhythm.checkin, DUE, now=DUE)
    this_week = CheckIn.objects.filter(occurrence_start=DUE, status=CheckInStatus.MISSED)
    # Nothing is missed while the late window is still open.
    services.record_missed_checkins(cast.org, now=DUE + 24 * H)
    assert not this_week.exists()
    services.record_missed_checkins(cast.org, now=DUE + 24 * H + S)
    # The lead missed it; the member checked in.
    assert list(this_week.values_list("person__name", flat=True)) == [cast.leader.name]
    assert Event.objects.filter(verb="missed", target_type="rhythm.checkin").count() == (
        CheckIn.objects.filter(status=CheckInStatus.MISSED).count()
    )
    # Running it again records nothing new.
    assert services.record_missed_checkins(cast.org, now=DUE + 24 * H + S) == 0


def test_a_person_away_owes_nothing(cast, rhythm):
    services.set_away(
        cast.org,
        cast.leader,
        cast.leader,
        starts_on=dt.date(2026, 11, 2),
        ends_on=dt.date(2026, 11, 8),
    )
    services.record_missed_checkins(cast.org, now=DUE + 25 * H)
    assert not CheckIn.objects.filter(person=cast.leader, occurrence_start=DUE).exists()
    owed = queries.owed_checkins(cast.org, cast.leader, DUE - 48 * H, DUE + H)
    assert owed == []
    owed = queries.owed_checkins(cast.org, cast.member, DUE - 48 * H, DUE + H)
    assert [o.occurrence.start for o in owed] == [DUE]


def test_time_off_must_end_after_it_starts(cast):
    with pytest.raises(ServiceError):
        services.set_away(
            cast.org,
            cast.member,
            cast.member,
            starts_on=dt.date(2026, 11, 9),
            ends_on=dt.date(2026, 11, 8),
        )
    with pytest.raises(PermissionDenied):
        services.set_away(
            cast.org,
            cast.member,
            cast.leader,
            starts_on=dt.date(2026, 11, 9),
            ends_on=dt.date(2026, 11, 9),
        )


def test_with_leads_only_the_leads_owe_a_check_in(cast, rhythm):
    services.update_cadence(cast.org, None, rhythm.checkin, checkin_owed_by="leads")
    assert queries.owed_checkins(cast.org, cast.member, DUE - H, DUE + H) == []
    assert len(queries.owed_checkins(cast.org, cast.leader, DUE - H, DUE + H)) == 1


def test_adherence_counts_on_time_late_and_missed_per_cadence_and_team(cast, rhythm):
    services.submit_checkin(cast.org, cast.member, rhythm.checkin, DUE, now=DUE)
    services.submit_checkin(cast.org, cast.leader, rhythm.checkin, DUE, now=DUE + H)
    [a] = queries.adherence(cast.org, [rhythm.checkin], now=DUE + 25 * H, last=2)
    latest = a.occurrences[-1]
    assert (latest.owed, latest.on_time, latest.late, latest.missed) == (2, 1, 1, 0)
    assert (a.occurrences[0].missed, a.occurrences[0].on_time) == (2, 0)
    by_team = queries.adherence_by_team(cast.org, now=DUE + 25 * H, last=2)
    assert by_team[cast.platform.pk]["on_time"] == 1 and by_team[cast.platform.pk]["missed"] == 2
    assert by_team[cast.platform.pk]["held_share"] == 0  # no sync was held


def _checkin_cadences(cast, n: int) -> None:
    for i in range(n):
        services.create_cadence_from_template(
            cast.org,
            None,
            "weekly-checkin",
            team=cast.platform,
            name=f"Check-in {i}",
            timezone_name="Europe/Berlin",
            start_date=dt.date(2026, 10, 1),
        )


def test_recording_missed_check_ins_reads_all_cadences_at_once_then_writes_briefly(cast, rhythm):
    """Reads as many statements for many cadences as for one; then the writes alone, in
    one transaction (a transaction holds SQLite's write lock until it ends)."""

    def run(now) -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as ctx:
            created = services.record_missed_checkins(cast.org, now=now)
        return created, [q["sql"] for q in ctx.captured_queries]

    missed = CheckIn.objects.filter(status=CheckInStatus.MISSED)
    _, few = run(DUE - 7 * 24 * H + 25 * H)  # last week, one cadence
    before = missed.count()
    _checkin_cadences(cast, 4)
    existed_since(cast.org)  # set up before the weeks it records
    created, many = run(DUE + 25 * H)  # five cadences, two weeks back
    reads = [s for s in many if s.startswith("SELECT")]
    assert len(reads) <= len([s for s in few if s.startswith("SELECT")]) + 1  # + names
    # This week: the lead and the member in every cadence; last week, in the new ones.
    assert created == 5 * 2 + 4 * 2 == missed.count() - before
    opened = next(i for i, s in enumerate(many) if s.startswith("SAVEPOINT"))
    # Nothing is read while writing but, as the events are saved together, which of their
    # teams still exist (a team deleted in the same batch leaves its events without one).
    read = [s for s in many[opened:] if s.startswith("SELECT")]
    assert all('FROM "org_team" WHERE "org_team"."id" IN' in s for s in read), read
    assert len(read) <= 1, read
    inserts = [s for s in many[opened:] if s.startswith("INSERT")]
    assert len(inserts) == created + 1  # the check-ins, then their events together
