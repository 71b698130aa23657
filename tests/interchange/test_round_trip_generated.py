"""What Accord writes it reads back: an export of a generated organization (finished
initiatives with their dependencies, delivering initiatives gone, past dates, every state)
applied into an empty organization skips nothing and exports identically."""

from __future__ import annotations

import pytest

from accord.activity.models import Event
from accord.core.generator import generate
from accord.interchange import services
from accord.org.models import Organization
from tests.conftest import GENERATED_NOW


def _body(text: str) -> str:
    return text.split("\nteams:", 1)[1]


@pytest.mark.parametrize("teams", [13, 30])
def test_an_export_of_a_generated_organization_applies_back_identically(db, teams):
    org = generate(teams, seed=7, slug=f"rt-{teams}", weeks=2, now=GENERATED_NOW).org
    first = services.export_text(org)
    outcome = services.apply_file(first, org_slug=f"rt-{teams}-copy")
    assert outcome.ok and not outcome.report, outcome.report.as_text()[-3000:]
    copy = Organization.objects.get(slug=f"rt-{teams}-copy")
    second = services.export_text(copy)
    assert _body(second) == _body(first)
    events = Event.objects.count()
    assert services.apply_file(second, org=copy).changes == []
    assert Event.objects.count() == events
