"""A meeting's agenda lists the milestones near it (the organization's and its teams'),
in a section of its own added when there are some."""

from __future__ import annotations

import datetime as dt

from accord.alignment import milestones
from accord.alignment.models import Milestone
from accord.org import services as org_services
from accord.rhythm import agenda, services
from tests.rhythm.conftest import utc

MEETING = utc(2026, 11, 16, 10)
DAY = MEETING.date()


def _cadence(cast, team, agenda_sections):
    return services.create_cadence(
        cast.org,
        None,
        name=f"{team.name} sync",
        rrule="FREQ=WEEKLY;BYDAY=MO",
        time=dt.time(10),
        timezone_name="UTC",
        team=team,
        start_date=dt.date(2026, 10, 1),
        agenda=agenda_sections,
    )


def test_milestones_near_the_meeting_are_on_its_agenda(cast):
    org = cast.org
    data = org_services.create_team(org, None, name="Data", slug="data", parent=cast.root)
    cadence = _cadence(cast, cast.platform, [{"key": "n", "title": "Notes", "source": "none"}])

    def ms(name, days, teams=(), kind="other"):
        return milestones.create_milestone(
            org, None, name=name, kind=kind, date=DAY + dt.timedelta(days), teams=teams
        )

    ms("Release 9", 10, kind="release")
    ms("Platform freeze", 3, [cast.platform], kind="code_freeze")
    ms("Data freeze", 5, [data])
    ms("Next year", 40)
    ms("Last week", -7)
    Milestone.objects.create(org=cast.other_org, name="Globex day", date=DAY)

    built = agenda.build(org, cadence, services.open_meeting(org, None, cadence, MEETING))
    assert [s["key"] for s in built] == ["n", "milestones_near"]
    items = built[-1]["items"]
    assert [i["title"] for i in items] == ["Platform freeze", "Release 9"]
    assert items[0]["detail"] == "Code freeze · 19 Nov 2026 · in 3 days · for Platform"
    assert items[0]["tone"] == "warn" and items[1]["tone"] == ""
    assert "for the whole organization" in items[1]["detail"]

    quiet = _cadence(cast, data, [{"key": "n", "title": "Notes", "source": "none"}])
    Milestone.objects.filter(name="Data freeze").delete()
    built = agenda.build(org, quiet, services.open_meeting(org, None, quiet, MEETING))
    assert [s["key"] for s in built] == ["n", "milestones_near"]  # Release 9 is everyone's
    Milestone.objects.filter(name="Release 9").delete()
    built = agenda.build(org, quiet, services.open_meeting(org, None, quiet, MEETING))
    assert [s["key"] for s in built] == ["n"]
