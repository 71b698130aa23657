"""A cadence list shows when each cadence repeats beside its next meeting in the reader's
zone: the rule's days are those of the cadence's own zone, so the Repeats column says its
time and zone ("Every week on Thursday at 16:00 Europe/Berlin"), and a reader in Sydney,
whose next meeting reads Friday, is not left to guess why the rule says Thursday."""

from __future__ import annotations

import datetime as dt
import re

from accord.org.models import Person
from accord.rhythm import picker, services
from tests.conftest import login


def _repeats(page: str) -> list[str]:
    row = r'<tr>\s*<td><a [^>]*>([^<]+)</a>.*?</td>\s*<td class="hide-narrow">(.*?)</td>'
    rows = re.findall(row, page, re.S)
    return [f"{name}: {re.sub(r'<[^>]+>', '', said)}" for name, said in rows]


def test_the_repeats_column_says_the_time_and_zone_of_the_rule(cast):
    for name, rule, zone, kw in (
        ("Review", "FREQ=WEEKLY;BYDAY=TH", "Europe/Berlin", {"time": dt.time(16)}),
        (
            "Planning",
            picker.with_until("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", dt.date(2027, 3, 29)),
            "America/New_York",
            {"time": dt.time(9, 30)},
        ),
        ("Notes due", "FREQ=WEEKLY;BYDAY=FR", "Asia/Tokyo", {"all_day": True}),
        ("Odd", "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", "UTC", {"time": dt.time(8)}),
    ):
        services.create_cadence(
            cast.org,
            None,
            name=name,
            rrule=rule,
            timezone_name=zone,
            scope="org",
            start_date=dt.date(2026, 10, 1),
            **kw,
        )
    Person.objects.filter(pk=cast.member.pk).update(timezone="Australia/Sydney")
    page = login(cast.member).get("/o/acme/rhythm/cadences/").content.decode()
    assert set(_repeats(page)) >= {
        "Review: Every week on Thursday at 16:00 Europe/Berlin",
        "Planning: Every other week on Monday at 09:30 America/New_York (until 29 Mar 2027)",
        "Notes due: Every week on Friday all day (Asia/Tokyo)",
        "Odd: FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO at 08:00 UTC",
    }, _repeats(page)
