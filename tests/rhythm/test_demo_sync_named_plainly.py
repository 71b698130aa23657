"""The demo's weekly team meetings are named in plain words, "Weekly team sync", not after a
meeting method ("Level 10") its readers need not know."""

from __future__ import annotations

from accord import demo
from accord.rhythm.models import Cadence


def test_the_demos_team_syncs_are_weekly_team_syncs(db):
    org = demo.load()
    syncs = Cadence.objects.for_org(org).filter(template="weekly-sync")
    names = set(syncs.values_list("name", flat=True))
    assert names == {"Weekly team sync", "Leadership sync"}
    assert not Cadence.objects.for_org(org).filter(name__contains="Level 10").exists()
