"""The weekly check-in's "Blockers across teams" are what blocks the team, as the stand-up's
"Blockers" are: what other teams asked of it waits apart, under "Waiting on us" (what each
section lists: test_rhythm_review_fixes, 15). Check-ins set up before from the template are
moved (migration 0011); hand-made agendas stay."""

from __future__ import annotations

import datetime as dt
import importlib

from django.apps import apps

from accord.rhythm import services
from accord.rhythm.models import CadenceKind
from accord.rhythm.templates_catalog import TEMPLATES


def test_no_template_lists_both_sides_of_a_dependency_as_blockers():
    for template in TEMPLATES.values():
        for s in template.sections:
            if "blocker" in s["title"].lower() or s["key"] == "blockers":
                assert s["source"] == "blockers", (template.slug, s)
        sources = [s["source"] for s in template.sections]
        if "blockers" in sources:  # what blocks the team, then what others wait on it for
            assert sources[sources.index("blockers") + 1] == "requests", template.slug


def test_existing_weekly_checkins_move_to_the_new_sections_hand_made_ones_stay(cast):
    migration = importlib.import_module(
        "accord.rhythm.migrations.0011_weekly_checkin_blockers_and_requests"
    )
    old = [
        {"key": "checkins", "title": "Check-ins", "source": "checkins", "minutes": 10},
        {
            "key": "blockers",
            "title": "Blockers across teams",
            "source": "dependencies",
            "minutes": 5,
        },
    ]
    # The same, its minutes changed: still the template's sections, moved keeping them.
    longer = [{**old[0], "minutes": 20}, {**old[1], "minutes": 10}]
    mine = [
        {"key": "checkins", "title": "Check-ins", "source": "checkins", "minutes": 10},
        {
            "key": "blockers",
            "title": "Everything across teams",
            "source": "dependencies",
            "minutes": 5,
        },
    ]

    def cadence(name, sections, kind=CadenceKind.CHECKIN):
        return services.create_cadence(
            cast.org,
            None,
            name=name,
            kind=kind,
            rrule="FREQ=WEEKLY;BYDAY=FR",
            time=dt.time(16),
            timezone_name="UTC",
            team=cast.platform,
            agenda=sections,
        )

    weekly, slower, custom = (
        cadence("Weekly", old),
        cadence("Slower", longer),
        cadence("Mine", mine),
    )
    migration.forward(apps, None)
    for c in (weekly, slower, custom):
        c.refresh_from_db()
    assert [(s["key"], s["title"], s["source"], s["minutes"]) for s in weekly.agenda] == [
        ("checkins", "Check-ins", "checkins", 10),
        ("blockers", "Blockers across teams", "blockers", 5),
        ("waiting", "Waiting on us", "requests", 0),
    ]
    assert [(s["source"], s["minutes"]) for s in slower.agenda] == [
        ("checkins", 20),
        ("blockers", 10),
        ("requests", 0),
    ]
    assert custom.agenda == mine
    # As a new weekly check-in is set up now.
    assert weekly.agenda == TEMPLATES["weekly-checkin"].sections
