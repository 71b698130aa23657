"""A critical signal found at night or on a weekend waits for the working day: its e-mail
goes out at 08:00 of the reader's next working day in their own time zone, and its post
in a team's chat at 08:00 in that team's zone (that of its own cadences, as the reminders
of its meetings in that chat). In working hours it goes at once."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from accord.activity import delivery
from accord.activity.models import Notification
from accord.intelligence import notifications
from accord.org import services as org_services
from accord.rhythm import services as rhythm

UTC = dt.UTC
KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def local(day: dt.date, hour: int, minute: int = 0, zone=BERLIN) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), zone)


TUESDAY, FRIDAY, SATURDAY, MONDAY = (dt.date(2026, 11, d) for d in (3, 6, 7, 9))


def test_a_working_day_runs_from_eight_to_eight_monday_to_friday():
    def hours_from(moment):
        return notifications.working_hours_from(moment, BERLIN)

    at_ten = local(TUESDAY, 10)
    assert hours_from(at_ten) == at_ten
    assert hours_from(local(TUESDAY, 19, 59)) == local(TUESDAY, 19, 59)
    assert hours_from(local(TUESDAY, 3, 30)) == local(TUESDAY, 8)
    assert hours_from(local(TUESDAY, 20)) == local(dt.date(2026, 11, 4), 8)
    assert hours_from(local(FRIDAY, 21)) == local(MONDAY, 8)
    assert hours_from(local(SATURDAY, 11)) == local(MONDAY, 8)
    # The zone's day, not UTC's: 23:30 UTC on Sunday is Monday 05:00 in Kolkata.
    sunday_night = dt.datetime(2026, 11, 8, 23, 30, tzinfo=UTC)
    assert notifications.working_hours_from(sunday_night, KOLKATA) == local(MONDAY, 8, 0, KOLKATA)


def test_a_signal_found_at_night_reaches_each_reader_in_their_own_working_hours(
    cast, blocked, smtp, good_hook
):
    org = cast.org
    # Ada, told of the signal, works in Kolkata; Acme, whose chat hears of it, meets in
    # New York.
    org_services.update_person(org, None, cast.admin, timezone="Asia/Kolkata")
    cast.admin.refresh_from_db()
    rhythm.create_cadence(
        org, None, name="Acme weekly", rrule="FREQ=WEEKLY;BYDAY=MO",
        timezone_name="America/New_York", time=dt.time(10, 0), team=cast.root,
        start_date=dt.date(2026, 1, 5),
    )  # fmt: skip
    delivery.add_chat_webhook(org, None, cast.root, url=good_hook.url, flavor="slack")
    found = dt.datetime(2026, 11, 3, 22, 30, tzinfo=UTC)  # 04:00 in Kolkata, 17:30 in New York
    assert notifications.announce_new_critical(org, [blocked.signal], now=found) == 1
    due = dict(
        Notification.objects.filter(kind="signal.dependencies.blocked").values_list(
            "channel", "next_attempt_at"
        )
    )
    assert due == {"chat": found, "email": local(dt.date(2026, 11, 4), 8, 0, KOLKATA)}
    delivery.deliver(now=found + dt.timedelta(minutes=1))
    assert [p["text"].splitlines()[0] for p in good_hook.posts] == [
        "Critical: Payments API is blocked"
    ]
    assert not [m for m in smtp.messages if "Critical" in m["Subject"]]  # 04:00 for Ada
    delivery.deliver(now=local(dt.date(2026, 11, 4), 7, 59, KOLKATA))
    assert not [m for m in smtp.messages if "Critical" in m["Subject"]]
    delivery.deliver(now=local(dt.date(2026, 11, 4), 8, 0, KOLKATA))
    assert [m["X-Rcpt"] for m in smtp.messages if "Critical" in m["Subject"]] == [cast.admin.email]
    # Nothing waiting counts as late for the admins' notice of failing deliveries.
    assert delivery.trouble(org, now=found + dt.timedelta(hours=3))["overdue"] == 0


def test_a_teams_chat_without_cadences_waits_for_the_working_hours_of_who_is_told(
    cast, blocked, good_hook
):
    org = cast.org
    org_services.update_person(org, None, cast.admin, timezone="Europe/Berlin")
    cast.admin.refresh_from_db()
    delivery.add_chat_webhook(org, None, cast.root, url=good_hook.url, flavor="slack")
    found = local(SATURDAY, 14)
    assert notifications.announce_new_critical(org, [blocked.signal], now=found) == 1
    [row] = Notification.objects.filter(kind="signal.dependencies.blocked", channel="chat")
    assert row.next_attempt_at == local(MONDAY, 8)
