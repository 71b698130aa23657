"""Every part of a recurrence rule is checked at the edge, by the one parser behind the
forms, the API and organization files; an impossible rule is refused; and a bad rule that
reached the database anyway never hangs or breaks a page, a feed or the API."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil import rrule as du
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.core.errors import ServiceError
from accord.interchange import services as interchange
from accord.rhythm import queries, recurrence, services
from accord.rhythm.models import Cadence
from accord.rhythm.recurrence import Schedule
from tests.conftest import api_client, login

BAD_RULES = [
    ("FREQ=DAILY;INTERVAL=0", "INTERVAL=0"),
    ("FREQ=DAILY;INTERVAL=-1", "INTERVAL=-1"),
    ("FREQ=WEEKLY;INTERVAL=1.5", "INTERVAL=1.5"),
    ("FREQ=WEEKLY;INTERVAL=100000", "INTERVAL=100000"),
    ("FREQ=DAILY;COUNT=0", "COUNT=0"),
    ("FREQ=DAILY;COUNT=ten", "COUNT=TEN"),
    ("FREQ=DAILY;COUNT=99999999", "COUNT=99999999"),
    ("FREQ=DAILY;UNTIL=20261341", "UNTIL=20261341"),
    ("FREQ=DAILY;UNTIL=tomorrow", "UNTIL=TOMORROW"),
    ("FREQ=DAILY;UNTIL=99991231T235959Z", "UNTIL=99991231T235959Z"),
    ("FREQ=DAILY;COUNT=3;UNTIL=20270101", "COUNT or UNTIL"),
    ("FREQ=WEEKLY;BYDAY=XX", "BYDAY=XX"),
    ("FREQ=WEEKLY;BYDAY=1MO", "BYDAY=1MO"),
    ("FREQ=MONTHLY;BYDAY=0MO", "BYDAY=0MO"),
    ("FREQ=MONTHLY;BYDAY=6FR", "BYDAY=6FR"),
    ("FREQ=YEARLY;BYDAY=54MO", "BYDAY=54MO"),
    ("FREQ=MONTHLY;BYDAY=MO,,TU", "BYDAY=MO,,TU"),
    ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY=0"),
    ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY=32"),
    ("FREQ=MONTHLY;BYMONTHDAY=-32", "BYMONTHDAY=-32"),
    ("FREQ=MONTHLY;BYMONTHDAY=1.5", "BYMONTHDAY=1.5"),
    ("FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY"),
    ("FREQ=YEARLY;BYMONTH=0", "BYMONTH=0"),
    ("FREQ=YEARLY;BYMONTH=13", "BYMONTH=13"),
    ("FREQ=YEARLY;BYMONTH=-1", "BYMONTH=-1"),
    ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0", "BYSETPOS=0"),
    ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=40", "BYSETPOS=40"),
    ("FREQ=MONTHLY;BYSETPOS=1", "BYSETPOS"),
    ("FREQ=YEARLY;BYWEEKNO=0", "BYWEEKNO=0"),
    ("FREQ=YEARLY;BYWEEKNO=54", "BYWEEKNO=54"),
    ("FREQ=MONTHLY;BYWEEKNO=1", "BYWEEKNO"),
    ("FREQ=YEARLY;BYYEARDAY=0", "BYYEARDAY=0"),
    ("FREQ=YEARLY;BYYEARDAY=367", "BYYEARDAY=367"),
    ("FREQ=DAILY;BYYEARDAY=1", "BYYEARDAY"),
    ("FREQ=WEEKLY;WKST=XX", "WKST=XX"),
    ("FREQ=WEEKLY;COLOR=BLUE", "COLOR"),
    ("FREQ=WEEKLY;BYDAY=MO;BYDAY=TU", "BYDAY is given twice"),
    ("FREQ=DAILY;FREQ=WEEKLY", "FREQ is given twice"),
    ("FREQ=SECONDLY", "FREQ=SECONDLY"),
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31", "never produces"),
    ("FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31", "never produces"),
    ("FREQ=MONTHLY;BYMONTH=2,4;BYMONTHDAY=-31", "never produces"),
    ("FREQ=YEARLY;BYMONTH=6;BYYEARDAY=1", "never produces"),
    ("FREQ=DAILY;INTERVAL=7;BYDAY=TU", "never produces"),
    ("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", "never produces"),
    ("FREQ=DAILY;UNTIL=20250101", "never produces"),
]


def _payload(cast, rule: str, **extra) -> dict:
    return {
        "name": "Sync",
        "rrule": rule,
        "time": "10:00",
        "team_id": cast.platform.pk,
        "start_date": "2026-01-05",  # a Monday
        **extra,
    }


@pytest.mark.parametrize("rule,names", BAD_RULES)
def test_the_api_refuses_each_bad_part_naming_it_and_creates_nothing(cast, rule, names):
    r = api_client(cast.leader).post(
        "/api/v1/rhythm/cadences", _payload(cast, rule), content_type="application/json"
    )
    assert r.status_code == 422, r.content
    error = r.json()["error"]
    assert error["code"] == "invalid_rrule"
    assert names in error["message"] and names in error["fields"]["rrule"][0]
    assert not Cadence.objects.exists()


def test_a_change_to_a_bad_rule_is_refused_and_changes_nothing(cast, rhythm):
    r = api_client(cast.leader).patch(
        f"/api/v1/rhythm/cadences/{rhythm.sync.pk}",
        {"rrule": "FREQ=WEEKLY;INTERVAL=0"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "INTERVAL=0" in r.json()["error"]["message"]
    rhythm.sync.refresh_from_db()
    assert rhythm.sync.rrule == "FREQ=WEEKLY;BYDAY=MO"


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY;BYDAY=MO,WE;INTERVAL=2;WKST=SU",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=MONTHLY;BYMONTHDAY=-1",
        "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "FREQ=YEARLY;BYWEEKNO=1,27;BYDAY=MO",
        "FREQ=YEARLY;BYYEARDAY=1,-1",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=DAILY;COUNT=10",
        "RRULE:freq=daily;until=20270101T000000Z",
    ],
)
def test_well_formed_rules_are_accepted(cast, rule):
    r = api_client(cast.leader).post(
        "/api/v1/rhythm/cadences", _payload(cast, rule), content_type="application/json"
    )
    assert r.status_code == 201, r.content


def test_the_form_refuses_a_bad_part_with_its_name(cast):
    page = login(cast.leader).post(
        "/o/acme/rhythm/cadences/new/",
        {
            "name": "X",
            "rrule": "FREQ=WEEKLY;INTERVAL=0",
            "time": "10:00",
            "scope": "team",
            "team": cast.platform.pk,
            "timezone": "UTC",
        },
    )
    assert page.status_code == 200 and "INTERVAL=0" in page.content.decode()
    assert not Cadence.objects.exists()


@pytest.mark.parametrize(
    "rule,start,names",
    [
        ("FREQ=DAILY;INTERVAL=0", "2026-01-05", "INTERVAL=0"),
        ("FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31", "2026-01-05", "never produces"),
        ("FREQ=WEEKLY", "0001-01-01", "1900 to 2999"),
    ],
)
def test_an_organization_file_is_checked_by_the_same_parser(cast, rule, start, names):
    text = (
        "cadences:\n  - {id: c, name: Sync, scope: team, team: platform,"
        f" rrule: '{rule}', start_date: {start}, time: '09:00'}}\n"
    )
    outcome = interchange.plan_file(text, org_slug="acme")
    [problem] = outcome.report.problems
    assert problem.path.startswith("cadences[0]") and names in problem.why, problem.why
    assert outcome.changes == []


# --- stored rules the services would refuse --------------------------------------------------

STORED = [
    {"rrule": "FREQ=DAILY;INTERVAL=0"},
    {"rrule": "FREQ=DAILY;INTERVAL=-1"},
    {"rrule": "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31"},
    {"rrule": "FREQ=DAILY;COUNT=999999999"},
    {"rrule": "GARBAGE"},
    {"rrule": "FREQ=DAILY", "start_date": dt.date(1, 1, 1)},
    {"rrule": "FREQ=DAILY", "start_date": dt.date(9999, 12, 31)},
    {"rrule": "FREQ=DAILY", "timezone": "Mars/Olympus"},
    {"rrule": "FREQ=DAILY", "duration_minutes": 10**9},
]


@pytest.mark.parametrize("stored", STORED, ids=lambda s: "-".join(map(str, s.values())))
def test_a_stored_bad_schedule_shows_as_invalid_and_breaks_nothing(cast, rhythm, stored):
    Cadence.objects.filter(pk=rhythm.sync.pk).update(**stored)
    services.create_feed(cast.org, cast.leader, team=cast.platform)
    _, token = services.create_feed(cast.org, cast.leader, person=cast.leader)
    client = login(cast.leader)
    for url in (
        "/o/acme/",
        "/o/acme/rhythm/",
        "/o/acme/rhythm/cadences/",
        f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/",
        "/o/acme/rhythm/teams/platform/",
        "/o/acme/teams/platform/",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        if url != "/o/acme/teams/platform/":
            assert "invalid schedule" in page.content.decode().lower(), url
    feed = Client().get(f"/api/v1/rhythm/calendar/{token}.ics")
    assert feed.status_code == 200 and b"BEGIN:VCALENDAR" in feed.content
    assert f"cadence-{rhythm.sync.pk}@".encode() not in feed.content
    assert f"cadence-{rhythm.checkin.pk}@".encode() in feed.content  # the others stay
    api = api_client(cast.leader)
    listed = api.get("/api/v1/rhythm/cadences").json()["items"]
    broken = next(c for c in listed if c["id"] == rhythm.sync.pk)
    assert broken["schedule_problem"]
    assert next(c for c in listed if c["id"] == rhythm.checkin.pk)["schedule_problem"] is None
    r = api.get(f"/api/v1/rhythm/cadences/{rhythm.sync.pk}/occurrences")
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_schedule"
    assert api.get(f"/api/v1/rhythm/cadences/{rhythm.sync.pk}/adherence").status_code == 200
    assert queries.next_occurrence(rhythm.checkin) is not None
    # The worker's periodic jobs go on for the other cadences.
    from accord.activity import delivery
    from accord.rhythm import notifications

    notifications.plan_all()
    delivery.deliver()
    services.record_missed_checkins(cast.org)


def test_an_expansion_stops_at_its_cap_on_instants(monkeypatch):
    monkeypatch.setattr(recurrence, "MAX_INSTANTS", 10)
    s = Schedule("FREQ=DAILY", dt.date(2026, 1, 1), dt.time(9), "UTC")
    lo = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert len(recurrence.rule_instants(s, lo, lo + dt.timedelta(days=5))) == 5
    with pytest.raises(recurrence.InvalidSchedule):
        recurrence.rule_instants(s, lo, lo + dt.timedelta(days=60))


# --- the bounded expansion gives what dateutil gives -----------------------------------------

RULES = [
    "FREQ=DAILY",
    "FREQ=DAILY;INTERVAL=3",
    "FREQ=DAILY;INTERVAL=9;BYMONTH=2;BYMONTHDAY=28,29",
    "FREQ=WEEKLY",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH",
    "FREQ=WEEKLY;INTERVAL=3;WKST=SU;BYDAY=SU,MO",
    "FREQ=WEEKLY;INTERVAL=4",
    "FREQ=MONTHLY",
    "FREQ=MONTHLY;INTERVAL=5",
    "FREQ=MONTHLY;BYDAY=-1FR",
    "FREQ=MONTHLY;INTERVAL=7;BYMONTHDAY=31",
    "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    "FREQ=YEARLY",
    "FREQ=YEARLY;INTERVAL=3",
    "FREQ=YEARLY;BYWEEKNO=1,53;BYDAY=MO",
    "FREQ=YEARLY;BYYEARDAY=100,-1",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
    "FREQ=DAILY;UNTIL=20300101",
    "FREQ=WEEKLY;COUNT=30",
]


@settings(max_examples=150, deadline=None)
@given(
    rule=st.sampled_from(RULES),
    start=st.dates(dt.date(1950, 1, 1), dt.date(2040, 12, 31)),
    hour=st.integers(0, 23),
    offset=st.integers(0, 40_000),
    days=st.integers(1, 400),
)
def test_the_bounded_expansion_matches_dateutil(rule, start, hour, offset, days):
    s = Schedule(rule, start, dt.time(hour, 30), "UTC")
    try:
        s.validate()
    except ServiceError:
        return  # e.g. Feb 29 from a start that cannot reach one soon enough
    lo = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=offset)
    hi = lo + dt.timedelta(days=days)
    naive = du.rrulestr(rule, dtstart=s.dtstart_local)
    expected = [
        x.replace(tzinfo=dt.UTC)
        for x in naive.between(lo.replace(tzinfo=None), hi.replace(tzinfo=None), inc=True)
        if x.replace(tzinfo=dt.UTC) < hi
    ]
    assert recurrence.rule_instants(s, lo, hi) == expected


RARE = [
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
    "FREQ=MONTHLY;BYMONTH=2;BYDAY=5MO",
    "FREQ=YEARLY;BYWEEKNO=53;BYDAY=TH",
    "FREQ=YEARLY;INTERVAL=3;BYMONTH=2;BYMONTHDAY=29",
    "FREQ=WEEKLY;INTERVAL=5;BYMONTH=1;BYDAY=SU",
]


@settings(max_examples=150, deadline=None)
@given(
    rule=st.sampled_from(RARE),
    start=st.dates(dt.date(1900, 1, 1), dt.date(2990, 12, 31)),
)
def test_a_rule_is_accepted_exactly_when_it_happens_within_five_years(rule, start):
    s = Schedule(rule, start, dt.time(9), "UTC")
    first = du.rrulestr(rule, dtstart=s.dtstart_local).after(s.dtstart_local, inc=True)
    soon = first is not None and first <= s.dtstart_local + dt.timedelta(days=366 * 5)
    try:
        s.validate()
    except ServiceError as exc:
        assert not soon, exc.message
    else:
        assert soon


# Every 14 days from the start, on Wednesdays: it happens only when the start is a
# Wednesday. (Out of the property above: dateutil searches up to the year 9999 for the
# first instant of a rule that never happens, 2.5 s an example.)
@pytest.mark.parametrize(
    "start", [dt.date(1900, 1, 3), dt.date(2026, 12, 2), dt.date(2990, 12, 29)]
)
def test_a_rule_that_lands_only_on_its_start_weekday_is_accepted_only_there(start):
    assert start.weekday() == 2
    Schedule("FREQ=DAILY;INTERVAL=14;BYDAY=WE", start, dt.time(9), "UTC").validate()
    for shift in range(1, 7):
        other = Schedule(
            "FREQ=DAILY;INTERVAL=14;BYDAY=WE", start + dt.timedelta(days=shift), dt.time(9), "UTC"
        )
        with pytest.raises(ServiceError):
            other.validate()


def test_a_cadence_with_a_stored_bad_rule_can_be_paused_and_then_fixed(cast, rhythm):
    Cadence.objects.filter(pk=rhythm.sync.pk).update(rrule="FREQ=DAILY;INTERVAL=0")
    api = api_client(cast.leader)
    url = f"/api/v1/rhythm/cadences/{rhythm.sync.pk}"
    paused = api.patch(url, {"is_active": False}, content_type="application/json")
    assert paused.status_code == 200 and paused.json()["schedule_problem"]
    fixed = api.patch(url, {"rrule": "FREQ=DAILY;INTERVAL=2"}, content_type="application/json")
    assert fixed.status_code == 200 and fixed.json()["schedule_problem"] is None


@pytest.mark.parametrize("freq", ["DAILY", "WEEKLY;BYDAY=MO", "MONTHLY", "YEARLY"])
def test_a_window_long_before_the_cadence_began_is_empty_not_an_error(freq):
    s = Schedule(f"FREQ={freq}", dt.date(2026, 1, 5), dt.time(9), "UTC")
    lo = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    assert recurrence.rule_instants(s, lo, lo + dt.timedelta(days=31)) == []
    hi = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    assert recurrence.rule_instants(s, lo, hi)[0] == dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
