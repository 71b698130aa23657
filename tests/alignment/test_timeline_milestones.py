"""The initiatives timeline draws the organization's milestones, and those of the page's
teams, as vertical markers; other teams' and other organizations' milestones stay off."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from accord.alignment import milestones
from accord.alignment import services as s
from accord.alignment.models import Milestone
from accord.org import services as org_services
from tests.conftest import login

MARKER = re.compile(rb'class="tl-marker tl-marker--(\w+)" data-milestone="(\d+)"')


def test_milestones_are_vertical_markers_on_the_timeline(cast):
    org, today = cast.org, timezone.localdate()
    sales = org_services.create_team(org, None, name="Sales", slug="sales", parent=cast.root)
    s.create_initiative(
        org,
        None,
        team=cast.platform,
        title="Checkout",
        status="active",
        start_date=today,
        target_date=today + dt.timedelta(days=80),
    )
    release = milestones.create_milestone(
        org, None, name="Release 7", kind="release", date=today + dt.timedelta(days=40)
    )
    freeze = milestones.create_milestone(
        org,
        None,
        name="Code freeze 7",
        kind="code_freeze",
        anchor=release,
        offset_days=-14,
        teams=[cast.platform],
    )
    theirs = milestones.create_milestone(
        org, None, name="Sales kickoff", date=today + dt.timedelta(days=10), teams=[sales]
    )
    far = milestones.create_milestone(
        org, None, name="Far away", date=today + dt.timedelta(days=2000)
    )
    foreign = Milestone.objects.create(
        org=cast.other_org, name="Globex day", date=today + dt.timedelta(days=20)
    )

    r = login(cast.viewer).get(f"/o/{org.slug}/alignment/initiatives/timeline/")
    assert r.status_code == 200
    shown = {int(pk): kind.decode() for kind, pk in MARKER.findall(r.content)}
    assert shown == {release.pk: "release", freeze.pk: "code_freeze"}
    assert theirs.pk not in shown and far.pk not in shown and foreign.pk not in shown
    page = r.content.decode()
    assert "Code freeze 7 · Code freeze" in page and "Release 7 -2 weeks" in page
