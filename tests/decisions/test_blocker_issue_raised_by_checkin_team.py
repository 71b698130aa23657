"""A check-in's blocker raised as an issue ("Also raise it as an issue") is raised by the
team of whoever checked in, for the team that blocks them: it sits with that team (its
leads solve or escalate it) and is among the issues the check-in's team raised."""

from __future__ import annotations

from django.utils import timezone

from accord.decisions.models import Issue
from accord.org import services as org_services
from accord.rhythm import queries as rhythm_queries
from accord.rhythm import services as rhythm
from tests.conftest import login
from tests.rhythm.conftest import rhythm as rhythm_fixture  # noqa: F401 (fixture)


def test_the_blocker_is_raised_by_the_checkin_team_for_the_team_that_blocks(
    cast,
    rhythm_fixture,  # noqa: F811
):
    data = org_services.create_team(cast.org, None, name="Data", slug="data", parent=cast.root)
    cadence = rhythm_fixture.checkin
    rhythm.update_cadence(cast.org, None, cadence, window_opens_hours=8 * 24)
    occ = rhythm_queries.next_occurrence(cadence, timezone.now())
    rhythm.submit_checkin(
        cast.org,
        cast.member,
        cadence,
        occ.original_start,
        blockers="Waiting on the usage export",
        blocker_team=data,
        raise_blocker=True,
    )
    issue = Issue.objects.get()
    assert issue.title == "Blocking Mia Member: Waiting on the usage export"
    assert issue.raised_by == cast.member
    assert issue.team == data  # with the team that can unblock them
    assert issue.raised_in == cast.platform  # raised by Mia's team

    client = login(cast.member)
    raised = client.get("/o/acme/decisions/issues/?team=platform&raised=1").content.decode()
    assert "Blocking Mia Member: Waiting on the usage export" in raised
    page = client.get(f"/o/acme/decisions/issues/{issue.pk}/").content.decode()
    assert "raised by Mia Member for Platform" in page
