"""A scorecard cut at its limit says so in its header: "the first 500 of 2,007
objectives", its slipped count over those it shows, and how to see the rest (a department),
never "500 objectives" as if that were the period's."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from accord.alignment import scorecard
from accord.alignment import services as s
from accord.alignment.models import Objective
from tests.conftest import login


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_header_counts_every_objective_when_the_rows_are_cut(cast):
    today = timezone.localdate()
    q = s.create_period(
        cast.org, None, name="This quarter", start=today - dt.timedelta(days=10),
        end=today + dt.timedelta(days=80), is_current=True,
    )  # fmt: skip
    over = scorecard.ROWS_MAX + 7
    Objective.objects.bulk_create(
        Objective(org=cast.org, period=q, team=cast.platform, title=f"Objective {n:04}")
        for n in range(over)
    )
    found, more = scorecard.rows(cast.org, q, limit=3)
    assert more and len(found) == 3 and found.total == over

    page = _text(
        login(cast.member).get("/o/acme/alignment/scorecard/", {"period": q.pk}).content.decode()
    )
    limit, total = f"{scorecard.ROWS_MAX:,}", f"{over:,}"
    assert f"the first {limit} of {total} objectives" in page
    assert f"· {limit} objectives" not in page
    assert f"Only the first {limit} of the {total} objectives are shown" in page
    assert "choose a department above" in page

    # Within the limit, the header is the plain count.
    platform = _text(
        login(cast.member)
        .get("/o/acme/alignment/scorecard/", {"period": q.pk, "team": "platform"})
        .content.decode()
    )
    assert f"the first {limit} of {total}" in platform  # the department has them all
    found, more = scorecard.rows(cast.org, q, cast.root, limit=over)
    assert not more and found.total == over
