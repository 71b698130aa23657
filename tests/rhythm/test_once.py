"""A meeting held once: "Repeats" offers "Once (on the start date)", which writes a rule of
one occurrence on the start date; the cadence's page says "Once, on 8 Dec 2026", its edit
form shows the choice again, and it needs a start date. The new-cadence form takes an
agenda, as the edit form does; left empty, a template's agenda applies."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accord.rhythm import picker, queries
from accord.rhythm.models import Cadence
from accord.rhythm.templates_catalog import TEMPLATES
from tests.conftest import login
from tests.rhythm.conftest import edit_form

NEW = "/o/acme/rhythm/cadences/new/"


def _new(cast, **over) -> dict:
    data = {
        "name": "Login outage review",
        "scope": "team",
        "team": cast.platform.pk,
        "repeat": "once",
        "time": "15:00",
        "duration_minutes": "45",
        "timezone": "Europe/Berlin",
        "start_date": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
    }
    return {**data, **over}


def test_once_is_a_single_meeting_on_the_start_date_said_so_on_its_page(cast):
    day = timezone.localdate() + dt.timedelta(days=1)
    client = login(cast.leader)
    r = client.post(NEW, _new(cast, ends_on=(day + dt.timedelta(days=9)).isoformat()))
    assert r.status_code == 302, r.content.decode()[:3000]
    c = Cadence.objects.get(name="Login outage review")
    # Its one occurrence is the start date; an "Ends on" left filled in means nothing.
    assert c.rrule == picker.ONCE_RULE and c.start_date == day
    now = timezone.now()
    (only,) = queries.occurrences_of(c, now - dt.timedelta(days=1), now + dt.timedelta(days=400))
    assert only.local_start().date() == day and only.local_start().hour == 15
    said = f"Once, on {day.day} {day:%b} {day.year} at 15:00 Europe/Berlin"
    page = client.get(f"/o/acme/rhythm/cadences/{c.pk}/").content.decode()
    assert said in page and "1 time" not in page
    listed = client.get("/o/acme/rhythm/cadences/").content.decode()
    assert said in listed
    # Its edit form shows the choice again; saved unchanged, the rule stays.
    edit = client.get(f"/o/acme/rhythm/cadences/{c.pk}/edit/").content.decode()
    assert '<option value="once" selected>Once (on the start date)</option>' in edit
    later = day + dt.timedelta(days=2)
    r = client.post(
        f"/o/acme/rhythm/cadences/{c.pk}/edit/",
        edit_form(c, repeat="once", rrule=c.rrule, start_date=later.isoformat()),
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    c.refresh_from_db()
    assert (c.rrule, c.start_date) == (picker.ONCE_RULE, later)


def test_once_without_a_start_date_is_refused_beside_it_and_nothing_is_set_up(cast):
    r = login(cast.leader).post(NEW, _new(cast, start_date=""))
    assert r.status_code == 200
    assert "Give the day it is held: a meeting held once is on its start date." in (
        r.content.decode()
    )
    assert not Cadence.objects.filter(name="Login outage review").exists()


def test_the_picker_reads_once_back_and_says_it():
    assert picker.rule_for("once") == "FREQ=DAILY;COUNT=1"
    assert picker.choices_for("FREQ=DAILY;COUNT=1") == {"repeat": "once"}
    assert picker.choices_for("FREQ=DAILY;COUNT=2") is None
    assert picker.in_words("FREQ=DAILY;COUNT=1") == "Once"
    assert picker.in_words("FREQ=DAILY;COUNT=1", start=dt.date(2026, 12, 8)) == (
        "Once, on 8 Dec 2026"
    )


def test_a_new_cadence_takes_an_agenda_and_else_keeps_its_templates(cast):
    client = login(cast.leader)
    r = client.post(
        NEW,
        _new(
            cast,
            agenda="What happened | none | 10\nOpen issues | issues | 20\nWho does what | "
            "action_items | 10",
        ),
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    c = Cadence.objects.get(name="Login outage review")
    assert [(s["title"], s["source"], s["minutes"]) for s in c.agenda] == [
        ("What happened", "none", 10),
        ("Open issues", "issues", 20),
        ("Who does what", "action_items", 10),
    ]
    # A template chosen and the agenda left empty: the template's sections.
    r = client.post(NEW, _new(cast, name="One-off sync", template="weekly-sync"))
    assert r.status_code == 302, r.content.decode()[:3000]
    c = Cadence.objects.get(name="One-off sync")
    assert c.rrule == picker.ONCE_RULE
    assert [s["title"] for s in c.agenda] == [s["title"] for s in TEMPLATES["weekly-sync"].sections]
    # An unknown source is refused beside the field, and nothing is set up.
    r = client.post(NEW, _new(cast, name="Bad agenda", agenda="Chat | gossip | 5"))
    assert r.status_code == 200 and "Unknown source" in r.content.decode()
    assert not Cadence.objects.filter(name="Bad agenda").exists()
