"""A briefing's week is keyed by its ISO label ("2026-W48": stored, in the API and the
command's --week) and read by its days, as people write a week: "23-29 Nov 2026" (with an
en dash)."""

from __future__ import annotations

import pytest

from accord.briefings import compose
from accord.briefings.models import Briefing


@pytest.mark.parametrize(
    ("label", "days"),
    [
        ("2026-W48", "23\u201329 Nov 2026"),
        ("2026-W49", "30 Nov \u2013 6 Dec 2026"),  # across a month's end
        ("2026-W53", "28 Dec 2026 \u2013 3 Jan 2027"),  # across a year's end
        ("2026-W03", "12\u201318 Jan 2026"),
    ],
)
def test_a_week_reads_as_its_days_and_keeps_its_iso_key(label, days):
    week = compose.parse_week(label, "Asia/Tokyo")
    assert week.span() == days
    assert week.label == label  # the key: stored, in URLs and the API, unchanged
    # A stored briefing says its week the same way, whatever its stored title says.
    assert Briefing(week=label, content={}).span == days
    assert str(Briefing(week=label, content={})) == f"Briefing of the week of {days}"
