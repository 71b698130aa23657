"""The stored follow-through (daily tallies per organization, owner, team and subtree)
equals a count from the action items after any sequence of writes through the services,
team moves and deletions included, by people in different time zones (never below
zero: a day is the organization's, whoever writes); the action items page reads it in as
many queries for a large subtree as for a small one."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accord.core.errors import ServiceError
from accord.decisions import followthrough, queries, services
from accord.decisions.models import ActionItem, FollowTally
from accord.org import services as org_services
from accord.org.models import Team
from accord.org.queries import subtree_ids
from tests.conftest import at, login

TODAY = dt.date(2026, 6, 30)
OPS = ("create", "complete", "drop", "reopen", "redate", "refile", "reown", "move", "delete")
# The zones of the people writing (the web writes in the person's own zone).
ZONES = ("UTC", "Australia/Sydney", "Asia/Tokyo", "Europe/Berlin", "America/New_York")

steps = st.lists(
    st.tuples(
        st.sampled_from(OPS),
        st.integers(0, 40),
        st.integers(0, 40),
        st.integers(-100, 20),
        st.sampled_from(ZONES),
    ),
    min_size=1,
    max_size=15,
)

# Done in Sydney at 05:00 the day after it was due (19:00 UTC on its due day: on time on
# the organization's day), then reopened in Berlin (21:00 on the due day there).
SYDNEY_THEN_BERLIN = [
    ("create", 0, 1, 1, "UTC"),
    ("complete", 0, 5, 0, "Australia/Sydney"),
    ("reopen", 0, 0, 0, "Europe/Berlin"),
    ("complete", 0, 5, 0, "America/New_York"),
    ("reopen", 0, 0, 0, "Australia/Sydney"),
]


# Re-dated once overdue (and again; another with its date taken away), then done early
# for the new date; re-planned before it was due, then done by the new date; the first
# reopened, and a team moved.
SLIPPING = [
    ("create", 0, 1, -8),
    ("redate", 0, 1, 4),
    ("redate", 0, 2, 9),
    ("complete", 0, 0, 0),
    ("create", 1, 2, -10),
    ("redate", 1, 6, 0),
    ("complete", 1, 0, 0),
    ("create", 2, 3, 8),
    ("redate", 2, 1, 12),
    ("complete", 2, 4, 0),
    ("reopen", 0, 0, 0),
    ("move", 2, 0, 0),
]


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _pick(items, i):
    return items[i % len(items)] if items else None


def _teams(cast) -> list[Team]:
    """Acme > Platform > (Payments > Cards, Search); Sales under Acme."""
    org = cast.org
    payments = org_services.create_team(org, None, name="Payments", parent=cast.platform)
    org_services.create_team(org, None, name="Cards", parent=payments)
    org_services.create_team(org, None, name="Search", parent=cast.platform)
    org_services.create_team(org, None, name="Sales", parent=cast.root)
    return list(Team.objects.for_org(org).order_by("id"))


def _apply(cast, op: str, a: int, b: int, d: int, zone: str = "UTC") -> None:
    with timezone.override(zone):  # as the web does for a person of that zone
        _write(cast, op, a, b, d)


def _write(cast, op: str, a: int, b: int, d: int) -> None:
    org = cast.org
    people = [cast.member, cast.leader, cast.admin]
    teams = list(Team.objects.for_org(org).order_by("id"))
    items = list(ActionItem.objects.for_org(org).order_by("id"))
    item = _pick(items, a)
    day = TODAY + dt.timedelta(days=d)
    if op == "create":
        team = None if b % 5 == 0 else _pick(teams, b)
        due = None if d % 7 == 0 else day
        services.create_action_item(org, None, f"Item {a}", _pick(people, a), due, team=team)
    elif op == "complete" and item:
        # done a few days either side of its due date (or of the day, when undated)
        done = (item.due_on or day) + dt.timedelta(days=b % 9 - 4)
        services.complete_action_item(org, None, item, done_at=_at(done, b % 24))
    elif op == "drop" and item:
        services.drop_action_item(org, None, item)
    elif op == "reopen" and item:
        services.reopen_action_item(org, None, item)
    elif op == "redate" and item:
        # Re-dated on a day a few days either side of TODAY: after its due date (it slipped,
        # late whatever its new date) or before it (it counts against the new one).
        on = TODAY + dt.timedelta(days=a % 11 - 5)
        # At noon UTC that day: the due days before it have ended everywhere, its own not.
        with at(dt.datetime.combine(on, dt.time(12), tzinfo=dt.UTC)):
            services.update_action_item(org, None, item, due_on=None if b % 6 == 0 else day)
    elif op == "refile" and item:
        services.update_action_item(org, None, item, team=None if b % 6 == 0 else _pick(teams, b))
    elif op == "reown" and item:
        services.update_action_item(org, None, item, owner=_pick(people, b))
    elif op == "move":
        team, parent = _pick(teams, a), (None if b % 7 == 0 else _pick(teams, b))
        org_services.update_team(org, None, team, parent=parent)
    elif op == "delete":
        org_services.delete_team(org, None, _pick(teams, a))


def _stored(org) -> dict:
    rows = FollowTally.objects.filter(org=org).values_list(
        "kind", "subject", "day", *followthrough.COLUMNS
    )
    return {(k, s, day): list(c) for k, s, day, *c in rows if any(c)}


def _figures(ft) -> tuple:
    return (ft.due, ft.on_time, ft.late, ft.overdue, ft.undated_done, ft.undated_open)


def _assert_figures_equal_a_count(cast) -> None:
    """What pages show, from the stored tallies, equals a count from the items."""
    org = cast.org
    teams = list(Team.objects.for_org(org))
    people = [cast.member, cast.leader, cast.admin]
    for today in (TODAY, TODAY + dt.timedelta(days=25)):
        for days in (30, 90):
            at = {"days": days, "today": today}
            pairs = [(queries.follow_through(org, **at), queries.counted_follow_through(org, **at))]
            for team in teams:
                pairs.append(
                    (
                        queries.follow_through(org, team=team, subtree=True, **at),
                        queries.counted_follow_through(org, team_ids=subtree_ids(team), **at),
                    )
                )
                pairs.append(
                    (
                        queries.follow_through(org, team=team, **at),
                        queries.counted_follow_through(org, team=team, **at),
                    )
                )
            for person in people:
                pairs.append(
                    (
                        queries.follow_through(org, person=person, **at),
                        queries.counted_follow_through(org, person=person, **at),
                    )
                )
            for stored, counted in pairs:
                assert _figures(stored) == _figures(counted), at
            for key in ("owner", "team"):
                stored = queries.follow_through_by(org, key=key, **at)
                counted = queries.counted_follow_through_by(org, key=key, **at)
                assert {k: _figures(v) for k, v in stored.items()} == {
                    k: _figures(v) for k, v in counted.items()
                }


@pytest.mark.django_db
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
# Sequences worth trying every time: a done item whose team moves under another, an
# item filed to a team that is then deleted, an item done late, reopened and re-dated.
@example(steps=[("create", 0, 3, -10), ("complete", 0, 8, 0), ("move", 2, 5, 0), ("move", 2, 0, 0)])
@example(steps=[("create", 0, 4, -3), ("create", 1, 5, 1), ("delete", 3, 0, 0)])
@example(
    steps=[("create", 0, 2, -5), ("complete", 0, 8, 0), ("reopen", 0, 0, 0), ("redate", 0, 1, 3)]
)
@example(steps=SLIPPING)
@example(steps=SYDNEY_THEN_BERLIN)
def test_stored_figures_equal_a_full_recomputation(cast, steps):
    org = cast.org
    with transaction.atomic():
        _teams(cast)
        for step in steps:
            try:
                with transaction.atomic():
                    _apply(cast, *step)
            except ServiceError:
                pass  # a refused write changes nothing
            # after every write, not only at the end: a later write may hide a stale row
            stored = _stored(org)
            assert stored == followthrough.computed(org.pk), step
            assert all(c >= 0 for counts in stored.values() for c in counts), step
        _assert_figures_equal_a_count(cast)
        transaction.set_rollback(True)


def test_recompute_repairs_tallies_written_without_the_services(cast):
    d = TODAY - dt.timedelta(days=3)
    services.create_action_item(cast.org, None, "Kept", cast.member, d, team=cast.platform)
    ActionItem.objects.create(org=cast.org, title="Bulk", owner=cast.leader, team=cast.root)
    FollowTally.objects.filter(org=cast.org, kind="owner").update(due=7)
    assert _stored(cast.org) != followthrough.computed(cast.org.pk)

    followthrough.recompute(cast.org.pk)

    assert _stored(cast.org) == followthrough.computed(cast.org.pk)
    ft = queries.follow_through(cast.org, team=cast.root, subtree=True, today=TODAY)
    assert (ft.due, ft.overdue, ft.undated_open) == (1, 1, 1)


def test_another_organization_has_its_own_tallies(cast):
    d = TODAY - dt.timedelta(days=3)
    services.create_action_item(cast.org, None, "Ours", cast.member, d, team=cast.platform)
    theirs = queries.follow_through(cast.other_org, today=TODAY)
    assert theirs.due == 0 and theirs.rate is None
    assert not FollowTally.objects.filter(org=cast.other_org).exists()


def _count(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    # The 30- and 90-day figures, the teams right below and the department's own items:
    # one read of the tallies each.
    tallies = [
        q["sql"]
        for q in ctx.captured_queries
        if FollowTally._meta.db_table in q["sql"] and "FILTER" in q["sql"]  # window sums
    ]
    assert len(tallies) == 4
    return len(ctx.captured_queries)


def test_the_action_items_page_reads_follow_through_in_as_many_queries_for_a_large_subtree(
    cast,
):
    org, url = cast.org, "/o/acme/decisions/actions/"
    client = login(cast.leader)
    client.get("/o/acme/")  # the first request of a session does some one-off work

    def add_teams(start: int, stop: int) -> None:
        for i in range(start, stop):
            parent = Team.objects.get(org=org, slug=f"t{i // 4}") if i >= 4 else cast.platform
            team = org_services.create_team(org, None, name=f"T{i}", slug=f"t{i}", parent=parent)
            for n in range(3):
                day = timezone.localdate() - dt.timedelta(days=3 + 7 * n + i % 5)
                item = services.create_action_item(org, None, "Do", cast.member, day, team=team)
                if n:
                    services.complete_action_item(org, None, item, done_at=_at(day, 9))

    add_teams(0, 4)
    small = _count(client, url, {"team": "acme"})
    add_teams(4, 60)
    large = _count(client, url, {"team": "acme"})
    # No more (one fewer once the open items fill a page: no read of the undated ones).
    assert large <= small
    page = client.get(url, {"team": "acme"}).content.decode()
    ft = queries.follow_through(org, team=cast.root, subtree=True, days=30)
    assert ft.due == 180 and f"{ft.percent}%" in page


def test_the_rebuild_command_counts_the_tallies_anew(cast):
    d = TODAY - dt.timedelta(days=3)
    services.create_action_item(cast.org, None, "Kept", cast.member, d, team=cast.platform)
    FollowTally.objects.filter(org=cast.org).delete()
    out = io.StringIO()
    call_command("rebuild_follow_through", "--org", "acme", stdout=out)
    assert "acme: 5 follow-through tallies stored" in out.getvalue()
    assert _stored(cast.org) == followthrough.computed(cast.org.pk)
    with pytest.raises(CommandError, match="No organization 'nope'"):
        call_command("rebuild_follow_through", "--org", "nope")


def test_the_example_slips_where_it_should(cast):
    """The re-dating example above does what it says (so it keeps testing slipped items)."""
    org = cast.org
    _teams(cast)
    for step in SLIPPING:
        _apply(cast, *step)
    items = ActionItem.objects.for_org(org).order_by("id")
    assert list(items.values_list("slipped_from", "due_on", "status")) == [
        (TODAY - dt.timedelta(days=8), TODAY + dt.timedelta(days=9), "open"),
        (TODAY - dt.timedelta(days=10), None, "done"),
        (None, TODAY + dt.timedelta(days=12), "done"),
    ]
    # Late on the day it missed, though done before its new date; on time by the new date.
    ft = queries.follow_through(org, today=TODAY + dt.timedelta(days=25), days=90)
    assert (ft.due, ft.on_time, ft.late, ft.overdue, ft.undated_done) == (3, 1, 1, 1, 0)
    assert _stored(org) == followthrough.computed(org.pk)
