"""A dependency needed by a milestone follows it: moving the milestone (or the one it is
relative to) moves the need-by date, records why, and the late and at-risk marks follow."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity.models import Event
from accord.alignment import milestones
from accord.coordination import queries, services
from accord.coordination.models import Dependency, Flag
from accord.core.errors import ServiceError
from accord.web.templatetags.dates import day


def _release_train(world, cast):
    d = lambda n: world.today + dt.timedelta(days=n)  # noqa: E731
    release = milestones.create_milestone(
        world.org, cast.leader, name="Release 5.0", kind="release", date=d(60)
    )
    freeze = milestones.create_milestone(
        world.org,
        cast.leader,
        name="Feature freeze 5.0",
        kind="feature_freeze",
        anchor=release,
        offset_days=-28,
    )
    return release, freeze


def test_a_dependency_tied_to_a_relative_milestone_moves_when_its_anchor_moves(world, cast):
    release, freeze = _release_train(world, cast)
    dep = world.request(need_by=None, need_by_milestone=freeze)
    assert dep.need_by == world.today + dt.timedelta(days=32)

    milestones.move_milestone(world.org, cast.leader, release, world.today + dt.timedelta(74))

    dep.refresh_from_db()
    freeze.refresh_from_db()
    assert freeze.date == world.today + dt.timedelta(days=46)
    assert dep.need_by == freeze.date and dep.due == freeze.date
    event = Event.objects.filter(target_id=str(dep.pk), verb="need_by_moved").get()
    assert event.before["need_by"] == (world.today + dt.timedelta(days=32)).isoformat()
    assert event.after["note"] == (
        f"Need-by moved from {day(world.today + dt.timedelta(32))} to "
        f"{day(freeze.date)} with milestone Feature freeze 5.0."
    )


def test_the_late_mark_follows_the_milestone(world, cast):
    release, freeze = _release_train(world, cast)
    dep = world.request(need_by=None, need_by_milestone=freeze)
    later = world.today + dt.timedelta(days=25)
    assert not queries.decorate([Dependency.objects.get(pk=dep.pk)], on=later)[0].late
    # The release comes forward by ten days: the freeze is now before `later`.
    milestones.move_milestone(world.org, cast.leader, release, world.today + dt.timedelta(50))
    assert queries.decorate([Dependency.objects.get(pk=dep.pk)], on=later)[0].late


def test_a_commitment_after_the_moved_need_by_is_flagged_at_risk(world, cast):
    release, freeze = _release_train(world, cast)
    dep = world.request(need_by=None, need_by_milestone=freeze)
    dep = services.transition(
        world.org,
        world.giver,
        dep,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=freeze.date,
    )
    milestones.move_milestone(world.org, cast.leader, release, world.today + dt.timedelta(50))
    dep.refresh_from_db()
    assert dep.flag == Flag.AT_RISK and dep.flag_auto
    assert "Feature freeze 5.0 moved to" in dep.flag_note


def test_closed_dependencies_keep_their_date(world, cast):
    release, freeze = _release_train(world, cast)
    dep = world.request(need_by=None, need_by_milestone=freeze)
    services.transition(world.org, world.asker, dep, "cancel", note="Not needed")
    before = Dependency.objects.get(pk=dep.pk).need_by
    milestones.move_milestone(world.org, cast.leader, release, world.today + dt.timedelta(90))
    assert Dependency.objects.get(pk=dep.pk).need_by == before


def test_the_requester_ties_an_existing_dependency_and_only_the_requester(world, cast):
    _, freeze = _release_train(world, cast)
    dep = world.request()
    with pytest.raises(ServiceError):
        services.tie_to_milestone(world.org, world.giver, dep, freeze)
    dep = services.tie_to_milestone(world.org, world.asker, dep, freeze)
    assert dep.need_by == freeze.date and dep.need_by_milestone_id == freeze.pk
    assert Event.objects.filter(target_id=str(dep.pk), verb="need_by_tied").exists()


def test_a_milestone_of_another_organization_is_refused(world, cast):
    from accord.alignment.models import Milestone

    foreign = Milestone.objects.create(
        org=cast.other_org, name="Theirs", date=world.today + dt.timedelta(30)
    )
    with pytest.raises(ServiceError):
        world.request(need_by=None, need_by_milestone=foreign)
    assert not Dependency.objects.filter(org=world.org).exists()


def test_asked_by_a_milestone_from_the_form_and_the_page_shows_the_slip(world, cast):
    from tests.conftest import login

    release, freeze = _release_train(world, cast)
    client = login(world.asker)
    url = f"/o/{world.org.slug}/coordination/"
    r = client.post(
        url + "new/?team=sales",
        {
            "requester_initiative": world.launch.pk,
            "provider_team": world.ops.pk,
            "title": "Shelf space",
            "priority": "high",
            "need_by_milestone": freeze.pk,
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    dep = Dependency.objects.get()
    assert dep.need_by == freeze.date and dep.need_by_milestone == freeze
    old = freeze.date
    milestones.move_milestone(world.org, cast.leader, release, world.today + dt.timedelta(67))
    page = client.get(f"{url}d/{dep.pk}/").content.decode()
    new = old + dt.timedelta(days=7)
    assert "follows" in page and "Feature freeze 5.0" in page
    assert "moved the need-by date" in page
    assert f"Need-by moved from {day(old)} to {day(new)}" in page

    # Neither a date nor a milestone: refused, nothing created.
    r = client.post(
        url + "new/?team=sales",
        {"requester_initiative": world.launch.pk, "provider_team": world.ops.pk, "title": "X"},
    )
    assert r.status_code == 200 and "or a milestone" in r.content.decode()
    assert Dependency.objects.count() == 1
