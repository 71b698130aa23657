"""The recurrence picker of the cadence form: it writes the RFC 5545 rule a cadence stores,
shows a stored rule it can say in its own terms (and any other as the raw rule), and
leaves judging a rule to the one validation the services already apply."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity.models import Event
from accord.core.errors import ServiceError
from accord.rhythm import picker, recurrence
from accord.rhythm.models import Cadence
from accord.rhythm.templates_catalog import TEMPLATES
from tests.conftest import login
from tests.rhythm.conftest import edit_form

PICKED = [
    ({"repeat": "weekly", "days": ["MO", "WE"]}, "FREQ=WEEKLY;BYDAY=MO,WE"),
    ({"repeat": "biweekly", "days": ["TU"]}, "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
    ({"repeat": "monthly_nth", "ordinal": "1", "weekday": "TU"}, "FREQ=MONTHLY;BYDAY=1TU"),
    ({"repeat": "monthly_nth", "ordinal": "-1", "weekday": "FR"}, "FREQ=MONTHLY;BYDAY=-1FR"),
    ({"repeat": "month_last_workday"}, "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"),
    (
        {"repeat": "quarter_last_workday"},
        "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    ),
]


@pytest.mark.parametrize(("choices", "rule"), PICKED)
def test_each_choice_writes_its_rule_and_reads_back(choices, rule):
    assert (
        picker.rule_for(
            choices["repeat"],
            choices.get("days"),
            choices.get("ordinal", ""),
            choices.get("weekday", ""),
        )
        == rule
    )
    assert picker.choices_for(rule) == choices
    recurrence.parse_rule(rule, dt.datetime(2026, 1, 1, 9))  # valid by the one validation


def test_the_last_business_day_of_the_quarter_falls_where_expected():
    schedule = recurrence.Schedule(
        rrule=picker.rule_for("quarter_last_workday"),
        start_date=dt.date(2026, 1, 1),
        time=dt.time(16),
        timezone="Europe/Berlin",
        duration_minutes=60,
    )
    days = [
        i.date()
        for i in recurrence.rule_instants(
            schedule, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
        )
    ]
    # 31 Mar 2026 is a Tuesday, 30 Jun a Tuesday, 30 Sep a Wednesday, 31 Dec a Thursday.
    assert days == [
        dt.date(2026, 3, 31),
        dt.date(2026, 6, 30),
        dt.date(2026, 9, 30),
        dt.date(2026, 12, 31),
    ]


def test_the_templates_rules_show_in_the_picker():
    assert {t.rrule: picker.choices_for(t.rrule)["repeat"] for t in TEMPLATES.values()} == {
        "FREQ=WEEKLY;BYDAY=FR": "weekly",
        "FREQ=WEEKLY;BYDAY=MO": "weekly",
        "FREQ=MONTHLY;BYDAY=1TU": "monthly_nth",
        "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1": "quarter_last_workday",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR": "weekdays",
    }


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;INTERVAL=2",
        "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO",
        "FREQ=WEEKLY;BYDAY=MO;COUNT=5",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;WKST=SU",
        "FREQ=MONTHLY;BYMONTHDAY=15",
        "FREQ=MONTHLY;BYDAY=5MO",
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=1TU",
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1",
        "FREQ=YEARLY;BYMONTH=3",
        "FREQ=WEEKLY;BYDAY=MO,MO",
        "FREQ=NONSENSE",
    ],
)
def test_a_rule_the_picker_cannot_say_shows_as_the_rule(rule):
    assert picker.choices_for(rule) is None


def test_the_first_tuesday_written_with_bysetpos_reads_as_the_first_tuesday():
    assert picker.choices_for("RRULE:FREQ=MONTHLY;BYDAY=TU;BYSETPOS=1") == {
        "repeat": "monthly_nth",
        "ordinal": "1",
        "weekday": "TU",
    }


def test_a_choice_missing_its_details_is_refused_clearly():
    with pytest.raises(ServiceError) as exc:
        picker.rule_for("weekly", [])
    assert exc.value.fields == {"days": ["Choose at least one day of the week."]}
    with pytest.raises(ServiceError) as exc:
        picker.rule_for("monthly_nth", ordinal="7", weekday="TU")
    assert "ordinal" in exc.value.fields


# --- the cadence form ------------------------------------------------------------------------


def _selected(html: str, name: str) -> list[str]:
    import re

    found = []
    for tag in re.findall(r"<(?:input|option)[^>]*>", html):
        if (f'name="{name}"' in tag or "<option" in tag) and (
            " checked" in tag or " selected" in tag
        ):
            found.append(re.search(r'value="([^"]*)"', tag)[1])
    return found


def test_editing_a_cadence_shows_its_rule_in_the_picker(cast, rhythm):
    url = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/edit/"
    page = login(cast.leader).get(url).content.decode()
    assert '<option value="weekly" selected>' in page
    assert 'name="days" value="MO"' in page and "MO" in _selected(page, "days")
    assert "FREQ=WEEKLY;BYDAY=MO" in page  # the raw rule stays there for experts


def test_editing_a_cadence_the_picker_cannot_say_shows_the_raw_rule(cast, rhythm):
    Cadence.objects.filter(pk=rhythm.sync.pk).update(rrule="FREQ=WEEKLY;INTERVAL=3;BYDAY=TH")
    page = login(cast.leader).get(f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/edit/")
    html = page.content.decode()
    assert '<option value="custom" selected>' in html
    assert 'value="FREQ=WEEKLY;INTERVAL=3;BYDAY=TH"' in html


def test_the_picker_writes_the_rule_on_save(cast, rhythm):
    sync = rhythm.sync
    url = f"/o/acme/rhythm/cadences/{sync.pk}/edit/"
    r = login(cast.leader).post(url, edit_form(sync, repeat="biweekly", days=["TH", "TU"]))
    assert r.status_code == 302
    sync.refresh_from_db()
    assert sync.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH"
    event = Event.objects.filter(target_type="rhythm.cadence", target_id=sync.pk).latest("pk")
    assert event.after["rrule"] == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH"
    # Its history says the schedule as the picker does, not the stored rule.
    repeats = dict((label, after) for label, _, after in event.changes)["Repeats"]
    assert repeats == "Every other week on Tuesday and Thursday"


@pytest.mark.parametrize(
    ("rule", "said"),
    [
        ("FREQ=WEEKLY;BYDAY=MO", "Every week on Monday"),
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", "Every week on Monday, Wednesday and Friday"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "Every month on the last Friday"),
        ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "The last business day of every month"),
        ("FREQ=YEARLY;BYWEEKNO=1", None),  # no words fit: the rule is shown
    ],
)
def test_a_rule_the_picker_can_say_is_said_in_words(rule, said):
    assert picker.in_words(rule) == said


def test_an_expert_edits_the_raw_rule_when_the_picker_is_untouched(cast, rhythm):
    sync = rhythm.sync
    url = f"/o/acme/rhythm/cadences/{sync.pk}/edit/"
    # What the page posts: the picker as shown (every week on Monday), the rule retyped.
    data = edit_form(sync, repeat="weekly", days=["MO"], rrule="FREQ=DAILY;INTERVAL=2")
    assert login(cast.leader).post(url, data).status_code == 302
    sync.refresh_from_db()
    assert sync.rrule == "FREQ=DAILY;INTERVAL=2"


def test_the_picker_and_the_rule_its_script_wrote_agree(cast, rhythm):
    sync = rhythm.sync
    url = f"/o/acme/rhythm/cadences/{sync.pk}/edit/"
    rule = "FREQ=MONTHLY;BYDAY=-1FR"
    data = edit_form(sync, repeat="monthly_nth", ordinal="-1", weekday="FR", rrule=rule)
    assert login(cast.leader).post(url, data).status_code == 302
    sync.refresh_from_db()
    assert sync.rrule == rule


def test_a_picker_without_days_or_a_bad_raw_rule_is_refused_and_changes_nothing(cast, rhythm):
    sync = rhythm.sync
    url = f"/o/acme/rhythm/cadences/{sync.pk}/edit/"
    client = login(cast.leader)
    r = client.post(url, edit_form(sync, repeat="weekly", days=[]))
    assert r.status_code == 200 and "Choose at least one day of the week." in r.content.decode()
    # The raw rule is judged by the same validation as ever (bounded intervals).
    r = client.post(url, edit_form(sync, rrule="FREQ=DAILY;INTERVAL=99999"))
    assert r.status_code == 200 and "INTERVAL=99999" in r.content.decode()
    r = client.post(url, edit_form(sync, repeat="weekly", days=["FR"], rrule="FREQ=DAILY"))
    assert r.status_code == 200 and "not both" in r.content.decode()
    sync.refresh_from_db()
    assert sync.rrule == "FREQ=WEEKLY;BYDAY=MO"


def test_a_new_cadence_from_the_picker(cast):
    r = login(cast.leader).post(
        "/o/acme/rhythm/cadences/new/",
        {
            "name": "Quarterly review",
            "scope": "team",
            "team": cast.platform.pk,
            "repeat": "quarter_last_workday",
            "time": "15:00",
            "timezone": "Europe/Berlin",
            "start_date": "2026-12-01",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    c = Cadence.objects.get(name="Quarterly review")
    assert c.rrule == "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"
