"""An organization file holds key results as they were made, some before the rule that an
increase or a decrease needs a target beyond its start: such a file still applies, and
the rule holds for everything else."""

from __future__ import annotations

import datetime as dt

from accord.alignment import services as alignment
from accord.alignment.models import KeyResult
from accord.interchange import services


def test_a_file_with_a_key_result_of_an_older_kind_applies(cast):
    org = cast.org
    today = dt.date.today()
    period = alignment.create_period(
        org, None, name="Now", start=today - dt.timedelta(days=10),
        end=today + dt.timedelta(days=80), is_current=True,
    )  # fmt: skip
    objective = alignment.create_objective(org, None, title="Grow", period=period, level="org")
    kr = alignment.create_key_result(org, None, objective, name="Signups", start=0, target=10)
    KeyResult.objects.filter(pk=kr.pk).update(target=0)  # as made before the rule: 0 → 0
    outcome = services.apply_file(services.export_text(org), org_slug="acme-copy")
    assert outcome.ok and not outcome.report, outcome.report.as_text()
    copied = KeyResult.objects.get(org__slug="acme-copy", name="Signups")
    assert (copied.start, copied.target, copied.direction) == (0, 0, "increase")
