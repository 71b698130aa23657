"""An import applied on the page or through the API names the admin who applied it: each
write's event is theirs, and one event says which file they applied and what it did. The
command line's imports stay Accord's (the operator). A failed import records nothing."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from accord.activity.models import Event
from accord.interchange import csvio, services
from accord.interchange.models import Import
from accord.org.models import Team
from tests.conftest import api_client

from .helpers import dump

pytestmark = pytest.mark.urls("tests.interchange.urls")

BASE = "/o/acme/interchange/"
REORG = (
    b"teams:\n  - {slug: acme, name: Acme}\n"
    b"  - {slug: platform, name: Platform Group, parent: acme}\n"
    b"  - {slug: partnerships, name: Partnerships, parent: acme}\n"
)


def _apply_on_the_page(client, name: str, content: bytes):
    planned = client.post(f"{BASE}plan/", {"file": SimpleUploadedFile(name, content)})
    fields = dict(
        re.findall(r'name="(payload|digest|name)" value="([^"]*)"', planned.content.decode())
    )
    return client.post(f"{BASE}apply/", fields)


def test_an_import_on_the_page_is_recorded_as_the_admin_who_applied_it(cast, as_admin):
    first = Event.objects.order_by("-id").values_list("id", flat=True).first()
    response = _apply_on_the_page(as_admin, "reorg.yaml", REORG)
    assert response.status_code == 200
    events = list(Event.objects.filter(org=cast.org, id__gt=first).order_by("id"))
    writes = [e for e in events if e.target_type == "org.team"]
    assert {(e.verb, e.target_label) for e in writes} == {
        ("updated", "Platform Group"),
        ("created", "Partnerships"),
    }
    assert all(e.actor_id == cast.admin.pk and e.actor_name == "Ada Admin" for e in writes)
    (done,) = [e for e in events if e.target_type == "interchange.import"]
    assert (done.actor_id, done.verb) == (cast.admin.pk, "applied")
    assert done.after == {
        "file": "reorg.yaml",
        "format": "organization file",
        "created": 1,
        "updated": 1,
        "removed": 0,
    }
    assert done is events[-1]
    made = Import.objects.get(org=cast.org)
    assert (made.actor, made.name, made.counts["created"]) == (cast.admin, "reorg.yaml", 1)


def test_a_csv_import_through_the_api_names_its_actor_and_section(cast):
    first = Event.objects.order_by("-id").values_list("id", flat=True).first()
    response = api_client(cast.admin).post(
        "/api/v1/interchange/csv",
        data=b"slug,name,parent\r\nsales,Sales,acme\r\n",
        content_type="text/csv",
    )
    assert response.status_code == 200, response.content
    events = Event.objects.filter(org=cast.org, id__gt=first)
    assert set(events.values_list("actor_id", flat=True)) == {cast.admin.pk}
    done = events.get(target_type="interchange.import")
    assert done.after["format"] == "CSV (teams)" and done.after["created"] == 1


def test_the_command_line_stays_accords(cast, tmp_path):
    path = tmp_path / "reorg.yaml"
    path.write_bytes(REORG)
    call_command("apply", str(path), org="acme", stdout=io.StringIO())
    done = Event.objects.get(org=cast.org, target_type="interchange.import")
    assert done.actor is None and done.actor_display == "Accord"
    assert done.after["file"] == "reorg.yaml"
    team = Event.objects.filter(org=cast.org, target_type="org.team", verb="created").last()
    assert team.actor_display == "Accord"


def test_a_failed_import_records_neither_its_writes_nor_itself(cast, as_admin):
    before = dump()
    bad = REORG + b"  - {slug: nowhere, name: Nowhere, parent: missing}\n"
    outcome = services.apply_file(bad, org=cast.org, strict=True, actor=cast.admin, name="x.yaml")
    assert outcome.aborted
    assert dump() == before
    assert not Import.objects.exists()


def test_an_import_that_changes_nothing_records_nothing(cast):
    assert services.apply_file(REORG, org=cast.org, actor=cast.admin, name="a.yaml").applied
    count = Event.objects.count()
    again = services.apply_file(REORG, org=cast.org, actor=cast.admin, name="a.yaml")
    assert again.changes == [] and Event.objects.count() == count
    assert Import.objects.count() == 1


def test_a_plan_records_nothing(cast, as_admin):
    count = Event.objects.count()
    as_admin.post(f"{BASE}plan/", {"file": SimpleUploadedFile("reorg.yaml", REORG)})
    outcome = csvio.import_csv(
        b"slug,name,parent\r\nsales,Sales,acme\r\n", org_slug="acme", dry_run=True
    )
    assert outcome.ok and Event.objects.count() == count
    assert not Team.objects.filter(slug="sales").exists()


def test_an_import_by_an_admin_accepts_what_an_import_by_accord_accepts(cast):
    """Imports enter what was: the admin is recorded, not checked item by item against the
    rules a person's own writes meet (an objective owned by someone now a viewer)."""
    content = (
        b"periods:\n  - {name: 2026 Q1, start: 2026-01-01, end: 2026-03-31, state: active}\n"
        b"objectives:\n  - {id: grow, title: Grow, period: 2026 Q1, level: org,"
        b" owner: vic.viewer@acme.example}\n"
    )
    outcome = services.apply_file(content, org=cast.org, actor=cast.admin, name="past.yaml")
    assert outcome.ok and not outcome.report, outcome.as_text()
    made = Event.objects.get(org=cast.org, target_type="alignment.objective", verb="created")
    assert made.actor == cast.admin
