"""Walking the operating rhythm: a rule is said in words wherever it is shown; the picker
has "Every day", "Every weekday" and an "Ends on" date; the cadence list filters by team
and by the viewer's own, theirs first; a round says who was reminded, and when, and the
asker is not reminded by their own asking."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from accord.activity.models import Notification
from accord.org import services as org_services
from accord.rhythm import picker, queries, recurrence, services
from accord.rhythm.models import Cadence
from tests.conftest import at, login, make_person
from tests.rhythm.conftest import DUE, edit_form

H = dt.timedelta(hours=1)


def _text(response) -> str:
    return html.unescape(response.content.decode())


# --- 1. a rule in words ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "said"),
    [
        ("FREQ=DAILY", "Every day"),
        ("FREQ=DAILY;INTERVAL=2", "Every other day"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "Every weekday"),
        ("FREQ=WEEKLY;BYDAY=TU;UNTIL=20261222", "Every week on Tuesday (until 22 Dec 2026)"),
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=TH", "Every 3 weeks on Thursday"),
        ("FREQ=MONTHLY;BYMONTHDAY=31", "Every month on the 31st (skipped in months without one)"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,15", "Every month on the 1st and 15th"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "Every month on the last day"),
        ("FREQ=MONTHLY;BYDAY=-2FR", "Every month on the second-to-last Friday"),
        ("FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=31", "Every year on the 31st of March"),
        ("FREQ=YEARLY;BYMONTH=3;BYDAY=1MO", "Every year on the first Monday of March"),
        ("FREQ=DAILY;COUNT=10", "Every day (10 times)"),
        ("FREQ=YEARLY;BYWEEKNO=1", None),  # no words fit: the rule stays
    ],
)
def test_a_rule_is_said_in_words(rule, said):
    assert picker.in_words(rule) == said


def test_the_31st_of_every_month_skips_the_months_without_one():
    """What the words say is what the schedule does (dateutil, as RFC 5545): not moved to
    the month's last day."""
    rule = recurrence.parse_rule("FREQ=MONTHLY;BYMONTHDAY=31", dt.datetime(2026, 1, 1, 9))
    assert [d.date() for d in rule[:4]] == [
        dt.date(2026, 1, 31),
        dt.date(2026, 3, 31),
        dt.date(2026, 5, 31),
        dt.date(2026, 7, 31),
    ]


def test_the_cadence_header_and_list_say_the_rule_the_edit_form_keeps_it(cast, rhythm):
    Cadence.objects.filter(pk=rhythm.sync.pk).update(rrule="FREQ=DAILY", time=dt.time(17))
    Cadence.objects.filter(pk=rhythm.checkin.pk).update(rrule="FREQ=MONTHLY;BYMONTHDAY=31")
    client = login(cast.leader)
    header = _text(client.get(f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/"))
    assert "Every day at 17:00" in header and "FREQ=DAILY" not in header
    listed = _text(client.get("/o/acme/rhythm/cadences/"))
    assert "FREQ=" not in listed
    row = listed[listed.index(rhythm.checkin.name) :]
    assert "Every month on the 31st (skipped in months without one)" in row[: row.index("</tr>")]
    edit = client.get(f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/edit/").content.decode()
    assert 'value="FREQ=MONTHLY;BYMONTHDAY=31"' in edit  # the Advanced field, as stored


# --- 2. every day, every weekday, ends on ----------------------------------------------------


def test_every_day_and_every_weekday_are_choices():
    assert picker.rule_for("daily") == "FREQ=DAILY"
    assert picker.rule_for("weekdays") == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    assert picker.choices_for("FREQ=DAILY") == {"repeat": "daily"}
    assert picker.choices_for("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR") == {"repeat": "weekdays"}


def test_a_new_cadence_every_weekday_ending_on_a_day(cast):
    r = login(cast.leader).post(
        "/o/acme/rhythm/cadences/new/",
        {
            "name": "Stand-up",
            "scope": "team",
            "team": cast.platform.pk,
            "repeat": "weekdays",
            "time": "17:00",
            "timezone": "UTC",
            "start_date": "2026-12-01",
            "ends_on": "2026-12-22",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    c = Cadence.objects.get(name="Stand-up")
    assert c.rrule == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20261222T235959"
    # The day it ends on is its last, its 17:00 included.
    last = queries.occurrences_of(
        c, dt.datetime(2026, 12, 1, tzinfo=dt.UTC), dt.datetime(2027, 2, 1, tzinfo=dt.UTC)
    )[-1]
    assert last.start == dt.datetime(2026, 12, 22, 17, tzinfo=dt.UTC)


def test_an_end_before_the_start_is_refused_beside_ends_on(cast, rhythm):
    sync = rhythm.sync
    url = f"/o/acme/rhythm/cadences/{sync.pk}/edit/"
    data = edit_form(sync, repeat="weekly", days=["MO"], ends_on="2026-09-01")
    r = login(cast.leader).post(url, data)
    page = _text(r)
    assert r.status_code == 200
    field = page[page.index('for="id_ends_on"') :]
    field = field[: field.index("</div>")]
    assert "It ends before it starts (1 Oct 2026): give that day or later." in field
    sync.refresh_from_db()
    assert "UNTIL" not in sync.rrule


def test_ends_on_is_shown_on_edit_and_can_be_moved_or_cleared(cast, rhythm):
    sync, client = rhythm.sync, login(cast.leader)
    url = f"/o/acme/rhythm/cadences/{sync.pk}/edit/"
    r = client.post(url, edit_form(sync, repeat="weekly", days=["MO"], ends_on="2027-03-01"))
    assert r.status_code == 302
    sync.refresh_from_db()
    assert sync.rrule == "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270301T235959"
    page = client.get(url).content.decode()
    assert re.search(r'<input type="date" name="ends_on" value="2027-03-01"', page)
    assert '<option value="weekly" selected>' in page  # still said by the picker
    # Cleared: no end. Under "Advanced", "Ends on" changed is written to the typed rule.
    r = client.post(url, edit_form(sync, repeat="weekly", days=["MO"], ends_on=""))
    sync.refresh_from_db()
    assert sync.rrule == "FREQ=WEEKLY;BYDAY=MO"
    r = client.post(url, edit_form(sync, rrule="FREQ=DAILY;INTERVAL=2", ends_on="2027-01-31"))
    assert r.status_code == 302
    sync.refresh_from_db()
    assert sync.rrule == "FREQ=DAILY;INTERVAL=2;UNTIL=20270131T235959"


# --- 3. the cadence list: filters, the viewer's own first ------------------------------------


@pytest.fixture
def many(cast, rhythm):
    """Sixty cadences of another team, named to sort before Platform's."""
    other = org_services.create_team(cast.org, None, name="Data", slug="data", parent=cast.root)
    for n in range(60):
        services.create_cadence(
            cast.org,
            None,
            name=f"A data sync {n:02}",
            rrule="FREQ=WEEKLY;BYDAY=TU",
            time=dt.time(9),
            timezone_name="UTC",
            team=other,
        )
    return other


def _names(page: str, section: str | None = None) -> list[str]:
    if section:
        page = page[page.index(section) :]
        page = page[: page.index("</table>")]
    return re.findall(r'/rhythm/cadences/\d+/">([^<]+)</a>', page)


def test_the_list_shows_the_viewers_own_cadences_first(cast, rhythm, many):
    page = _text(login(cast.member).get("/o/acme/rhythm/cadences/"))
    mine = _names(page, 'aria-label="Cadences you take part in"')
    assert mine == sorted([rhythm.checkin.name, rhythm.sync.name])
    assert page.index(rhythm.sync.name) < page.index("A data sync 00")
    # Page 2 of every cadence: no "yours" again.
    page2 = _text(login(cast.member).get("/o/acme/rhythm/cadences/?page=2"))
    assert 'aria-label="Cadences you take part in"' not in page2


def test_the_list_filters_by_team_and_by_the_viewers_own(cast, rhythm, many):
    client = login(cast.member)
    data = _text(client.get("/o/acme/rhythm/cadences/?team=data"))
    assert "Data and the teams below it." in data
    assert len(_names(data)) == 50 and rhythm.sync.name not in data
    assert "?team=data&page=2" in data  # the pager keeps the filter
    platform = _text(client.get("/o/acme/rhythm/cadences/?team=platform&only=1"))
    assert sorted(_names(platform)) == sorted([rhythm.checkin.name, rhythm.sync.name])
    # The root and every team below it: all 62.
    assert "(62 cadences)" in _text(client.get("/o/acme/rhythm/cadences/?team=acme"))
    mine = _text(client.get("/o/acme/rhythm/cadences/?mine=1"))
    assert sorted(_names(mine)) == sorted([rhythm.checkin.name, rhythm.sync.name])
    assert client.get("/o/acme/rhythm/cadences/?team=nosuch").status_code == 404


# --- 4. reminding those not in yet: not the asker; said on the round's page ------------------


def test_the_round_says_who_was_reminded_and_when_and_not_the_asker(cast, rhythm):
    occ = queries.occurrence(rhythm.checkin, DUE)
    url = f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{occ.key}/checkins/"
    in_window = DUE - 46 * H  # Wed 4 Nov 2026, 17:00 UTC
    client = login(cast.leader)
    with at(in_window):
        r = client.post(url + "remind/", follow=True)
        page = _text(r)
        assert "Reminders queued for 1 person not in yet." in page
        # Leo owes one too, but asked: only Mia is reminded.
        assert [n.person for n in Notification.objects.filter(channel="email")] == [cast.member]
        assert "Reminded 1 person on Wed 4 Nov 2026, 17:00 (asked by Leo Leader)." in page
        # Nobody is left to remind: no button that would only say so.
        assert "Remind those not" not in page
        assert "Everyone else not in yet has been reminded this round." in page
        # Someone joins the team: someone to remind again.
        newcomer = make_person(cast.org, "Nia New", "member")
        org_services.add_membership(cast.org, None, person=newcomer, team=cast.platform)
        from tests.rhythm.conftest import existed_since

        existed_since(cast.org)
        page = _text(client.get(url))
        assert "Remind those not reminded yet" in page


@pytest.mark.parametrize(
    "rule, today, first",
    [
        # Made on Sunday 6 Dec: this Wednesday, not the one after.
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", dt.date(2026, 12, 6), dt.date(2026, 12, 9)),
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=TU,TH", dt.date(2026, 12, 9), dt.date(2026, 12, 10)),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=SU", dt.date(2026, 12, 6), dt.date(2026, 12, 6)),
        # Every week, or not by weekday: today, as before.
        ("FREQ=WEEKLY;BYDAY=MO", dt.date(2026, 12, 6), dt.date(2026, 12, 6)),
        ("FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO", dt.date(2026, 12, 6), dt.date(2026, 12, 6)),
    ],
)
def test_a_cadence_every_few_weeks_starts_on_the_first_day_it_meets(rule, today, first):
    assert recurrence.first_day(rule, today) == first


def test_every_other_week_made_without_a_start_meets_within_the_week(cast):
    """ "Every other <yesterday's weekday>" made today, no start given: its first meeting is
    within seven days (from today, the week just started counted as its first, it was in
    eight to thirteen)."""
    import zoneinfo

    from django.utils import timezone

    now = timezone.now()
    today = now.astimezone(zoneinfo.ZoneInfo("UTC")).date()
    day = recurrence.WEEKDAYS[(today.weekday() - 1) % 7]
    c = services.create_cadence(
        cast.org,
        cast.leader,
        name="Fortnightly",
        scope="team",
        team=cast.platform,
        rrule=f"FREQ=WEEKLY;INTERVAL=2;BYDAY={day}",
        time=dt.time(23, 59),
        timezone_name="UTC",
    )
    first = queries.next_occurrence(c, now)
    assert first is not None and first.start - now < dt.timedelta(days=7)


@pytest.mark.parametrize(
    "query",
    [
        {"team": "no-such-team"},
        {"team": "plat\x00form"},
        {"team": "x" * 5000},
        {"mine": "yes"},
        {"mine": "1", "team": "platform", "only": "maybe"},
        {"page": "-3"},
        {"page": "9" * 40},
    ],
)
def test_the_cadence_lists_filters_take_hostile_values_without_failing(cast, rhythm, query):
    """A filter the list does not know reads as no filter, or the list says so: never a
    server error, and nothing changes."""
    before = Cadence.objects.count()
    r = login(cast.member).get("/o/acme/rhythm/cadences/", query)
    assert r.status_code in (200, 400, 404), r.status_code
    assert Cadence.objects.count() == before
