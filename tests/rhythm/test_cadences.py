"""Setting up cadences: from templates, with validation that changes nothing on refusal."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity.models import Event
from accord.core.errors import PermissionDenied, ServiceError
from accord.rhythm import queries, services
from accord.rhythm.models import Cadence, OccurrenceException, Scope
from tests.rhythm.conftest import utc

BEFORE = utc(2026, 10, 15)  # the moves below are to times still ahead then


def test_it_creates_a_cadence_from_a_template_with_its_rule_and_agenda(cast):
    c = services.create_cadence_from_template(
        cast.org, cast.leader, "weekly-sync", team=cast.platform, timezone_name="Europe/Berlin"
    )
    assert c.rrule == "FREQ=WEEKLY;BYDAY=MO"
    assert c.duration_minutes == 90
    assert [s["source"] for s in c.agenda][:3] == ["none", "metrics", "key_results"]
    assert c.owner == cast.leader
    event = Event.objects.for_org(cast.org).for_target("rhythm.cadence", c.pk).get()
    assert event.verb == "created" and event.after["rrule"] == "FREQ=WEEKLY;BYDAY=MO"


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"rrule": "FREQ=SOMETIMES"}, "rrule"),
        ({"rrule": "BYDAY=MO"}, "rrule"),
        ({"timezone_name": "Mars/Olympus_Mons"}, "timezone"),
        ({"scope": "galaxy"}, "scope"),
        ({"team": None}, "team"),
        ({"duration_minutes": 0}, "duration_minutes"),
    ],
)
def test_it_refuses_bad_input_and_changes_nothing(cast, changes, field):
    kwargs = dict(
        name="Sync",
        rrule="FREQ=WEEKLY;BYDAY=MO",
        time=dt.time(10),
        timezone_name="Europe/Berlin",
        team=cast.platform,
    )
    kwargs.update(changes)
    events = Event.objects.count()
    with pytest.raises(ServiceError) as exc:
        services.create_cadence(cast.org, cast.admin, **kwargs)
    assert field in exc.value.fields
    assert Cadence.objects.count() == 0
    assert Event.objects.count() == events


def test_it_refuses_a_bad_rule_on_update_and_keeps_the_old_one(cast, rhythm):
    version = rhythm.sync.version
    with pytest.raises(ServiceError) as exc:
        services.update_cadence(cast.org, cast.admin, rhythm.sync, rrule="FREQ=WEEKLY;BYDAY=XY")
    assert "rrule" in exc.value.fields
    rhythm.sync.refresh_from_db()
    assert rhythm.sync.rrule == "FREQ=WEEKLY;BYDAY=MO" and rhythm.sync.version == version


def test_members_and_viewers_cannot_set_up_a_teams_cadence(cast):
    for who in (cast.member, cast.viewer):
        with pytest.raises(PermissionDenied):
            services.create_cadence_from_template(cast.org, who, "weekly-sync", team=cast.platform)
    assert Cadence.objects.count() == 0


def test_the_whole_organization_scope_includes_everyone_in_a_team(cast):
    c = services.create_cadence_from_template(
        cast.org, cast.admin, "quarterly-planning", timezone_name="America/New_York"
    )
    assert c.scope == Scope.ORG
    people = queries.participants(cast.org, c)
    assert cast.member in people and cast.admin in people  # admin as owner
    assert cast.outsider not in people


def test_moving_and_cancelling_one_occurrence_leaves_the_rule(cast, rhythm):
    sync = rhythm.sync
    occs = queries.occurrences_of(sync, utc(2026, 11, 1), utc(2026, 11, 20))
    a, b, _ = occs
    services.move_occurrence(
        cast.org, cast.leader, sync, a.original_start, utc(2026, 11, 3, 12), now=BEFORE
    )
    services.cancel_occurrence(cast.org, cast.leader, sync, b.original_start, note="offsite")
    sync = queries.cadences(cast.org).get(pk=sync.pk)
    after = queries.occurrences_of(sync, utc(2026, 11, 1), utc(2026, 11, 20))
    assert [o.start for o in after] == [utc(2026, 11, 3, 12), occs[2].start]
    assert sync.rrule == "FREQ=WEEKLY;BYDAY=MO"
    services.restore_occurrence(cast.org, cast.leader, sync, b.original_start)
    assert OccurrenceException.objects.count() == 1


def test_it_refuses_to_move_an_instant_the_rule_does_not_produce(cast, rhythm):
    with pytest.raises(ServiceError) as exc:
        services.move_occurrence(
            cast.org, cast.leader, rhythm.sync, utc(2026, 11, 3, 9), utc(2026, 11, 4, 9)
        )
    assert exc.value.code == "invalid_occurrence"
    assert OccurrenceException.objects.count() == 0


def test_an_occurrence_is_not_moved_onto_another(cast, rhythm):
    """Moving one meeting onto the time of another would list that time twice; moving it
    to a time of its own, or back to where it was, is fine."""
    sync = rhythm.sync
    a, b = queries.occurrences_of(sync, utc(2026, 11, 1), utc(2026, 11, 12))[:2]
    with pytest.raises(ServiceError) as exc:
        services.move_occurrence(cast.org, cast.leader, sync, a.original_start, b.start, now=BEFORE)
    assert exc.value.code == "occurrence_taken"
    assert OccurrenceException.objects.count() == 0
    later = b.start + dt.timedelta(hours=2)
    services.move_occurrence(cast.org, cast.leader, sync, a.original_start, later, now=BEFORE)
    with pytest.raises(ServiceError):  # nor onto one that was moved there
        services.move_occurrence(cast.org, cast.leader, sync, b.original_start, later, now=BEFORE)
    services.move_occurrence(
        cast.org, cast.leader, sync, a.original_start, a.original_start, now=BEFORE
    )


def test_a_subtree_cadence_takes_in_the_people_of_the_teams_below_and_no_others(cast):
    """Who is in a cadence of a team and everything below it: a member of a team under
    it, not one of a team beside it; the same as the roster says."""
    from accord.org import services as org_services
    from accord.org.models import Role
    from tests.conftest import make_person

    billing = org_services.create_team(cast.org, None, name="Billing", parent=cast.platform)
    invoices = org_services.create_team(cast.org, None, name="Invoices", parent=billing)
    sales = org_services.create_team(cast.org, None, name="Sales", parent=cast.root)
    deep, beside = (
        make_person(cast.org, "Dee Deep", Role.MEMBER),
        make_person(cast.org, "Ben Beside", Role.MEMBER),
    )
    org_services.add_membership(cast.org, None, person=deep, team=invoices)
    org_services.add_membership(cast.org, None, person=beside, team=sales)
    c = services.create_cadence(
        cast.org,
        cast.leader,
        name="Platform all-hands",
        scope=Scope.SUBTREE,
        team=cast.platform,
        rrule="FREQ=MONTHLY;BYMONTHDAY=1",
        timezone_name="Europe/Berlin",
        time=dt.time(9, 0),
    )
    roster = set(queries.participants(cast.org, c))
    for person, expected in ((deep, True), (cast.member, True), (beside, False)):
        assert queries.is_participant(cast.org, c, person) is expected, person.name
        assert (person in roster) is expected, person.name
