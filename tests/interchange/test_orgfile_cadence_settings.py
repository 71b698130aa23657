"""A cadence's agenda, extra participants and check-in window travel in the file: an export
applied elsewhere runs the same rhythm; left out, Accord's own settings stand."""

from __future__ import annotations

from accord.interchange import services
from accord.org.models import Organization, Person
from accord.rhythm import services as rhythm
from accord.rhythm.models import Cadence

from .helpers import ORG_FILE

CADENCE = """\
cadences:
  - id: eng-checkin
    name: Engineering check-in
    kind: checkin
    team: eng
    rrule: FREQ=WEEKLY;BYDAY=FR
    start_date: 2026-11-06
    time: "16:00"
    timezone: Europe/Berlin
"""


def _export(slug: str) -> str:
    return services.export_text(Organization.objects.get(slug=slug))


def test_the_rhythms_settings_round_trip_and_are_kept_when_left_out(db):
    services.apply_file(ORG_FILE + CADENCE, org_slug="initech")
    cadence = Cadence.objects.get(name="Engineering check-in")
    org = cadence.org
    bill = Person.objects.get(org=org, email="bill@initech.example")
    rhythm.update_cadence(
        org, None, cadence,
        agenda=[{"title": "Numbers", "source": "metrics", "minutes": 10},
                {"title": "Blockers", "source": "dependencies", "minutes": 5}],
        extra_participants=[bill], checkin_owed_by="leads",
        window_opens_hours=24, late_after_hours=12,
    )  # fmt: skip
    text = _export("initech")
    assert "- Numbers | metrics | 10" in text and "- bill@initech.example" in text
    assert "checkin_owed_by: leads" in text and "window_opens_hours: 24" in text

    # Applied to another organization: the same rhythm.
    copy = text.replace("slug: initech}", "slug: initrode}", 1)
    assert services.apply_file(copy, org_slug="initrode").applied
    other = Cadence.objects.get(org__slug="initrode")
    assert [(s["title"], s["source"], s["minutes"]) for s in other.agenda] == [
        ("Numbers", "metrics", 10),
        ("Blockers", "dependencies", 5),
    ]
    assert [p.email for p in other.extra_participants.all()] == ["bill@initech.example"]
    assert (other.checkin_owed_by, other.window_opens_hours, other.late_after_hours) == (
        "leads", 24, 12,
    )  # fmt: skip
    assert _export("initrode").replace("initrode", "initech") == text

    # The older file, without these fields, changes none of them.
    outcome = services.apply_file(ORG_FILE + CADENCE, org_slug="initech")
    assert outcome.applied
    cadence.refresh_from_db()
    assert [s["title"] for s in cadence.agenda] == ["Numbers", "Blockers"]
    assert cadence.window_opens_hours == 24


def test_an_agenda_section_of_an_unknown_source_is_refused_in_words(db):
    bad = CADENCE + '    agenda: ["Gossip | rumours | 5"]\n'
    outcome = services.apply_file(ORG_FILE + bad, org_slug="initech")
    problems = [p.why for p in outcome.report.problems]
    assert any("Unknown agenda source 'rumours'" in why for why in problems), problems
    assert not Cadence.objects.exists()
