"""What a walk through the demo found, fixed: a check-in whose window closed is offered to
view (not edit) and reads as given, not as a greyed form; Home says when a check-in owed
opens; the thanks after a check-in never doubles a full stop; the cadence page names its
agenda's sources in words; the stand-up's section of action items says they may be
overdue."""

from __future__ import annotations

import datetime as dt
import html
import importlib
import re

import pytest
from django.apps import apps
from django.utils import timezone

from accord.core.text import full_stop, sentence
from accord.decisions import services as decisions
from accord.org import services as org_services
from accord.rhythm import agenda, queries, services
from accord.rhythm.models import Meeting
from tests.conftest import at, login
from tests.rhythm.conftest import DUE, utc

H = dt.timedelta(hours=1)
OPENS = DUE - 48 * H  # Wed 4 Nov 2026, 15:00 UTC
CLOSED = DUE + 30 * H  # Sat 7 Nov 2026, 21:00 UTC: late until 24 h after, so closed


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))).strip()


@pytest.fixture
def given(cast, rhythm):
    """Mia's check-in due DUE, given on time with a scorecard value; its form's URL."""
    signups = services.create_measurable(
        cast.org,
        None,
        team=cast.platform,
        name="Signups",
        goal_rule="at_least",
        goal_low=100,
        owner=cast.member,
        unit="people",
    )
    services.submit_checkin(
        cast.org,
        cast.member,
        rhythm.checkin,
        DUE,
        now=DUE - H,
        highlights="Shipped the cache",
        blockers="Waiting on the schema",
        measurables={signups.pk: "120"},
    )
    occ = queries.occurrence(rhythm.checkin, DUE)
    return f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{occ.key}/checkin/"


# --- 1. a closed check-in, and one not open yet ------------------------------------------------


def test_my_week_offers_to_edit_a_check_in_while_open_and_to_view_it_once_closed(cast, given):
    client = login(cast.member)
    link = re.compile(rf'href="{re.escape(given)}">(\w+)')
    with at(DUE + 2 * H):  # late window still open
        assert link.findall(client.get("/o/acme/rhythm/").content.decode()) == ["Edit"]
    with at(CLOSED):
        assert link.findall(client.get("/o/acme/rhythm/").content.decode()) == ["View"]


def test_a_closed_check_in_reads_as_given_not_as_a_disabled_form(cast, given):
    client = login(cast.member)
    with at(CLOSED):
        page = client.get(given).content.decode()
    assert "<textarea" not in page and "<select" not in page and "disabled" not in page
    assert "Submit check-in" not in page
    said = _text(page)
    assert "Your check-in, as you gave it" in said
    assert "Highlights: Shipped the cache" in said
    assert "Blockers: Waiting on the schema" in said
    assert "Scorecard Signups 120 people" in said
    assert "this check-in can no longer be changed." in said
    # While the window is open, it is still the form.
    with at(DUE + 2 * H):
        page = client.get(given).content.decode()
    assert "<textarea" in page and "Submit check-in" in page


def test_home_says_when_a_check_in_owed_opens_as_my_week_does(cast, rhythm):
    client = login(cast.member)
    with at(OPENS - H):
        home = _text(client.get("/o/acme/").content.decode())
        week = _text(client.get("/o/acme/rhythm/").content.decode())
    owed = home[home.index("Check-ins owed") :]
    assert owed.startswith(
        "Check-ins owed Weekly team check-in · Platform due Fri 6 Nov 2026, 15:00 "
        "opens Wed 4 Nov 2026, 15:00"
    )
    assert "Opens Wed 4 Nov 2026, 15:00" in week


# --- 2. no doubled full stop -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Raised", "Raised."),
        ("Need the board deck from Platform.", "Need the board deck from Platform."),
        ("Where does it run?", "Where does it run?"),
        ("Decided: “Ship it!”", "Decided: “Ship it!”"),
        ("Waiting… ", "Waiting…"),
    ],
)
def test_a_sentence_ending_in_punctuation_gets_no_second_full_stop(text, said):
    assert sentence(text) == said
    assert text.rstrip() + full_stop(text) == said


def test_the_thanks_after_a_check_in_never_doubles_the_full_stop(cast, rhythm):
    data = org_services.create_team(cast.org, None, name="Data", parent=cast.root)
    services.update_cadence(cast.org, None, rhythm.checkin, window_opens_hours=8 * 24)
    occ = queries.next_occurrence(rhythm.checkin, timezone.now())
    url = f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{occ.key}/checkin/"
    form = {"blockers": "Need the board deck from Platform.", "blocker_team": data.pk,
            "raise_blocker": "1"}  # fmt: skip
    page = login(cast.member).post(url, form, follow=True).content.decode()
    said = _text(re.search(r'<p class="msg msg--success">(.*?)</p>', page, re.S).group(1))
    assert said.endswith(
        "Its blocker is raised as an issue for Data: "
        "Blocking Mia Member: Need the board deck from Platform."
    )


# --- 3. the cadence page's agenda, in words ----------------------------------------------------


def test_the_cadence_page_names_its_agendas_sources_in_words(cast, rhythm):
    page = _text(
        login(cast.member).get(f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/").content.decode()
    )
    assert "Check-ins 10 min · from check-ins" in page
    assert "Blockers across teams 5 min · from requests blocking these teams" in page
    assert "Waiting on us 0 min · from requests waiting on these teams" in page
    for internal in ("from checkins", "from blockers", "from requests ·", "from requests W"):
        assert internal not in page


# --- 4. the stand-up's action items ------------------------------------------------------------


def test_the_standups_action_items_say_they_may_be_overdue(cast):
    org = cast.org
    standup = services.create_cadence_from_template(
        org,
        None,
        "daily-standup",
        team=cast.platform,
        timezone_name="Europe/Berlin",
        start_date=dt.date(2026, 10, 1),
    )
    with at(utc(2026, 10, 20, 9)):
        decisions.create_action_item(
            org, None, "Send the questionnaire", cast.member, dt.date(2026, 11, 6), cast.platform
        )
    monday = utc(2026, 12, 7, 8, 30)
    meeting = Meeting(cadence=standup, occurrence_start=monday, scheduled_start=monday)
    with at(monday - H):
        built = agenda.build(org, standup, meeting, now=monday - H)
    [todos] = [s for s in built if s["key"] == "todos"]
    assert todos["title"] == "Due or overdue"
    assert [i["title"] for i in todos["items"]] == ["Send the questionnaire"]
    assert "overdue" in todos["items"][0]["detail"]
    assert sum(s["minutes"] for s in standup.agenda) == standup.duration_minutes


def test_existing_standups_call_it_due_or_overdue_hand_made_ones_stay(cast):
    migration = importlib.import_module("accord.rhythm.migrations.0012_standup_due_or_overdue")
    old = [
        {"key": "round", "title": "Round the room", "source": "none", "minutes": 10},
        {"key": "blockers", "title": "Blockers", "source": "blockers", "minutes": 3},
        {"key": "waiting", "title": "Waiting on us", "source": "requests", "minutes": 0},
        {"key": "todos", "title": "Due today", "source": "action_items", "minutes": 2},
    ]
    mine = [{"key": "todos", "title": "Due today", "source": "action_items", "minutes": 5}]

    def cadence(name, sections):
        return services.create_cadence(
            cast.org,
            None,
            name=name,
            rrule="FREQ=WEEKLY;BYDAY=MO",
            time=dt.time(9),
            timezone_name="UTC",
            team=cast.platform,
            agenda=sections,
        )

    standup, custom = cadence("Stand-up", old), cadence("Custom", mine)
    migration.forward(apps, None)
    standup.refresh_from_db()
    custom.refresh_from_db()
    assert [s["title"] for s in standup.agenda] == [
        "Round the room",
        "Blockers",
        "Waiting on us",
        "Due or overdue",
    ]
    assert [s["minutes"] for s in standup.agenda] == [10, 3, 0, 2]
    assert custom.agenda == mine
