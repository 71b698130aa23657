"""An agenda calls a dependency late as the lists, the API, Insights and briefings do
(`coordination.queries.late_q`): past its committed date (its need-by when none is
committed) and not marked delivered. Past its need-by alone is not late."""

from __future__ import annotations

import datetime as dt

from accord.alignment.models import Initiative
from accord.coordination import services as coordination
from accord.rhythm import agenda, services
from tests.rhythm.test_agenda import BEFORE, MEETING, NOW, at, titles, world  # noqa: F401


def _details(built) -> dict[str, tuple[str, str]]:
    return {
        i["title"]: (i["detail"], i["tone"])
        for s in built
        if s["key"] == "dependencies"
        for i in s["items"]
    }


def test_committed_later_is_not_late_and_marked_delivered_is_off_the_agenda(cast, world):  # noqa: F811
    provider = Initiative.objects.get(title="Other late")
    with at(BEFORE):
        # Needed by 12 Nov, committed for 20 Nov: not late on the 16th, at risk.
        coordination.transition(
            cast.org,
            None,
            world["dep_old_late"],
            "accept",
            provider_initiative=provider,
            committed_date=dt.date(2026, 11, 20),
        )
    meeting = services.open_meeting(cast.org, None, world["cadence"], MEETING)
    with at(NOW):
        built = agenda.build(cast.org, world["cadence"], meeting, now=NOW)
    detail, tone = _details(built)["Old late"]
    assert detail.endswith("· accepted · committed for 20 Nov 2026, after it is needed")
    assert tone == "warn"


def test_a_late_dependency_marked_delivered_is_no_longer_late(cast, world):  # noqa: F811
    provider = Initiative.objects.get(title="Other late")
    with at(BEFORE):
        dep = coordination.transition(
            cast.org,
            None,
            world["dep_old_late"],
            "accept",
            provider_initiative=provider,
            committed_date=dt.date(2026, 11, 12),
        )
    meeting = services.open_meeting(cast.org, None, world["cadence"], MEETING)
    with at(NOW):
        built = agenda.build(cast.org, world["cadence"], meeting, now=NOW)
    assert _details(built)["Old late"][0].endswith("· accepted · late")
    with at(NOW):
        coordination.transition(cast.org, None, dep, "mark_delivered")
        built = agenda.build(cast.org, world["cadence"], meeting, now=NOW)
    assert "Old late" not in _details(built)
