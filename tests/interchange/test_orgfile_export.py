"""Export writes the format back: export -> apply to an empty organization -> export again."""

from __future__ import annotations

from django.core.management import call_command

from accord.interchange import services
from accord.org.models import Organization

from .helpers import ORG_FILE, event_count


def _body(text: str) -> str:
    """The export without its organization header (name and slug differ by design)."""
    return text.split("teams:", 1)[1]


def test_export_then_apply_to_an_empty_organization_reproduces_it(cast):
    first = services.export_text(cast.org)
    outcome = services.apply_file(first, org_slug="acme-copy")
    assert outcome.ok and not outcome.report, outcome.as_text()
    copy = Organization.objects.get(slug="acme-copy")
    assert _body(services.export_text(copy)) == _body(first)


def test_applying_an_export_to_its_own_organization_changes_nothing(cast):
    before = event_count()
    outcome = services.apply_file(services.export_text(cast.org), org=cast.org)
    assert outcome.ok and outcome.changes == []
    assert event_count() == before


def test_the_export_command_writes_a_file(db, tmp_path):
    services.apply_file(ORG_FILE, org_slug="initech")
    target = tmp_path / "initech.yaml"
    call_command("export", "--org", "initech", "--output", str(target))
    text = target.read_text()
    assert text.startswith("# Accord organization file")
    assert "- slug: eng\n  name: Engineering\n  parent: initech\n" in text
