"""Which meetings' agendas a person gets by e-mail: every meeting, a cadence's first meeting
of each week (the default: a daily stand-up's agenda on Monday, not five times a week) or
never. Against a real local SMTP server and chat webhook: the team's chat post of an agenda
and the reminders to check in do not depend on the choice; the e-mail says which it is and
where to change it; the settings page and the API change it, and refuse what is not a
choice with nothing changed."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from accord.activity import delivery
from accord.activity.models import DeliveryPreferences
from accord.core.errors import ServiceError
from accord.rhythm import notifications, services
from accord.rhythm.models import Cadence
from tests.conftest import api_client, at, login
from tests.rhythm.conftest import existed_since, utc

H = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
# Monday 9 Nov 2026, 09:30 in Berlin (CET): the week's first stand-up.
MONDAY = utc(2026, 11, 9, 8, 30)
FOOTER_WEEKLY = "You get this cadence's agenda on the first meeting of each week"
FOOTER_EVERY = "You get this cadence's agenda before every meeting"


@pytest.fixture
def standup(cast, rhythm) -> Cadence:
    cadence = services.create_cadence_from_template(
        cast.org,
        None,
        "daily-standup",
        team=cast.platform,
        timezone_name="Europe/Berlin",
        start_date=dt.date(2026, 10, 1),
        owner=cast.leader,
    )
    existed_since(cast.org)
    return cadence


def run(now: dt.datetime) -> dict[str, int]:
    """The worker's two periodic tasks at `now`: plan reminders, then deliver them."""
    with at(now):
        return {"planned": notifications.plan_all(now), **delivery.deliver(now)}


def a_week_of_standups() -> None:
    """The worker runs a minute after each stand-up's agenda is due, Monday to Friday."""
    for day in range(5):
        run(MONDAY + day * DAY - notifications.AGENDA_BEFORE + dt.timedelta(minutes=1))


def standup_emails(smtp, person) -> list:
    return [
        m
        for m in smtp.messages
        if m["X-Rcpt"] == person.email and subject(m).startswith("Agenda: Daily stand-up")
    ]


def subject(message) -> str:
    return message["Subject"].strip()


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_by_default_a_daily_standups_agenda_is_emailed_on_monday_only(
    cast, standup, smtp, good_hook
):
    delivery.add_chat_webhook(cast.org, None, cast.platform, url=good_hook.url, flavor="slack")
    a_week_of_standups()
    [monday] = standup_emails(smtp, cast.member)
    assert "Mon 9 Nov 2026" in subject(monday)
    text = text_of(monday)
    assert "Round the room" in text
    assert FOOTER_WEEKLY + "; change it in Settings: " in text
    assert "/o/acme/rhythm/settings/#agenda-emails" in text
    body = monday.get_body(("html",)).get_content()
    assert FOOTER_WEEKLY in html.unescape(body) and "#agenda-emails" in body
    # The team's chat still hears each day's agenda.
    posts = [p for p in good_hook.posts if "Daily stand-up" in p["text"]]
    assert len(posts) == 5
    # Planning again finds nothing new.
    assert run(MONDAY + 4 * DAY - H)["planned"] == 0


def test_who_chose_every_meeting_gets_each_days_agenda(cast, standup, smtp):
    delivery.set_preferences(cast.org, cast.member, cast.member, agenda_emails="every")
    a_week_of_standups()
    emails = standup_emails(smtp, cast.member)
    assert [subject(m).split(" at ")[1][:3] for m in emails] == ["Mon", "Tue", "Wed", "Thu", "Fri"]
    assert FOOTER_EVERY in text_of(emails[2])
    # The leader kept the default: Monday's only.
    assert len(standup_emails(smtp, cast.leader)) == 1


def test_never_stops_agenda_emails_but_not_chat_posts_or_check_in_reminders(
    cast, rhythm, standup, smtp, good_hook
):
    delivery.add_chat_webhook(cast.org, None, cast.platform, url=good_hook.url, flavor="slack")
    delivery.set_preferences(cast.org, cast.member, cast.member, agenda_emails="never")
    a_week_of_standups()
    run(utc(2026, 11, 9, 7, 1))  # the weekly sync's agenda, Monday 10:00 Berlin
    assert not [m for m in smtp.messages if m["X-Rcpt"] == cast.member.email]
    assert len(standup_emails(smtp, cast.leader)) == 1
    assert len([p for p in good_hook.posts if "Daily stand-up" in p["text"]]) == 5
    # Friday's check-in window opens on Wednesday 15:00 UTC: she is reminded of it.
    run(utc(2026, 11, 11, 15, 1))
    [reminder] = [m for m in smtp.messages if m["X-Rcpt"] == cast.member.email]
    assert subject(reminder).startswith("Check-in open: Weekly team check-in")


def test_when_mondays_standup_is_cancelled_tuesdays_agenda_is_the_weeks_first(cast, standup, smtp):
    services.cancel_occurrence(cast.org, None, standup, MONDAY)
    a_week_of_standups()
    [first] = standup_emails(smtp, cast.member)
    assert "Tue 10 Nov 2026" in subject(first)


def test_a_weekly_meetings_agenda_goes_out_as_before_without_a_word_on_the_choice(
    cast, rhythm, smtp
):
    run(utc(2026, 11, 9, 7, 1))  # Monday 10:00 Berlin, two hours ahead
    mails = [m for m in smtp.messages if m["X-Rcpt"] == cast.member.email]
    [sync] = mails
    assert subject(sync).startswith("Agenda: Weekly team sync")
    assert "You get this cadence's agenda" not in text_of(sync)


def test_an_unknown_choice_is_refused_and_changes_nothing(cast):
    with pytest.raises(ServiceError) as refused:
        delivery.set_preferences(
            cast.org, cast.member, cast.member, email=False, agenda_emails="daily"
        )
    assert refused.value.fields == {"agenda_emails": ["Choose one of every, weekly, never."]}
    assert not DeliveryPreferences.objects.filter(person=cast.member).exists()


def test_the_settings_page_shows_and_changes_the_choice(cast, rhythm):
    client = login(cast.member)
    page = client.get("/o/acme/rhythm/settings/").content.decode()
    assert "Meeting agendas by e-mail" in page
    assert 'value="weekly" checked' in page and 'value="every" checked' not in page
    saved = client.post(
        "/o/acme/rhythm/settings/",
        {"what": "channels", "email": "1", "chat": "1", "agenda_emails": "every"},
    )
    assert saved.status_code == 302
    assert DeliveryPreferences.objects.get(person=cast.member).agenda_emails == "every"
    page = client.get("/o/acme/rhythm/settings/").content.decode()
    assert 'value="every" checked' in page
    # Not a choice: said, and nothing changes (not even the e-mail box unticked with it).
    refused = client.post(
        "/o/acme/rhythm/settings/",
        {"what": "channels", "chat": "1", "agenda_emails": "daily"},
        follow=True,
    )
    said = "Unknown choice of agenda e-mails 'daily'; use every, weekly, never."
    assert said in html.unescape(refused.content.decode())
    prefs = DeliveryPreferences.objects.get(person=cast.member)
    assert prefs.agenda_emails == "every" and prefs.email


def test_the_api_reads_and_changes_the_choice(cast):
    client = api_client(cast.member)
    assert client.get("/api/v1/me/notifications").json()["agenda_emails"] == "weekly"
    changed = client.patch(
        "/api/v1/me/notifications", {"agenda_emails": "never"}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["agenda_emails"] == "never"
    refused = client.patch(
        "/api/v1/me/notifications",
        {"agenda_emails": "daily", "email": False},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert client.get("/api/v1/me/notifications").json() == {
        **changed.json(),
        "email": True,
    }
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    field = schema["PreferencesOut"]["properties"]["agenda_emails"]
    assert "first meeting of each week" in field["description"]


def test_which_meeting_is_the_weeks_first_is_known_without_a_query(cast, standup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accord.rhythm import queries

    [loaded] = [c for c in queries.every_cadence(cast.org) if c.pk == standup.pk]
    week = queries.occurrences_of(loaded, MONDAY, MONDAY + 5 * DAY)
    with CaptureQueriesContext(connection) as done:
        seen = [notifications.agenda_week(loaded, occ) for occ in week]
    assert len(done) == 0
    assert [w.first for w in seen] == [True, False, False, False, False]
    assert all(w.more_than_one for w in seen)
