"""A cadence's participants (everyone in its teams, or the teams' leads only) travel in the
organization file; left out, they stay as they are."""

from __future__ import annotations

from accord.interchange import services
from accord.org.models import Organization
from accord.rhythm.models import Cadence

from .helpers import ORG_FILE

LEADS_SYNC = """\
cadences:
  - id: leads-sync
    name: Leads' sync
    scope: teams
    teams: [eng, ops]
    rrule: FREQ=WEEKLY;BYDAY=MO
    start_date: 2026-11-02
    time: "10:00"
    participation: leads
"""


def test_the_teams_leads_only_round_trip_and_stay_when_left_out(db):
    assert services.apply_file(ORG_FILE + LEADS_SYNC, org_slug="initech").applied
    sync = Cadence.objects.get(name="Leads' sync")
    assert sync.participation == "leads"
    text = services.export_text(Organization.objects.get(slug="initech"))
    assert "participation: leads" in text
    services.apply_file(
        ORG_FILE + LEADS_SYNC.replace("    participation: leads\n", ""), org_slug="initech"
    )
    sync.refresh_from_db()
    assert sync.participation == "leads"
