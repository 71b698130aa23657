"""The demo organization survives export -> apply to an empty organization -> export."""

from __future__ import annotations

from accord import demo
from accord.activity.models import Event
from accord.interchange import services
from accord.org.models import Organization


def _body(text: str) -> str:
    return text.split("\nteams:", 1)[1]


def test_the_demo_organization_round_trips_identically(db):
    org = demo.load()
    first = services.export_text(org)
    outcome = services.apply_file(first, org_slug="northwind-copy")
    assert outcome.ok and not outcome.report, outcome.report.as_text()
    copy = Organization.objects.get(slug="northwind-copy")
    second = services.export_text(copy)
    assert _body(second) == _body(first)
    # and applying it again to either organization changes nothing
    events = Event.objects.count()
    assert services.apply_file(second, org=copy).changes == []
    assert services.apply_file(first, org=org).changes == []
    assert Event.objects.count() == events
    assert "\ninitiatives:\n" in first and "\ndependencies:\n" in first
