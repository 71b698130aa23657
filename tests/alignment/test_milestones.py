"""Milestones: relative milestones move with their anchor (through chains), cycles and
anchors of another organization are refused, and a refusal changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity.models import Event
from accord.alignment import milestones
from accord.alignment.models import Milestone
from accord.core.errors import NotFound, PermissionDenied, ServiceError

D = dt.date(2027, 3, 1)


def _chain(cast):
    org, who = cast.org, cast.leader
    release = milestones.create_milestone(org, who, name="Release", kind="release", date=D)
    rc = milestones.create_milestone(
        org, who, name="RC", kind="release_candidate", anchor=release, offset_days=-7
    )
    freeze = milestones.create_milestone(
        org, who, name="Code freeze", kind="code_freeze", anchor=rc, offset_days=-7
    )
    return release, rc, freeze


def test_relative_milestones_of_relative_milestones_move_with_their_anchor(cast):
    release, rc, freeze = _chain(cast)
    assert (rc.date, freeze.date) == (D - dt.timedelta(7), D - dt.timedelta(14))

    milestones.move_milestone(cast.org, cast.leader, release, D + dt.timedelta(21))

    rc.refresh_from_db()
    freeze.refresh_from_db()
    assert rc.date == D + dt.timedelta(14)
    assert freeze.date == D + dt.timedelta(7)
    moved = Event.objects.filter(verb="moved", target_type="alignment.milestone")
    assert moved.count() == 3


def test_moving_a_relative_milestone_changes_its_offset_and_keeps_its_anchor(cast):
    release, rc, freeze = _chain(cast)
    milestones.move_milestone(cast.org, cast.leader, rc, D - dt.timedelta(3))
    rc.refresh_from_db()
    freeze.refresh_from_db()
    assert (rc.anchor_id, rc.offset_days) == (release.pk, -3)
    assert freeze.date == D - dt.timedelta(10)


def test_a_cycle_is_refused_and_changes_nothing(cast):
    release, rc, freeze = _chain(cast)
    with pytest.raises(ServiceError, match="cannot be relative to itself"):
        milestones.update_milestone(cast.org, cast.leader, release, anchor=freeze)
    with pytest.raises(ServiceError):
        milestones.update_milestone(cast.org, cast.leader, rc, anchor=rc)
    release.refresh_from_db()
    assert release.anchor_id is None and release.date == D and release.version == 1


def test_an_anchor_in_another_organization_is_refused(cast):
    theirs = Milestone.objects.create(org=cast.other_org, name="Theirs", date=D)
    with pytest.raises(NotFound):
        milestones.create_milestone(cast.org, cast.leader, name="Mine", anchor=theirs)
    with pytest.raises(NotFound):
        milestones.create_milestone(
            cast.org, cast.leader, name="Mine", date=D, teams=[cast.other_team]
        )
    assert not Milestone.objects.filter(org=cast.org).exists()


def test_bad_input_is_refused_clearly(cast):
    org, who = cast.org, cast.leader
    with pytest.raises(ServiceError, match="Date is required"):
        milestones.create_milestone(org, who, name="No date")
    with pytest.raises(ServiceError, match="Unknown milestone kind"):
        milestones.create_milestone(org, who, name="X", kind="party", date=D)
    milestones.create_milestone(org, who, name="Release", date=D)
    with pytest.raises(ServiceError, match="already exists"):
        milestones.create_milestone(org, who, name="Release", date=D)
    with pytest.raises(PermissionDenied):
        milestones.create_milestone(org, cast.member, name="Y", date=D)
    assert Milestone.objects.filter(org=org).count() == 1


def test_a_milestone_others_are_relative_to_cannot_be_deleted(cast):
    release, _rc, freeze = _chain(cast)
    with pytest.raises(ServiceError, match="still used"):
        milestones.delete_milestone(cast.org, cast.leader, release)
    assert Milestone.objects.filter(pk=release.pk).exists()
    milestones.delete_milestone(cast.org, cast.leader, freeze)
    assert not Milestone.objects.filter(pk=freeze.pk).exists()


def test_offset_label_reads_in_weeks(cast):
    release, rc, _freeze = _chain(cast)
    assert rc.offset_label == "-1 week"
    later = milestones.create_milestone(
        cast.org, cast.leader, name="Retro", anchor=release, offset_days=3
    )
    assert later.offset_label == "+3 days"


def test_dates_past_the_supported_years_are_refused_and_change_nothing(cast):
    org, who = cast.org, cast.leader
    with pytest.raises(ServiceError, match="1900 to 2999"):
        milestones.create_milestone(org, who, name="Far", date=dt.date(9999, 12, 25))
    last = milestones.create_milestone(org, who, name="Last", date=dt.date(2999, 12, 25))
    with pytest.raises(ServiceError, match="outside the supported years"):
        milestones.create_milestone(org, who, name="After", anchor=last, offset_days=10)
    release, rc, _freeze = _chain(cast)
    milestones.create_milestone(org, who, name="Retro", anchor=release, offset_days=7)
    with pytest.raises(ServiceError, match="outside the supported years"):
        milestones.move_milestone(org, who, release, dt.date(2999, 12, 31))
    release.refresh_from_db()
    rc.refresh_from_db()
    assert release.date == D and rc.date == D - dt.timedelta(7)
