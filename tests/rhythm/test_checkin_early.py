"""A check-in may be given early, before its round's window opens: from when the round
before it closed, at most a week before it is due. It counts as on time, the pages say
so, and a team's lead also updates the key results of the teams they lead in it."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.alignment import services as alignment
from accord.alignment.models import KeyResultValue
from accord.core.errors import ServiceError
from accord.rhythm import queries, services
from accord.rhythm.models import CheckIn, CheckInStatus
from tests.conftest import at, login
from tests.rhythm.conftest import DUE

H = dt.timedelta(hours=1)
OPENS = DUE - 48 * H  # Wed 4 Nov 2026, 15:00 UTC: the window and its reminders open
CLOSED_BEFORE = DUE - dt.timedelta(days=6)  # Sat 31 Oct, 15:00: the round before closed
MONDAY = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def _url(rhythm) -> str:
    occ = queries.occurrence(rhythm.checkin, DUE)
    return f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{occ.key}/checkin/"


def test_a_lead_checks_in_on_monday_for_fridays_round_and_it_is_on_time(cast, rhythm):
    occ = queries.occurrence(rhythm.checkin, DUE)
    assert queries.early_from(rhythm.checkin, occ) == CLOSED_BEFORE
    client = login(cast.leader)
    with at(MONDAY):
        week = client.get("/o/acme/rhythm/").content.decode()
        row = week[week.index("Weekly team check-in · Platform") :]
        row = row[: row.index("</li>")]
        assert "Opens Wed 4 Nov 2026, 15:00" in row and "Check in early" in row
        assert "you may check in early" in client.get("/o/acme/").content.decode()
        page = client.get(_url(rhythm)).content.decode()
        assert '<fieldset class="plain" disabled>' not in page and "Submit check-in" in page
        assert "You may check in early;" in page
        assert "the round opens Wed 4 Nov 2026, 15:00 (UTC)" in page
        assert "counts as on time" in page
        saved = client.post(_url(rhythm), {"highlights": "Done before the weekend"})
        assert saved.status_code == 302
    given = CheckIn.objects.get(person=cast.leader, cadence=rhythm.checkin)
    assert given.status == CheckInStatus.ON_TIME and given.due_at == DUE
    assert given.submitted_at == MONDAY
    # The round counts it in, and the cadence's figures count it on time.
    assert queries.round_tally(cast.org, rhythm.checkin, occ).given == 1
    with at(DUE + 25 * H):
        services.record_missed_checkins(cast.org, now=DUE + 25 * H)
        [figures] = queries.adherence(cast.org, [rhythm.checkin], now=DUE + 25 * H)
    rows = {
        c.person_id: c.status
        for c in CheckIn.objects.filter(cadence=rhythm.checkin, occurrence_start=DUE)
    }
    assert rows == {cast.leader.pk: CheckInStatus.ON_TIME, cast.member.pk: CheckInStatus.MISSED}
    [friday] = [f for f in figures.occurrences if f.occurrence.original_start == DUE]
    assert (friday.owed, friday.on_time, friday.late, friday.missed) == (2, 1, 0, 1)


def test_before_the_round_before_closed_it_is_refused_and_the_page_says_from_when(cast, rhythm):
    with pytest.raises(ServiceError) as refused:
        services.submit_checkin(
            cast.org, cast.member, rhythm.checkin, DUE, now=CLOSED_BEFORE - dt.timedelta(seconds=1)
        )
    assert refused.value.code == "window_not_open"
    assert "at the earliest" in refused.value.message
    assert not CheckIn.objects.exists()
    with at(CLOSED_BEFORE - H):
        page = login(cast.member).get(_url(rhythm)).content.decode()
    assert '<fieldset class="plain" disabled>' in page
    assert "You can check in from Sat 31 Oct 2026, 15:00 (UTC)" in page
    assert "which opens Wed 4 Nov 2026, 15:00" in page


def test_an_early_check_in_can_be_changed_and_keeps_its_status(cast, rhythm):
    services.submit_checkin(
        cast.org, cast.member, rhythm.checkin, DUE, highlights="Early", now=MONDAY
    )
    again = services.submit_checkin(
        cast.org, cast.member, rhythm.checkin, DUE, highlights="Later", now=DUE + H
    )
    assert (again.status, again.highlights) == (CheckInStatus.ON_TIME, "Later")


def test_a_round_far_apart_takes_check_ins_a_week_before_it_is_due_at_most(cast, rhythm):
    every_other = services.create_cadence(
        cast.org,
        None,
        name="Fortnightly check-in",
        kind="checkin",
        rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
        timezone_name="UTC",
        time=dt.time(15, 0),
        duration_minutes=15,
        team=cast.platform,
        start_date=dt.date(2026, 10, 23),
    )
    occ = queries.occurrence(every_other, DUE)
    assert queries.early_from(every_other, occ) == DUE - dt.timedelta(days=7)
    # A window longer than that is not shortened.
    services.update_cadence(cast.org, None, every_other, window_opens_hours=10 * 24)
    every_other.refresh_from_db()
    assert queries.early_from(every_other, occ) == DUE - dt.timedelta(days=10)


# --- a lead's check-in: the key results of the teams they lead -------------------------------


@pytest.fixture
def team_krs(cast):
    period = alignment.create_period(
        cast.org,
        None,
        name="Q4",
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 12, 31),
        state="active",
        is_current=True,
    )
    platform = alignment.create_objective(
        cast.org, None, title="Faster deploys", period=period, team=cast.platform
    )
    acme = alignment.create_objective(
        cast.org, None, title="Grow revenue", period=period, team=cast.root
    )
    mias = alignment.create_key_result(
        cast.org, None, platform, name="Deploys per week", start=2, target=20, owner=cast.member
    )
    nobodys = alignment.create_key_result(
        cast.org,
        None,
        platform,
        name="Lead time (days)",
        start=9,
        target=2,
        direction="decrease",
    )
    elsewhere = alignment.create_key_result(
        cast.org, None, acme, name="ARR", start=1, target=2, owner=cast.admin
    )
    return mias, nobodys, elsewhere


def test_a_lead_updates_their_teams_key_results_in_the_check_in(cast, rhythm, team_krs):
    mias, nobodys, elsewhere = team_krs
    url = _url(rhythm)
    with at(DUE - H):
        page = login(cast.leader).get(url).content.decode()
        section = page[page.index('id="team-krs"') :]
        section = section[: section.index("</fieldset>")]
        assert "Key results of the teams you lead" in section
        assert "Deploys per week" in section and "owner Mia Member" in section
        assert "Lead time (days)" in section
        assert "ARR" not in page  # Acme's: a team Leo does not lead
        # Mia, who leads no team, has her own only.
        member_page = login(cast.member).get(url).content.decode()
        assert 'id="team-krs"' not in member_page and "Lead time (days)" not in member_page
        saved = login(cast.leader).post(
            url, {f"kr_{mias.pk}": "6", f"kr_{nobodys.pk}": "9", "highlights": "CI cache"}
        )
        assert saved.status_code == 302
    # Recorded in each key result's history as Leo's (dated in this test's past, before the
    # start value made today: the history keeps both); 9 was its value already.
    entry = KeyResultValue.objects.get(key_result=mias, value=6)
    assert entry.recorded_by == cast.leader and entry.note == "check-in"
    assert KeyResultValue.objects.filter(key_result=nobodys).count() == 1
    given = CheckIn.objects.get(person=cast.leader, cadence=rhythm.checkin)
    assert given.updates["key_results"][str(mias.pk)] == "6"
    # A key result of a team Leo does not lead is refused, and nothing changes.
    with pytest.raises(ServiceError) as refused:
        services.submit_checkin(
            cast.org, cast.leader, rhythm.checkin, DUE, key_results={elsewhere.pk: 2}, now=DUE
        )
    assert refused.value.code == "not_yours"
    elsewhere.refresh_from_db()
    assert elsewhere.current == 1
    # Mia cannot update a team key result she does not own: she leads no team.
    with pytest.raises(ServiceError):
        services.submit_checkin(
            cast.org, cast.member, rhythm.checkin, DUE, key_results={nobodys.pk: 3}, now=DUE
        )
