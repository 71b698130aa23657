"""The milestones API: create (relative too), move with If-Match, other tenants' ids
unknown, and a dependency asked by a milestone moving with it."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from accord.alignment import services as alignment
from accord.alignment.models import Milestone
from accord.coordination.models import Dependency
from accord.org import services as org_services
from tests.conftest import api_client


def send(client, method, url, data=None, **headers):
    return getattr(client, method)(
        url, json.dumps(data or {}), content_type="application/json", headers=headers
    )


def test_milestones_are_created_moved_and_deleted_through_the_api(cast, api_admin):
    release_day = timezone.localdate() + dt.timedelta(days=70)
    r = send(
        api_admin,
        "post",
        "/api/v1/milestones",
        {"name": "Release 3", "kind": "release", "date": release_day.isoformat()},
    )
    assert r.status_code == 201, r.content
    release = r.json()
    r = send(
        api_admin,
        "post",
        "/api/v1/milestones",
        {
            "name": "Code freeze 3",
            "kind": "code_freeze",
            "anchor_id": release["id"],
            "offset_days": -14,
            "team_ids": [cast.platform.pk],
        },
    )
    assert r.status_code == 201, r.content
    freeze = r.json()
    assert freeze["date"] == (release_day - dt.timedelta(14)).isoformat()
    assert freeze["team_ids"] == [cast.platform.pk]

    # A stale version is refused and changes nothing.
    r = send(
        api_admin,
        "patch",
        f"/api/v1/milestones/{release['id']}",
        {"date": (release_day + dt.timedelta(7)).isoformat()},
        **{"If-Match": '"7"'},
    )
    assert r.status_code == 409
    r = send(
        api_admin,
        "patch",
        f"/api/v1/milestones/{release['id']}",
        {"date": (release_day + dt.timedelta(7)).isoformat()},
        **{"If-Match": f'"{release["version"]}"'},
    )
    assert r.status_code == 200, r.content
    assert r.json()["version"] == release["version"] + 1
    r = api_admin.get(f"/api/v1/milestones/{freeze['id']}")
    assert r.json()["date"] == (release_day - dt.timedelta(7)).isoformat()

    r = api_admin.get(f"/api/v1/milestones?team_id={cast.root.pk}")
    assert [m["name"] for m in r.json()["items"]] == ["Release 3"]

    assert api_admin.delete(f"/api/v1/milestones/{release['id']}").status_code == 422
    assert api_admin.delete(f"/api/v1/milestones/{freeze['id']}").status_code == 204


def test_bad_input_and_other_tenants_are_refused(cast, api_admin):
    theirs = Milestone.objects.create(org=cast.other_org, name="Theirs", date=dt.date(2027, 1, 4))
    r = send(
        api_admin,
        "post",
        "/api/v1/milestones",
        {"name": "Mine", "anchor_id": theirs.pk, "offset_days": -7},
    )
    assert r.status_code == 422 and "anchor_id" in r.content.decode()
    r = send(api_admin, "post", "/api/v1/milestones", {"name": "No date"})
    assert r.status_code == 422
    r = send(
        api_admin,
        "post",
        "/api/v1/milestones",
        {"name": "X", "date": "2027-01-04", "team_ids": [cast.other_team.pk]},
    )
    assert r.status_code == 422
    assert not Milestone.objects.filter(org=cast.org).exists()
    assert api_admin.get(f"/api/v1/milestones/{theirs.pk}").status_code == 404
    outsider = api_client(cast.outsider)
    assert outsider.get("/api/v1/milestones").json()["items"][0]["name"] == "Theirs"


def test_a_dependency_asked_by_a_milestone_follows_it(cast, api_admin):
    org = cast.org
    ops = org_services.create_team(org, None, name="Ops", slug="ops", parent=cast.root)
    mine = alignment.create_initiative(org, None, team=cast.platform, title="Launch")
    day = timezone.localdate() + dt.timedelta(days=30)
    m = send(
        api_admin, "post", "/api/v1/milestones", {"name": "Freeze", "date": day.isoformat()}
    ).json()
    r = send(
        api_admin,
        "post",
        "/api/v1/dependencies",
        {
            "requester_initiative_id": mine.pk,
            "provider_team_id": ops.pk,
            "title": "Racks",
            "need_by_milestone_id": m["id"],
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["need_by"] == day.isoformat()
    assert r.json()["need_by_milestone_id"] == m["id"]
    send(
        api_admin,
        "patch",
        f"/api/v1/milestones/{m['id']}",
        {"date": (day + dt.timedelta(5)).isoformat()},
    )
    dep = api_admin.get(f"/api/v1/dependencies/{r.json()['id']}").json()
    assert dep["need_by"] == (day + dt.timedelta(5)).isoformat()

    r = send(
        api_admin,
        "post",
        f"/api/v1/dependencies/{dep['id']}/need-by-milestone",
        {"milestone_id": None},
    )
    assert r.status_code == 200, r.content
    assert r.json()["need_by_milestone_id"] is None
    assert Dependency.objects.get(pk=dep["id"]).need_by == day + dt.timedelta(5)


def test_filtering_by_another_organizations_team_or_period_finds_nothing(cast, api_admin):
    Milestone.objects.create(org=cast.org, name="Everyone's", date=dt.date(2027, 1, 4))
    assert api_admin.get(f"/api/v1/milestones?team_id={cast.other_team.pk}").status_code == 404
    theirs = alignment.create_period(
        cast.other_org, None, name="Their Q1", start="2027-01-01", end="2027-03-31"
    )
    assert api_admin.get(f"/api/v1/milestones?period_id={theirs.pk}").status_code == 404
    assert api_admin.get(f"/api/v1/milestones?team_id={cast.root.pk}").json()["count"] == 1
