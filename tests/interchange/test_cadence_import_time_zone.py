"""A cadence imported without a time zone (organization file or cadences CSV) takes the
organization's, as one made from a template does: its meetings are at the local time the
file says there, the plan shows that zone, and planning again says there is nothing to do.
A zone the file gives (UTC too) is kept, and an export writes it back."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from accord.interchange import csvio, services
from accord.org import services as org_services
from accord.org.models import Organization
from accord.rhythm import queries
from accord.rhythm.models import Cadence

from .helpers import ORG_FILE

BERLIN = ZoneInfo("Europe/Berlin")

CADENCE = """\
cadences:
  - id: eng-sync
    name: Engineering sync
    team: eng
    rrule: FREQ=WEEKLY;BYDAY=MO
    start_date: 2026-11-02
    time: "09:00"
"""


def _berlin_org() -> Organization:
    assert services.apply_file(ORG_FILE, org_slug="initech").applied
    org = Organization.objects.get(slug="initech")
    return org_services.set_organization_timezone(org, None, "Europe/Berlin")


def _first_start(cadence: Cadence) -> dt.datetime:
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    occurrence = queries.occurrences_of(cadence, start, start + dt.timedelta(days=8))[0]
    return occurrence.start


def test_a_cadence_without_a_zone_takes_the_organizations(db):
    _berlin_org()
    plan = services.plan_file(ORG_FILE + CADENCE, org_slug="initech")
    created = next(c for c in plan.changes if c.section == "cadences")
    assert created.fields["timezone"] == (None, "Europe/Berlin")  # the plan shows the zone
    assert (
        "= New cadences without a time zone are in the organization's, Europe/Berlin: eng-sync."
        in plan.as_text()
    )

    assert services.apply_file(ORG_FILE + CADENCE, org_slug="initech").applied
    cadence = Cadence.objects.get(name="Engineering sync")
    assert cadence.timezone == "Europe/Berlin"
    start = _first_start(cadence)
    assert start.astimezone(BERLIN).replace(tzinfo=None) == dt.datetime(2026, 11, 2, 9, 0)
    assert start == dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)  # 09:00 in Berlin (CET)

    again = services.plan_file(ORG_FILE + CADENCE, org_slug="initech")
    assert again.changes == [] and "No changes." in again.as_text()

    # The export writes the zone, and applied again changes nothing.
    exported = services.export_text(Organization.objects.get(slug="initech"))
    assert "timezone: Europe/Berlin" in exported
    assert services.plan_file(exported, org_slug="initech").changes == []


def test_a_zone_the_file_gives_is_kept_and_exported_even_utc(db):
    _berlin_org()
    given = CADENCE + "    timezone: UTC\n"
    assert services.apply_file(ORG_FILE + given, org_slug="initech").applied
    cadence = Cadence.objects.get(name="Engineering sync")
    assert cadence.timezone == "UTC"
    assert _first_start(cadence) == dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    assert services.plan_file(ORG_FILE + given, org_slug="initech").changes == []

    # An export says UTC, so applied to an organization in another zone it stays UTC.
    exported = services.export_text(Organization.objects.get(slug="initech"))
    assert "timezone: UTC" in exported
    other = exported.replace("slug: initech}", "slug: initrode}", 1)
    assert services.apply_file(other, org_slug="initrode").applied
    org = Organization.objects.get(slug="initrode")
    org_services.set_organization_timezone(org, None, "Asia/Tokyo")
    assert services.plan_file(other, org_slug="initrode").changes == []
    assert Cadence.objects.get(org=org).timezone == "UTC"


def test_a_file_leaving_out_the_zone_keeps_an_existing_cadences(db):
    _berlin_org()
    assert services.apply_file(ORG_FILE + CADENCE + "    timezone: Asia/Tokyo\n").applied
    plan = services.plan_file(ORG_FILE + CADENCE, org_slug="initech")
    assert plan.changes == []
    assert Cadence.objects.get(name="Engineering sync").timezone == "Asia/Tokyo"


def test_a_cadences_csv_without_a_zone_takes_the_organizations(db):
    _berlin_org()
    rows = (
        b"id,name,team,rrule,start_date,time\r\n"
        b"eng-sync,Engineering sync,eng,FREQ=WEEKLY;BYDAY=MO,2026-11-02,09:00\r\n"
    )
    dry = csvio.import_csv(rows, org_slug="initech", section="cadences", dry_run=True)
    assert dry.ok and dry.changes[0].fields["timezone"] == (None, "Europe/Berlin")
    outcome = csvio.import_csv(rows, org_slug="initech", section="cadences")
    assert outcome.applied and outcome.skipped() == 0
    cadence = Cadence.objects.get(name="Engineering sync")
    assert cadence.timezone == "Europe/Berlin"
    assert _first_start(cadence) == dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)
    assert csvio.import_csv(rows, org_slug="initech", dry_run=True).changes == []

    # An empty cell is a zone left out: an existing cadence keeps its own.
    emptied = rows.replace(b",time\r\n", b",time,timezone\r\n").replace(b"09:00\r\n", b"09:00,\r\n")
    assert csvio.import_csv(emptied, org_slug="initech", dry_run=True).changes == []
    utc = rows.replace(b",time\r\n", b",time,timezone\r\n").replace(b"09:00\r\n", b"09:00,UTC\r\n")
    assert csvio.import_csv(utc, org_slug="initech").applied
    assert Cadence.objects.get(name="Engineering sync").timezone == "UTC"
