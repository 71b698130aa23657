"""A request Accord calls at risk (`coordination.queries.risk_reasons`: here the provider's
initiative targets a date after the one committed, accepted anyway) is on the meeting's
agenda as its page says it: under "Waiting on us" at the provider's meeting and "Across
teams" at either side's, with why. A critical or high priority, and a need-by of today or
tomorrow, are said on the line as the request's page says them."""

from __future__ import annotations

import datetime as dt

from accord.alignment.models import Initiative
from accord.coordination import services as coordination
from accord.rhythm import agenda, services
from tests.rhythm.test_agenda import BEFORE, MEETING, NOW, SINCE, at, world  # noqa: F401


def _lines(built, key) -> dict[str, tuple[str, str]]:
    return {
        i["title"]: (i["detail"], i["tone"]) for s in built if s["key"] == key for i in s["items"]
    }


def test_a_request_accepted_anyway_for_later_work_is_waiting_on_us_and_across_teams(cast, world):  # noqa: F811
    asking = Initiative.objects.get(title="Other late")  # Data's
    delivering = Initiative.objects.get(title="Not yet due")  # Platform's, targets 1 Dec
    with at(BEFORE):
        dep = coordination.create_dependency(
            cast.org,
            None,
            requester_initiative=asking,
            provider_team=cast.platform,
            title="Export API",
            need_by=dt.date(2026, 12, 20),
            priority="critical",
        )
        # Committed for 25 Nov, before it is needed: only the initiative's later target
        # makes it at risk.
        coordination.transition(
            cast.org,
            None,
            dep,
            "accept",
            provider_initiative=delivering,
            committed_date=dt.date(2026, 11, 25),
        )
    meeting = services.open_meeting(cast.org, None, world["cadence"], MEETING)
    with at(NOW):
        built = agenda.build(cast.org, world["cadence"], meeting, now=NOW)
    for key in ("requests", "dependencies"):
        detail, tone = _lines(built, key)["Export API"]
        assert detail == (
            "Data needs it from Platform by 20 Dec 2026 · accepted · critical priority · "
            "at risk: Not yet due targets 1 Dec 2026, after the committed 25 Nov 2026"
        ), key
        assert tone == "warn"


def test_a_high_priority_request_needed_tomorrow_says_so(cast, world):  # noqa: F811
    with at(SINCE):
        coordination.create_dependency(
            cast.org,
            None,
            requester_initiative=world["late"],
            provider_team=Initiative.objects.get(title="Other late").team,
            title="Keys rotated",
            need_by=dt.date(2026, 11, 17),
            priority="high",
        )
    meeting = services.open_meeting(cast.org, None, world["cadence"], MEETING)
    with at(NOW):
        built = agenda.build(cast.org, world["cadence"], meeting, now=NOW)
    lines = _lines(built, "dependencies")
    assert lines["Keys rotated"][0] == (
        "Platform needs it from Data by 17 Nov 2026 (needed tomorrow) · requested · "
        "high priority · new"
    )
    # Medium, the default, is not said.
    assert "priority" not in lines["Old late"][0]
