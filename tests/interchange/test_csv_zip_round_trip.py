"""Every CSV of the zip export imports back: named as the zip names it, each changes
nothing in the organization it came from. A cadence's agenda (sections that hold `|`
themselves) is one section per line of its cell."""

from __future__ import annotations

import io
import zipfile

from django.core.management import call_command

from accord import demo
from accord.activity.models import Event
from accord.interchange import csvio, services
from accord.rhythm.models import Cadence

from .helpers import dump


def test_every_csv_of_the_zip_export_imports_back_changing_nothing(db, tmp_path):
    org = demo.load()
    with zipfile.ZipFile(io.BytesIO(b"".join(csvio.export_zip(org)))) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    assert len(files) == len(services.all_kinds()) and "cadences.csv" in files
    events = Event.objects.count()
    for name, content in files.items():
        outcome = csvio.import_csv(content, org_slug=org.slug, filename=name)
        assert outcome.ok and not outcome.report, (name, outcome.as_text())
        assert outcome.changes == [], (name, outcome.as_text())
    assert Event.objects.count() == events
    # From the command line, as the reviewer ran it.
    path = tmp_path / "cadences.csv"
    path.write_bytes(files["cadences.csv"])
    out = io.StringIO()
    call_command("import", "csv", str(path), "--org", org.slug, stdout=out)
    assert "No changes." in out.getvalue()
    # The agenda is one section per line: a sheet shows it as the cadence form does.
    cadences = files["cadences.csv"].decode("utf-8-sig")
    checkin = "Check-ins | checkins | 10\nBlockers across teams | blockers | 5\n"
    assert f'"{checkin}Waiting on us | requests | 0"' in cadences


CADENCE = b"""\
cadences:
  - id: weekly
    name: Weekly sync
    rrule: FREQ=WEEKLY;BYDAY=MO
    start_date: 2026-01-05
    team: platform
    time: "09:00"
    agenda:
      - Check-ins | checkins | 10
      - Blockers | dependencies | 5
"""


def test_an_agenda_is_read_one_section_per_line_and_as_earlier_exports_wrote_it(cast):
    made = services.apply_file(CADENCE, org=cast.org)
    assert made.ok and not made.report, made.as_text()
    cadence = Cadence.objects.get(org=cast.org, name="Weekly sync")
    titles = [s["title"] for s in cadence.agenda]
    assert titles == ["Check-ins", "Blockers"]
    earlier = (
        "id,name,rrule,start_date,team,agenda\r\n"
        "weekly,Weekly sync,FREQ=WEEKLY;BYDAY=MO,2026-01-05,platform,"
        "Check-ins | checkins | 10|Blockers | dependencies | 5\r\n"
    )
    outcome = csvio.import_csv(earlier.encode(), org_slug="acme", filename="cadences.csv")
    assert outcome.ok and outcome.changes == [], outcome.as_text()
    changed = (
        "id,name,rrule,start_date,team,agenda\r\n"
        'weekly,Weekly sync,FREQ=WEEKLY;BYDAY=MO,2026-01-05,platform,"Check-ins | checkins | 15\n'
        'Risks | none | 5"\r\n'
    )
    outcome = csvio.import_csv(changed.encode(), org_slug="acme", filename="export.csv")
    assert outcome.ok and not outcome.report, outcome.as_text()
    cadence.refresh_from_db()
    assert [(s["title"], s["source"], s["minutes"]) for s in cadence.agenda] == [
        ("Check-ins", "checkins", 15),
        ("Risks", "none", 5),
    ]


def test_a_header_several_sections_fit_is_refused_unless_the_file_names_one(cast):
    before = dump()
    links = b"from,to,kind\r\nacme,platform,stakeholder\r\n"
    refused = csvio.import_csv(links, org_slug="acme", filename="links.csv")
    assert refused.fatal.kind == "ambiguous_columns"
    assert "team_links" in refused.fatal.why and "initiative_links" in refused.fatal.why
    assert dump() == before
    named = csvio.import_csv(links, org_slug="acme", filename="team_links.csv", dry_run=True)
    assert named.ok and [c.section for c in named.changes] == ["team_links"], named.as_text()


def test_a_file_named_after_a_section_is_read_as_that_section(cast):
    """`slug,name` alone is a teams CSV, as before; named team_kinds.csv it is team kinds."""
    kinds = b"slug,name\r\nchapter,Chapter\r\n"
    outcome = csvio.import_csv(kinds, org_slug="acme", filename="team_kinds.csv", dry_run=True)
    assert [c.section for c in outcome.changes] == ["team_kinds"], outcome.as_text()
    outcome = csvio.import_csv(kinds, org_slug="acme", filename="new.csv", dry_run=True)
    assert [c.section for c in outcome.changes] == ["teams"], outcome.as_text()
