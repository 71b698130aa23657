"""Key-result values: every change recorded; bad input refused with nothing changed."""

from __future__ import annotations

import pytest

from accord.activity.models import Event
from accord.alignment import services as s
from accord.alignment.models import KeyResult, KeyResultValue
from accord.core.errors import NotFound, PermissionDenied, ServiceError


@pytest.fixture
def kr(cast, plan):
    return s.create_key_result(
        cast.org, None, plan.platform_obj, name="Conversion", unit="%", start=2, target=4
    )


def _state(org):
    return (
        list(KeyResult.objects.values_list("id", "current", "version")),
        KeyResultValue.objects.count(),
        Event.objects.for_org(org).count(),
    )


def test_recording_a_value_keeps_who_and_when(cast, kr):
    s.record_key_result_value(cast.org, cast.member, kr, "3.5", note="after A/B test")
    kr.refresh_from_db()
    assert kr.current == 3.5
    assert kr.progress == 75
    history = list(KeyResultValue.objects.filter(key_result=kr).values_list("value", "recorded_by"))
    assert history == [(2, None), (3.5, cast.member.pk)]
    event = Event.objects.for_org(cast.org).get(verb="value_recorded")
    assert event.before["current"] == 2 and event.after["current"] == 3.5
    assert event.after["progress"] == 75


@pytest.mark.parametrize("bad", ["abc", "", "1,2,3x", "nan", "inf", None])
def test_it_refuses_a_value_that_is_not_a_number(cast, kr, bad):
    before = _state(cast.org)
    with pytest.raises(ServiceError) as exc:
        s.record_key_result_value(cast.org, cast.member, kr, bad)
    assert "value" in exc.value.fields
    assert _state(cast.org) == before


def test_it_refuses_another_tenants_key_result(cast, kr):
    before = _state(cast.org)
    with pytest.raises(NotFound):
        s.record_key_result_value(cast.other_org, cast.outsider, kr, 3)
    assert _state(cast.org) == before


def test_a_viewer_cannot_record_values(cast, kr):
    before = _state(cast.org)
    with pytest.raises(PermissionDenied):
        s.record_key_result_value(cast.org, cast.viewer, kr, 3)
    assert _state(cast.org) == before


def test_a_milestone_is_done_with_1_and_refuses_other_numbers(cast, plan):
    m = s.create_key_result(cast.org, None, plan.platform_obj, name="Launch", is_milestone=True)
    with pytest.raises(ServiceError):
        s.record_key_result_value(cast.org, None, m, 0.5)
    s.record_key_result_value(cast.org, None, m, True)
    m.refresh_from_db()
    assert m.done and m.progress == 100


def test_a_milestone_added_done_is_done_and_its_first_value_is_0_or_1(cast, plan):
    # A done milestone entered as done (a file's, whose current value is 1) reads done.
    m = s.create_key_result(
        cast.org, None, plan.platform_obj, name="Launch", is_milestone=True, current=1
    )
    assert m.done and m.progress == 100
    before = KeyResult.objects.count()
    with pytest.raises(ServiceError) as exc:
        s.create_key_result(
            cast.org, None, plan.platform_obj, name="Beta", is_milestone=True, start=5
        )
    assert exc.value.fields == {"start": ["1 = done, 0 = not done."]}
    assert KeyResult.objects.count() == before


def test_a_range_needs_both_bounds_in_order(cast, plan):
    with pytest.raises(ServiceError) as exc:
        s.create_key_result(
            cast.org, None, plan.platform_obj, name="Stock", direction="range", range_low=5
        )
    assert "range_high" in exc.value.fields
    with pytest.raises(ServiceError):
        s.create_key_result(
            cast.org,
            None,
            plan.platform_obj,
            name="Stock",
            direction="range",
            range_low=5,
            range_high=1,
        )
    assert not KeyResult.objects.exists()


def test_current_cannot_be_edited_around_the_history(cast, kr):
    with pytest.raises(ServiceError) as exc:
        s.update_key_result(cast.org, None, kr, current=10)
    assert "Record a new value" in exc.value.message


def test_a_stale_edit_is_refused(cast, kr):
    from accord.core.errors import Conflict

    s.update_key_result(cast.org, None, kr, target=5)
    with pytest.raises(Conflict):
        s.update_key_result(cast.org, None, kr, target=6, expected_version=1)
    kr.refresh_from_db()
    assert kr.target == 5


def test_importing_a_dated_history_sets_the_latest_as_current(cast, plan):
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    kr = s.create_key_result(
        cast.org,
        None,
        plan.platform_obj,
        name="NPS",
        start=2,
        target=4,
        at=now - dt.timedelta(weeks=3),
    )
    n = s.import_key_result_values(
        cast.org, None, kr, [(now - dt.timedelta(weeks=2), 2.5), (now - dt.timedelta(weeks=1), "3")]
    )
    assert n == 2
    kr.refresh_from_db()
    assert kr.current == 3
    assert Event.objects.for_org(cast.org).filter(verb="values_imported").count() == 1


def test_importing_refuses_all_values_when_one_is_bad(cast, kr):
    from django.utils import timezone

    before = _state(cast.org)
    with pytest.raises(ServiceError):
        s.import_key_result_values(cast.org, None, kr, [(timezone.now(), 3), (timezone.now(), "x")])
    assert _state(cast.org) == before


def test_an_imported_value_older_than_the_history_does_not_become_current(cast, kr):
    import datetime as dt

    from django.utils import timezone

    s.import_key_result_values(cast.org, None, kr, [(timezone.now() - dt.timedelta(days=30), 9)])
    kr.refresh_from_db()
    assert kr.current == 2
    assert KeyResultValue.objects.filter(key_result=kr).count() == 2
