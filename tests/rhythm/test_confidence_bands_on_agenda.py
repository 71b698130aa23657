"""A confidence given in a check-in, as a word or a number, is banded the same way on the
meeting agenda: whatever the check-in calls "at risk" is listed under "Objectives at risk"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.alignment import confidence as bands
from accord.alignment import services as alignment
from accord.rhythm import agenda, services
from tests.rhythm.conftest import DUE


@pytest.fixture
def objective(cast):
    q4 = alignment.create_period(
        cast.org,
        None,
        name="Q4",
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 12, 31),
        state="active",
        is_current=True,
    )
    return alignment.create_objective(
        cast.org, None, title="Faster deploys", period=q4, team=cast.platform, owner=cast.member
    )


def at_risk_items(cast, cadence):
    built = agenda.build(cast.org, cadence, now=timezone.now())
    [section] = [s for s in built if s["key"] == "confidence"]
    assert section["title"] == "Objectives at risk"
    return {i["title"]: i for i in section["items"]}


@pytest.mark.parametrize(
    ("given", "listed", "tone"),
    [
        ("on_track", False, None),
        ("at_risk", True, "warn"),
        ("off_track", True, "bad"),
        ("7", False, None),
        ("6", True, "warn"),
        ("4", True, "warn"),
        ("3", True, "bad"),
    ],
)
def test_a_check_in_confidence_shows_on_the_agenda_as_its_band(
    cast, rhythm, objective, given, listed, tone
):
    services.submit_checkin(
        cast.org, cast.member, rhythm.checkin, DUE, objectives={objective.pk: given}, now=DUE
    )
    objective.refresh_from_db()
    band = bands.band(objective.confidence)
    assert band is not None and band.key in {b.key for b in bands.BANDS}
    if given in bands.BY_KEY:  # the word lands in its own band
        assert band.key == given
    items = at_risk_items(cast, rhythm.sync)
    assert ("Faster deploys" in items) == listed
    if listed:
        item = items["Faster deploys"]
        assert item["tone"] == tone
        assert f"({band.word})" in item["detail"]


def test_the_check_in_form_offers_the_bands_with_their_ranges(cast, rhythm, objective):
    from django.utils import timezone

    from accord.rhythm import queries
    from tests.conftest import login

    services.update_cadence(cast.org, None, rhythm.checkin, window_opens_hours=8 * 24)
    occ = queries.next_occurrence(rhythm.checkin, timezone.now())
    url = f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{occ.key}/checkin/"
    page = login(cast.member).get(url).content.decode()
    assert '<option value="at_risk">At risk (4-6)</option>' in page
    assert '<option value="off_track">Off track (1-3)</option>' in page
    assert '<option value="7">7/10 · on track</option>' in page
    assert '<option value="6">6/10 · at risk</option>' in page
